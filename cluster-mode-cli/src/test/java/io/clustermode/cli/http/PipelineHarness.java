package io.clustermode.cli.http;

import io.clustermode.transport.OncePerKey;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The server's pipeline on an {@link EmbeddedChannel} with a frozen clock: requests go in as
 * bytes, answers come out as text, and the routes' futures are completed by the test.
 */
final class PipelineHarness {

    final EmbeddedChannel channel = new EmbeddedChannel();
    final List<ApiRequest> requests = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<ApiAnswer>> pending = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    /** When set, every request is answered at once with this. */
    volatile ApiAnswer immediate = ApiAnswer.json(200, java.util.Map.of("ok", true));

    PipelineHarness(HttpServerSettings settings) {
        channel.freezeTime();
        HttpServerEvents recorder = new HttpServerEvents() {
            @Override
            public void answered(String method, int status) {
                events.add(method + " " + status);
            }

            @Override
            public void authenticationRefused(String reason) {
                events.add("auth " + reason);
            }

            @Override
            public void readTimedOut() {
                events.add("read timeout");
            }
        };
        Routes routes = request -> {
            requests.add(request);
            if (immediate != null) {
                return CompletableFuture.completedFuture(immediate);
            }
            CompletableFuture<ApiAnswer> answer = new CompletableFuture<>();
            pending.add(answer);
            return answer;
        };
        NettyHttpServer.pipeline(channel.pipeline(), settings, recorder, new OncePerKey(Duration.ofMinutes(1)),
                new RouteHandler(routes));
    }

    static HttpServerSettings settings() {
        return HttpServerSettings.defaults(1024).withReadTimeout(Duration.ofSeconds(10));
    }

    PipelineHarness in(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        return this;
    }

    PipelineHarness in(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        channel.runPendingTasks();
        return this;
    }

    void advance(Duration time) {
        channel.advanceTimeBy(time.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    /** Everything written so far, as text. */
    String out() {
        channel.runPendingTasks();
        StringBuilder text = new StringBuilder();
        for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    /** The status codes in {@code text}, in order. */
    static List<Integer> statuses(String text) {
        List<Integer> out = new ArrayList<>();
        java.util.regex.Matcher status = java.util.regex.Pattern.compile("HTTP/1\\.[01] (\\d{3}) ").matcher(text);
        while (status.find()) {
            out.add(Integer.parseInt(status.group(1)));
        }
        return out;
    }
}
