package io.clustermode.benchmarks;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU used by a few named processes over an interval: user + system time from
 * {@code /proc/PID/stat}, in cores (1.0 = one core busy all the time). A process that
 * cannot be read (it ended) is NaN.
 */
public final class CpuMeter {

    /** Clock ticks per second of /proc/PID/stat: USER_HZ, 100 on every Linux this runs on. */
    private static final double TICKS = 100;

    private final Map<String, Long> pids;
    private final Map<String, Long> ticksAtStart = new LinkedHashMap<>();
    private long startNanos;

    /** Measures the processes {@code pids}, by name, in this order. */
    public CpuMeter(Map<String, Long> pids) {
        this.pids = new LinkedHashMap<>(pids);
    }

    /** A meter of no process. */
    public static CpuMeter none() {
        return new CpuMeter(Map.of());
    }

    /** The JVM this runs in: the load generator, and whatever else the benchmark does meanwhile (little). */
    public static long thisJvm() {
        return ProcessHandle.current().pid();
    }

    /** Starts the interval. */
    public void start() {
        ticksAtStart.clear();
        pids.forEach((name, pid) -> ticksAtStart.put(name, ticks(pid)));
        startNanos = System.nanoTime();
    }

    /** Ends the interval; the cores each process used during it. */
    public Map<String, Double> stop() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            long before = ticksAtStart.get(name);
            long after = ticks(pid);
            cores.put(name, before < 0 || after < 0 ? Double.NaN : (after - before) / TICKS / seconds);
        });
        return cores;
    }

    /** utime + stime in clock ticks, or -1 when the process is gone. */
    private static long ticks(long pid) {
        try {
            return IdleCost.cpuTicks(pid);
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }
}
