package io.clustermode.cli;

import io.clustermode.Cluster;
import io.clustermode.ClusterClosedException;
import io.clustermode.Committed;
import io.clustermode.Consistency;
import io.clustermode.IndeterminateOutcomeException;
import io.clustermode.Member;
import io.clustermode.NotPrimaryException;
import io.clustermode.OverloadedException;
import io.clustermode.cli.http.ApiAnswer;
import io.clustermode.cli.http.ApiRequest;
import io.clustermode.cli.http.BearerToken;
import io.clustermode.cli.http.ForwardingClient;
import io.clustermode.cli.http.HttpServerSettings;
import io.clustermode.cli.http.NettyHttpServer;
import io.clustermode.cli.http.Routes;
import io.clustermode.cli.web.EventHub;
import io.clustermode.cli.web.WebPage;
import io.clustermode.kv.KvStore;
import io.clustermode.ClusterStatus;
import io.clustermode.transport.HostPort;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP API of CONTRACT.md: {@code /cluster/info}, {@code /health}, {@code /metrics}, the
 * key-value store under {@code /kv/}, the event stream {@code /cluster/events} ({@link EventHub},
 * fed by {@link ClusterEvents}) and the web view {@code /ui} ({@link WebPage}); and, beyond the
 * contract, {@code POST /cluster/transfer-leadership} ({@link LeadershipTransfer}) and
 * {@code GET /cluster/progress}.
 *
 * <p>Served by {@link NettyHttpServer}, whose pipeline has already refused what is malformed,
 * too large, too slow or unauthenticated by the time a request gets here. Nothing here
 * blocks: each route hands its work to the {@link Cluster} and answers when the future
 * completes. Writes and linearizable reads are served on the primary ({@link ServeOnPrimary});
 * writes that do not fit {@code --kv-max-bytes} are refused there with 507 ({@link KvQuota});
 * transfers are rate-limited ({@link TransferRateLimit}), 429 beyond.
 */
final class HttpApi implements Routes, AutoCloseable {

    /** Header on a forwarded request: the id of the node that forwarded it. */
    static final String FORWARDED_BY = "X-Cluster-Mode-Forwarded-By";
    /** Header on a forwarded request: how many milliseconds the forwarding node still waits. */
    static final String TIMEOUT_MS = "X-Cluster-Mode-Timeout-Ms";
    /**
     * Header on answers to /kv requests: the node that answered it (a secondary answers writes and
     * linearizable reads it handed to the primary over Raft; a transfer forwarded over HTTP is
     * answered by the primary).
     */
    static final String SERVED_BY = "X-Cluster-Mode-Served-By";

    /** Leadership transfer, an addition to CONTRACT.md: see {@link LeadershipTransfer}. */
    static final String TRANSFER_PATH = "/cluster/transfer-leadership";
    static final String PARTITIONS_PATH = "/cluster/partitions/";

    /**
     * Connections kept to the primary for forwarding, at most: one per request in flight, up to
     * 256 (with 128, a secondary under 256 concurrent clients held half of them in the pool's
     * queue). Two secondaries' worth stay well under the primary's --http-max-connections (1024).
     */
    private static final int FORWARDING_CONNECTIONS = 256;

    private final EventLoopGroup group;
    private final NettyHttpServer server;
    private final ForwardingClient client;
    private final Duration requestTimeout;
    private final NodeMetrics metrics;
    private final BearerToken token;
    private final KvQuota quota;
    private final String address;
    private final EventHub hub;
    private volatile Started started;

    /** What the API serves once the node runs. */
    private record Started(Cluster<KvStore.Result, NodeState> cluster, NodeState state, String announced,
                           ServeOnPrimary onPrimary, BatchedReads reads, TransferRateLimit transfers,
                           ClusterEvents events) {
    }

    /** Events kept for {@code Last-Event-ID} resumption: a few minutes of a busy cluster's changes. */
    static final int KEPT_EVENTS = 256;
    /** Event streams one node serves at once; the rest of the connection cap stays for the API. */
    static final int MAX_EVENT_STREAMS = 256;
    /** A comment line this often keeps a quiet event stream open through proxies. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** {@code progress} events at most this often. */
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);

    private HttpApi(EventLoopGroup group, NettyHttpServer server, ForwardingClient client, Duration requestTimeout,
                    NodeMetrics metrics, BearerToken token, KvQuota quota) {
        this.group = group;
        this.server = server;
        this.client = client;
        this.requestTimeout = requestTimeout;
        this.metrics = metrics;
        this.token = token;
        this.quota = quota;
        this.hub = new EventHub(KEPT_EVENTS, MAX_EVENT_STREAMS, HEARTBEAT, group);
        metrics.eventStreams(hub::streams);
        InetSocketAddress bound = server.address();
        String host = bound.getAddress().getHostAddress();
        if (bound.getAddress().isAnyLocalAddress()) {
            host = "127.0.0.1"; // what a forwarding peer on this host can use; announce the real one with --http
        }
        this.address = new HostPort(host, bound.getPort()).toString();
    }

    /**
     * Binds the API's socket now (so a port in use is found before the node starts); until
     * {@link #start} it answers 503.
     *
     * @param settings     the server's limits, token and TLS
     * @param clientTls    TLS for forwarding to the primary, or null for plain HTTP
     * @param forwardFrom  where forwarded requests leave from, or null for the system's choice
     */
    static HttpApi bind(InetSocketAddress at, HttpServerSettings settings, SslContext clientTls,
                        InetAddress forwardFrom, Duration requestTimeout, KvQuota quota, NodeMetrics metrics)
            throws IOException {
        // One thread per core serves the API and the forwarding client; they never block.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("cluster-mode-http", true), NioIoHandler.newFactory());
        HttpApi[] api = new HttpApi[1];
        try {
            // A pooled connection is reused only while idle for less than half the read timeout,
            // well before the primary (configured alike) closes it as idle.
            ForwardingClient client = new ForwardingClient(group, forwardFrom, clientTls, FORWARDING_CONNECTIONS,
                    Duration.ofSeconds(1), settings.readTimeout().dividedBy(2), requestTimeout);
            NettyHttpServer server = NettyHttpServer.bind(at, group, settings, request -> api[0].answer(request),
                    metrics);
            api[0] = new HttpApi(group, server, client, requestTimeout, metrics, settings.token(), quota);
            return api[0];
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Where this API listens, as {@code host:port}. */
    String address() {
        return address;
    }

    /** Starts answering; {@code announcedAddress} is where other nodes reach this API. */
    void start(Cluster<KvStore.Result, NodeState> node, NodeState machine, String announcedAddress) {
        ServeOnPrimary onPrimary = new ServeOnPrimary(node, machine, client, token, group);
        ClusterEvents events = new ClusterEvents(node, machine, hub, client, token, group, PROGRESS_INTERVAL);
        // A batch the node could not serve falls back to the unbatched path, which runs after this returned.
        BatchedReads reads = new BatchedReads(query -> node.read(query, Consistency.LINEARIZABLE), node.id().value(),
                requestTimeout, (request, key) -> linearizableRead(started, request, key));
        started = new Started(node, machine, announcedAddress, onPrimary, reads,
                new TransferRateLimit(node.config().electionTimeout()), events);
    }

    @Override
    public void close() {
        Started node = started;
        if (node != null) {
            node.events().close();
        }
        hub.close();
        server.close();
        client.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    // ------------------------------------------------------------------ routing

    /** A request that is malformed or not allowed: answered at once with its status. */
    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @Override
    public CompletableFuture<ApiAnswer> answer(ApiRequest request) {
        Started node = started;
        if (node == null) {
            return done(ApiAnswer.error(503, "the node is starting"));
        }
        try {
            return route(node, request);
        } catch (BadRequest e) {
            return done(ApiAnswer.error(e.status, e.getMessage()));
        }
    }

    private CompletableFuture<ApiAnswer> route(Started node, ApiRequest request) throws BadRequest {
        String path = request.path();
        String method = request.method();
        if (path.startsWith("/kv/")) {
            return kv(node, request, path.substring("/kv/".length()));
        }
        if (path.startsWith(PARTITIONS_PATH)) {
            requireGet(method);
            String group = path.substring(PARTITIONS_PATH.length());
            return done(node.cluster().partitionGroup(group)
                    .map(g -> ApiAnswer.json(200, ClusterInfo.Partitions.of(g)))
                    .orElseGet(() -> ApiAnswer.error(404, "this node takes no part in a partition group '" + group
                            + "' (it takes part in " + node.cluster().partitionGroups().keySet() + ")")));
        }
        switch (path) {
            case TRANSFER_PATH:
                return transferLeadership(node, request);
            case "/cluster/info":
                requireGet(method);
                return done(ApiAnswer.json(200, info(node)));
            case "/cluster/events":
                if (!method.equals("GET")) {
                    throw new BadRequest(405, "method " + method + " not allowed here; use GET");
                }
                return done(events(node, request));
            case ClusterEvents.PROGRESS_PATH:
                requireGet(method);
                return progress(node, request);
            case "/ui":
            case "/ui/":
                requireGet(method);
                return done(WebPage.answer());
            case "/health":
                requireGet(method);
                return done(health(node.cluster()));
            case "/metrics":
                requireGet(method);
                return done(ApiAnswer.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
            default:
                return done(ApiAnswer.error(404, "no such resource: " + path
                        + " (try /cluster/info, /cluster/events, /ui, /health, /metrics, /kv/{key}, " + PARTITIONS_PATH
                        + "{group} or POST " + TRANSFER_PATH + ")"));
        }
    }

    private static CompletableFuture<ApiAnswer> done(ApiAnswer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    private static void requireGet(String method) throws BadRequest {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new BadRequest(405, "method " + method + " not allowed here; use GET");
        }
    }

    // ------------------------------------------------------------------ cluster info and health

    /** The members as {@code /cluster/info} lists them. */
    static List<ClusterInfo.MemberInfo> memberInfos(Cluster<KvStore.Result, NodeState> node, NodeState state) {
        return memberInfos(node.members(), node, state);
    }

    /** {@code of} as {@code /cluster/info} lists members. */
    static List<ClusterInfo.MemberInfo> memberInfos(java.util.Collection<Member> of, Cluster<KvStore.Result, NodeState> node,
                                                    NodeState state) {
        List<ClusterInfo.MemberInfo> members = new ArrayList<>();
        for (Member member : of) {
            members.add(new ClusterInfo.MemberInfo(member.id().value(), member.address(), member.voter(),
                    member.role().name(), state.httpAddress(member.id().value()).orElse(null),
                    joinedBy(node.joinedBy(member.id()))));
        }
        return members;
    }

    private static ClusterInfo info(Started started) {
        Cluster<KvStore.Result, NodeState> node = started.cluster();
        NodeState state = started.state();
        ClusterStatus status = node.status();
        Optional<Member> primary = node.primary();
        List<ClusterInfo.MemberInfo> members = memberInfos(node, state);
        return new ClusterInfo(node.id().value(), node.config().clusterName(), node.role().name(), status.term(),
                primary.map(p -> p.id().value()).orElse(null), status.commitIndex(), status.appliedIndex(), members,
                node.config().advertise(), started.announced(),
                primary.flatMap(p -> state.httpAddress(p.id().value())).orElse(null),
                node.partitionGroups().values().stream().map(ClusterInfo.Partitions::of).toList());
    }

    /** How a member came in, as {@link ClusterInfo.MemberInfo#joinedBy()} says it: lower case, null when unknown. */
    static String joinedBy(io.clustermode.JoinedBy joinedBy) {
        return joinedBy == io.clustermode.JoinedBy.UNKNOWN ? null : joinedBy.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The document of {@code GET /health}; absent fields are left out. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Health(String status, String role, String leaderId, String reason) {
    }

    private static ApiAnswer health(Cluster<KvStore.Result, NodeState> node) {
        if (node.isActive()) {
            return ApiAnswer.json(200, new Health("UP", node.role().name(),
                    node.primary().map(p -> p.id().value()).orElse(null), null));
        }
        String reason = node.status().member() ? "no primary known"
                : "not a member of the cluster yet";
        return ApiAnswer.json(503, new Health("DOWN", node.role().name(), null, reason));
    }

    // ------------------------------------------------------------------ the web view

    /**
     * {@code GET /cluster/events}: the node's event stream ({@link EventHub}), resumed after
     * {@code Last-Event-ID} when given. A page served by another member of the cluster (the web
     * view following the primary after its own node died) may read it: its origin is allowed
     * when it is the announced HTTP address of a member (CORS), and no other.
     */
    private ApiAnswer events(Started node, ApiRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        String origin = request.header("Origin");
        if (origin != null && memberOrigin(node, origin)) {
            headers.put("Access-Control-Allow-Origin", origin);
            headers.put("Vary", "Origin");
        }
        headers.put("X-Accel-Buffering", "no"); // nginx: pass each event on at once
        return hub.subscribe(request.header("Last-Event-ID"), node.events().status(() -> info(node)), headers);
    }

    /** Whether {@code origin} ({@code scheme://host:port}) is where a member of the cluster serves HTTP. */
    private static boolean memberOrigin(Started node, String origin) {
        int scheme = origin.indexOf("://");
        if (scheme < 0) {
            return false;
        }
        String hostPort = origin.substring(scheme + 3);
        if (hostPort.equals(node.announced())) {
            return true;
        }
        for (Member member : node.cluster().members()) {
            if (node.state().httpAddress(member.id().value()).filter(hostPort::equals).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code GET /cluster/progress} (beyond CONTRACT.md): each member's match index and lag, as the
     * primary knows them; any other node forwards it to the primary.
     */
    private CompletableFuture<ApiAnswer> progress(Started node, ApiRequest request) {
        return node.onPrimary().serve(request, false, false, timeout(request), left -> node.events().progress()
                .thenApply(document -> document.map(d -> ApiAnswer.json(200, d)).orElseThrow(
                        () -> new NotPrimaryException(node.cluster().id(), null))));
    }

    // ------------------------------------------------------------------ leadership transfer

    /**
     * {@code POST /cluster/transfer-leadership[?to=ID]}: served by the primary; any other node
     * forwards it there, as it does writes (a lost answer is a 504: the transfer may have
     * happened). At most one in flight per node, and one started per election timeout on the
     * primary: 429 beyond.
     */
    private CompletableFuture<ApiAnswer> transferLeadership(Started node, ApiRequest request) throws BadRequest {
        if (!request.method().equals("POST")) {
            throw new BadRequest(405, "method " + request.method() + " not allowed here; use POST");
        }
        String to = query(request.query()).get("to");
        LeadershipTransfer transfer = new LeadershipTransfer(node.cluster());
        Optional<ApiAnswer> refused = transfer.refuseTarget(to);
        if (refused.isPresent()) {
            return done(refused.get());
        }
        TransferRateLimit limit = node.transfers();
        if (!limit.enter()) {
            return done(ApiAnswer.error(429, "a leadership transfer asked of this node is still in progress;"
                    + " try again when it has finished"));
        }
        CompletableFuture<ApiAnswer> answer = node.onPrimary().serve(request, true, false, timeout(request), left -> {
            long wait = limit.startOrWait();
            if (wait > 0) {
                return done(ApiAnswer.error(429, "the primary hands over at most once per election timeout; try"
                        + " again in " + Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)) + " ms"));
            }
            return transfer.run(to, left);
        });
        answer.whenComplete((a, e) -> limit.exit());
        return answer;
    }

    // ------------------------------------------------------------------ the key-value store

    private CompletableFuture<ApiAnswer> kv(Started node, ApiRequest request, String rawKey) throws BadRequest {
        if (rawKey.isEmpty() || rawKey.contains("/")) {
            throw new BadRequest(400, "a key is one path segment: /kv/{key}");
        }
        String key = decodePathSegment(rawKey);
        if (!KvStore.validKey(key)) {
            throw new BadRequest(400, "a key is 1 to " + KvStore.MAX_KEY_BYTES + " bytes");
        }
        Map<String, String> query = query(request.query());
        Duration timeout = timeout(request);
        switch (request.method()) {
            case "GET":
            case "HEAD": {
                String consistency = query.getOrDefault("consistency", "linearizable");
                if (consistency.equals("stale")) {
                    return get(node, key, Consistency.STALE, timeout);
                }
                if (!consistency.equals("linearizable")) {
                    throw new BadRequest(400, "consistency is 'linearizable' (the default) or 'stale'");
                }
                Cluster<KvStore.Result, NodeState> cluster = node.cluster();
                if (request.header(TIMEOUT_MS) == null && request.header(FORWARDED_BY) == null
                        && (cluster.isPrimary() || cluster.primary().isPresent())) {
                    return node.reads().read(request, key);
                }
                return linearizableRead(node, request, key);
            }
            case "PUT": {
                byte[] value = request.body();
                String expect = query.get("expect");
                byte[] command;
                try {
                    command = expect == null ? KvStore.put(key, value)
                            : KvStore.compareAndSet(key, expect.getBytes(StandardCharsets.UTF_8), value);
                } catch (IllegalArgumentException e) {
                    throw new BadRequest(413, e.getMessage());
                }
                long bytes = key.getBytes(StandardCharsets.UTF_8).length + (long) value.length;
                return node.onPrimary().serve(request, true, true, timeout, left -> write(node, command, bytes, left));
            }
            case "DELETE":
                return node.onPrimary().serve(request, true, true, timeout,
                        left -> write(node, KvStore.delete(key), 0, left));
            default:
                throw new BadRequest(405, "method " + request.method()
                        + " not allowed on /kv/{key}; use GET, PUT or DELETE");
        }
    }

    /** The request timeout, shortened to what a forwarding node still waits. */
    private Duration timeout(ApiRequest request) {
        String header = request.header(TIMEOUT_MS);
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

    /** Proposes {@code command} (which stores {@code bytes} more, at most) through this node, primary or not. */
    private CompletableFuture<ApiAnswer> write(Started node, byte[] command, long bytes, Duration timeout) {
        KvQuota.Reservation reservation = null;
        if (bytes > 0) {
            long stored = node.state().kv().bytes();
            reservation = quota.reserve(bytes, stored);
            if (reservation == null) {
                return done(ApiAnswer.error(507, "the store is full: it holds " + stored + " bytes of keys and values,"
                        + " " + quota.reserved() + " more are on their way, and this write of " + bytes
                        + " bytes would pass the limit of " + quota.maxBytes() + " (--kv-max-bytes); nothing was done"));
            }
        }
        long start = System.nanoTime();
        CompletableFuture<Committed<KvStore.Result>> proposed = node.cluster().submit(NodeState.kv(command));
        KvQuota.Reservation held = reservation;
        if (held != null) {
            proposed.whenComplete((done, error) -> held.release()); // applied by then, or failed
        }
        // Answered on the thread that completes the proposal: building the answer is quick, and the
        // connection's own event loop takes the write from there (one hand-over per request).
        return Deadlines.within(proposed, timeout).handle((done, error) -> {
            if (error != null) {
                Throwable cause = Deadlines.cause(error);
                if (cause instanceof TimeoutException) {
                    return ApiAnswer.error(504, "proposed, but not known to be committed within " + timeout.toMillis()
                            + " ms; the write may or may not be applied");
                }
                return failure(cause, true);
            }
            metrics.proposal(System.nanoTime() - start);
            switch (done.result()) {
                case OK:
                    return ApiAnswer.json(200, Map.of("index", done.index()));
                case MISMATCH:
                    Map<String, Object> mismatch = new LinkedHashMap<>();
                    mismatch.put("error", "the current value is not the expected one");
                    mismatch.put("index", done.index());
                    return ApiAnswer.json(409, mismatch);
                default:
                    return ApiAnswer.error(400, "the command could not be decoded");
            }
        });
    }

    /** A linearizable read on its own, not in a batch: served here, or on the primary once one is known. */
    private CompletableFuture<ApiAnswer> linearizableRead(Started node, ApiRequest request, String key) {
        return node.onPrimary().serve(request, false, true, timeout(request),
                left -> get(node, key, Consistency.LINEARIZABLE, left));
    }

    private CompletableFuture<ApiAnswer> get(Started node, String key, Consistency consistency, Duration timeout) {
        CompletableFuture<Optional<byte[]>> read = node.cluster().read(
                machine -> machine.kv().get(key), consistency);
        return Deadlines.within(read, timeout).handle((value, error) -> {
            if (error != null) {
                Throwable cause = Deadlines.cause(error);
                if (cause instanceof TimeoutException) {
                    return ApiAnswer.error(504, "the read did not complete within " + timeout.toMillis() + " ms");
                }
                return failure(cause, false);
            }
            return value.map(bytes -> new ApiAnswer(200, "application/octet-stream", bytes, Map.of()))
                    .orElseGet(() -> ApiAnswer.error(404, "no such key"));
        });
    }

    /** The answer to a failed proposal or read; a {@link NotPrimaryException} is passed on (nothing was proposed). */
    static ApiAnswer failure(Throwable cause, boolean write) {
        if (cause instanceof NotPrimaryException notPrimary) {
            throw notPrimary; // ServeOnPrimary looks for the primary again
        }
        if (cause instanceof IndeterminateOutcomeException) {
            return ApiAnswer.error(504, (write ? "the write may or may not have been applied: " : "")
                    + cause.getMessage());
        }
        if (cause instanceof OverloadedException || cause instanceof ClusterClosedException) {
            return ApiAnswer.error(503, cause.getMessage() + "; nothing was done");
        }
        return ApiAnswer.error(500, "internal error: " + cause);
    }

    // ------------------------------------------------------------------ request parsing

    /** Percent-decodes a path segment strictly ('+' stays '+'); bad escapes or bad UTF-8 are refused. */
    static String decodePathSegment(String raw) throws BadRequest {
        if (plainAscii(raw)) {
            return raw; // nothing to decode, and ASCII is UTF-8: most keys
        }
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

    /** Whether {@code raw} has neither a percent-escape nor a character beyond ASCII. */
    private static boolean plainAscii(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' || c > 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** Query parameters, form-decoded ({@code %2B} for a plus sign); read-only. */
    private static Map<String, String> query(String raw) throws BadRequest {
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
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
