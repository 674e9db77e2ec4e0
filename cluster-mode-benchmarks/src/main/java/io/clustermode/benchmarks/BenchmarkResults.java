package io.clustermode.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything one run measured, filled part by part and handed to {@link ReportWriter}.
 * Only the benchmark's main thread touches it.
 */
public final class BenchmarkResults {

    /** Failover and handoff configurations, in the order run. */
    public final List<FailoverResult> failover = new ArrayList<>();
    /** Cold-start configurations. */
    public final List<ColdStart.Result> coldStarts = new ArrayList<>();
    /** Replication rows, HTTP then Java. */
    public final List<LoadRow> load = new ArrayList<>();
    /** The HTTP API's throughput beside etcd; null when not run. */
    public HttpThroughput.Result httpThroughput;
    /** The Spring Boot example through kill -9 and SIGTERM; null when not run. */
    public SpringFailover.Result springFailover;
    /** Partition ownership through a join, kill -9, a rolling restart and a cut-off; null when not run. */
    public PartitionOwnership.Result partitions;
    /** Idle cost; null when not run. */
    public IdleCost.Result idle;
    /** Things the reader must know: parts skipped, errors of a part. */
    public final List<String> notes = new ArrayList<>();
    /** Whether the nodes ran in a private network namespace. */
    public boolean netns;
    /** The load average when the measurements ended. */
    public String loadAverageAtEnd = "unknown";
    /** Wall-clock minutes the run took. */
    public double minutes;
}
