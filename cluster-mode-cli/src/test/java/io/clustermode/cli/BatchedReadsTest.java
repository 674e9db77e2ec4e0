package io.clustermode.cli;

import io.clustermode.ClusterClosedException;
import io.clustermode.NodeId;
import io.clustermode.NotPrimaryException;
import io.clustermode.cli.http.ApiAnswer;
import io.clustermode.cli.http.ApiRequest;
import io.clustermode.kv.KvStore;
import io.netty.channel.DefaultEventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BatchedReads} on a real event loop, with the cluster's linearizable read replaced by a
 * function the test controls: what one pass of the loop takes is one read, its answers are the
 * unbatched path's, and a batch the node cannot serve goes the unbatched way.
 */
class BatchedReadsTest {

    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final NodeState state = new NodeState();
    /** Each read the batches asked of the cluster: its query, and the future the test completes. */
    private final List<CompletableFuture<byte[][]>> asked = new CopyOnWriteArrayList<>();
    private final List<Function<NodeState, byte[][]>> queries = new CopyOnWriteArrayList<>();
    private final List<String> unbatched = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private BatchedReads reads(Duration timeout) {
        return new BatchedReads(query -> {
            CompletableFuture<byte[][]> answer = new CompletableFuture<>();
            queries.add(query);
            asked.add(answer);
            return answer;
        }, "n1", timeout, (request, key) -> {
            unbatched.add(key);
            return CompletableFuture.completedFuture(ApiAnswer.error(503, "unbatched " + key));
        });
    }

    private ApiRequest get(String key) {
        return new ApiRequest("GET", "/kv/" + key, null, new DefaultHttpHeaders(), new byte[0], null, loop);
    }

    /** Reads {@code keys} in one pass of the loop (one task), as requests from ready connections are. */
    private List<CompletableFuture<ApiAnswer>> onePass(BatchedReads reads, String... keys) throws Exception {
        return loop.submit(() -> {
            List<CompletableFuture<ApiAnswer>> answers = new ArrayList<>();
            for (String key : keys) {
                answers.add(reads.read(get(key), key));
            }
            return answers;
        }).get(5, TimeUnit.SECONDS);
    }

    private void put(String key, String value) {
        state.apply(1, NodeState.kv(KvStore.put(key, value.getBytes(StandardCharsets.UTF_8))));
    }

    /** Answers read {@code i} as the cluster would: the query run on the state machine. */
    private void serve(int i) {
        asked.get(i).complete(queries.get(i).apply(state));
    }

    private static ApiAnswer answer(CompletableFuture<ApiAnswer> future) throws Exception {
        return future.get(5, TimeUnit.SECONDS);
    }

    @Test
    void the_reads_of_one_pass_share_one_read_and_are_answered_like_single_ones() throws Exception {
        put("colour", "blue");
        put("shape", "round");
        BatchedReads reads = reads(Duration.ofSeconds(5));
        List<CompletableFuture<ApiAnswer>> answers = onePass(reads, "colour", "missing", "shape", "colour");
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS); // the flush ran after the pass
        assertThat(asked).hasSize(1);
        assertThat(answers).noneMatch(CompletableFuture::isDone);
        serve(0);

        ApiAnswer colour = answer(answers.get(0));
        assertThat(colour.status()).isEqualTo(200);
        assertThat(colour.contentType()).isEqualTo("application/octet-stream");
        assertThat(colour.bodyText()).isEqualTo("blue");
        assertThat(colour.headers()).containsEntry(HttpApi.SERVED_BY, "n1");
        ApiAnswer missing = answer(answers.get(1));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.bodyText()).isEqualTo("{\"error\":\"no such key\"}");
        assertThat(missing.headers()).containsEntry(HttpApi.SERVED_BY, "n1");
        assertThat(answer(answers.get(2)).bodyText()).isEqualTo("round");
        assertThat(answer(answers.get(3)).bodyText()).isEqualTo("blue");
        assertThat(unbatched).isEmpty();
    }

    @Test
    void each_pass_is_its_own_batch_and_reads_what_was_applied_when_it_was_served() throws Exception {
        BatchedReads reads = reads(Duration.ofSeconds(5));
        CompletableFuture<ApiAnswer> first = onePass(reads, "k").get(0);
        CompletableFuture<ApiAnswer> second = onePass(reads, "k").get(0);
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        assertThat(asked).hasSize(2);
        serve(0);
        assertThat(answer(first).status()).isEqualTo(404);
        put("k", "v");
        serve(1);
        assertThat(answer(second).bodyText()).isEqualTo("v");
    }

    @Test
    void a_batch_the_node_cannot_serve_goes_the_unbatched_way_read_by_read() throws Exception {
        BatchedReads reads = reads(Duration.ofSeconds(5));
        List<CompletableFuture<ApiAnswer>> answers = onePass(reads, "a", "b");
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        asked.get(0).completeExceptionally(new NotPrimaryException(NodeId.of("n1"), null));
        assertThat(answer(answers.get(0)).bodyText()).contains("unbatched a");
        assertThat(answer(answers.get(1)).bodyText()).contains("unbatched b");
        assertThat(unbatched).containsExactly("a", "b");
    }

    @Test
    void a_batch_that_is_not_served_in_time_gets_504_and_a_closed_node_503() throws Exception {
        BatchedReads reads = reads(Duration.ofMillis(50));
        CompletableFuture<ApiAnswer> late = onePass(reads, "a").get(0);
        ApiAnswer timedOut = answer(late); // nobody serves it
        assertThat(timedOut.status()).isEqualTo(504);
        assertThat(timedOut.bodyText()).contains("did not complete within 50 ms");

        CompletableFuture<ApiAnswer> closed = onePass(reads, "b").get(0);
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        asked.get(1).completeExceptionally(new ClusterClosedException("n1 is shut down"));
        assertThat(answer(closed).status()).isEqualTo(503);
        assertThat(unbatched).isEmpty();
    }
}
