package io.clustermode.cli.launch;

import io.clustermode.cli.ClusterInfo;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Starts processes of the command-line program ({@code cluster-mode node ...}, or any other
 * sub-command) for the demo, the tests, the fault injection and the benchmarks: the one place
 * that knows how the program is run. Three ways, one per kind of caller:
 *
 * <ul>
 *   <li>{@link #currentJvm}: this JVM's {@code java} and class path (the demo; anything that has
 *       the program on its own class path);</li>
 *   <li>{@link #builtJars}: this JVM's {@code java} with the packaged program, {@code
 *       cluster-mode-cli/target/cluster-mode-cli-*.jar} and {@code target/lib/*} (the fault
 *       injection and the benchmarks, whose own class path is another);</li>
 *   <li>{@link #script}: {@code bin/cluster-mode}, the launcher of CONTRACT.md, with the JVM
 *       options in {@code CLUSTER_MODE_JAVA_OPTS} (the integration tests, which test it too).</li>
 * </ul>
 *
 * <p>A started process is a {@link ChildProcess}: stop, kill, pause and resume are there. The
 * launcher's pid is the JVM's in every way (the script {@code exec}s java), so signals reach
 * the node. Immutable and thread-safe.
 */
public final class NodeLauncher {

    /**
     * JVM options for a node that shares a small machine with others: quick start-up, little
     * CPU and memory (serial GC, the C1 compiler only, 256 MiB heap).
     */
    public static final List<String> SMALL_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m");

    /** The program's main class, named (not loaded: a caller may lack its dependencies). */
    private static final String MAIN = "io.clustermode.cli.Main";

    private static final Duration READY_POLL = Duration.ofMillis(100);
    private static final Duration READY_ASK = Duration.ofMillis(700);

    private final List<String> program;
    private final Map<String, String> environment;

    private NodeLauncher(List<String> program, Map<String, String> environment) {
        this.program = List.copyOf(program);
        this.environment = Map.copyOf(environment);
    }

    /** The program on this JVM's class path, run by this JVM's {@code java} with {@code jvmOptions}. */
    public static NodeLauncher currentJvm(List<String> jvmOptions) {
        return new NodeLauncher(javaCommand(jvmOptions, System.getProperty("java.class.path"), MAIN),
                Map.of());
    }

    /**
     * The packaged program of the repository at {@code root}, run by this JVM's {@code java} with
     * {@code jvmOptions}.
     *
     * @throws IllegalStateException when it is not built, saying how to build it
     */
    public static NodeLauncher builtJars(Path root, List<String> jvmOptions) {
        Path target = root.resolve("cluster-mode-cli/target");
        Path lib = target.resolve("lib");
        String build = ": build it with ./mvnw -pl cluster-mode-cli -am package -DskipTests";
        Path jar;
        try (Stream<Path> files = Files.list(target)) {
            jar = files.filter(p -> p.getFileName().toString().matches("cluster-mode-cli-[^-]+(-SNAPSHOT)?\\.jar"))
                    .max(Comparator.naturalOrder())
                    .orElseThrow(() -> new IllegalStateException("no cluster-mode-cli jar in " + target + build));
        } catch (IOException e) {
            throw new IllegalStateException("cluster-mode-cli is not built (" + target + ")" + build, e);
        }
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("no " + lib + build);
        }
        String classpath = jar + File.pathSeparator + lib.resolve("*");
        return new NodeLauncher(javaCommand(jvmOptions, classpath, MAIN), Map.of());
    }

    /** {@code bin/cluster-mode} of the repository at {@code root}, the JVM options in {@code CLUSTER_MODE_JAVA_OPTS}. */
    public static NodeLauncher script(Path root, List<String> jvmOptions) {
        return new NodeLauncher(List.of(root.resolve("bin/cluster-mode").toString()),
                Map.of("CLUSTER_MODE_JAVA_OPTS", String.join(" ", jvmOptions)));
    }

    /**
     * The command that runs {@code mainClass} of this JVM's class path in a new JVM with this
     * JVM's {@code java}: for the other programs the tools start (the fault runner's driver,
     * probes, load).
     */
    public static List<String> javaCommand(String mainClass, List<String> args) {
        List<String> command = javaCommand(List.of(), System.getProperty("java.class.path"), mainClass);
        command.addAll(args);
        return command;
    }

    private static List<String> javaCommand(List<String> jvmOptions, String classpath, String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        return command;
    }

    /**
     * The repository root: the nearest directory at or above the working directory that holds
     * {@code bin/cluster-mode}.
     *
     * @throws IllegalStateException when there is none
     */
    public static Path findRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path here = start; here != null; here = here.getParent()) {
            if (Files.isRegularFile(here.resolve("bin/cluster-mode"))) {
                return here;
            }
        }
        throw new IllegalStateException("no repository root (with bin/cluster-mode) at or above " + start);
    }

    /** The whole command line that runs the program with {@code args} (sub-command first). */
    public List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(program);
        command.addAll(args);
        return command;
    }

    /** A process builder for the program with {@code args}, its environment set; streams as the caller wants them. */
    public ProcessBuilder processBuilder(List<String> args) {
        ProcessBuilder builder = new ProcessBuilder(command(args));
        builder.environment().putAll(environment);
        return builder;
    }

    /**
     * Starts the program with {@code args}, both output streams appended to {@code log}.
     *
     * @throws IOException when it cannot be started
     */
    public ChildProcess start(List<String> args, Path log) throws IOException {
        return ChildProcess.start(processBuilder(args).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())));
    }

    /**
     * Starts the program with {@code args}, its standard output appended to {@code out} and its
     * standard error to {@code err}.
     *
     * @throws IOException when it cannot be started
     */
    public ChildProcess start(List<String> args, Path out, Path err) throws IOException {
        return ChildProcess.start(processBuilder(args)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile())));
    }

    /**
     * Waits until the node serves: its {@code GET /cluster/info} at {@code http} (e.g.
     * {@code http://127.0.0.1:8600}) answers 200, which it does once the node has started (before
     * that it answers 503). From then on SIGTERM stops it gracefully.
     *
     * @return true when it serves; false when {@code timeout} passed, the process ended, or the
     *         thread was interrupted (its flag then set again)
     */
    public static boolean awaitServing(ChildProcess node, URI http, Duration timeout) {
        HttpClient client = ReadinessClient.CLIENT;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (node.isAlive() && System.nanoTime() < deadline) {
            try {
                ClusterInfo.fetch(client, http, READY_ASK).get(READY_ASK.toMillis() * 2, TimeUnit.MILLISECONDS);
                return true;
            } catch (ExecutionException | TimeoutException notYet) {
                // starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                Thread.sleep(READY_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** The client of {@link #awaitServing}, made on first use: a client holds a selector thread. */
    private static final class ReadinessClient {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(READY_ASK)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The command line up to the sub-command. */
    @Override
    public String toString() {
        return String.join(" ", program);
    }
}
