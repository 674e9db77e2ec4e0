package io.clustermode.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clustermode.cli.launch.ChildProcess;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Three instances of the example application {@code examples/spring-scheduler} (its packaged jar,
 * run with {@code java -jar} and the JVM's default flags, as a user runs it) on loopback, at the
 * cluster's default timeouts: each is given only its ports, node id, seeds, data dir, the minimum
 * of three members, and the runs file that all of them append to. Either on the given hosts (a
 * network namespace's 127.0.0.2, ...) with fixed ports, or all on 127.0.0.1 with free ports.
 * Each instance's output is appended to {@code <id>.log} beside the data dirs, across restarts.
 *
 * <p>Not thread-safe: one benchmark thread drives it. {@link #close()} kills every instance still
 * running; a shutdown hook does the same if the JVM exits first.
 */
public final class SchedulerProcesses implements AutoCloseable {

    /** The example's jar, relative to the repository root. */
    public static final String JAR = "examples/spring-scheduler/target/spring-scheduler.jar";

    /** One instance's place: id, host, transport and web ports, data dir. */
    public record Instance(String id, String host, int transport, int web, Path dataDir) {
    }

    /**
     * What one instance's {@code GET /actuator/cluster} says.
     *
     * @param nodeId  the instance's node id
     * @param role    {@code PRIMARY}, {@code SECONDARY} or {@code INACTIVE}
     * @param term    its term
     * @param primary the primary it knows; null when none
     * @param voters  the voting members it knows
     */
    public record View(String nodeId, String role, long term, String primary, int voters) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500))
            .version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path jar;
    private final Path runsFile;
    private final List<Instance> instances = new ArrayList<>();
    private final ChildProcess[] processes;
    private final String seeds;
    private final Thread hook = new Thread(this::killAll, "scheduler-processes-cleanup");

    /**
     * Places (does not start) three instances under {@code dir}.
     *
     * @param root  the repository, whose example jar is run
     * @param hosts one loopback address per instance, or null for 127.0.0.1 and free ports
     * @throws IllegalStateException when the example is not built, saying how to build it
     */
    public SchedulerProcesses(Path root, Path dir, List<String> hosts) throws IOException {
        this.jar = root.resolve(JAR);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + ": build it with ./mvnw -pl examples/spring-scheduler -am"
                    + " -DskipTests package (bin/benchmarks does when it is missing)");
        }
        int count = 3;
        this.processes = new ChildProcess[count];
        for (int i = 0; i < count; i++) {
            boolean own = hosts != null;
            instances.add(new Instance("n" + (i + 1), own ? hosts.get(i) : "127.0.0.1",
                    own ? 7600 : ClusterProcesses.freePort(), own ? 8080 : ClusterProcesses.freePort(),
                    dir.resolve("n" + (i + 1))));
        }
        this.seeds = instances.stream().map(n -> n.host() + ":" + n.transport()).collect(Collectors.joining(","));
        this.runsFile = dir.resolve("runs.txt");
        Files.createDirectories(dir);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The instances, by index. */
    public List<Instance> instances() {
        return instances;
    }

    /** The runs file every instance appends to. */
    public Path runsFile() {
        return runsFile;
    }

    /** Instance {@code i}'s log. */
    public Path log(int i) {
        return runsFile.resolveSibling(instances.get(i).id() + ".log");
    }

    /** The index of instance {@code id}, or -1. */
    public int indexOf(String id) {
        for (int i = 0; i < instances.size(); i++) {
            if (instances.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** The whole command line of instance {@code i}. */
    public List<String> command(int i) {
        Instance n = instances.get(i);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-jar", jar.toString(), "--server.address=" + n.host(), "--server.port=" + n.web(),
                "--cluster-mode.node-id=" + n.id(), "--cluster-mode.bind=" + n.host() + ":" + n.transport(),
                "--cluster-mode.seeds=" + seeds, "--cluster-mode.data-dir=" + n.dataDir(),
                "--cluster-mode.min-nodes=3", "--example.runs-file=" + runsFile));
        return command;
    }

    /** Starts every instance at once. */
    public void startAll() throws IOException {
        for (int i = 0; i < instances.size(); i++) {
            start(i);
        }
    }

    /** Starts instance {@code i} from its data dir (a restart keeps its log, term and vote). */
    public void start(int i) throws IOException {
        processes[i] = ChildProcess.start(command(i), log(i));
    }

    /** SIGKILL to instance {@code i}, sent at the call. */
    public void kill9(int i) {
        processes[i].kill9();
    }

    /** SIGTERM to instance {@code i}, sent at the call: a primary stops its job and hands over, then exits. */
    public void terminate(int i) {
        processes[i].terminate();
    }

    /** Waits up to {@code millis} for instance {@code i} to exit; its exit code, or empty when it still runs. */
    public OptionalInt awaitExit(int i, long millis) {
        return processes[i].awaitExit(Duration.ofMillis(millis));
    }

    /**
     * Completes with {@link System#nanoTime()} when instance {@code i}'s process has exited (as
     * the JDK learns of it): ask before the signal, for the time a graceful stop takes.
     */
    public CompletableFuture<Long> exitNanos(int i) {
        return processes[i].process().onExit().thenApply(p -> System.nanoTime());
    }

    /** SIGKILL to instance {@code i} if it still runs, and a wait for it to be gone. */
    public void killNow(int i) {
        ChildProcess.killAll(List.of(processes[i]));
    }

    /** Every instance's view, asked of all at once; null where one is not running or did not answer. */
    public View[] views() {
        List<CompletableFuture<View>> answers = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            answers.add(processes[i] != null && processes[i].isAlive() ? view(instances.get(i))
                    : CompletableFuture.completedFuture(null));
        }
        return answers.stream().map(CompletableFuture::join).toArray(View[]::new);
    }

    private static CompletableFuture<View> view(Instance n) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + n.host() + ":" + n.web()
                + "/actuator/cluster")).timeout(Duration.ofSeconds(2)).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> r.statusCode() == 200 ? read(r.body()) : null).exceptionally(e -> null);
    }

    /** An {@code /actuator/cluster} document as a {@link View}; null when it is not one. */
    static View read(String json) {
        try {
            JsonNode doc = JSON.readTree(json);
            int voters = 0;
            for (JsonNode m : doc.path("members")) {
                if (m.path("voter").asBoolean(false)) {
                    voters++;
                }
            }
            JsonNode primary = doc.path("primary");
            return new View(doc.path("nodeId").asText(), doc.path("role").asText(), doc.path("term").asLong(),
                    primary.isTextual() ? primary.asText() : null, voters);
        } catch (IOException e) {
            return null;
        }
    }

    /** Kills every instance and waits for them. */
    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway.
        }
    }

    private void killAll() {
        ChildProcess.killAll(Arrays.asList(processes));
    }
}
