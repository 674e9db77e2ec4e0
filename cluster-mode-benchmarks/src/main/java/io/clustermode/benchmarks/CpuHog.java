package io.clustermode.benchmarks;

import io.clustermode.cli.launch.ChildProcess;
import io.clustermode.cli.launch.NodeLauncher;

import java.util.List;

/**
 * The "busy machine": a separate process whose threads spin on the CPU at normal priority
 * until it is killed. {@code java ... CpuHog [threads]} (default 2).
 */
public final class CpuHog {

    private static volatile long sink;

    private CpuHog() {
    }

    /** Spins {@code args[0]} threads (default 2) forever. */
    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        for (int t = 0; t < threads; t++) {
            new Thread(() -> {
                long x = 0;
                while (true) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                    if (x == 42) {
                        sink = x;
                    }
                }
            }, "spin-" + t).start();
        }
    }

    /** Starts a hog of {@code threads} spinning threads as a child process of this JVM. */
    static ChildProcess start(int threads) throws java.io.IOException {
        return ChildProcess.start(new ProcessBuilder(NodeLauncher.javaCommand(CpuHog.class.getName(),
                List.of(Integer.toString(threads)))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD));
    }
}
