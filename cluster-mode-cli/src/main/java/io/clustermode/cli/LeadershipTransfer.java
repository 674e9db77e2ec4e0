package io.clustermode.cli;

import io.clustermode.Cluster;
import io.clustermode.Member;
import io.clustermode.NotPrimaryException;
import io.clustermode.kv.KvStore;
import io.clustermode.raft.NodeId;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
 * node is still the primary; 504 when no new primary is known by the request timeout.
 * {@link NotPrimaryException} when this node is not the primary: {@link HttpApi} then forwards
 * the request to the primary as it does writes. Called on the HTTP server's threads; blocks
 * for at most the timeout given.
 */
final class LeadershipTransfer {

    private static final long POLL_MILLIS = 5;

    private final Cluster<KvStore.Result> cluster;

    LeadershipTransfer(Cluster<KvStore.Result> cluster) {
        this.cluster = cluster;
    }

    /** The answer's status and JSON body. */
    record Answer(int status, String json) {
        static Answer error(int status, String message) {
            return new Answer(status, Json.object("error", message));
        }
    }

    /** Checks {@code to} before anything is done: empty when it is acceptable (or absent). */
    Optional<Answer> refuseTarget(String to) {
        if (to == null) {
            return Optional.empty();
        }
        Optional<Member> target = cluster.members().stream().filter(m -> m.id().value().equals(to)).findFirst();
        if (target.isEmpty() || !target.get().voter()) {
            return Optional.of(Answer.error(400, "no voter " + to + " in the cluster"));
        }
        if (target.get().id().equals(cluster.id())) {
            return Optional.of(Answer.error(400, to + " is the node asked; name another voter, or none"));
        }
        return Optional.empty();
    }

    /** Runs the transfer on this node, which must be the primary. */
    Answer run(String to, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long term = cluster.status().term();
        if (!cluster.isPrimary()) {
            throw new NotPrimaryException(cluster.id(), cluster.primary().map(Member::id).orElse(null));
        }
        boolean started;
        try {
            CompletableFuture<Boolean> transfer = to == null ? cluster.transferLeadership()
                    : cluster.transferLeadership(NodeId.of(to));
            started = transfer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (IllegalArgumentException e) {
            return Answer.error(400, e.getMessage()); // the configuration changed since refuseTarget
        } catch (TimeoutException e) {
            return Answer.error(504, "the transfer was not started within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            return Answer.error(503, "the transfer could not start: " + e.getCause() + "; nothing was done");
        }
        if (!started) {
            if (!cluster.isPrimary()) {
                throw new NotPrimaryException(cluster.id(), cluster.primary().map(Member::id).orElse(null));
            }
            return Answer.error(503, to == null ? "no up-to-date secondary to hand primacy to; nothing was done"
                    : "the transfer to " + to + " could not start; nothing was done");
        }
        // The core abandons a transfer that has not finished within an election timeout; past
        // twice that, a node still primary in the same term is primary because it was abandoned.
        long abandoned = System.nanoTime() + cluster.config().electionTimeout().multipliedBy(2).toNanos();
        while (true) {
            Optional<Member> primary = cluster.primary();
            if (primary.isPresent() && !primary.get().id().equals(cluster.id())
                    && (to == null || primary.get().id().value().equals(to))) {
                return new Answer(200, Json.object("leaderId", primary.get().id().value(), "from",
                        cluster.id().value()));
            }
            long now = System.nanoTime();
            if (now - abandoned >= 0 && cluster.isPrimary() && cluster.status().term() == term) {
                return Answer.error(503, "the transfer was abandoned; " + cluster.id() + " is still the primary");
            }
            if (now - deadline >= 0) {
                return Answer.error(504, "no new primary known within " + timeout.toMillis()
                        + " ms; the transfer may or may not complete");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
