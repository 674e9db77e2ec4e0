package io.clustermode.cli.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clustermode.cli.http.ApiAnswer;
import io.clustermode.cli.http.Json;
import io.clustermode.cli.http.StreamWriter;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Server-Sent Events of one node ({@code GET /cluster/events}): every event published here goes to
 * every open stream, and the last {@code capacity} of them are kept so a client that reconnects
 * with {@code Last-Event-ID} gets what it missed.
 *
 * <p>An event is published with one call, {@link #publish(String, Object)}: its type and a
 * document (a record or map; Jackson writes it). Each gets an id {@code <epoch>-<n>}: the epoch
 * names this start of the process, so an id from another node, or from before a restart, is
 * not mistaken for one of these; such a client (or one that fell out of the ring) gets a fresh
 * {@code status} event instead, as does every new client. Events of {@link #publishTransient}
 * (the once-a-second {@code progress}) have no id and are not kept.
 *
 * <p>Bounds: at most {@code maxStreams} open streams (503 beyond); a client that does not read
 * is closed when its connection's write buffer is full ({@link StreamWriter}), never buffered
 * without end; a comment line every {@code heartbeat} keeps proxies and the client's own
 * timeout from closing a quiet stream. Thread-safe: publishing and subscribing may happen on
 * any thread; what one stream sees is in id order, without gaps or repeats.
 */
public final class EventHub implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EventHub.class);

    /** The Content-Type of the stream. */
    public static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";
    /** How long a client waits before reconnecting, told in the stream's first line (milliseconds). */
    static final long RETRY_MILLIS = 1000;

    /** One kept event. */
    private record Event(long seq, String type, JsonNode data, String frame) {
    }

    private final String epoch;
    private final int capacity;
    private final int maxStreams;
    private final ArrayDeque<Event> ring;
    private final Set<StreamWriter> streams = new LinkedHashSet<>();
    private final AtomicInteger admitted = new AtomicInteger();
    private final ScheduledFuture<?> heartbeat;
    private long seq;

    /**
     * A hub keeping the last {@code capacity} events, serving at most {@code maxStreams} streams,
     * with a heartbeat comment every {@code heartbeat} on {@code scheduler}.
     */
    public EventHub(int capacity, int maxStreams, Duration heartbeat, ScheduledExecutorService scheduler) {
        if (capacity <= 0 || maxStreams <= 0) {
            throw new IllegalArgumentException("capacity and maxStreams must be positive");
        }
        this.epoch = Long.toString(System.currentTimeMillis(), 36);
        this.capacity = capacity;
        this.maxStreams = maxStreams;
        this.ring = new ArrayDeque<>(capacity);
        long millis = heartbeat.toMillis();
        this.heartbeat = scheduler.scheduleWithFixedDelay(() -> sendToAll(": heartbeat\n\n"), millis, millis,
                TimeUnit.MILLISECONDS);
    }

    /** Publishes an event of {@code type} with {@code data} (written as JSON) to every stream, and keeps it. */
    public synchronized void publish(String type, Object data) {
        long n = ++seq;
        JsonNode tree = tree(data);
        Event event = new Event(n, type, tree, frame(id(n), type, Json.text(tree)));
        if (ring.size() == capacity) {
            ring.removeFirst();
        }
        ring.addLast(event);
        sendToAll(event.frame());
    }

    /** Sends an event of {@code type} to every stream without an id and without keeping it. */
    public synchronized void publishTransient(String type, Object data) {
        sendToAll(frame(null, type, Json.text(data)));
    }

    /** How many streams are open (or about to open) now. */
    public int streams() {
        return admitted.get();
    }

    /**
     * The answer to a client: a stream that starts with what it missed since {@code lastEventId}
     * (when this hub still has it), or else with a {@code status} event holding {@code status}
     * (the node's picture now) and the kept events as {@code recent}. 503 when
     * {@code maxStreams} are open.
     *
     * @param headers extra headers of the answer (CORS, say)
     */
    public ApiAnswer subscribe(String lastEventId, Supplier<Object> status, Map<String, String> headers) {
        if (admitted.incrementAndGet() > maxStreams) {
            admitted.decrementAndGet();
            return ApiAnswer.error(503, maxStreams + " event streams are open on this node, the most it serves;"
                    + " try again later or ask another node");
        }
        return ApiAnswer.stream(CONTENT_TYPE, headers, writer -> attach(writer, lastEventId, status));
    }

    private void attach(StreamWriter writer, String lastEventId, Supplier<Object> status) {
        writer.onClose(() -> {
            synchronized (this) {
                streams.remove(writer);
            }
            admitted.decrementAndGet();
        });
        Object picture = status.get(); // outside the lock: it reads the cluster
        synchronized (this) {
            StringBuilder start = new StringBuilder("retry: ").append(RETRY_MILLIS).append("\n\n");
            List<Event> missed = since(lastEventId);
            if (missed == null) {
                ObjectNode document = JsonNodeFactory.instance.objectNode();
                document.set("state", tree(picture));
                document.set("recent", recent());
                start.append(frame(seq == 0 ? null : id(seq), "status", Json.text(document)));
            } else {
                missed.forEach(event -> start.append(event.frame()));
            }
            if (writer.write(start.toString())) {
                streams.add(writer);
            }
        }
    }

    /** The kept events after {@code lastEventId}; null when it is absent, not of this hub, or too old. */
    private List<Event> since(String lastEventId) {
        if (lastEventId == null || !lastEventId.startsWith(epoch + "-")) {
            return null;
        }
        long after;
        try {
            after = Long.parseLong(lastEventId.substring(epoch.length() + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        long oldest = ring.isEmpty() ? seq + 1 : ring.peekFirst().seq();
        if (after > seq || after < oldest - 1) {
            return null;
        }
        List<Event> out = new ArrayList<>();
        for (Event event : ring) {
            if (event.seq() > after) {
                out.add(event);
            }
        }
        return out;
    }

    private com.fasterxml.jackson.databind.node.ArrayNode recent() {
        com.fasterxml.jackson.databind.node.ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (Event event : ring) {
            ObjectNode item = out.addObject();
            item.put("id", id(event.seq()));
            item.put("type", event.type());
            item.set("data", event.data());
        }
        return out;
    }

    private void sendToAll(String text) {
        List<StreamWriter> slow = new ArrayList<>();
        synchronized (this) {
            for (StreamWriter stream : streams) {
                if (!stream.write(text)) {
                    slow.add(stream); // closed by the write: it would not take more
                    LOG.debug("HTTP API: closed the event stream to {}: it did not read what was sent", stream.remote());
                }
            }
            slow.forEach(streams::remove);
        }
    }

    private String id(long n) {
        return epoch + "-" + n;
    }

    private static JsonNode tree(Object data) {
        return data instanceof JsonNode node ? node : Json.tree(data);
    }

    /** One event as the stream carries it; JSON has no raw line breaks, so {@code data} is one line. */
    static String frame(String id, String type, String json) {
        StringBuilder out = new StringBuilder();
        if (id != null) {
            out.append("id: ").append(id).append('\n');
        }
        return out.append("event: ").append(type).append('\n').append("data: ").append(json).append("\n\n").toString();
    }

    /** Stops the heartbeat and ends every stream. */
    @Override
    public void close() {
        heartbeat.cancel(false);
        List<StreamWriter> open;
        synchronized (this) {
            open = new ArrayList<>(streams);
            streams.clear();
        }
        open.forEach(StreamWriter::close);
    }
}
