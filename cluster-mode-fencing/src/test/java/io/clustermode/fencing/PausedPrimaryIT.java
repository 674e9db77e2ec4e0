package io.clustermode.fencing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The paused primary, with real processes: three {@link FencedWriterNode}s (each a JVM
 * with a cluster-mode node on loopback TCP) write to a real PostgreSQL through
 * {@link JdbcFence}, the primary with its fencing token. The primary is stopped with SIGSTOP for
 * three election timeouts (and until its successor has committed a write), then continued with
 * SIGCONT: none of its writes commits after that.
 */
class PausedPrimaryIT {

    private static final long ELECTION_MILLIS = 500;
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void a_primary_paused_past_its_successors_election_commits_none_of_its_writes_after_it_resumes() throws Exception {
        try (PostgresServer postgres = PostgresServer.start()) {
            try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
                JdbcFence.of("fence").createTable(c);
                s.execute("CREATE TABLE writes (id BIGSERIAL PRIMARY KEY, node TEXT, token BIGINT, seq BIGINT)");
            }
            List<Integer> ports = List.of(freePort(), freePort(), freePort());
            String seeds = ports.stream().map(String::valueOf).collect(Collectors.joining(","));
            Map<String, Process> nodes = new LinkedHashMap<>();
            try {
                for (int i = 0; i < 3; i++) {
                    String id = "w" + i;
                    nodes.put(id, new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-cp", System.getProperty("java.class.path"), FencedWriterNode.class.getName(), id,
                            ports.get(i).toString(), seeds, dir.resolve(id).toString(), postgres.jdbcUrl(),
                            Long.toString(ELECTION_MILLIS))
                            .redirectErrorStream(true).redirectOutput(dir.resolve(id + ".out").toFile()).start());
                }
                await().atMost(PATIENCE).until(() -> count(postgres, "SELECT count(*) FROM writes") >= 20);
                String[] latest = latestWrite(postgres);
                String primary = latest[0];
                long token = Long.parseLong(latest[1]);
                Process paused = nodes.get(primary);

                // stop it just after it read its token: it then holds the token for the most writes
                Path output = dir.resolve(primary + ".out");
                long reads = tokenReads(output);
                await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5)).until(() -> tokenReads(output) > reads);
                signal("STOP", paused);
                long stoppedAt = System.nanoTime();
                Thread.sleep(100); // a commit already on its way to the server lands now or never
                String mine = "SELECT count(*) FROM writes WHERE node = '" + primary + "' AND token = " + token;
                long before = count(postgres, mine);
                Thread.sleep(3 * ELECTION_MILLIS);
                await().atMost(PATIENCE).until(() -> count(postgres, "SELECT count(*) FROM writes WHERE token > "
                        + token) > 0);
                long pausedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
                signal("CONT", paused);

                // give it time to write with its stale token and to learn it is no longer primary
                Thread.sleep(3 * ELECTION_MILLIS);
                await().atMost(PATIENCE).until(() -> count(postgres, "SELECT count(*) FROM writes WHERE token > "
                        + token) > 20);
                long after = count(postgres, mine);
                List<String> attempts = outcomes(output, token);
                long refused = attempts.stream().filter(a -> a.startsWith("fenced")).count();
                long failed = attempts.stream().filter(a -> a.startsWith("failed")).count();
                String[] successor = latestWrite(postgres);
                System.out.printf("paused primary %s (token %d) stopped %d ms (election timeout %d ms); after SIGCONT"
                                + " %d of %d attempts with token %d committed (%d fenced out, %d failed: session"
                                + " ended by the server); %s writes with token %s%n", primary, token, pausedMillis,
                        ELECTION_MILLIS, after - before, refused + failed, token, refused, failed, successor[0],
                        successor[1]);
                assertThat(after).as("writes of the paused primary that committed after SIGCONT").isEqualTo(before);
                assertThat(successor[0]).isNotEqualTo(primary);
            } finally {
                for (Process node : nodes.values()) {
                    signal("CONT", node);
                    node.destroy();
                }
                for (Process node : nodes.values()) {
                    if (!node.waitFor(30, TimeUnit.SECONDS)) {
                        node.destroyForcibly();
                    }
                }
            }
        }
    }

    /** How often the node has read its token so far. */
    private static long tokenReads(Path output) throws IOException {
        return Files.readAllLines(output, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("token ")).count();
    }

    /** The lines of a node's output about attempts with {@code token} that did not commit. */
    private static List<String> outcomes(Path output, long token) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            if ((line.startsWith("fenced ") || line.startsWith("failed ")) && line.split(" ")[1].equals(
                    Long.toString(token))) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static String[] latestWrite(PostgresServer postgres) throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("SELECT node, token FROM writes ORDER BY token DESC, id DESC LIMIT 1")) {
            row.next();
            return new String[] {row.getString(1), Long.toString(row.getLong(2))};
        }
    }

    private static long count(PostgresServer postgres, String sql) throws SQLException {
        try (Connection c = postgres.connect(); PreparedStatement s = c.prepareStatement(sql);
             ResultSet row = s.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private static void signal(String name, Process process) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }
}
