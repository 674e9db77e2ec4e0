package io.clustermode.cli;

import io.clustermode.Cluster;
import io.clustermode.NotPrimaryException;
import io.clustermode.cli.http.ApiAnswer;
import io.clustermode.cli.http.ApiRequest;
import io.clustermode.kv.KvStore;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Linearizable {@code GET /kv/{key}}s, batched: the reads one HTTP event loop takes in one pass
 * over its ready connections become one {@link Cluster#read} that looks all their keys up — one
 * hand-over to the node's event loop, one ReadIndex round (or one request to the primary from a
 * secondary), one hand-back — and are answered on that HTTP event loop.
 *
 * <p>Why: under load a read's own work is a map lookup; what it cost was the hand-overs, futures
 * and deadline around it and a ReadIndex round for every few reads. A pass over the ready
 * connections is the batch that comes for free: the flush is queued on the loop when its first
 * read arrives and runs after the pass, so an idle node's lone read waits for nothing.
 *
 * <p>A batch the node cannot serve (it lost the primary, or knows none any more) is not failed:
 * each of its reads goes the unbatched way ({@link ServeOnPrimary}), which waits for a primary.
 * Requests that carry their own timeout (forwarded ones) go that way from the start.
 */
final class BatchedReads {

    /** A read waiting in a batch: its request, its decoded key, its answer to come. */
    private record Waiting(ApiRequest request, String key, CompletableFuture<ApiAnswer> answer) {
    }

    /** The reads an event loop took since its last flush; only that loop touches it. */
    private static final class Batch {
        final EventExecutor loop;
        final List<Waiting> reads = new ArrayList<>();

        Batch(EventExecutor loop) {
            this.loop = loop;
        }
    }

    private final Function<Function<NodeState, byte[][]>, CompletableFuture<byte[][]>> reader;
    private final Duration timeout;
    private final BiFunction<ApiRequest, String, CompletableFuture<ApiAnswer>> unbatched;
    private final Map<String, String> servedBy;
    private final ApiAnswer notFound;
    private final FastThreadLocal<Batch> open = new FastThreadLocal<>();

    /**
     * @param reader    runs a query as a linearizable {@link Cluster#read}
     * @param self      this node's id, for {@value HttpApi#SERVED_BY}
     * @param timeout   how long a batch waits for its read before its requests get 504
     * @param unbatched serves one read the unbatched way: for a batch the node could not serve
     */
    BatchedReads(Function<Function<NodeState, byte[][]>, CompletableFuture<byte[][]>> reader, String self,
                 Duration timeout, BiFunction<ApiRequest, String, CompletableFuture<ApiAnswer>> unbatched) {
        this.reader = reader;
        this.timeout = timeout;
        this.unbatched = unbatched;
        this.servedBy = Map.of(HttpApi.SERVED_BY, self);
        this.notFound = ApiAnswer.error(404, "no such key").with(HttpApi.SERVED_BY, self);
    }

    /** Reads {@code key} for {@code request}; called on the request's event loop. */
    CompletableFuture<ApiAnswer> read(ApiRequest request, String key) {
        Batch batch = open.get();
        if (batch == null) {
            Batch opened = new Batch(request.loop());
            open.set(opened);
            // Runs once the loop has read what its ready connections brought in this pass.
            opened.loop.execute(() -> {
                open.remove();
                flush(opened);
            });
            batch = opened;
        }
        CompletableFuture<ApiAnswer> answer = new CompletableFuture<>();
        batch.reads.add(new Waiting(request, key, answer));
        return answer;
    }

    private void flush(Batch batch) {
        List<Waiting> reads = batch.reads;
        String[] keys = new String[reads.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = reads.get(i).key();
        }
        CompletableFuture<byte[][]> values = reader.apply(machine -> {
            KvStore kv = machine.kv();
            byte[][] found = new byte[keys.length][];
            for (int i = 0; i < keys.length; i++) {
                found[i] = kv.get(keys[i]).orElse(null);
            }
            return found;
        });
        Deadlines.within(values, timeout).whenCompleteAsync((found, error) -> answer(reads, found, error),
                batch.loop);
    }

    private void answer(List<Waiting> reads, byte[][] found, Throwable error) {
        if (error == null) {
            for (int i = 0; i < found.length; i++) {
                reads.get(i).answer().complete(found[i] == null ? notFound
                        : new ApiAnswer(200, "application/octet-stream", found[i], servedBy));
            }
            return;
        }
        Throwable cause = Deadlines.cause(error);
        for (Waiting read : reads) {
            if (cause instanceof NotPrimaryException) {
                unbatched.apply(read.request(), read.key()).whenComplete((answer, failed) -> {
                    if (failed != null) {
                        read.answer().completeExceptionally(failed);
                    } else {
                        read.answer().complete(answer);
                    }
                });
            } else if (cause instanceof TimeoutException) {
                read.answer().complete(ApiAnswer.error(504, "the read did not complete within "
                        + timeout.toMillis() + " ms"));
            } else {
                read.answer().complete(HttpApi.failure(cause, false));
            }
        }
    }
}
