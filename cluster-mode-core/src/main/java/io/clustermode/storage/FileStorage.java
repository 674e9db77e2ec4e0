package io.clustermode.storage;

import io.clustermode.raft.Entry;
import io.clustermode.raft.HardState;
import io.clustermode.NodeId;
import io.clustermode.raft.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link RaftStorage} in a data directory of its own:
 * <ul>
 *   <li>{@code identity.properties}: storage format, cluster name and node id, written on the
 *       first open; a directory of another cluster or node is refused;</li>
 *   <li>{@code hardstate}: two checksummed copies of the hard state, rewritten in place one
 *       after the other, so that a crash tears at most one of them;</li>
 *   <li>{@code snapshot} (the latest only), replaced atomically (temporary file, force,
 *       rename, directory force) and checksummed;</li>
 *   <li>the log: append-only segment files named by their first index, of checksummed
 *       records, a new one after {@link #DEFAULT_SEGMENT_BYTES} (configurable);</li>
 *   <li>{@code lock}, held while open, so two storages never write the same directory.</li>
 * </ul>
 *
 * <h2>Durability and group commit</h2>
 * Every method that writes returns only when what it wrote is durable. {@link #persist} forces
 * the log once however many entries it gets, so a driver that hands it everything that arrived
 * during the previous force commits them as a group. Rewriting the hard state costs two more
 * {@code fdatasync}s of a file whose size does not change (its two copies, one after the
 * other), so it is skipped when the hard state did not change. The first hard-state write after
 * {@link #load()} replaces the whole file atomically instead (file force, rename, directory
 * force), which creates it, converts the old single-copy format and repairs a damaged copy.
 *
 * <h2>Recovery</h2>
 * {@link #load()} cuts away a torn tail (the last record of the last segment cut short or
 * failing its checksum, with no intact record after it), logging it at WARN; it reads the
 * hard state from its other copy when one copy is torn or damaged, logging that at WARN too;
 * it refuses anything else that is damaged or missing with a {@link StorageCorruptedException}.
 *
 * <h2>Threading</h2>
 * Called by the node's event-loop thread only; not thread-safe. {@link #load()} must be called
 * once, before any write.
 *
 * <h2>Failure</h2>
 * After an {@link IOException} from a write, nothing is known about what reached the disk;
 * every later write fails too and the node must stop. Reopening recovers what was durable.
 */
public final class FileStorage implements RaftStorage {

    /** The size after which a new segment is started, in bytes: 64 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    /** The smallest segment size {@link #open(Path, String, NodeId, long)} accepts, in bytes. */
    public static final long MIN_SEGMENT_BYTES = 64;
    /** The largest segment size {@link #open(Path, String, NodeId, long)} accepts, in bytes: 1 GiB. */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);

    private final Path dir;
    private final NodeId node;
    private final long segmentBytes;
    private final DirLock lock;
    private HardState hardState = HardState.EMPTY;
    private SegmentedLog log;
    private HardStateFile hardStateFile;
    private List<LogRecovery.TornTail> tornTails = List.of();
    private IOException failure;
    private boolean closed;

    private FileStorage(Path dir, NodeId node, long segmentBytes, DirLock lock) {
        this.dir = dir;
        this.node = node;
        this.segmentBytes = segmentBytes;
        this.lock = lock;
    }

    /**
     * Opens, creating it if needed, the data directory of node {@code nodeId} of cluster
     * {@code clusterName}, with segments of {@link #DEFAULT_SEGMENT_BYTES}.
     *
     * @throws StorageCorruptedException when the directory belongs to another cluster or node,
     *                                   or is in a format this version does not read
     * @throws IOException               when the directory cannot be created or is in use
     */
    public static FileStorage open(Path dataDir, String clusterName, NodeId nodeId) throws IOException {
        return open(dataDir, clusterName, nodeId, DEFAULT_SEGMENT_BYTES);
    }

    /**
     * As {@link #open(Path, String, NodeId)}, starting a new segment once one reaches
     * {@code segmentBytes} bytes (a single large entry may exceed it).
     *
     * @param segmentBytes {@link #MIN_SEGMENT_BYTES} to {@link #MAX_SEGMENT_BYTES}
     */
    public static FileStorage open(Path dataDir, String clusterName, NodeId nodeId, long segmentBytes)
            throws IOException {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(nodeId, "nodeId");
        if (clusterName == null || clusterName.isBlank()) {
            throw new IllegalArgumentException("the cluster name must not be blank");
        }
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segment size " + segmentBytes + " outside " + MIN_SEGMENT_BYTES + ".."
                    + MAX_SEGMENT_BYTES);
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        createDurably(dir);
        DirLock lock = DirLock.acquire(dir);
        try {
            DataDirIdentity.verifyOrClaim(dir, clusterName, nodeId);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        return new FileStorage(dir, nodeId, segmentBytes, lock);
    }

    /**
     * The node id stored in {@code dataDir}'s identity file, so that a node can keep an id it
     * generated on its first start. Empty when the directory or its identity file does not
     * exist. Reads only; does not lock.
     *
     * @throws StorageCorruptedException when the identity file is damaged or of an unknown format
     */
    public static Optional<NodeId> storedNodeId(Path dataDir) throws IOException {
        Path dir = dataDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        return DataDirIdentity.read(dir).map(DataDirIdentity::node);
    }

    @Override
    public Optional<String> clusterId() throws IOException {
        return DataDirIdentity.read(dir).map(DataDirIdentity::clusterId).filter(id -> !id.isEmpty());
    }

    @Override
    public void recordClusterId(String clusterId) throws IOException {
        DataDirIdentity.recordClusterId(dir, clusterId);
    }

    /**
     * Reads the stored state, once, before any write; repairs a torn tail (logged at WARN) and
     * removes what crashes left behind: temporary files, segments of a replaced log, segments
     * the snapshot covers.
     *
     * @throws StorageCorruptedException when anything else is damaged, missing or unreadable;
     *                                   the message is one line naming the file and the problem
     * @throws IllegalStateException     when called twice or after {@link #close()}
     */
    @Override
    public StoredState load() throws IOException {
        requireOpen();
        if (log != null) {
            throw new IllegalStateException("load() was already called");
        }
        try {
            deleteTemporaryFiles();
            HardStateFile storedHardStateFile = HardStateFile.read(dir);
            HardState storedHardState = storedHardStateFile.loaded();
            SnapshotFile.Stored stored = SnapshotFile.read(dir);
            Snapshot snapshot = stored == null ? null : stored.snapshot();
            long snapshotIndex = snapshot == null ? 0 : snapshot.index();
            long generation = stored == null ? 0 : stored.generation();
            LogRecovery.Recovered recovered = LogRecovery.recover(dir, node, snapshotIndex, generation);
            List<Entry> entries = recovered.entries();
            long lastIndex = entries.isEmpty() ? snapshotIndex : entries.get(entries.size() - 1).index();
            if (storedHardState.commit() > lastIndex) {
                throw new StorageCorruptedException("data dir " + dir + ": " + HardStateFile.NAME + " says commit "
                        + storedHardState.commit() + " but the log ends at " + lastIndex
                        + ": committed entries are missing");
            }
            log = new SegmentedLog(dir, segmentBytes, recovered.segments(), snapshotIndex, generation);
            hardStateFile = storedHardStateFile;
            hardState = storedHardState;
            tornTails = recovered.tornTails();
            LOG.info("node {}: loaded {}: term {}, commit {}, snapshot at {}, {} entries up to {} in {} segment files",
                    node, dir, hardState.term(), hardState.commit(), snapshotIndex, entries.size(), lastIndex,
                    recovered.segments().size());
            return new StoredState(hardState, snapshot, entries);
        } catch (StorageCorruptedException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageCorruptedException("data dir " + dir + ": cannot read the stored state: " + e);
        }
    }

    /**
     * Persists one batch of a {@link io.clustermode.raft.Ready} as {@link RaftStorage#persist}
     * says, durable on return: one force for the log, however many entries (plus a force of
     * the full segment, of the new one's header and of the directory each time a segment
     * fills up); the snapshot file costs a file and a directory force; the hard state two file
     * forces in place (the first after {@link #load()}: a file and a directory force), only when
     * its term or vote differs from the stored one (the commit index alone is not worth a
     * rewrite; see below).
     *
     * @throws IllegalArgumentException when the entries are not contiguous, do not start after
     *                                  the snapshot and at most one past the last stored index,
     *                                  or one is too large; nothing is written then
     * @throws IOException              when a write fails; this storage is then unusable
     */
    @Override
    public void persist(Snapshot snapshot, List<Entry> entries, HardState newHardState) throws IOException {
        requireWritable();
        long base = snapshot != null ? snapshot.index() : log.snapshotIndex();
        long last = snapshot != null ? snapshot.index() : log.lastIndex();
        LogRules.checkAppend(entries, base, last);
        Records.checkWritable(entries);
        try {
            if (snapshot != null) {
                long generation = log.generation() + 1;
                SnapshotFile.write(dir, snapshot, generation);
                log.replace(snapshot.index(), generation);
            }
            if (!entries.isEmpty()) {
                log.append(entries);
            }
            if (LogRules.mustWrite(hardState, newHardState)) {
                hardStateFile.write(newHardState);
                hardState = newHardState;
            }
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    /**
     * Persists a snapshot of this node's own state machine, durably, then deletes the segments
     * it wholly covers; later entries stay readable. A snapshot at or below the stored one's
     * index is ignored: the stored one already covers it.
     *
     * @throws IOException when a write fails; this storage is then unusable
     */
    @Override
    public void saveSnapshot(Snapshot snapshot) throws IOException {
        Objects.requireNonNull(snapshot, "snapshot");
        requireWritable();
        if (snapshot.index() <= log.snapshotIndex()) {
            LOG.debug("node {}: ignoring snapshot at {}, the stored one is at {}", node, snapshot.index(),
                    log.snapshotIndex());
            return;
        }
        try {
            SnapshotFile.write(dir, snapshot, log.generation());
            log.compactTo(snapshot.index());
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    /** Closes the files and releases the directory; idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (log != null) {
                log.close();
            }
        } finally {
            try {
                if (hardStateFile != null) {
                    hardStateFile.close();
                }
            } finally {
                lock.close();
            }
        }
    }

    /** The data directory, absolute. */
    public Path dataDir() {
        return dir;
    }

    /** The torn tails {@link #load()} cut away. */
    List<LogRecovery.TornTail> tornTails() {
        return tornTails;
    }

    /** The segment files, oldest first. */
    List<Path> segmentFiles() {
        return log.files();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the storage of node " + node + " in " + dir + " is closed");
        }
    }

    private void requireWritable() throws IOException {
        requireOpen();
        if (log == null) {
            throw new IllegalStateException("load() must be called before writing");
        }
        if (failure != null) {
            throw new IOException("the storage of node " + node + " in " + dir
                    + " failed earlier and cannot tell what is durable; restart the node", failure);
        }
    }

    private IOException fail(Exception e) {
        failure = e instanceof IOException ? (IOException) e : new IOException(e);
        return failure;
    }

    private void deleteTemporaryFiles() throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "*" + DurableFiles.TEMP_SUFFIX)) {
            for (Path temp : temps) {
                // An atomic replacement a crash interrupted: the file it was to replace is intact.
                LOG.debug("node {}: deleting {}, left by an interrupted write", node, temp);
                Files.delete(temp);
            }
        }
    }

    /** Creates the directory if needed, and keeps it to this user (0700) either way. */
    private static void createDurably(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            if (dir.getParent() != null) {
                DurableFiles.forceDirectory(dir.getParent());
            }
        }
        DurableFiles.restrictToOwner(dir);
    }

    @Override
    public String toString() {
        return "FileStorage{" + node + " in " + dir + "}";
    }
}
