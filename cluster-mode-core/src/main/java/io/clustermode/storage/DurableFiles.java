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

    /** Java cannot open a directory on Windows; NTFS journals renames itself. */
    private static final boolean CAN_FORCE_DIRECTORY =
            !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private DurableFiles() {
    }

    /**
     * Replaces {@code dir/name} with {@code parts}, atomically: a crash leaves either the old
     * file or the new one, never a mix.
     */
    static void writeAtomically(Path dir, String name, ByteBuffer... parts) throws IOException {
        Path temp = dir.resolve(name + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
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
            at += channel.write(buffer, at);
        }
        return total;
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

    /** The whole file, in a heap buffer positioned at 0. */
    static ByteBuffer readAll(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 64) {
                throw new StorageCorruptedException(file + ": " + size + " bytes, too large to be a storage file");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, buffer.position()) < 0) {
                    break;
                }
            }
            return buffer.flip();
        }
    }

    /** CRC32C of {@code length} bytes of {@code buffer}'s backing array from {@code offset}. */
    static int crc32c(ByteBuffer buffer, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), buffer.arrayOffset() + offset, length);
        return (int) crc.getValue();
    }
}
