package io.clustermode.storage;

import io.clustermode.storage.RaftStorage.StoredState;

import java.io.IOException;

/** The contract against {@link MemoryStorage}: a "restart" only reads what it holds. */
class MemoryStorageTest extends RaftStorageContract {

    @Override
    protected RaftStorage create() {
        return new MemoryStorage();
    }

    @Override
    protected StoredState restart() throws IOException {
        return storage.load();
    }
}
