package io.clustermode.raft;

/**
 * The outcome of a linearizable read requested with {@link RaftCore#readIndex(long)}.
 *
 * <p>When {@code confirmed}, the driver may answer the read from its state machine as soon
 * as it has applied {@code index}; the answer then reflects every write committed before the
 * read was requested (thesis §6.4). When not confirmed, leadership was lost before it could
 * be confirmed and the read must be retried elsewhere.
 *
 * @param requestId the id the driver gave the request
 * @param index     the commit index the read must wait for; -1 when not confirmed
 * @param confirmed whether leadership was confirmed by a majority
 */
public record ReadState(long requestId, long index, boolean confirmed) {
}
