package io.clustermode.storage;

import io.clustermode.storage.RaftStorage.StoredState;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

/** The contract against {@link FileStorage}, with segments small enough to hold a few entries each. */
class FileStorageContractTest extends RaftStorageContract {

    @TempDir
    Path dir;

    @Override
    protected RaftStorage create() throws IOException {
        FileStorage created = FileStorage.open(dir, "test", Fixtures.N1, 100);
        created.load();
        return created;
    }

    @Override
    protected StoredState restart() throws IOException {
        storage.close();
        storage = FileStorage.open(dir, "test", Fixtures.N1, 100);
        return storage.load();
    }
}
