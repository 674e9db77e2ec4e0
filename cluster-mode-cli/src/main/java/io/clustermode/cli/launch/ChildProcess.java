package io.clustermode.cli.launch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A process this JVM started (a node, an etcd member, a stand-in), with the handling that the
 * demo, the tests, the fault injection and the benchmarks share: stop gracefully (SIGTERM, a
 * grace period, then SIGKILL), kill at once (SIGKILL), pause and resume (SIGSTOP, SIGCONT), and
 * wait for the exit without ever hanging or throwing.
 *
 * <p>Signals go only to this child: a {@code ChildProcess} exists only for a process this JVM
 * started, so no pid from elsewhere can be hit. SIGTERM and SIGKILL are sent by the JDK itself
 * ({@link Process#destroy()} and {@link Process#destroyForcibly()} on Linux), at the call, which
 * is what timed trials need; SIGSTOP and SIGCONT, for which the JDK has no call, through the
 * {@code kill} program. A command that {@code exec}s its payload (the {@code bin/cluster-mode}
 * launcher, {@code ip netns exec}) keeps its pid, so the signals reach the payload.
 *
 * <p>Thread-safe, as {@link Process} is.
 */
public final class ChildProcess {

    /** How long SIGSTOP or SIGCONT through {@code kill} may take before it counts as failed. */
    private static final long SIGNAL_SECONDS = 10;
    /** How long a process gets to go after SIGKILL before the wait gives up. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(10);

    private final Process process;

    private ChildProcess(Process process) {
        this.process = process;
    }

    /**
     * Starts {@code builder} as it is configured (streams, environment, directory).
     *
     * @throws IOException when the program cannot be started
     */
    public static ChildProcess start(ProcessBuilder builder) throws IOException {
        return new ChildProcess(builder.start());
    }

    /**
     * Starts {@code command} with both output streams appended to {@code log} (created when
     * missing; kept across restarts) and no input.
     *
     * @throws IOException when the program cannot be started
     */
    public static ChildProcess start(List<String> command, Path log) throws IOException {
        return start(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
    }

    /** The process itself: its streams, when they are pipes, and its {@link ProcessHandle}. */
    public Process process() {
        return process;
    }

    /** Its process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether it still runs (a paused process runs). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM: a graceful stop (a node's primary hands leadership over first). Returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: it dies at once, without flushing or saying goodbye. Returns at once. */
    public void kill9() {
        process.destroyForcibly();
    }

    /**
     * SIGSTOP: it freezes (threads, timers, unread sockets) until {@link #resume}.
     *
     * @throws IllegalStateException when it does not run, or the signal could not be sent
     */
    public void pause() {
        signal("STOP");
    }

    /**
     * SIGCONT: a paused process goes on.
     *
     * @throws IllegalStateException when it does not run, or the signal could not be sent
     */
    public void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        if (!process.isAlive()) {
            throw new IllegalStateException("cannot send SIG" + signal + " to " + this + ": it does not run");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            String output;
            try (InputStream out = kill.getInputStream()) {
                output = new String(out.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!kill.waitFor(SIGNAL_SECONDS, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -s " + signal + " " + this + " did not end");
            }
            if (kill.exitValue() != 0) {
                throw new IllegalStateException("kill -s " + signal + " " + this + ": exit " + kill.exitValue()
                        + (output.isEmpty() ? "" : ": " + output));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill for " + this + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + this, e);
        }
    }

    /**
     * Waits up to {@code timeout} for it to exit.
     *
     * @return its exit code (128 + the signal's number after a signal), or empty when it still
     *         runs (or the waiting thread was interrupted, whose flag is then set again)
     */
    public OptionalInt awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /**
     * Stops it: SIGTERM, up to {@code grace} for it to exit, then SIGKILL.
     *
     * @return its exit code, or empty when it is still there even after SIGKILL (or the waiting
     *         thread was interrupted)
     */
    public OptionalInt stop(Duration grace) {
        stopAll(List.of(this), grace);
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /**
     * Stops all of them at once: SIGTERM to each, then up to {@code grace} (for all together)
     * for them to exit, then SIGKILL to the rest. Null elements are passed over.
     */
    public static void stopAll(Collection<ChildProcess> children, Duration grace) {
        children.stream().filter(c -> c != null && c.isAlive()).forEach(ChildProcess::terminate);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ChildProcess child : children) {
            if (child != null) {
                child.awaitExit(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        }
        killAll(children);
    }

    /**
     * SIGKILL to all of them still running, then a wait for each to be gone (a few seconds at
     * most). Null elements are passed over.
     */
    public static void killAll(Collection<ChildProcess> children) {
        children.stream().filter(c -> c != null && c.isAlive()).forEach(ChildProcess::kill9);
        long deadline = System.nanoTime() + AFTER_KILL.toNanos();
        for (ChildProcess child : children) {
            if (child != null) {
                child.awaitExit(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        }
    }

    /** {@code process <pid>}, for messages. */
    @Override
    public String toString() {
        return "process " + process.pid();
    }
}
