package io.clustermode.fencing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Largest tokens in a file, one {@code <group> <token>} line each. A raise that changes a token
 * rewrites the whole file: written to a temporary file beside it, forced to the disk, renamed
 * over the old one (atomically: a crash leaves the old file or the new one, never a mix) and
 * the directory forced, all before {@link #raise} returns — so an accepted token survives a
 * crash of the process or the machine. A raise that changes nothing writes nothing.
 *
 * <p>Meant for a resource with few groups and tokens that change at failovers, not per
 * request. Calls are serialized (one process per file: two processes sharing a file would
 * overwrite each other's raises).
 */
public final class FileTokenStore implements TokenStore {

    private final Path file;
    private final Map<String, Long> largest;

    /**
     * Reads {@code file} when it exists (else starts empty and creates it at the first raise).
     *
     * @throws IOException when the file cannot be read or a line is not {@code <group> <token>}
     */
    public FileTokenStore(Path file) throws IOException {
        this.file = file.toAbsolutePath();
        this.largest = read(this.file);
    }

    @Override
    public synchronized long raise(String group, long token) throws IOException {
        FencingToken checked = new FencingToken(group, token); // a group with a space would break the file
        Long stored = largest.get(checked.group());
        if (stored != null && stored >= token) {
            return stored;
        }
        Map<String, Long> next = new TreeMap<>(largest);
        next.put(group, token);
        write(next);
        largest.put(group, token);
        return token;
    }

    private void write(Map<String, Long> tokens) throws IOException {
        StringBuilder text = new StringBuilder();
        tokens.forEach((group, token) -> text.append(group).append(' ').append(token).append('\n'));
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("token file " + file + ": this file system cannot rename atomically", e);
        }
        try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            directory.force(true); // the rename itself, durable
        }
    }

    private static Map<String, Long> read(Path file) throws IOException {
        Map<String, Long> tokens = new TreeMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException none) {
            return tokens;
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                String[] parts = line.split(" ");
                if (parts.length != 2) {
                    throw new IllegalArgumentException("expected '<group> <token>'");
                }
                FencingToken token = new FencingToken(parts[0], Long.parseLong(parts[1]));
                tokens.merge(token.group(), token.token(), Math::max);
            } catch (IllegalArgumentException e) { // NumberFormatException included
                throw new IOException("token file " + file + ", line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return tokens;
    }

    @Override
    public String toString() {
        return "FileTokenStore[" + file + "]";
    }
}
