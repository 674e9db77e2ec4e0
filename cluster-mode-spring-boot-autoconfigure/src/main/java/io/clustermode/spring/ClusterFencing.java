package io.clustermode.spring;

import java.util.OptionalLong;

/**
 * The fencing token for {@link PrimaryOnly @PrimaryOnly} work: the Raft term in which this node is
 * primary. It grows with every new primary, so an outside resource (a database row, a storage
 * bucket, another service) that remembers the highest token it accepted can refuse work from a
 * former primary that has not noticed yet.
 *
 * <pre>{@code
 * @PrimaryOnly
 * @Scheduled(fixedRate = 1000)
 * void publish() {
 *     long token = fencing.currentToken().orElseThrow();
 *     jdbc.update("update feed set body = ?, token = ? where id = 1 and token <= ?", body, token, token);
 * }
 * }</pre>
 *
 * <p>Thread-safe; a bean of the auto-configuration.
 */
public final class ClusterFencing {

    private final PrimaryRuns runs;

    /** @param lifecycle the lifecycle that grants and revokes this node's primacy to the application */
    public ClusterFencing(ClusterLifecycle lifecycle) {
        this.runs = lifecycle.runs();
    }

    /**
     * The token of the {@link PrimaryOnly} run in progress on this thread: the term in which it
     * started. It stays the same for the whole run, also after primacy ended (the run is then
     * interrupted). Empty outside such a run.
     */
    public OptionalLong currentToken() {
        PrimaryRuns.Run run = runs.current();
        return run == null ? OptionalLong.empty() : OptionalLong.of(run.token);
    }

    /**
     * Whether {@code token} is still this node's token: it is primary in that term, as the
     * application was told and as the node's state says now. A check just before an outside
     * write narrows the window in which a former primary can act; only the outside resource's
     * own check of the token closes it.
     */
    public boolean isCurrent(long token) {
        return runs.isCurrent(token);
    }

    /**
     * This node's token now, in or outside a run: the term while it is primary as the
     * application was told (between a {@link PrimaryGrantedEvent} and its
     * {@link PrimaryRevokedEvent}); empty otherwise.
     */
    public OptionalLong nodeToken() {
        long granted = runs.granted();
        return granted != PrimaryRuns.NONE && runs.isCurrent(granted) ? OptionalLong.of(granted)
                : OptionalLong.empty();
    }

    @Override
    public String toString() {
        return "ClusterFencing{token=" + nodeToken() + "}";
    }
}
