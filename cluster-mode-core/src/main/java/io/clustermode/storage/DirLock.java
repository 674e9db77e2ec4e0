package io.clustermode.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Keeps a second process, or a second open in this one, from writing the same data directory. */
final class DirLock implements Closeable {

    static final String FILE = "lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws IOException when the directory is already locked, naming it */
    static DirLock acquire(Path dir) throws IOException {
        FileChannel channel = DurableFiles.openOwnerOnly(dir.resolve(FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("data dir " + dir + " is in use by another storage (lock file " + FILE + " is held)");
        }
        return new DirLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
