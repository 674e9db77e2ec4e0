package io.clustermode.faults.run;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * The runner's own log: one timestamped line per event (a fault with its resolved target, a
 * node started, a problem), written to a file that is kept with a failing run and echoed to a
 * console. Thread-safe.
 */
public final class RunLog implements Consumer<String>, AutoCloseable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final Path file;
    private final Writer out;
    private final PrintStream console;

    /** Appends to {@code file}; every line also goes to {@code console}. */
    public RunLog(Path file, PrintStream console) {
        this.file = file;
        this.console = console;
        try {
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file written. */
    public Path file() {
        return file;
    }

    @Override
    public synchronized void accept(String line) {
        String stamped = LocalTime.now().format(TIME) + " " + line;
        console.println(stamped);
        try {
            out.write(stamped);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            console.println("(could not write the run log: " + e.getMessage() + ")");
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            console.println("(could not close the run log: " + e.getMessage() + ")");
        }
    }
}
