package io.clustermode.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU used by a few named processes over an interval: user + system time from
 * {@code /proc/PID/stat}, in cores (1.0 = one core busy all the time). A process that
 * cannot be read (it ended) is NaN. Beside them, under {@link #MACHINE}, what the whole
 * machine was busy with (every CPU's non-idle time in {@code /proc/stat}): more than the
 * processes' sum means something else ran meanwhile.
 */
public final class CpuMeter {

    /** The name of the whole machine's figure in {@link #stop()}'s answer. */
    public static final String MACHINE = "machine";

    /** Clock ticks per second of /proc/PID/stat: USER_HZ, 100 on every Linux this runs on. */
    private static final double TICKS = 100;

    private final Map<String, Long> pids;
    private final Map<String, Long> ticksAtStart = new LinkedHashMap<>();
    private long machineAtStart;
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
        machineAtStart = machineBusyTicks();
        startNanos = System.nanoTime();
    }

    /** Ends the interval; the cores each process used during it, and the whole machine's under {@link #MACHINE}. */
    public Map<String, Double> stop() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long machine = machineBusyTicks();
        Map<String, Double> cores = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            long before = ticksAtStart.get(name);
            long after = ticks(pid);
            cores.put(name, before < 0 || after < 0 ? Double.NaN : (after - before) / TICKS / seconds);
        });
        cores.put(MACHINE, machine < 0 || machineAtStart < 0 ? Double.NaN : (machine - machineAtStart) / TICKS / seconds);
        return cores;
    }

    /** Every CPU's user, nice, system, irq, softirq and steal ticks: all but idle and iowait; -1 if unreadable. */
    static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + Long.parseLong(f[8]);
        } catch (IOException | RuntimeException unreadable) {
            return -1;
        }
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
