package io.clustermode.spring.actuate;

import io.clustermode.Cluster;
import io.clustermode.NodeId;
import io.clustermode.NotPrimaryException;
import io.clustermode.spring.ClusterLifecycle;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Actuator endpoint {@code cluster}: {@code GET /actuator/cluster} shows this node's view of
 * its cluster ({@link ClusterView}); {@code POST /actuator/cluster} hands primacy over — to the
 * voter named by {@code to} (a query parameter, or a JSON body {@code {"to": "n2"}}), or else to
 * the up-to-date secondary this node heard from most recently — and answers once another node
 * has taken over. As at shutdown, this node's {@code @PrimaryOnly} work is stopped (and the
 * {@code PrimaryRevokedEvent} published) before the successor is asked to take over
 * ({@link ClusterLifecycle#transferPrimacy}).
 *
 * <p>Its default access is read-only, so the write operation is off until it is allowed, as
 * Spring Boot does for its own endpoints that change things:
 * {@code management.endpoint.cluster.access=unrestricted}. Like every endpoint it is reachable
 * over HTTP only when exposed: {@code management.endpoints.web.exposure.include=health,cluster}.
 */
@Endpoint(id = "cluster", defaultAccess = Access.READ_ONLY)
public class ClusterEndpoint {

    private final Cluster<?, ?> cluster;
    private final ClusterLifecycle lifecycle;

    /**
     * @param cluster   the cluster to show
     * @param lifecycle what hands its primacy over, the application's work first
     */
    public ClusterEndpoint(Cluster<?, ?> cluster, ClusterLifecycle lifecycle) {
        this.cluster = cluster;
        this.lifecycle = lifecycle;
    }

    /** This node's view of its cluster now. */
    @ReadOperation
    public ClusterView cluster() {
        return ClusterView.of(cluster);
    }

    /**
     * Hands primacy over and waits until another node has it (at most twice the election timeout
     * and a second).
     *
     * @param to the voter to hand to; null for the best secondary
     * @return what happened; over HTTP its {@link TransferResult.Outcome#status() status} is the
     *         answer's status code
     */
    @WriteOperation
    public TransferResult transferPrimacy(@Nullable String to) {
        CompletableFuture<NodeId> transfer;
        try {
            transfer = lifecycle.transferPrimacy(to == null || to.isBlank() ? null : NodeId.of(to.trim()));
        } catch (IllegalArgumentException e) {
            return TransferResult.failed(TransferResult.Outcome.BAD_REQUEST, e.getMessage(), cluster);
        }
        Duration limit = cluster.config().electionTimeout().multipliedBy(2).plusSeconds(1);
        try {
            NodeId primary = transfer.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return new TransferResult(TransferResult.Outcome.TRANSFERRED, primary.value(), null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            // LeadershipTransferException (nobody to hand to, or nobody took over), or the node closed
            TransferResult.Outcome outcome = cause instanceof NotPrimaryException ? TransferResult.Outcome.NOT_PRIMARY
                    : TransferResult.Outcome.NOT_TRANSFERRED;
            return TransferResult.failed(outcome, String.valueOf(cause.getMessage()), cluster);
        } catch (TimeoutException e) {
            return TransferResult.failed(TransferResult.Outcome.TIMEOUT, "no other primary known within "
                    + limit.toMillis() + " ms", cluster);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return TransferResult.failed(TransferResult.Outcome.TIMEOUT, "interrupted while waiting", cluster);
        }
    }

    /**
     * What a hand-over came to.
     *
     * @param outcome what happened
     * @param primary the primary now, as this node knows it; null when none is known
     * @param error   why it did not happen; null when it did
     */
    public record TransferResult(Outcome outcome, String primary, String error) {

        /** What happened, and the HTTP status that says it. */
        public enum Outcome {
            /** Another node is primary now: 200. */
            TRANSFERRED(200),
            /** {@code to} names no other voter: 400. */
            BAD_REQUEST(400),
            /** This node is not the primary (the primary it knows is in {@code primary}): 409. */
            NOT_PRIMARY(409),
            /** No voter could take over, or none did in time; this node is still primary: 503. */
            NOT_TRANSFERRED(503),
            /** No answer within the limit: 504. */
            TIMEOUT(504);

            private final int status;

            Outcome(int status) {
                this.status = status;
            }

            /** The HTTP status for this outcome. */
            public int status() {
                return status;
            }
        }

        static TransferResult failed(Outcome outcome, String error, Cluster<?, ?> cluster) {
            return new TransferResult(outcome, cluster.status().primary().map(NodeId::value).orElse(null), error);
        }
    }
}
