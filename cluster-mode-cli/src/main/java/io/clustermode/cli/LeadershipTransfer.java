package io.clustermode.cli;

import io.clustermode.Cluster;
import io.clustermode.LeadershipTransferException;
import io.clustermode.Member;
import io.clustermode.NotPrimaryException;
import io.clustermode.cli.http.ApiAnswer;
import io.clustermode.kv.KvStore;
import io.clustermode.NodeId;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /cluster/transfer-leadership[?to=NODEID]} on the primary: hands primacy to the
 * voter named by {@code to} ({@link Cluster#transferLeadership(NodeId)}), or to the secondary
 * the primary heard from most recently ({@link Cluster#transferLeadership()}), and waits until
 * that node is the primary. An addition to CONTRACT.md, used by the fault-injection suite and by operators
 * before maintenance.
 *
 * <p>Answers: 200 {@code {"leaderId": ...}} once another node (the one named, if any) is the
 * primary; 400 when {@code to} names no voter of the cluster, or this node; 503 when there is no secondary to
 * hand to, or none took over within twice the election timeout; 504 when no new primary is known by the request timeout. The
 * future fails with {@link NotPrimaryException} when this node is not the primary:
 * {@link HttpApi} then forwards the request to the primary as it does writes. Never blocks:
 * the {@link Cluster} completes the transfer's future when this node follows the new primary.
 */
final class LeadershipTransfer {

    private final Cluster<KvStore.Result, NodeState> cluster;
    LeadershipTransfer(Cluster<KvStore.Result, NodeState> cluster) {
        this.cluster = cluster;
    }

    /** The 200 answer's document. */
    record Done(String leaderId, String from) {
    }

    /** Checks {@code to} before anything is done: empty when it is acceptable (or absent). */
    Optional<ApiAnswer> refuseTarget(String to) {
        if (to == null) {
            return Optional.empty();
        }
        Optional<Member> target = cluster.members().stream().filter(m -> m.id().value().equals(to)).findFirst();
        if (target.isEmpty() || !target.get().voter()) {
            return Optional.of(ApiAnswer.error(400, "no voter " + to + " in the cluster"));
        }
        if (target.get().id().equals(cluster.id())) {
            return Optional.of(ApiAnswer.error(400, to + " is the node asked; name another voter, or none"));
        }
        return Optional.empty();
    }

    /**
     * Runs the transfer on this node, which must be the primary: the answer is 200 with the new
     * primary once this node follows it, 503 when it could not happen (nothing was done, or the
     * successor did not take over in time), 504 when {@code timeout} passed first.
     */
    CompletableFuture<ApiAnswer> run(String to, Duration timeout) {
        if (!cluster.isPrimary()) {
            return CompletableFuture.failedFuture(notPrimary());
        }
        CompletableFuture<NodeId> transfer;
        try {
            transfer = to == null ? cluster.transferLeadership() : cluster.transferLeadership(NodeId.of(to));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(ApiAnswer.error(400, e.getMessage())); // the configuration changed
        }
        return Deadlines.within(transfer, timeout).handle((primary, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(
                        ApiAnswer.json(200, new Done(primary.value(), cluster.id().value())));
            }
            Throwable cause = Deadlines.cause(error);
            if (cause instanceof NotPrimaryException notPrimary) {
                return CompletableFuture.<ApiAnswer>failedFuture(notPrimary);
            }
            return CompletableFuture.completedFuture(cause instanceof TimeoutException
                    ? ApiAnswer.error(504, "no new primary known within " + timeout.toMillis()
                    + " ms; the transfer may or may not complete")
                    : cause instanceof LeadershipTransferException
                    ? ApiAnswer.error(503, cause.getMessage())
                    : ApiAnswer.error(503, "the transfer could not start: " + cause + "; nothing was done"));
        }).thenCompose(answer -> answer);
    }

    private NotPrimaryException notPrimary() {
        return new NotPrimaryException(cluster.id(), cluster.primary().map(Member::id).orElse(null));
    }
}
