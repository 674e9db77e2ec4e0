package io.clustermode.benchmarks;

/**
 * One row of a replication measurement: committed writes per second and their latency.
 *
 * @param api        {@code HTTP} or {@code Java}
 * @param clients    concurrent clients, each with one write in flight
 * @param perSecond  committed writes per second
 * @param p50Millis  median latency, milliseconds
 * @param p99Millis  99th percentile
 * @param p999Millis 99.9th percentile
 * @param failed     writes that did not succeed (error or non-200)
 */
public record LoadRow(String api, int clients, double perSecond, double p50Millis, double p99Millis,
                      double p999Millis, long failed) {
}
