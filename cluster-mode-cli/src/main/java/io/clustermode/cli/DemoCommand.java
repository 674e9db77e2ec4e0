package io.clustermode.cli;

import io.clustermode.cli.launch.ChildProcess;
import io.clustermode.cli.launch.NodeArgs;
import io.clustermode.cli.launch.NodeLauncher;
import io.clustermode.transport.HostPort;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * {@code cluster-mode demo}: N node processes on loopback and a live view of them, with keys to
 * kill the primary, restart a node, write a key and quit.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Starts N nodes on loopback and shows them live; keys kill, restart, write.",
        description = {"Starts N nodes on loopback as separate processes (free ports, temporary data dirs)",
                "and shows a live view of their roles, terms, indexes and members.",
                "Keys: k kill the primary (SIGKILL), r restart a stopped node, w write a key, q quit."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "how many nodes (default: ${DEFAULT-VALUE})")
    int count;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final String CLEAR = "\033[H\033[2J";
    private static final String BOLD = "\033[1m";
    private static final String RESET = "\033[0m";
    private static final String GREEN = "\033[32m";
    private static final String YELLOW = "\033[33m";
    /** The demo's nodes share 12 partitions of a group "jobs": the view shows which each holds. */
    static final String DEMO_PARTITIONS = "jobs:12";
    private static final String RED = "\033[31m";
    private static final String DIM = "\033[2m";

    private static final String LOOPBACK = "127.0.0.1";
    private static final NodeLauncher LAUNCHER = NodeLauncher.currentJvm(NodeLauncher.SMALL_JVM);

    private final List<DemoNode> nodes = new ArrayList<>();
    private final Map<String, ClusterInfo> views = new ConcurrentHashMap<>();
    private final Deque<String> events = new ArrayDeque<>();
    private final AtomicInteger writes = new AtomicInteger();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build();
    private final ExecutorService work = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "cluster-mode-demo");
        thread.setDaemon(true);
        return thread;
    });
    private Path dir;
    private String savedTty;
    private volatile boolean running = true;

    private final class DemoNode {
        final String name;
        final int transport;
        final int http;
        volatile ChildProcess process;

        DemoNode(String name, int transport, int http) {
            this.name = name;
            this.transport = transport;
            this.http = http;
        }

        boolean alive() {
            return process != null && process.isAlive();
        }

        void start(List<HostPort> seeds) throws IOException {
            NodeArgs args = NodeArgs.node(name).bind(new HostPort(LOOPBACK, transport))
                    .http(new HostPort(LOOPBACK, http)).seeds(seeds).dataDir(dir.resolve(name))
                    .with("--min-nodes", Integer.toString(Math.min(3, count))).timeouts(100, 1000)
                    .updateInterval(500).requestTimeout(5000).partitions(DEMO_PARTITIONS);
            process = LAUNCHER.start(args.toList(), dir.resolve(name + ".log"));
        }
    }

    @Override
    public Integer call() throws Exception {
        if (count < 1 || count > 9) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--nodes must be 1 to 9, was " + count);
        }
        PrintStream out = System.out;
        dir = Files.createTempDirectory("cluster-mode-demo-");
        List<HostPort> seeds = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            DemoNode node = new DemoNode("node" + i, freePort(), freePort());
            nodes.add(node);
            seeds.add(new HostPort(LOOPBACK, node.transport));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp, "cluster-mode-demo-stop"));
        for (DemoNode node : nodes) {
            node.start(seeds);
            event("started " + node.name + " (pid " + node.process.pid() + ", HTTP 127.0.0.1:" + node.http + ")");
        }
        out.println("web view: " + webView());
        boolean raw = rawTerminal();
        work.execute(() -> {
            while (running) {
                poll();
                render(out, raw);
                sleep(250);
            }
        });
        InputStream in = System.in;
        while (running) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            switch (Character.toLowerCase((char) c)) {
                case 'k':
                    killPrimary();
                    break;
                case 'r':
                    restart(seeds);
                    break;
                case 'w':
                    work.execute(this::write);
                    break;
                case 'q':
                    running = false;
                    break;
                default:
                    break;
            }
        }
        running = false;
        out.println();
        out.println("stopping the nodes...");
        cleanUp();
        return 0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    // ------------------------------------------------------------------ the terminal

    /** Keys without Enter: the terminal out of line mode, through stty on /dev/tty; false when there is none. */
    private boolean rawTerminal() {
        try {
            String saved = stty("-g").trim();
            if (saved.isEmpty()) {
                return false;
            }
            stty("-icanon", "-echo", "min", "1");
            savedTty = saved;
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static String stty(String... args) throws IOException, InterruptedException {
        String command = "stty " + String.join(" ", args) + " < /dev/tty";
        Process process = new ProcessBuilder("sh", "-c", command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("stty failed");
        }
        return output;
    }

    private synchronized void cleanUp() {
        running = false;
        ChildProcess.stopAll(nodes.stream().map(node -> node.process).toList(), Duration.ofSeconds(10));
        if (savedTty != null) {
            try {
                stty(savedTty);
            } catch (Exception ignored) {
                // The terminal stays as it is; `stty sane` mends it.
            }
            savedTty = null;
        }
        if (dir != null && Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // Only temporary files are left.
            }
        }
    }

    // ------------------------------------------------------------------ what the keys do

    private void killPrimary() {
        for (DemoNode node : nodes) {
            ClusterInfo view = views.get(node.name);
            if (node.alive() && view != null && "PRIMARY".equals(view.role())) {
                node.process.kill9();
                views.remove(node.name);
                event(RED + "killed the primary " + node.name + " (SIGKILL)" + RESET);
                return;
            }
        }
        event("no primary to kill");
    }

    private void restart(List<HostPort> seeds) {
        for (DemoNode node : nodes) {
            if (!node.alive()) {
                try {
                    node.start(seeds);
                    event(GREEN + "restarted " + node.name + " from its data dir (pid " + node.process.pid() + ")"
                            + RESET);
                } catch (IOException e) {
                    event("cannot restart " + node.name + ": " + e.getMessage());
                }
                return;
            }
        }
        event("every node is running");
    }

    private void write() {
        int n = writes.incrementAndGet();
        String key = "key-" + n;
        String value = "value " + n + " at " + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"));
        for (DemoNode node : nodes) {
            if (!node.alive()) {
                continue;
            }
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + node.http + "/kv/" + key))
                        .timeout(Duration.ofSeconds(7)).PUT(HttpRequest.BodyPublishers.ofString(value)).build(),
                        HttpResponse.BodyHandlers.ofString());
                event("PUT /kv/" + key + " via " + node.name + ": " + response.statusCode() + " " + response.body());
            } catch (Exception e) {
                event("PUT /kv/" + key + " via " + node.name + " failed: " + NodeCommand.oneLine(e));
            }
            return;
        }
        event("no node is running");
    }

    private void event(String text) {
        synchronized (events) {
            events.addFirst(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "  " + text);
            while (events.size() > 8) {
                events.removeLast();
            }
        }
    }

    // ------------------------------------------------------------------ the view

    private void poll() {
        for (DemoNode node : nodes) {
            if (!node.alive()) {
                views.remove(node.name);
                continue;
            }
            try {
                ClusterInfo info = ClusterInfo.fetch(client, URI.create("http://127.0.0.1:" + node.http),
                        Duration.ofMillis(300)).get();
                views.put(node.name, info);
            } catch (Exception e) {
                views.remove(node.name);
            }
        }
    }

    private void render(PrintStream out, boolean raw) {
        StringBuilder screen = new StringBuilder(CLEAR);
        screen.append(BOLD).append("cluster-mode demo").append(RESET).append(" - ").append(count)
                .append(" nodes on loopback, data in ").append(dir).append("\n");
        screen.append("web view: ").append(BOLD).append(webView()).append(RESET)
                .append(" (in a browser; every node serves it at /ui, and it follows the primary)\n\n");
        screen.append(String.format("%-7s %-8s %-10s %-5s %-8s %-7s %-8s %-8s %-11s %s%n", "NODE", "PROCESS", "ROLE",
                "TERM", "PRIMARY", "COMMIT", "APPLIED", "HTTP", "PARTITIONS", "MEMBERS"));
        for (DemoNode node : nodes) {
            ClusterInfo view = views.get(node.name);
            if (view == null) {
                screen.append(String.format("%-7s %-8s %s%n", node.name, node.alive() ? "up" : "stopped",
                        DIM + (node.alive() ? "(starting)" : "") + RESET));
                continue;
            }
            String role = view.role();
            String colour = role.equals("PRIMARY") ? GREEN + BOLD : role.equals("SECONDARY") ? "" : YELLOW;
            StringBuilder members = new StringBuilder();
            for (ClusterInfo.MemberInfo member : view.members()) {
                members.append(member.nodeId()).append(member.voter() ? "" : "(l)").append(' ');
            }
            String held = view.partitions().isEmpty() ? "-" : view.partitions().get(0).owned().toString()
                    .replace(" ", "");
            screen.append(String.format("%-7s %-8s %s%-10s%s %-5s %-8s %-7s %-8s %-8s %-11s %s%n", node.name,
                    node.alive() ? "up" : "stopped", colour, role, RESET, view.term(),
                    view.leaderId() == null ? "-" : view.leaderId(), view.commitIndex(),
                    view.appliedIndex(), node.http, held, members.toString().trim()));
        }
        screen.append("\n").append(BOLD).append("keys: ").append(RESET)
                .append("k kill the primary   r restart a stopped node   w write a key   q quit")
                .append(raw ? "" : "   (type the key, then Enter)").append("\n\n");
        synchronized (events) {
            events.forEach(e -> screen.append(e).append("\n"));
        }
        out.print(screen);
        out.flush();
    }

    /** The address of the web view: on the first node that runs. */
    private String webView() {
        DemoNode on = nodes.stream().filter(DemoNode::alive).findFirst().orElse(nodes.get(0));
        return "http://" + new HostPort(LOOPBACK, on.http) + "/ui";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
