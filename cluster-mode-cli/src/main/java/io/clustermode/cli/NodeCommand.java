package io.clustermode.cli;

import io.clustermode.Cluster;
import io.clustermode.ClusterConfig;
import io.clustermode.ClusterListener;
import io.clustermode.ClusterRole;
import io.clustermode.RoleChange;
import io.clustermode.cli.http.BearerToken;
import io.clustermode.cli.http.HttpServerSettings;
import io.clustermode.cli.http.HttpTls;
import io.clustermode.discovery.DiscoveryService;
import io.clustermode.discovery.dns.DnsDiscovery;
import io.clustermode.discovery.dns.DnsDiscoveryConfig;
import io.clustermode.discovery.kubernetes.KubernetesDiscovery;
import io.clustermode.discovery.kubernetes.KubernetesDiscoveryConfig;
import io.clustermode.discovery.kubernetes.PrimaryLabel;
import io.clustermode.kv.KvStore;
import io.clustermode.NodeId;
import io.clustermode.transport.HostPort;
import io.clustermode.transport.TransportFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/** {@code cluster-mode node}: runs one node in the foreground, with the HTTP API and the key-value store. */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Runs one node in the foreground, with the HTTP API and a replicated key-value store.",
        description = {"Cluster transport, discovery, Raft, a replicated key-value store and the HTTP API",
                "(/cluster/info, /health, /metrics, /kv/{key}, POST /cluster/transfer-leadership).",
                "A non-loopback --http needs --http-token-file (or --http-insecure); --http-tls-cert/-key serve HTTPS.",
                "SIGTERM or SIGINT stop it gracefully (a primary hands over first); exit code 0.",
                "Bad options or unusable values: a one-line reason on stderr and exit code 2."})
final class NodeCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--node-id", paramLabel = "ID",
            description = "this node's id (default: the one kept in --data-dir, else random per start)")
    String nodeId;

    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "cluster-mode",
            description = "nodes refuse peers of another name (default: ${DEFAULT-VALUE})")
    String clusterName;

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:7600",
            description = "cluster transport listens here (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--advertise", paramLabel = "HOST:PORT",
            description = "the address peers use (default: the bind address; when bound to 0.0.0.0, the host's first non-loopback IPv4 address)")
    String advertise;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8600",
            description = "the HTTP API (default: ${DEFAULT-VALUE})")
    String http;

    @Option(names = "--http-advertise", paramLabel = "HOST:PORT",
            description = "where other nodes reach this node's HTTP API, for forwarding to the primary"
                    + " (default: --http; its host replaced by the --advertise host when --http is 0.0.0.0)")
    String httpAdvertise;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "durable state: log, term, vote, snapshots (default: none, state in memory)")
    Path dataDir;

    @Option(names = "--discovery", paramLabel = "static|dns|kubernetes", defaultValue = "static",
            description = "where peers come from (default: ${DEFAULT-VALUE})")
    String discovery;

    @Option(names = "--seeds", paramLabel = "HOST:PORT,...", split = ",",
            description = "static: transport addresses of the instances (may include this node)")
    List<String> seeds;

    @Option(names = "--dns-name", paramLabel = "NAME",
            description = "dns: name whose A/AAAA (or SRV with --dns-srv) records are the instances")
    String dnsName;

    @Option(names = "--dns-srv", description = "dns: read SRV records (with their ports) instead of A/AAAA")
    boolean dnsSrv;

    @Option(names = "--dns-server", paramLabel = "HOST:PORT", description = "dns: resolver to ask (default: the system's)")
    String dnsServer;

    @Option(names = "--dns-port", paramLabel = "PORT", defaultValue = "7600",
            description = "dns: transport port for A/AAAA answers (default: ${DEFAULT-VALUE})")
    int dnsPort;

    @Option(names = "--dns-record-types", paramLabel = "A|AAAA|A,AAAA",
            description = "dns: which address records to ask for (default: A,AAAA)")
    String dnsRecordTypes;

    @Option(names = "--k8s-service", paramLabel = "NAME",
            description = "kubernetes: the service whose endpoints are the instances")
    String k8sService;

    @Option(names = "--k8s-namespace", paramLabel = "NS",
            description = "kubernetes: namespace (default: the pod's own, else default)")
    String k8sNamespace;

    @Option(names = "--k8s-port-name", paramLabel = "NAME", defaultValue = "cluster",
            description = "kubernetes: which named port is the transport (default: ${DEFAULT-VALUE})")
    String k8sPortName;

    @Option(names = "--k8s-label-primary",
            description = "kubernetes: keep the label cluster-mode.io/role on this cluster's pods (primary on the"
                    + " primary's pod only, secondary on the others); the pod's name comes from POD_NAME, else HOSTNAME")
    boolean k8sLabelPrimary;

    /** The kubernetes discovery when --discovery kubernetes (its client and service serve --k8s-label-primary too). */
    private KubernetesDiscovery kubernetesDiscovery;
    /** This pod's name, for --k8s-label-primary. */
    private String podName;

    @Option(names = "--min-nodes", paramLabel = "N", defaultValue = "3",
            description = "no primary is elected before N members are known (default: ${DEFAULT-VALUE})")
    int minNodes;

    @Option(names = "--max-nodes", paramLabel = "N", defaultValue = "20",
            description = "members beyond N are refused (default: ${DEFAULT-VALUE})")
    int maxNodes;

    @Option(names = "--voters", paramLabel = "N", defaultValue = "5",
            description = "how many members vote; the rest are learners (default: ${DEFAULT-VALUE})")
    int voters;

    @Option(names = "--heartbeat-interval", paramLabel = "MS", defaultValue = "100",
            description = "primary's heartbeat (default: ${DEFAULT-VALUE})")
    long heartbeatInterval;

    @Option(names = "--election-timeout", paramLabel = "MS", defaultValue = "1000",
            description = "base election timeout, randomized up to twice that (default: ${DEFAULT-VALUE})")
    long electionTimeout;

    @Option(names = "--update-interval", paramLabel = "MS", defaultValue = "5000",
            description = "discovery polling (default: ${DEFAULT-VALUE})")
    long updateInterval;

    @Option(names = "--connection-timeout", paramLabel = "MS", defaultValue = "3000",
            description = "connect/handshake timeout (default: ${DEFAULT-VALUE})")
    long connectionTimeout;

    @Option(names = "--request-timeout", paramLabel = "MS", defaultValue = "5000",
            description = "how long an HTTP request may wait for commit (default: ${DEFAULT-VALUE})")
    long requestTimeout;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "TLS between nodes: this node's certificate (PEM)")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "TLS between nodes: its private key (PEM)")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "TLS between nodes: CA of the peers (mutual TLS; a peer's certificate must name its node id)")
    Path tlsCa;

    @Option(names = "--cluster-secret-file", paramLabel = "FILE",
            description = "a shared secret (at least 16 bytes); peers prove they hold it in the handshake, both ways")
    Path clusterSecretFile;

    @Option(names = "--insecure",
            description = "allow a non-loopback --bind with neither mutual TLS nor a cluster secret (anyone who reaches "
                    + "the port can then speak as any node)")
    boolean insecure;

    @Option(names = "--http-token-file", paramLabel = "FILE",
            description = "every HTTP request except GET /health (and /ui) must carry 'Authorization: Bearer <token>',"
                    + " the token being FILE's one line; 401 otherwise. Needed for a non-loopback --http"
                    + " (default: none)")
    Path httpTokenFile;

    @Option(names = "--http-tls-cert", paramLabel = "FILE",
            description = "HTTPS for the HTTP API: the certificate (PEM; forwarding trusts the certificates in it)")
    Path httpTlsCert;

    @Option(names = "--http-tls-key", paramLabel = "FILE", description = "HTTPS for the HTTP API: its private key (PEM)")
    Path httpTlsKey;

    @Option(names = "--http-insecure",
            description = "allow a non-loopback --http without --http-token-file (warns at start; default: refuse to start)")
    boolean httpInsecure;

    @Option(names = "--http-read-timeout", paramLabel = "MS",
            defaultValue = "" + HttpServerSettings.DEFAULT_READ_TIMEOUT_MS,
            description = "an HTTP client must send a request's headers within MS of the connection being ready,"
                    + " and its body within MS of the headers; else 408 and the connection is closed"
                    + " (default: ${DEFAULT-VALUE})")
    long httpReadTimeout;

    @Option(names = "--http-max-connections", paramLabel = "N",
            defaultValue = "" + HttpServerSettings.DEFAULT_MAX_CONNECTIONS,
            description = "HTTP connections open at once; more are closed at once (default: ${DEFAULT-VALUE})")
    int httpMaxConnections;

    @Option(names = "--kv-max-bytes", paramLabel = "N",
            description = "total size of keys + values the KV store accepts; writes beyond it get 507"
                    + " (default: 256 MiB, or a quarter of the maximum heap when that is less)")
    Long kvMaxBytes;

    @Option(names = "--partitions", paramLabel = "NAME:COUNT", split = ",",
            description = "partition groups this node takes part in, e.g. orders:64,mail:8 (see 'Partitions' in the"
                    + " README): the primary grants each member its balanced share; GET /cluster/partitions/NAME shows"
                    + " who holds what")
    List<String> partitions = List.of();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NodeCommand.class);

    /** ClusterConfig's option names, as the command line spells them, for its error messages. */
    private static final Map<String, String> FLAGS = Map.ofEntries(Map.entry("clusterName", "--cluster-name"),
            Map.entry("heartbeatInterval", "--heartbeat-interval"), Map.entry("electionTimeout", "--election-timeout"),
            Map.entry("updateInterval", "--update-interval"), Map.entry("connectionTimeout", "--connection-timeout"),
            Map.entry("minNodes", "--min-nodes"), Map.entry("maxNodes", "--max-nodes"),
            Map.entry("voters", "--voters"), Map.entry("tlsCert", "--tls-cert"), Map.entry("tlsKey", "--tls-key"),
            Map.entry("tlsCa", "--tls-ca"), Map.entry("bind", "--bind"), Map.entry("advertise", "--advertise"),
            Map.entry("seeds", "--seeds"), Map.entry("portName", "--k8s-port-name"),
            Map.entry("clusterSecretFile", "--cluster-secret-file"), Map.entry("insecure", "--insecure"));

    @Override
    public Integer call() throws Exception {
        NodeMetrics metrics = new NodeMetrics();
        ClusterConfig config = config(metrics);
        if (requestTimeout <= 0) {
            throw usage("--request-timeout must be positive, was " + requestTimeout);
        }
        InetSocketAddress httpAddress = listenAddress("--http", http);
        if (httpAdvertise != null) {
            hostPort("--http-advertise", httpAdvertise, false);
        }
        HttpTls tls = httpTls();
        HttpServerSettings httpSettings = httpSettings(httpAddress, tls);
        KvQuota quota = kvQuota();
        Map<String, Integer> groups = partitionGroups();
        // Before anything is loaded or logged: a port in use is a usage error of one line.
        checkCanListen("--bind", listenAddress("--bind", bind));
        checkCanListen("--http", httpAddress);
        if (dataDir != null) {
            prepareDataDir();
        }
        // From here on SIGTERM and SIGINT end the node with exit code 0 (the JVM's own code after a
        // signal would be 128 + the signal), also while it is still starting; a start that fails
        // ends with 2 instead.
        AtomicReference<Runnable> stop = new AtomicReference<>(() -> { });
        AtomicBoolean failed = new AtomicBoolean();
        // 0 after a signal; 3 when the node could not go on (CONTRACT.md).
        java.util.concurrent.atomic.AtomicInteger exitCode = new java.util.concurrent.atomic.AtomicInteger();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (failed.get()) {
                return;
            }
            try {
                stop.get().run();
            } catch (RuntimeException e) {
                System.err.println("cluster-mode: while stopping: " + oneLine(e));
            } finally {
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(exitCode.get());
            }
        }, "cluster-mode-shutdown"));
        HttpApi api;
        try {
            api = HttpApi.bind(httpAddress, httpSettings, tls == null ? null : tls.client(),
                    forwardingAddress(httpAddress, bind), Duration.ofMillis(requestTimeout), quota, metrics);
        } catch (BindException e) {
            failed.set(true);
            throw usage("--http " + http + ": cannot listen there (" + e.getMessage() + ")");
        } catch (IOException e) {
            failed.set(true);
            throw usage("--http " + http + ": " + e.getMessage());
        }
        NodeState state = new NodeState();
        Cluster<KvStore.Result, NodeState> cluster;
        try {
            cluster = Cluster.start(config, state);
        } catch (Exception e) {
            failed.set(true);
            api.close();
            throw usage(flags(oneLine(e)));
        }
        metrics.attach(cluster);
        groups.forEach((name, count) -> metrics.partitions(cluster.partitions(name, count)));
        // after the start: the labeller follows the node's role (it never blocks the node)
        PrimaryLabel label = k8sLabelPrimary ? labelPrimary(cluster) : null;
        String announced = httpAdvertise != null ? httpAdvertise : announcedHttp(api.address(), httpAddress,
                config.advertise());
        api.start(cluster, state, announced);

        ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "cluster-mode-node-background");
            thread.setDaemon(true);
            return thread;
        });
        Announcer announcer = new Announcer(cluster, state, announced);
        cluster.addListener(new ClusterListener() {
            @Override
            public void onRoleChange(RoleChange change) {
                if (change.role() != ClusterRole.INACTIVE) {
                    background.execute(announcer::announceIfNeeded);
                }
            }

            @Override
            public void onFailure(Throwable cause) {
                // The node has logged why and left; the HTTP port closes with the rest, and the
                // process ends with 3 (from a thread of its own: exit waits for the shutdown hook,
                // which waits for the listeners' thread).
                exitCode.set(3);
                Thread exit = new Thread(() -> System.exit(3), "cluster-mode-exit");
                exit.start();
            }
        });
        // Also now and then: the announcement of a fresh primary may be lost with its primacy.
        background.scheduleWithFixedDelay(announcer::announceIfNeeded, 500, 500, TimeUnit.MILLISECONDS);

        System.out.println("cluster-mode node " + cluster.id() + " of cluster '" + config.clusterName()
                + "': transport " + config.advertise() + ", HTTP http://" + announced);
        System.out.flush();

        stop.set(() -> {
            background.shutdownNow();
            try {
                cluster.close(); // a primary hands over first
            } finally {
                if (label != null) {
                    label.close(); // after the handover: the pod says secondary as it goes
                }
                api.close();
            }
        });
        CountDownLatch stopped = new CountDownLatch(1);
        stopped.await();
        return 0;
    }

    /** The server's limits, token and TLS; refuses a non-loopback --http without a token unless --http-insecure. */
    private HttpServerSettings httpSettings(InetSocketAddress httpAddress, HttpTls tls) {
        if (httpMaxConnections <= 0) {
            throw usage("--http-max-connections must be positive, was " + httpMaxConnections);
        }
        BearerToken token = null;
        if (httpTokenFile != null) {
            try {
                token = BearerToken.readFrom(httpTokenFile);
            } catch (IOException e) {
                throw usage("--http-token-file " + httpTokenFile + ": cannot read it (" + oneLine(e) + ")");
            } catch (IllegalArgumentException e) {
                throw usage("--http-token-file " + httpTokenFile + ": " + e.getMessage());
            }
        } else if (!httpAddress.getAddress().isLoopbackAddress()) {
            if (!httpInsecure) {
                throw usage("--http " + http + " is reachable from other hosts: give --http-token-file FILE (clients"
                        + " then send 'Authorization: Bearer <token>'), or --http-insecure to serve it to anyone");
            }
            LOG.warn("the HTTP API on {} is open to anyone who can reach it: --http-insecure and no"
                    + " --http-token-file", http);
        }
        return HttpServerSettings.defaults(KvStore.MAX_VALUE_BYTES)
                .withReadTimeout(millis("--http-read-timeout", httpReadTimeout))
                .withMaxConnections(httpMaxConnections)
                .withToken(token)
                .withTls(tls == null ? null : tls.server());
    }

    private HttpTls httpTls() {
        if (httpTlsCert == null && httpTlsKey == null) {
            return null;
        }
        if (httpTlsCert == null || httpTlsKey == null) {
            throw usage("--http-tls-cert and --http-tls-key go together");
        }
        try {
            return HttpTls.fromPem(httpTlsCert, httpTlsKey);
        } catch (IOException e) {
            throw usage("--http-tls-cert/--http-tls-key: " + oneLine(e));
        }
    }

    private KvQuota kvQuota() {
        if (kvMaxBytes == null) {
            return new KvQuota(KvQuota.defaultFor(Runtime.getRuntime().maxMemory()));
        }
        if (kvMaxBytes <= 0) {
            throw usage("--kv-max-bytes must be a positive number of bytes, was " + kvMaxBytes);
        }
        return new KvQuota(kvMaxBytes);
    }

    /** Forwarded requests leave from the --http host when it is concrete, else from the --bind host when that is. */
    static InetAddress forwardingAddress(InetSocketAddress httpAddress, String bindHostPort) {
        if (!httpAddress.getAddress().isAnyLocalAddress()) {
            return httpAddress.getAddress();
        }
        try {
            InetAddress bindHost = InetAddress.getByName(HostPort.parseListen("--bind", bindHostPort).host());
            return bindHost.isAnyLocalAddress() ? null : bindHost;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The HTTP address to announce: the bound one, unless bound to all interfaces, then on the advertised host. */
    static String announcedHttp(String bound, InetSocketAddress requested, String transportAdvertise) {
        if (!requested.getAddress().isAnyLocalAddress()) {
            return bound;
        }
        String host = HostPort.parseListen("--advertise", transportAdvertise).host();
        return HostPort.parse("--http", bound).withHost(host).toString();
    }

    /**
     * Proposes this node's HTTP address into the directory when it is an active member and the
     * directory lacks it: the primary's is where secondaries forward to; every member's is where
     * the web view goes when the node that served it is gone.
     */
    private static final class Announcer {
        private final Cluster<KvStore.Result, NodeState> cluster;
        private final NodeState state;
        private final String address;
        private final AtomicBoolean inFlight = new AtomicBoolean();

        Announcer(Cluster<KvStore.Result, NodeState> cluster, NodeState state, String address) {
            this.cluster = cluster;
            this.state = state;
            this.address = address;
        }

        void announceIfNeeded() {
            String self = cluster.id().value();
            if (!cluster.isActive() || address.equals(state.httpAddress(self).orElse(null))
                    || !inFlight.compareAndSet(false, true)) {
                return;
            }
            cluster.submit(NodeState.announce(self, address)).whenComplete((done, error) -> inFlight.set(false));
        }
    }

    private ClusterConfig config(NodeMetrics metrics) {
        ClusterConfig.Builder builder = ClusterConfig.builder()
                .transportFactory(CountingTransport.around(TransportFactory.load(), metrics))
                .observer(metrics)
                .clusterName(clusterName)
                .bind(bind)
                .minNodes(minNodes)
                .maxNodes(maxNodes)
                .voters(voters)
                .heartbeatInterval(millis("--heartbeat-interval", heartbeatInterval))
                .electionTimeout(millis("--election-timeout", electionTimeout))
                .updateInterval(millis("--update-interval", updateInterval))
                .connectionTimeout(millis("--connection-timeout", connectionTimeout));
        if (nodeId != null) {
            try {
                builder.nodeId(NodeId.of(nodeId));
            } catch (RuntimeException e) {
                throw usage("--node-id: " + oneLine(e));
            }
        }
        if (advertise != null) {
            builder.advertise(advertise);
        }
        if (dataDir != null) {
            builder.dataDir(dataDir);
        }
        if (tlsCert != null || tlsKey != null || tlsCa != null) {
            for (Path file : Arrays.asList(tlsCert, tlsKey, tlsCa)) {
                if (file != null && !Files.isReadable(file)) {
                    throw usage("cannot read TLS file " + file);
                }
            }
            builder.tls(tlsCert, tlsKey, tlsCa);
        }
        if (clusterSecretFile != null) {
            builder.clusterSecretFile(clusterSecretFile);
        }
        builder.insecure(insecure);
        builder.discovery(discoveryService(builder));
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw usage(flags(e.getMessage()));
        }
    }

    private DiscoveryService discoveryService(ClusterConfig.Builder builder) {
        if (k8sLabelPrimary) {
            if (!"kubernetes".equals(discovery)) {
                throw usage("--k8s-label-primary needs --discovery kubernetes");
            }
            podName = podName();
        }
        boolean dnsGiven = dnsName != null || dnsServer != null || dnsSrv || dnsRecordTypes != null;
        boolean k8sGiven = k8sService != null || k8sNamespace != null;
        switch (discovery) {
            case "static": {
                if (dnsGiven || k8sGiven) {
                    throw usage("--dns-* and --k8s-* options need --discovery dns or kubernetes");
                }
                List<String> list = seeds == null ? List.of() : seeds.stream().map(String::trim)
                        .filter(s -> !s.isEmpty()).collect(Collectors.toList());
                try {
                    return new io.clustermode.discovery.StaticDiscovery(clusterName, list);
                } catch (IllegalArgumentException e) {
                    throw usage(flags(e.getMessage()));
                }
            }
            case "dns": {
                if (seeds != null || k8sGiven) {
                    throw usage("--seeds and --k8s-* options do not go with --discovery dns");
                }
                if (dnsName == null) {
                    throw usage("--discovery dns needs --dns-name");
                }
                try {
                    DnsDiscoveryConfig dns = dnsSrv ? DnsDiscoveryConfig.srv(dnsName)
                            : DnsDiscoveryConfig.addresses(dnsName).withPort(dnsPort);
                    if (dnsRecordTypes != null) {
                        dns = dns.withRecordTypes(DnsDiscoveryConfig.parseRecordTypes(dnsRecordTypes));
                    }
                    return new DnsDiscovery(dns.withServer(dnsServer));
                } catch (IllegalArgumentException e) {
                    throw usage(oneLine(e));
                }
            }
            case "kubernetes": {
                if (seeds != null || dnsGiven) {
                    throw usage("--seeds and --dns-* options do not go with --discovery kubernetes");
                }
                if (k8sService == null) {
                    throw usage("--discovery kubernetes needs --k8s-service");
                }
                try {
                    builder.portName(k8sPortName);
                    kubernetesDiscovery = new KubernetesDiscovery(KubernetesDiscoveryConfig.of(k8sService)
                            .withNamespace(k8sNamespace).withPortName(k8sPortName));
                    return kubernetesDiscovery;
                } catch (RuntimeException e) {
                    throw usage("--discovery kubernetes: " + oneLine(e));
                }
            }
            default:
                throw usage("--discovery must be static, dns or kubernetes, was '" + discovery + "'");
        }
    }

    /** --k8s-label-primary: the labeller, told of every role change of {@code cluster}. */
    private PrimaryLabel labelPrimary(Cluster<?, ?> cluster) {
        PrimaryLabel label = PrimaryLabel.start(new PrimaryLabel.Node() {
            @Override
            public String id() {
                return cluster.id().value();
            }

            @Override
            public java.util.OptionalLong fencingToken() {
                return cluster.fencingToken();
            }

            @Override
            public java.util.concurrent.CompletionStage<?> confirmPrimacy() {
                // a linearizable read succeeds once an entry of the term is committed and a majority follows
                return cluster.read(machine -> Boolean.TRUE, io.clustermode.Consistency.LINEARIZABLE);
            }
        }, kubernetesDiscovery, podName);
        cluster.addListener(new ClusterListener() {
            @Override
            public void onRoleChange(RoleChange change) {
                label.roleChanged(change.fencingToken());
            }
        });
        return label;
    }

    /** The pod's name for --k8s-label-primary: POD_NAME (the downward API), else HOSTNAME (a pod's host name is its name). */
    private String podName() {
        for (String variable : List.of("POD_NAME", "HOSTNAME")) {
            String value = System.getenv(variable);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        throw usage("--k8s-label-primary needs this pod's name in the environment variable POD_NAME (or HOSTNAME)");
    }

    private void prepareDataDir() {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException | RuntimeException e) {
            throw usage("--data-dir " + dataDir + ": cannot create it (" + oneLine(e) + ")");
        }
        if (!Files.isDirectory(dataDir) || !Files.isWritable(dataDir)) {
            throw usage("--data-dir " + dataDir + ": not a writable directory");
        }
        // isWritable says what the permissions say; a file we create says what the file system does.
        Path probe = dataDir.resolve(".write-probe");
        try {
            Files.write(probe, new byte[] {1});
            Files.delete(probe);
        } catch (IOException e) {
            throw usage("--data-dir " + dataDir + ": cannot write there (" + oneLine(e) + ")");
        }
    }

    private Duration millis(String option, long value) {
        if (value <= 0) {
            throw usage(option + " must be a positive number of milliseconds, was " + value);
        }
        return Duration.ofMillis(value);
    }

    /** Where {@code option} asks to listen, resolved; a bad value or an unknown host is a usage error. */
    /**
     * Fails with one line when nothing can listen at {@code address} now (a port in use, an
     * address not of this host). A check, not a reservation: the node binds it moments later, and
     * a race lost in between still ends the start with a line naming the cause.
     */
    private void checkCanListen(String option, InetSocketAddress address) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (java.io.IOException e) {
            throw usage(option + " " + HostPort.format(address) + ": cannot listen there (" + e.getMessage() + ")");
        }
    }

    private InetSocketAddress listenAddress(String option, String value) {
        HostPort address = hostPort(option, value, true);
        try {
            return new InetSocketAddress(InetAddress.getByName(address.host()), address.port());
        } catch (UnknownHostException e) {
            throw usage(option + ": unknown host '" + address.host() + "'");
        }
    }

    /** {@code value} of {@code option} read as {@code host:port}, a bad one a usage error. */
    private HostPort hostPort(String option, String value, boolean listen) {
        try {
            return listen ? HostPort.parseListen(option, value) : HostPort.parse(option, value);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private static String flags(String message) {
        String out = message;
        for (Map.Entry<String, String> flag : FLAGS.entrySet()) {
            out = out.replaceAll("\\b" + flag.getKey() + "\\b", flag.getValue());
        }
        return out;
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null) {
            String because = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            if (!message.contains(because)) {
                message += ": " + because;
            }
        }
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /** {@code --partitions}, checked: names and counts as the core accepts them, each group once. */
    Map<String, Integer> partitionGroups() {
        Map<String, Integer> groups = new java.util.LinkedHashMap<>();
        for (String spec : partitions) {
            int colon = spec.lastIndexOf(':');
            if (colon < 0) {
                throw usage("--partitions " + spec + ": expected NAME:COUNT");
            }
            String name = spec.substring(0, colon);
            int count;
            try {
                count = Integer.parseInt(spec.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw usage("--partitions " + spec + ": expected NAME:COUNT");
            }
            try {
                io.clustermode.PartitionGroup.check(name, count);
            } catch (IllegalArgumentException e) {
                throw usage("--partitions " + spec + ": " + e.getMessage());
            }
            if (groups.put(name, count) != null) {
                throw usage("--partitions names the group " + name + " twice");
            }
        }
        return groups;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
