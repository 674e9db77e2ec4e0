package io.clustermode.faults.nemesis;

import java.util.List;

/**
 * Signals to node processes: {@code kill -9}, {@code kill -STOP}, {@code kill -CONT}. Only
 * processes descended from this JVM can be signalled, so a wrong pid can never hit anything
 * else on the machine.
 */
public final class Processes {

    private Processes() {
    }

    /** SIGKILL: the process dies at once, without flushing or saying goodbye. */
    public static void kill9(long pid) {
        signal(pid, "KILL");
    }

    /** SIGSTOP: the process freezes (threads, timers, sockets unread) until {@link #resume}. */
    public static void pause(long pid) {
        signal(pid, "STOP");
    }

    /** SIGCONT: a paused process goes on, with a view of the cluster as old as its pause. */
    public static void resume(long pid) {
        signal(pid, "CONT");
    }

    /** SIGTERM: a graceful stop (a primary hands leadership over first). */
    public static void terminate(long pid) {
        signal(pid, "TERM");
    }

    /** Whether the process is a descendant of this JVM and alive. */
    public static boolean isOurs(long pid) {
        return ProcessHandle.current().descendants().anyMatch(p -> p.pid() == pid && p.isAlive());
    }

    private static void signal(long pid, String signal) {
        if (!isOurs(pid)) {
            throw new IllegalArgumentException("refusing to send SIG" + signal + " to " + pid
                    + ": not a live child of this JVM");
        }
        Commands.run(List.of("kill", "-s", signal, Long.toString(pid)));
    }
}
