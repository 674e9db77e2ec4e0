package io.clustermode.cli;

import io.clustermode.Cluster;
import io.clustermode.Member;
import io.clustermode.NotPrimaryException;
import io.clustermode.cli.http.ApiAnswer;
import io.clustermode.kv.KvStore;
import io.clustermode.raft.NodeId;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * hand to, or the core abandoned the transfer (it does after an election timeout) and this
 * node is still the primary; 504 when no new primary is known by the request timeout. The
 * future fails with {@link NotPrimaryException} when this node is not the primary:
 * {@link HttpApi} then forwards the request to the primary as it does writes. Never blocks:
 * it looks for the new primary every few milliseconds on {@code scheduler}.
 */
final class LeadershipTransfer {

    private static final long POLL_MILLIS = 5;

    private final Cluster<KvStore.Result> cluster;
    private final ScheduledExecutorService scheduler;

    LeadershipTransfer(Cluster<KvStore.Result> cluster, ScheduledExecutorService scheduler) {
        this.cluster = cluster;
        this.scheduler = scheduler;
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

    /** Runs the transfer on this node, which must be the primary. */
    CompletableFuture<ApiAnswer> run(String to, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long term = cluster.status().term();
        if (!cluster.isPrimary()) {
            return CompletableFuture.failedFuture(notPrimary());
        }
        CompletableFuture<Boolean> transfer;
        try {
            transfer = to == null ? cluster.transferLeadership() : cluster.transferLeadership(NodeId.of(to));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(ApiAnswer.error(400, e.getMessage())); // the configuration changed
        }
        return Deadlines.within(transfer, timeout).handle((started, error) -> {
            if (error != null) {
                Throwable cause = Deadlines.cause(error);
                return CompletableFuture.completedFuture(cause instanceof TimeoutException
                        ? ApiAnswer.error(504, "the transfer was not started within " + timeout.toMillis() + " ms")
                        : ApiAnswer.error(503, "the transfer could not start: " + cause + "; nothing was done"));
            }
            if (!started) {
                if (!cluster.isPrimary()) {
                    return CompletableFuture.<ApiAnswer>failedFuture(notPrimary());
                }
                return CompletableFuture.completedFuture(ApiAnswer.error(503, to == null
                        ? "no up-to-date secondary to hand primacy to; nothing was done"
                        : "the transfer to " + to + " could not start; nothing was done"));
            }
            CompletableFuture<ApiAnswer> answer = new CompletableFuture<>();
            // The core abandons a transfer that has not finished within an election timeout; past
            // twice that, a node still primary in the same term is primary because it was abandoned.
            long abandoned = System.nanoTime() + cluster.config().electionTimeout().multipliedBy(2).toNanos();
            awaitNewPrimary(to, term, abandoned, deadline, timeout, answer);
            return answer;
        }).thenCompose(answer -> answer);
    }

    private void awaitNewPrimary(String to, long term, long abandoned, long deadline, Duration timeout,
                                 CompletableFuture<ApiAnswer> answer) {
        Optional<Member> primary = cluster.primary();
        if (primary.isPresent() && !primary.get().id().equals(cluster.id())
                && (to == null || primary.get().id().value().equals(to))) {
            answer.complete(ApiAnswer.json(200, new Done(primary.get().id().value(), cluster.id().value())));
            return;
        }
        long now = System.nanoTime();
        if (now - abandoned >= 0 && cluster.isPrimary() && cluster.status().term() == term) {
            answer.complete(ApiAnswer.error(503, "the transfer was abandoned; " + cluster.id() + " is still the primary"));
            return;
        }
        if (now - deadline >= 0) {
            answer.complete(ApiAnswer.error(504, "no new primary known within " + timeout.toMillis()
                    + " ms; the transfer may or may not complete"));
            return;
        }
        scheduler.schedule(() -> awaitNewPrimary(to, term, abandoned, deadline, timeout, answer), POLL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private NotPrimaryException notPrimary() {
        return new NotPrimaryException(cluster.id(), cluster.primary().map(Member::id).orElse(null));
    }
}
