package io.clustermode.cli.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Server-Sent Events client for tests: reads a stream's lines as they come and hands out its
 * events one at a time, as a browser's {@code EventSource} would parse them (comment lines
 * counted, not returned).
 */
public final class SseClient implements AutoCloseable {

    /** One event: its id (null when it had none), type and data. */
    public record Event(String id, String type, String data) {
    }

    private static final String END = "\u0000end";
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final AtomicInteger comments = new AtomicInteger();
    private final HttpResponse<InputStream> response;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        Thread reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens {@code url} with the given header name/value pairs; returns once the head has arrived. */
    public static SseClient open(HttpClient client, URI url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return new SseClient(client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
                .get(10, TimeUnit.SECONDS));
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(":")) {
                    comments.incrementAndGet();
                } else {
                    lines.add(line);
                }
            }
        } catch (IOException ended) {
            // closed by either side: the stream ends here
        } finally {
            lines.add(END);
        }
    }

    /** The answer's status. */
    public int status() {
        return response.statusCode();
    }

    /** A header of the answer, or null. */
    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** How many comment lines (heartbeats) arrived so far. */
    public int comments() {
        return comments.get();
    }

    /** The next event, waiting at most {@code timeout}; null when none came or the stream ended. */
    public Event next(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String id = null;
        String type = "message";
        List<String> data = new ArrayList<>();
        boolean any = false;
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(END)) {
                if (line != null) {
                    lines.add(END);
                }
                return null;
            }
            if (line.isEmpty()) {
                if (any && !data.isEmpty()) {
                    return new Event(id, type, String.join("\n", data));
                }
                id = null;
                type = "message";
                data.clear();
                any = false;
                continue;
            }
            any = true;
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
            switch (field) {
                case "id" -> id = value;
                case "event" -> type = value;
                case "data" -> data.add(value);
                default -> { } // retry: and unknown fields
            }
        }
    }

    /** The next event of {@code type}, skipping others. */
    public Event next(String type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event event = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (event == null || event.type().equals(type)) {
                return event;
            }
        }
    }

    /** Everything the answer's body holds until it ends (for an answer that is not a stream: its JSON). */
    public String body(Duration timeout) throws InterruptedException {
        StringBuilder out = new StringBuilder();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS); line != null && !line.equals(END);
             line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            out.append(line);
        }
        return out.toString();
    }

    /** Whether the server ended the stream within {@code timeout}. */
    public boolean ended(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                return false;
            }
            if (line.equals(END)) {
                lines.add(END);
                return true;
            }
        }
    }

    @Override
    public void close() {
        try {
            response.body().close(); // the client closes the connection
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
