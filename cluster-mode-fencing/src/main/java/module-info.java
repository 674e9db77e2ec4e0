/**
 * Fencing at the resource: what an outside resource does with a primary's fencing token
 * ({@code Cluster.fencingToken()}, the Raft term) so that a deposed primary — paused by GC,
 * cut off, or simply late — cannot write after its successor did.
 *
 * <p>{@link io.clustermode.fencing.JdbcFence} checks the token inside the caller's database
 * transaction; {@link io.clustermode.fencing.FencingHeader} carries it on HTTP requests and
 * {@link io.clustermode.fencing.FencingFilter} refuses stale ones at a servlet container. The
 * module needs nothing of cluster-mode itself: a token is a {@code long}.
 */
module io.clustermode.fencing {
    requires transitive java.sql;
    requires java.net.http;
    requires static jakarta.servlet; // only the filter needs it, and the container provides it
    requires org.slf4j;

    exports io.clustermode.fencing;
}
