package io.clustermode.discovery;

import java.util.List;

/**
 * Where a node learns which instances of its application exist: a static list, DNS, the
 * Kubernetes API. Discovery only suggests members; it never decides a quorum — that comes from
 * the committed Raft configuration.
 *
 * <h2>Threading</h2>
 * {@link #instances()} is called from the node's discovery thread, one call at a time, and may
 * block (a DNS query, an API call). The change listener may be called from any thread.
 *
 * <h2>Failure</h2>
 * A failed lookup throws; the caller logs it, keeps the members it has and tries again at the
 * next update interval. A failure is never read as "every instance left".
 */
public interface DiscoveryService extends AutoCloseable {

    /** The instances there are now. */
    List<ServiceInstance> instances() throws Exception;

    /**
     * Asks to be told, as soon as possible, when the instances may have changed (a watch);
     * implementations that can only be polled ignore it. The listener must not block.
     */
    default void onChange(Runnable listener) {
    }

    /** Releases what the service holds (connections, watches, threads). */
    @Override
    default void close() {
    }
}
