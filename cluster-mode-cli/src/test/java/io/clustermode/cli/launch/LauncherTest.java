package io.clustermode.cli.launch;

import com.sun.net.httpserver.HttpServer;
import io.clustermode.transport.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LauncherTest {

    @TempDir
    Path dir;

    @Test
    void node_args_spell_the_options_of_the_contract() {
        NodeArgs args = NodeArgs.node("n1").bind(new HostPort("127.0.0.2", 7600)).http(new HostPort("::1", 8600))
                .seeds(List.of(new HostPort("127.0.0.2", 7600), new HostPort("127.0.0.3", 7600)))
                .dataDir(Path.of("/data/n1")).timeouts(50, 400).updateInterval(200).requestTimeout(3000)
                .with("--http-insecure");
        assertThat(args.toList()).containsExactly("node", "--node-id", "n1", "--bind", "127.0.0.2:7600",
                "--http", "[::1]:8600", "--seeds", "127.0.0.2:7600,127.0.0.3:7600", "--data-dir", "/data/n1",
                "--heartbeat-interval", "50", "--election-timeout", "400", "--update-interval", "200",
                "--request-timeout", "3000", "--http-insecure");
    }

    @Test
    void the_program_runs_with_this_jvms_java_from_the_class_path_the_packaged_jars_or_the_script() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertThat(NodeLauncher.currentJvm(NodeLauncher.SMALL_JVM).command(List.of("node")))
                .containsExactly(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp",
                        System.getProperty("java.class.path"), "io.clustermode.cli.Main", "node");

        assertThatThrownBy(() -> NodeLauncher.builtJars(dir, List.of())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("./mvnw -pl cluster-mode-cli -am package");
        Path target = Files.createDirectories(dir.resolve("cluster-mode-cli/target/lib"));
        Files.createFile(target.resolveSibling("cluster-mode-cli-0.1.0-SNAPSHOT.jar"));
        Files.createFile(target.resolveSibling("cluster-mode-cli-0.1.0-SNAPSHOT-sources.jar"));
        assertThat(NodeLauncher.builtJars(dir, List.of("-Xss512k")).command(List.of("status")))
                .containsExactly(java, "-Xss512k", "-cp", target.resolveSibling("cluster-mode-cli-0.1.0-SNAPSHOT.jar")
                        + File.pathSeparator + target.resolve("*"), "io.clustermode.cli.Main", "status");

        NodeLauncher script = NodeLauncher.script(dir, NodeLauncher.SMALL_JVM);
        assertThat(script.command(List.of("demo"))).containsExactly(dir.resolve("bin/cluster-mode").toString(), "demo");
        assertThat(script.processBuilder(List.of("demo")).environment())
                .containsEntry("CLUSTER_MODE_JAVA_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m");
    }

    @Test
    void a_child_writes_both_streams_to_its_log_and_pauses_resumes_and_stops_on_sigterm() throws Exception {
        Path log = dir.resolve("child.log");
        ChildProcess echo = ChildProcess.start(List.of("sh", "-c", "echo out; echo err >&2"), log);
        assertThat(echo.awaitExit(Duration.ofSeconds(10))).hasValue(0);
        assertThat(Files.readString(log)).contains("out\n").contains("err\n");

        ChildProcess sleeper = ChildProcess.start(List.of("sleep", "60"), log);
        sleeper.pause();
        assertThat(state(sleeper.pid())).isEqualTo('T');
        sleeper.resume();
        assertThat(state(sleeper.pid())).isIn('S', 'R');
        assertThat(sleeper.stop(Duration.ofSeconds(10))).as("128 + SIGTERM").hasValue(143);
        assertThatThrownBy(sleeper::pause).isInstanceOf(IllegalStateException.class).hasMessageContaining("does not run");
    }

    @Test
    void a_child_that_ignores_sigterm_is_killed_after_the_grace_period() throws Exception {
        ChildProcess stubborn = ChildProcess.start(List.of("sh", "-c", "trap '' TERM; echo ready; exec sleep 60"),
                dir.resolve("stubborn.log"));
        long until = System.nanoTime() + 10_000_000_000L;
        while (!Files.readString(dir.resolve("stubborn.log")).contains("ready") && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        long start = System.nanoTime();
        assertThat(stubborn.stop(Duration.ofMillis(300))).as("128 + SIGKILL").hasValue(137);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(250);

        ChildProcess other = ChildProcess.start(List.of("sleep", "60"), dir.resolve("other.log"));
        other.kill9();
        assertThat(other.awaitExit(Duration.ofSeconds(10))).hasValue(137);
    }

    @Test
    void a_node_serves_once_its_cluster_info_answers_and_never_when_its_process_is_gone() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cluster/info", exchange -> {
            byte[] body = "{\"nodeId\":\"n1\",\"role\":\"INACTIVE\",\"term\":0}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        ChildProcess node = ChildProcess.start(List.of("sleep", "60"), dir.resolve("node.log"));
        try {
            URI http = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            assertThat(NodeLauncher.awaitServing(node, http, Duration.ofSeconds(10))).isTrue();
            node.kill9();
            node.awaitExit(Duration.ofSeconds(10));
            long start = System.nanoTime();
            assertThat(NodeLauncher.awaitServing(node, http, Duration.ofSeconds(10))).isFalse();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_000);
        } finally {
            server.stop(0);
            ChildProcess.killAll(List.of(node));
        }
    }

    /** The state letter of /proc/PID/stat, waiting briefly for a signal to land. */
    private static char state(long pid) throws Exception {
        char state = '?';
        for (int i = 0; i < 50; i++) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            state = stat.charAt(stat.lastIndexOf(')') + 2);
            if (state != 'R' && state != 'D') {
                return state;
            }
            Thread.sleep(10);
        }
        return state;
    }
}
