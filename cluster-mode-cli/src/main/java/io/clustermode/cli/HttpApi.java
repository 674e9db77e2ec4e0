package io.clustermode.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.clustermode.Cluster;
import io.clustermode.ClusterClosedException;
import io.clustermode.Committed;
import io.clustermode.Consistency;
import io.clustermode.IndeterminateOutcomeException;
import io.clustermode.Member;
import io.clustermode.NotPrimaryException;
import io.clustermode.OverloadedException;
import io.clustermode.kv.KvStore;
import io.clustermode.runtime.NodeStatus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP API of CONTRACT.md on the JDK's HTTP server: {@code /cluster/info}, {@code /health},
 * {@code /metrics} and the key-value store under {@code /kv/}; and, beyond the contract,
 * {@code POST /cluster/transfer-leadership} ({@link LeadershipTransfer}).
 *
 * <h2>Forwarding</h2>
 * Writes and linearizable reads are served by the primary. Any other node forwards them to the
 * primary's HTTP address, which it knows from the replicated directory in {@link NodeState}
 * (a new primary announces itself there). A forwarded request carries {@value #FORWARDED_BY}
 * and is never forwarded again: a node that receives one and is not primary answers 503, and
 * the forwarding node tries again. While no primary is known or reachable, and nothing was
 * proposed, a request waits for one at most twice the failover budget (the budget is twice
 * the election timeout and two heartbeats: time to notice a dead primary, elect another and
 * hear of it), capped by {@code --request-timeout}, then gets 503. When a write was
 * proposed (or was handed to the primary) and its fate is unknown at {@code --request-timeout},
 * the answer is 504.
 */
final class HttpApi implements AutoCloseable {

    /** Header on a forwarded request: the id of the node that forwarded it. */
    static final String FORWARDED_BY = "X-Cluster-Mode-Forwarded-By";
    /** Header on a forwarded request: how many milliseconds the forwarding node still waits. */
    static final String TIMEOUT_MS = "X-Cluster-Mode-Timeout-Ms";
    /** Header on answers to /kv requests: the node that served it (the primary, for forwarded ones). */
    static final String SERVED_BY = "X-Cluster-Mode-Served-By";

    /** Leadership transfer, an addition to CONTRACT.md: see {@link LeadershipTransfer}. */
    static final String TRANSFER_PATH = "/cluster/transfer-leadership";

    private static final String JSON = "application/json; charset=utf-8";
    private static final Duration RETRY_PAUSE = Duration.ofMillis(25);

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final Duration requestTimeout;
    private final NodeMetrics metrics;
    private final String address;
    private volatile String announced;
    private volatile Cluster<KvStore.Result> cluster;
    private volatile NodeState state;

    private HttpApi(HttpServer server, Duration requestTimeout, NodeMetrics metrics) {
        this.server = server;
        this.requestTimeout = requestTimeout;
        this.metrics = metrics;
        InetSocketAddress bound = server.getAddress();
        String host = bound.getAddress().getHostAddress();
        if (bound.getAddress().isAnyLocalAddress()) {
            host = "127.0.0.1"; // what a forwarding peer on this host can use; announce the real one with --http
        }
        this.address = (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
        AtomicInteger threads = new AtomicInteger();
        // Forwarded and waiting requests block a thread for up to the request timeout: enough
        // threads for a burst, a bounded queue behind them.
        this.executor = new ThreadPoolExecutor(32, 32, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1000), r -> {
            Thread thread = new Thread(r, "cluster-mode-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, new ThreadPoolExecutor.AbortPolicy());
        ((ThreadPoolExecutor) executor).allowCoreThreadTimeOut(true);
        // The client has executor threads of its own: the server's may all be blocked in send(),
        // waiting for answers that only the client's threads can deliver.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /**
     * Binds the API's socket now (so a port in use is found before the node starts); it answers
     * once {@link #start} is called.
     */
    static HttpApi bind(InetSocketAddress at, Duration requestTimeout, NodeMetrics metrics) throws IOException {
        return new HttpApi(HttpServer.create(at, 128), requestTimeout, metrics);
    }

    /** Where this API listens, as {@code host:port}. */
    String address() {
        return address;
    }

    /** Starts answering; {@code announcedAddress} is where other nodes reach this API. */
    void start(Cluster<KvStore.Result> node, NodeState machine, String announcedAddress) {
        this.announced = announcedAddress;
        this.cluster = node;
        this.state = machine;
        server.start();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------ routing

    private record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Response json(int status, String json) {
            return new Response(status, JSON, json.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        static Response error(int status, String message) {
            return json(status, Json.object("error", message));
        }

        Response with(String header, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(header, value);
            return new Response(status, contentType, body, more);
        }
    }

    /** A request that is malformed or too large: answered at once with its status. */
    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private void handle(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        Response response;
        try {
            response = route(exchange, method);
        } catch (BadRequest e) {
            response = Response.error(e.status, e.getMessage());
        } catch (RuntimeException | IOException e) {
            response = Response.error(500, "internal error: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response = Response.error(503, "the node is stopping");
        }
        metrics.request(method, response.status());
        try {
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            boolean noBody = method.equals("HEAD");
            exchange.sendResponseHeaders(response.status(), noBody ? -1 : response.body().length == 0 ? -1
                    : response.body().length);
            if (!noBody && response.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        } catch (IOException gone) {
            // The client went away; nothing to tell it.
        } finally {
            exchange.close();
        }
    }

    private Response route(HttpExchange exchange, String method) throws BadRequest, IOException, InterruptedException {
        String path = exchange.getRequestURI().getRawPath();
        if (path == null) {
            throw new BadRequest(400, "no path");
        }
        if (path.startsWith("/kv/")) {
            return kv(exchange, method, path.substring("/kv/".length()));
        }
        switch (path) {
            case TRANSFER_PATH:
                return transferLeadership(exchange, method);
            case "/cluster/info":
                requireGet(method);
                return Response.json(200, info());
            case "/health":
                requireGet(method);
                return health();
            case "/metrics":
                requireGet(method);
                return new Response(200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape().getBytes(StandardCharsets.UTF_8), Map.of());
            default:
                return Response.error(404, "no such resource: " + path
                        + " (try /cluster/info, /health, /metrics, /kv/{key} or POST " + TRANSFER_PATH + ")");
        }
    }

    private static void requireGet(String method) throws BadRequest {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new BadRequest(405, "method " + method + " not allowed here; use GET");
        }
    }

    // ------------------------------------------------------------------ cluster info and health

    private String info() {
        Cluster<KvStore.Result> node = cluster;
        NodeStatus status = node.status();
        Optional<Member> primary = node.primary();
        List<Object> members = new ArrayList<>();
        for (Member member : node.members()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nodeId", member.id().value());
            m.put("address", member.address());
            m.put("voter", member.voter());
            m.put("role", member.role().name());
            m.put("http", state.httpAddress(member.id().value()).orElse(null));
            members.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("nodeId", node.id().value());
        out.put("clusterName", node.config().clusterName());
        out.put("role", node.role().name());
        out.put("term", status.term());
        out.put("leaderId", primary.map(p -> p.id().value()).orElse(null));
        out.put("commitIndex", status.commitIndex());
        out.put("appliedIndex", status.appliedIndex());
        out.put("members", members);
        out.put("address", node.config().advertise());
        out.put("http", announced);
        out.put("leaderHttp", primary.flatMap(p -> state.httpAddress(p.id().value())).orElse(null));
        return Json.write(out);
    }

    private Response health() {
        Cluster<KvStore.Result> node = cluster;
        if (node.isActive()) {
            return Response.json(200, Json.object("status", "UP", "role", node.role().name(),
                    "leaderId", node.primary().map(p -> p.id().value()).orElse(null)));
        }
        String reason = node.status().configuration().contains(node.id()) ? "no primary known"
                : "not a member of the cluster yet";
        return Response.json(503, Json.object("status", "DOWN", "role", node.role().name(), "reason", reason));
    }

    // ------------------------------------------------------------------ leadership transfer

    /**
     * {@code POST /cluster/transfer-leadership[?to=ID]}: served by the primary; any other node
     * forwards it there, as it does writes (a lost answer is a 504: the transfer may have
     * happened).
     */
    private Response transferLeadership(HttpExchange exchange, String method)
            throws BadRequest, IOException, InterruptedException {
        if (!method.equals("POST")) {
            throw new BadRequest(405, "method " + method + " not allowed here; use POST");
        }
        body(exchange); // drained, ignored
        String to = query(exchange.getRequestURI().getRawQuery()).get("to");
        LeadershipTransfer transfer = new LeadershipTransfer(cluster);
        Optional<LeadershipTransfer.Answer> refused = transfer.refuseTarget(to);
        if (refused.isPresent()) {
            return Response.json(refused.get().status(), refused.get().json());
        }
        return onPrimary(exchange, method, new byte[0], exchange.getRequestHeaders().getFirst(FORWARDED_BY), true,
                timeout(exchange), left -> {
                    LeadershipTransfer.Answer answer = transfer.run(to, left);
                    return Response.json(answer.status(), answer.json());
                });
    }

    // ------------------------------------------------------------------ the key-value store

    private Response kv(HttpExchange exchange, String method, String rawKey)
            throws BadRequest, IOException, InterruptedException {
        if (rawKey.isEmpty() || rawKey.contains("/")) {
            throw new BadRequest(400, "a key is one path segment: /kv/{key}");
        }
        String key = decodePathSegment(rawKey);
        if (!KvStore.validKey(key)) {
            throw new BadRequest(400, "a key is 1 to " + KvStore.MAX_KEY_BYTES + " bytes");
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String forwardedBy = exchange.getRequestHeaders().getFirst(FORWARDED_BY);
        Duration timeout = timeout(exchange);
        switch (method) {
            case "GET": {
                String consistency = query.getOrDefault("consistency", "linearizable");
                if (consistency.equals("stale")) {
                    return get(key, Consistency.STALE, timeout);
                }
                if (!consistency.equals("linearizable")) {
                    throw new BadRequest(400, "consistency is 'linearizable' (the default) or 'stale'");
                }
                return onPrimary(exchange, method, null, forwardedBy, false, timeout,
                        left -> get(key, Consistency.LINEARIZABLE, left));
            }
            case "PUT": {
                byte[] value = body(exchange);
                String expect = query.get("expect");
                byte[] command;
                try {
                    command = expect == null ? KvStore.put(key, value)
                            : KvStore.compareAndSet(key, expect.getBytes(StandardCharsets.UTF_8), value);
                } catch (IllegalArgumentException e) {
                    throw new BadRequest(413, e.getMessage());
                }
                return onPrimary(exchange, method, value, forwardedBy, true, timeout, left -> write(command, left));
            }
            case "DELETE":
                return onPrimary(exchange, method, null, forwardedBy, true, timeout,
                        left -> write(KvStore.delete(key), left));
            default:
                throw new BadRequest(405, "method " + method + " not allowed on /kv/{key}; use GET, PUT or DELETE");
        }
    }

    /** The request timeout, shortened to what a forwarding node still waits. */
    private Duration timeout(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst(TIMEOUT_MS);
        if (header != null) {
            try {
                long millis = Long.parseLong(header.trim());
                if (millis > 0 && millis < requestTimeout.toMillis()) {
                    return Duration.ofMillis(millis);
                }
            } catch (NumberFormatException ignored) {
                // Not ours to fail on: use our own timeout.
            }
        }
        return requestTimeout;
    }

    private interface OnPrimary {
        /** Serves the request on this node, the primary; throws NotPrimaryException when nothing was proposed. */
        Response run(Duration timeout) throws InterruptedException;
    }

    private Response onPrimary(HttpExchange exchange, String method, byte[] body, String forwardedBy,
                               boolean write, Duration timeout, OnPrimary local) throws InterruptedException {
        Cluster<KvStore.Result> node = cluster;
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        // Long enough to notice a dead primary and elect another (and for it to announce itself).
        long waitForPrimary = start + Math.min(timeout.toNanos(), node.config().failoverBudget().toNanos() * 2);
        String lastProblem = "no primary is known";
        while (true) {
            if (node.isPrimary()) {
                try {
                    return local.run(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
                            .with(SERVED_BY, node.id().value());
                } catch (NotPrimaryException e) {
                    lastProblem = "this node stopped being the primary";
                }
            } else if (forwardedBy != null) {
                return Response.error(503, node.id() + " is not the primary (forwarded by " + forwardedBy + ")");
            } else {
                Optional<Member> primary = node.primary();
                if (primary.isPresent() && !primary.get().id().equals(node.id())) {
                    Optional<String> http = state.httpAddress(primary.get().id().value());
                    if (http.isEmpty()) {
                        lastProblem = "the primary " + primary.get().id() + " has not announced its HTTP address yet";
                    } else {
                        Forwarded forwarded = forward(exchange, method, body, http.get(), deadline, write);
                        if (forwarded.response != null) {
                            return forwarded.response;
                        }
                        lastProblem = forwarded.problem;
                    }
                } else {
                    lastProblem = "no primary is known";
                }
            }
            long now = System.nanoTime();
            if (now - waitForPrimary >= 0) {
                return Response.error(503, "no primary reachable, nothing was done: " + lastProblem);
            }
            Thread.sleep(Math.min(RETRY_PAUSE.toMillis(), Math.max(1, (waitForPrimary - now) / 1_000_000)));
        }
    }

    /** A forwarding's outcome: a response to pass on, or (when null) a problem after which nothing was done. */
    private record Forwarded(Response response, String problem) {
    }

    private Forwarded forward(HttpExchange exchange, String method, byte[] body, String primaryHttp, long deadline,
                              boolean write) throws InterruptedException {
        long leftMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        URI uri = URI.create("http://" + primaryHttp + exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        if (write) {
            // A fresh connection for every forwarded write: on a pooled one, a primary that died
            // meanwhile looks like a reset after sending (outcome unknown, 504); on a fresh one it
            // is a refused connection (nothing was done: wait for the next primary and retry).
            builder.header("Connection", "close");
        }
        HttpRequest request = builder
                // The primary answers (504) by our deadline; the slack lets its answer arrive.
                .timeout(Duration.ofMillis(leftMillis + 1000))
                .header(FORWARDED_BY, cluster.id().value())
                .header(TIMEOUT_MS, Long.toString(leftMillis))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<byte[]> answer = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() == 503) {
                // The primary took nothing (it is not primary any more, or overloaded): try again.
                return new Forwarded(null, "the primary at " + primaryHttp + " answered 503: "
                        + new String(answer.body(), StandardCharsets.UTF_8));
            }
            Response response = new Response(answer.statusCode(),
                    answer.headers().firstValue("Content-Type").orElse("application/octet-stream"), answer.body(),
                    Map.of());
            Optional<String> servedBy = answer.headers().firstValue(SERVED_BY);
            return new Forwarded(servedBy.isPresent() ? response.with(SERVED_BY, servedBy.get()) : response, null);
        } catch (IOException e) {
            if (refusedConnection(e)) {
                return new Forwarded(null, "cannot connect to the primary at " + primaryHttp);
            }
            if (!write) {
                return new Forwarded(null, "the primary at " + primaryHttp + " did not answer: " + e);
            }
            // The primary had the request: it may have proposed the write.
            return new Forwarded(Response.error(504, "the primary at " + primaryHttp + " did not answer in time ("
                    + e.getClass().getSimpleName() + "); the write may or may not have been applied"), null);
        }
    }

    /** Whether the connection was never made (so the primary never saw the request). */
    private static boolean refusedConnection(Throwable e) {
        for (int depth = 0; e != null && depth < 10; depth++, e = e.getCause()) {
            if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private Response write(byte[] command, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        CompletableFuture<Committed<KvStore.Result>> future = cluster.submit(NodeState.kv(command));
        Committed<KvStore.Result> done;
        try {
            done = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Response.error(504, "proposed, but not known to be committed within " + timeout.toMillis()
                    + " ms; the write may or may not be applied");
        } catch (ExecutionException e) {
            return failure(e.getCause(), true);
        }
        metrics.proposal(System.nanoTime() - start);
        switch (done.result()) {
            case OK:
                return Response.json(200, Json.object("index", done.index()));
            case MISMATCH:
                return Response.json(409, Json.object("error", "the current value is not the expected one",
                        "index", done.index()));
            default:
                return Response.error(400, "the command could not be decoded");
        }
    }

    private Response get(String key, Consistency consistency, Duration timeout) throws InterruptedException {
        CompletableFuture<Optional<byte[]>> future = cluster.read(machine -> ((NodeState) machine).kv().get(key),
                consistency);
        Optional<byte[]> value;
        try {
            value = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Response.error(504, "the read did not complete within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            return failure(e.getCause(), false);
        }
        return value.map(bytes -> new Response(200, "application/octet-stream", bytes, Map.of()))
                .orElseGet(() -> Response.error(404, "no such key"));
    }

    private Response failure(Throwable cause, boolean write) {
        if (cause instanceof NotPrimaryException) {
            throw (NotPrimaryException) cause; // nothing proposed: onPrimary looks for the primary again
        }
        if (cause instanceof IndeterminateOutcomeException) {
            return Response.error(504, (write ? "the write may or may not have been applied: " : "")
                    + cause.getMessage());
        }
        if (cause instanceof OverloadedException || cause instanceof ClusterClosedException) {
            return Response.error(503, cause.getMessage() + "; nothing was done");
        }
        return Response.error(500, "internal error: " + cause);
    }

    // ------------------------------------------------------------------ request parsing

    /** Up to this much of a too-large body is read and dropped, so the client is not reset before it reads the 413. */
    private static final long DRAIN_LIMIT = 16L << 20;

    private static byte[] body(HttpExchange exchange) throws BadRequest, IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "bad Content-Length");
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = exchange.getRequestBody()) {
            if (declared > KvStore.MAX_VALUE_BYTES) {
                tooLarge(in, buffer, declared);
            }
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                if (out.size() > KvStore.MAX_VALUE_BYTES) {
                    tooLarge(in, buffer, -1);
                }
            }
        }
        return out.toByteArray();
    }

    private static void tooLarge(InputStream in, byte[] buffer, long declared) throws BadRequest, IOException {
        if (declared <= DRAIN_LIMIT) {
            long drained = 0;
            int n;
            while (drained <= DRAIN_LIMIT && (n = in.read(buffer)) > 0) {
                drained += n;
            }
        }
        throw new BadRequest(413, "a value is at most " + KvStore.MAX_VALUE_BYTES + " bytes");
    }

    /** Percent-decodes a path segment strictly ('+' stays '+'); bad escapes or bad UTF-8 are refused. */
    static String decodePathSegment(String raw) throws BadRequest {
        byte[] bytes = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new BadRequest(400, "bad percent-escape in the key");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new BadRequest(400, "bad percent-escape in the key");
                }
                bytes[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else if (c > 0x7f) {
                throw new BadRequest(400, "the key must be percent-encoded");
            } else {
                bytes[n++] = (byte) c;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, n)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequest(400, "the key is not UTF-8");
        }
    }

    /** Query parameters, form-decoded ({@code %2B} for a plus sign). */
    private static Map<String, String> query(String raw) throws BadRequest {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.put(name, value);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(400, "bad query string");
            }
        }
        return out;
    }
}
