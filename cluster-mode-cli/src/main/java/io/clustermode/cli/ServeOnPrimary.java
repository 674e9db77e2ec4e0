package io.clustermode.cli;

import io.clustermode.Cluster;
import io.clustermode.Member;
import io.clustermode.NotPrimaryException;
import io.clustermode.cli.http.ApiAnswer;
import io.clustermode.cli.http.ApiRequest;
import io.clustermode.cli.http.BearerToken;
import io.clustermode.cli.http.ForwardingClient;
import io.clustermode.kv.KvStore;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Serves a request that needs the primary. Writes and linearizable reads of the key-value
 * store are served here on any member that knows the primary: {@link Cluster#submit} and
 * {@link Cluster#read} hand them to the primary as Raft messages, batched with everything else
 * of the moment, and answer from this node's own copy once it has applied far enough. Other
 * requests (a leadership transfer) are served here on the primary, else forwarded to the
 * primary's HTTP API (its address comes from the replicated directory in {@link NodeState}).
 *
 * <p>A forwarded request carries {@value HttpApi#FORWARDED_BY} and is never forwarded again:
 * a node that receives one and is not primary answers 503, and the forwarding node tries
 * again. It also carries {@value HttpApi#TIMEOUT_MS} (how long the forwarding node still
 * waits) and this node's bearer token. While no primary is known or reachable, and nothing
 * was proposed, the request waits for one for at most twice the failover budget (time to
 * notice a dead primary, elect another and hear of it), capped by the request timeout, then
 * gets 503. When a write was handed to the primary and no answer came, its fate is unknown:
 * 504. Nothing here blocks: retries are scheduled {@value #RETRY_PAUSE_MILLIS} ms apart.
 */
final class ServeOnPrimary {

    private static final long RETRY_PAUSE_MILLIS = 25;
    /** Slack for the primary's own 504 to arrive after the deadline it was given. */
    private static final long ANSWER_SLACK_MILLIS = 1000;

    private final Cluster<KvStore.Result, NodeState> cluster;
    private final NodeState state;
    private final ForwardingClient client;
    private final BearerToken token;
    private final ScheduledExecutorService scheduler;

    ServeOnPrimary(Cluster<KvStore.Result, NodeState> cluster, NodeState state, ForwardingClient client, BearerToken token,
                   ScheduledExecutorService scheduler) {
        this.cluster = cluster;
        this.state = state;
        this.client = client;
        this.token = token;
        this.scheduler = scheduler;
    }

    /**
     * Serves {@code request} on the primary within {@code timeout}. {@code here} serves it on
     * this node when it is the primary, or, when {@code anyMember}, when it knows the primary;
     * its future fails with {@link NotPrimaryException} when nothing was proposed because no
     * primary took it after all (then the primary is looked for again). {@code write}: whether a
     * lost answer leaves the outcome unknown.
     */
    CompletableFuture<ApiAnswer> serve(ApiRequest request, boolean write, boolean anyMember, Duration timeout,
                                       Function<Duration, CompletableFuture<ApiAnswer>> here) {
        Attempts attempts = new Attempts(request, write, anyMember, timeout, here);
        attempts.next();
        return attempts.result;
    }

    /** The tries of one request, until one gives an answer or the wait for a primary is over. */
    private final class Attempts {
        final CompletableFuture<ApiAnswer> result = new CompletableFuture<>();
        final ApiRequest request;
        final boolean write;
        final boolean anyMember;
        final Function<Duration, CompletableFuture<ApiAnswer>> here;
        final String forwardedBy;
        final long deadline;
        final long waitForPrimary;

        Attempts(ApiRequest request, boolean write, boolean anyMember, Duration timeout,
                 Function<Duration, CompletableFuture<ApiAnswer>> here) {
            this.request = request;
            this.write = write;
            this.anyMember = anyMember;
            this.here = here;
            this.forwardedBy = request.header(HttpApi.FORWARDED_BY);
            long start = System.nanoTime();
            this.deadline = start + timeout.toNanos();
            // Long enough to notice a dead primary and elect another (and for it to announce itself).
            this.waitForPrimary = start + Math.min(timeout.toNanos(), cluster.config().failoverBudget().toNanos() * 2);
        }

        void next() {
            if (cluster.isPrimary()) {
                serveHere();
                return;
            }
            Optional<Member> primary = cluster.primary();
            if (anyMember && primary.isPresent()) {
                serveHere();
                return;
            }
            if (forwardedBy != null) {
                result.complete(ApiAnswer.error(503, cluster.id() + " is not the primary (forwarded by "
                        + forwardedBy + ")"));
                return;
            }
            if (primary.isEmpty() || primary.get().id().equals(cluster.id())) {
                retry("no primary is known");
                return;
            }
            Optional<String> http = state.httpAddress(primary.get().id().value());
            if (http.isEmpty()) {
                retry("the primary " + primary.get().id() + " has not announced its HTTP address yet");
                return;
            }
            forward(http.get());
        }

        private void serveHere() {
            CompletableFuture<ApiAnswer> local;
            try {
                local = here.apply(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (NotPrimaryException e) {
                local = CompletableFuture.failedFuture(e);
            }
            local.whenComplete((answer, error) -> {
                Throwable cause = error == null ? null : Deadlines.cause(error);
                if (cause instanceof NotPrimaryException) {
                    retry(anyMember ? "no primary took the request" : "this node stopped being the primary");
                } else if (cause != null) {
                    result.completeExceptionally(cause);
                } else {
                    result.complete(answer.with(HttpApi.SERVED_BY, cluster.id().value()));
                }
            });
        }

        private void forward(String primaryHttp) {
            long leftMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(HttpApi.FORWARDED_BY, cluster.id().value());
            headers.put(HttpApi.TIMEOUT_MS, Long.toString(leftMillis));
            if (token != null) {
                headers.put(HttpHeaderNames.AUTHORIZATION.toString(), token.authorization());
            }
            client.send(primaryHttp, request.method(), request.pathAndQuery(), headers, request.body(),
                    Duration.ofMillis(leftMillis + ANSWER_SLACK_MILLIS)).thenAccept(outcome -> {
                        if (outcome instanceof ForwardingClient.Outcome.Answered answered) {
                            passOn(primaryHttp, answered);
                        } else if (outcome instanceof ForwardingClient.Outcome.NotSent notSent) {
                            retry(notSent.problem());
                        } else if (outcome instanceof ForwardingClient.Outcome.NoAnswer noAnswer) {
                            if (write) {
                                // The primary had the request: it may have proposed the write.
                                result.complete(ApiAnswer.error(504, "the primary at " + primaryHttp
                                        + " did not answer (" + noAnswer.problem()
                                        + "); the write may or may not have been applied"));
                            } else {
                                retry("the primary at " + primaryHttp + " did not answer: " + noAnswer.problem());
                            }
                        }
                    });
        }

        private void passOn(String primaryHttp, ForwardingClient.Outcome.Answered answered) {
            if (answered.status() == 503) {
                // The primary took nothing (it is not primary any more, or overloaded): try again.
                retry("the primary at " + primaryHttp + " answered 503: "
                        + new String(answered.body(), java.nio.charset.StandardCharsets.UTF_8));
                return;
            }
            String type = answered.headers().get(HttpHeaderNames.CONTENT_TYPE);
            ApiAnswer answer = new ApiAnswer(answered.status(), type == null ? "application/octet-stream" : type,
                    answered.body(), Map.of());
            String servedBy = answered.headers().get(HttpApi.SERVED_BY);
            result.complete(servedBy == null ? answer : answer.with(HttpApi.SERVED_BY, servedBy));
        }

        private void retry(String problem) {
            long now = System.nanoTime();
            if (now - waitForPrimary >= 0) {
                result.complete(ApiAnswer.error(503, "no primary reachable, nothing was done: " + problem));
                return;
            }
            long pause = Math.min(TimeUnit.MILLISECONDS.toNanos(RETRY_PAUSE_MILLIS), waitForPrimary - now);
            scheduler.schedule(this::next, Math.max(1, pause), TimeUnit.NANOSECONDS);
        }
    }
}
