package io.clustermode.benchmarks;

/**
 * The four loads of the HTTP throughput comparison, each as cluster-mode and etcd are asked it.
 * The same generator sends both the same number of requests in flight, with the same keys and
 * 100-byte values.
 */
public enum ThroughputCase {

    /** Writes sent to the primary (etcd: the leader). */
    PUT_TO_PRIMARY("PUT straight to the primary", true, true),
    /** Writes sent to a secondary, which forwards them to the primary (etcd: a follower, which does the same). */
    PUT_THROUGH_SECONDARY("PUT through a secondary", true, false),
    /** Linearizable reads at the primary (etcd: a range with the default {@code serializable=false}). */
    GET_AT_PRIMARY("linearizable GET at the primary", false, true),
    /** Linearizable reads at a secondary, which forwards them (etcd: a follower asks the leader for a read index). */
    GET_THROUGH_SECONDARY("linearizable GET through a secondary", false, false);

    private final String label;
    private final boolean write;
    private final boolean atPrimary;

    ThroughputCase(String label, boolean write, boolean atPrimary) {
        this.label = label;
        this.write = write;
        this.atPrimary = atPrimary;
    }

    /** How the report names the row. */
    public String label() {
        return label;
    }

    /** Whether the requests write ({@code writes/s}) or read ({@code reads/s}). */
    public boolean write() {
        return write;
    }

    /** Whether the requests go to the primary (leader) rather than to a secondary (follower). */
    public boolean atPrimary() {
        return atPrimary;
    }

    /** The unit of its rate: {@code writes/s} or {@code reads/s}. */
    public String unit() {
        return write ? "writes/s" : "reads/s";
    }

    /** cluster-mode's requests: {@code PUT /kv/{key}} or {@code GET /kv/{key}}. */
    public HttpRequests ours(String hostPort, int connections, byte[] value) {
        return write ? HttpRequests.kvPut(hostPort, connections, value) : HttpRequests.kvGet(hostPort, connections);
    }

    /** etcd's requests: {@code POST /v3/kv/put} or {@code POST /v3/kv/range}. */
    public HttpRequests etcd(String hostPort, int connections, byte[] value) {
        return write ? HttpRequests.etcdPut(hostPort, connections, value) : HttpRequests.etcdRange(hostPort, connections);
    }
}
