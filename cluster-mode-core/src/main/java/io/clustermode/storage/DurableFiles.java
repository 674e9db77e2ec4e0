package io.clustermode.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.zip.CRC32C;

/** File operations whose result survives a crash once they return. */
final class DurableFiles {

    /** The suffix of a file being written, before it is renamed over its target. */
    static final String TEMP_SUFFIX = ".tmp";

    /** The most bytes handed to one read or write call. */
    private static final int CHUNK_BYTES = 1 << 20;

    /** Java cannot open a directory on Windows; NTFS journals renames itself. */
    private static final boolean CAN_FORCE_DIRECTORY =
            !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private DurableFiles() {
    }

    private static final boolean POSIX = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews()
            .contains("posix");

    /**
     * Opens (creating it if needed) a file that only this user may read or write (0600): the
     * log holds the application's data, and the identity file says which cluster it is.
     */
    static FileChannel openOwnerOnly(Path file, StandardOpenOption... options) throws IOException {
        java.util.Set<StandardOpenOption> set = java.util.EnumSet.noneOf(StandardOpenOption.class);
        set.addAll(java.util.List.of(options));
        if (!POSIX) {
            return FileChannel.open(file, set);
        }
        return FileChannel.open(file, set, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    }

    /** Makes {@code dir} accessible to this user only (0700), where the file system has POSIX permissions. */
    static void restrictToOwner(Path dir) throws IOException {
        if (POSIX) {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    /**
     * Replaces {@code dir/name} with {@code parts}, atomically: a crash leaves either the old
     * file or the new one, never a mix.
     */
    static void writeAtomically(Path dir, String name, ByteBuffer... parts) throws IOException {
        Path temp = dir.resolve(name + TEMP_SUFFIX);
        try (FileChannel channel = openOwnerOnly(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long position = 0;
            for (ByteBuffer part : parts) {
                position += writeFully(channel, part, position);
            }
            // Without this the rename can reach the disk before the data: a crash then leaves
            // an empty or partial file under the real name.
            channel.force(true);
        }
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(dir);
    }

    /** Writes all of {@code buffer} at {@code position}; returns the bytes written. */
    static int writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        int total = buffer.remaining();
        long at = position;
        while (buffer.hasRemaining()) {
            ByteBuffer chunk = chunk(buffer);
            int written = channel.write(chunk, at);
            buffer.position(buffer.position() + written);
            at += written;
        }
        return total;
    }

    /**
     * At most {@link #CHUNK_BYTES} of {@code buffer} from its position: the JDK copies a heap
     * buffer through a temporary direct buffer as large as what is left, which for a large
     * snapshot would be as large as the snapshot.
     */
    private static ByteBuffer chunk(ByteBuffer buffer) {
        return buffer.slice(buffer.position(), Math.min(buffer.remaining(), CHUNK_BYTES));
    }

    /**
     * Makes the creation, deletion and renaming of files in {@code dir} durable: forcing a
     * file does not make its directory entry durable.
     */
    static void forceDirectory(Path dir) throws IOException {
        if (!CAN_FORCE_DIRECTORY) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * The whole file, in a heap buffer positioned at 0; for reading stored state on load.
     *
     * @throws StorageCorruptedException naming the file when it cannot be read
     */
    static ByteBuffer readAll(Path file) throws StorageCorruptedException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 64) {
                throw new StorageCorruptedException(file + ": " + size + " bytes, too large to be a storage file");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining()) {
                int read = channel.read(chunk(buffer), buffer.position());
                if (read < 0) {
                    break;
                }
                buffer.position(buffer.position() + read);
            }
            return buffer.flip();
        } catch (StorageCorruptedException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageCorruptedException("cannot read " + file + ": " + e);
        }
    }

    /** CRC32C of {@code length} bytes of {@code buffer}'s backing array from {@code offset}. */
    static int crc32c(ByteBuffer buffer, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), buffer.arrayOffset() + offset, length);
        return (int) crc.getValue();
    }
}
