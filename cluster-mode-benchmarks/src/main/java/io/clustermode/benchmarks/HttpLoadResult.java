package io.clustermode.benchmarks;

import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;

/**
 * What one HTTP load measured.
 *
 * @param ok         2xx answers completed in the measured window
 * @param seconds    length of the measured window
 * @param p50Millis  median latency of those answers, from the request's write to the end of its answer
 * @param p99Millis  99th percentile, nearest rank
 * @param errors     failed requests by kind, over the whole load (warm-up included): an HTTP status
 *                   code ({@code "503"}), {@code connection} (closed or reset with the request
 *                   outstanding, or could not connect) or {@code timeout} (no answer in time)
 * @param cpuCores   CPU used during the measured window by each process, in cores (1.0 = one core busy)
 */
public record HttpLoadResult(long ok, double seconds, double p50Millis, double p99Millis,
                             SortedMap<String, Long> errors, Map<String, Double> cpuCores) {

    /** Successful requests per second of the measured window. */
    public double perSecond() {
        return ok / seconds;
    }

    /** Cores the measured processes used together (the whole machine's figure left out). */
    public double processCores() {
        return cpuCores.entrySet().stream().filter(e -> !e.getKey().equals(CpuMeter.MACHINE))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /**
     * Cores the rest of the machine used meanwhile: kernel work not charged to the processes,
     * and other programs (on a shared machine, another build); NaN when not measured.
     */
    public double otherCores() {
        return cpuCores.getOrDefault(CpuMeter.MACHINE, Double.NaN) - processCores();
    }

    /** Microseconds of CPU the measured processes spent per successful request. */
    public double cpuMicrosPerRequest() {
        return processCores() * 1e6 / perSecond();
    }

    /** All failed requests. */
    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** {@code 0}, or the count and its kinds, e.g. {@code 12 (503: 10, timeout: 2)}. */
    public String errorsText() {
        if (errors.isEmpty()) {
            return "0";
        }
        return String.format(Locale.ROOT, "%,d", errorCount()) + " (" + errors.entrySet().stream()
                .map(e -> e.getKey() + ": " + String.format(Locale.ROOT, "%,d", e.getValue()))
                .collect(Collectors.joining(", ")) + ")";
    }
}
