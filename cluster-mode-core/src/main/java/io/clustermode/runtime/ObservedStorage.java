package io.clustermode.runtime;

import io.clustermode.raft.Entry;
import io.clustermode.raft.HardState;
import io.clustermode.raft.Snapshot;
import io.clustermode.storage.RaftStorage;

import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * A node's storage, timed for its {@link NodeObserver}: how long each group commit took is a
 * figure of the real disk, so it is measured here, around the real writes, and not in the
 * {@link ReadyDriver}, which the simulation runs without a clock.
 */
final class ObservedStorage implements RaftStorage {

    private final RaftStorage storage;
    private final Supplier<NodeObserver> observer;

    ObservedStorage(RaftStorage storage, Supplier<NodeObserver> observer) {
        this.storage = storage;
        this.observer = observer;
    }

    @Override
    public StoredState load() throws IOException {
        return storage.load();
    }

    @Override
    public void persist(Snapshot snapshot, List<Entry> entries, HardState hardState) throws IOException {
        long start = System.nanoTime();
        storage.persist(snapshot, entries, hardState);
        observer.get().persisted(entries.size(), System.nanoTime() - start);
    }

    @Override
    public void saveSnapshot(Snapshot snapshot) throws IOException {
        storage.saveSnapshot(snapshot);
    }

    @Override
    public java.util.Optional<String> clusterId() throws IOException {
        return storage.clusterId();
    }

    @Override
    public void recordClusterId(String clusterId) throws IOException {
        storage.recordClusterId(clusterId);
    }

    @Override
    public void close() throws IOException {
        storage.close();
    }
}
