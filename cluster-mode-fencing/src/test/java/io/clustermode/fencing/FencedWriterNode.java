package io.clustermode.fencing;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * One node of {@link PausedPrimaryIT}, in a process of its own: a cluster-mode node (TCP on
 * loopback) whose primary writes a row to PostgreSQL every 20 ms through {@link JdbcFence},
 * with its fencing token. Like an application that caches its token, it reads
 * {@code cluster.fencingToken()} once per {@value #WRITES_PER_TOKEN} writes: a pause between
 * reading the token and using it is exactly what the fence must survive.
 *
 * <p>Prints one line per write attempt, {@code committed|fenced|failed <token> <seq>}, and
 * {@code token <token> <seq>} when it reads its token.
 *
 * <p>Arguments: node id, port, comma-separated seed ports, data dir, JDBC URL, election timeout (ms).
 *
 * <p>The node is reached by reflection: the tests compile into the module
 * {@code io.clustermode.fencing}, which reads nothing of cluster-mode (by design), and javac
 * then takes the package {@code io.clustermode} for one of that module's own, so the core's
 * classes on the class path cannot be named here. At run time (class path only) they are there.
 */
public final class FencedWriterNode {

    static final String FENCE = "paused-primary";
    static final int WRITES_PER_TOKEN = 25;

    private FencedWriterNode() {
    }

    public static void main(String[] args) throws Exception {
        String id = args[0];
        List<String> seeds = java.util.Arrays.stream(args[2].split(",")).map(p -> "127.0.0.1:" + p).toList();
        long electionMillis = Long.parseLong(args[5]);
        Node cluster = Node.start(id, "127.0.0.1:" + args[1], seeds, Path.of(args[3]), electionMillis);
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        // the server ends a transaction left open longer than this (a paused writer holding the fence
        // row would otherwise stall its successor until it resumes)
        properties.setProperty("options", "-c idle_in_transaction_session_timeout=" + electionMillis);
        JdbcFence fence = JdbcFence.of("fence");
        Writer writer = new Writer();
        while (true) {
            try (Connection c = DriverManager.getConnection(args[4], properties)) {
                c.setAutoCommit(false);
                writer.writeUntilTheConnectionFails(cluster, fence, c, id);
            } catch (SQLException lost) {
                // the server ended the session (the idle timeout, after a pause): connect again
                System.out.println("reconnect " + lost.getSQLState());
                Thread.sleep(20);
            }
        }
    }

    /** The write loop's state, kept across reconnections: the sequence number and the cached token. */
    private static final class Writer {
        private long seq;
        private OptionalLong token = OptionalLong.empty();

        void writeUntilTheConnectionFails(Node cluster, JdbcFence fence, Connection c, String id)
                throws SQLException, InterruptedException {
            while (true) {
                if (seq % WRITES_PER_TOKEN == 0 || token.isEmpty()) {
                    token = cluster.fencingToken();
                    if (token.isPresent()) {
                        System.out.println("token " + token.getAsLong() + " " + seq);
                    }
                }
                if (token.isEmpty()) {
                    Thread.sleep(20);
                    continue;
                }
                seq++;
                try {
                    fence.check(c, FENCE, token.getAsLong());
                    try (PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO writes (node, token, seq) VALUES (?, ?, ?)")) {
                        insert.setString(1, id);
                        insert.setLong(2, token.getAsLong());
                        insert.setLong(3, seq);
                        insert.executeUpdate();
                    }
                    c.commit();
                    System.out.println("committed " + token.getAsLong() + " " + seq);
                } catch (FencedOutException e) {
                    c.rollback();
                    System.out.println("fenced " + token.getAsLong() + " " + seq);
                } catch (SQLException e) {
                    System.out.println("failed " + token.getAsLong() + " " + seq + " " + e.getSQLState());
                    c.rollback(); // throws when the session is gone: connect again
                } finally {
                    System.out.flush();
                }
                Thread.sleep(20);
            }
        }
    }

    /** {@code io.clustermode.Cluster}, the two calls this program makes of it. */
    private record Node(Object cluster, Method tokenMethod) {

        static Node start(String id, String bind, List<String> seeds, Path dataDir, long electionMillis)
                throws ReflectiveOperationException {
            Class<?> configClass = Class.forName("io.clustermode.ClusterConfig");
            Class<?> nodeIdClass = Class.forName("io.clustermode.NodeId");
            Class<?> clusterClass = Class.forName("io.clustermode.Cluster");
            Object builder = configClass.getMethod("builder").invoke(null);
            Class<?> builderClass = builder.getClass();
            builderClass.getMethod("nodeId", nodeIdClass).invoke(builder,
                    nodeIdClass.getMethod("of", String.class).invoke(null, id));
            builderClass.getMethod("bind", String.class).invoke(builder, bind);
            builderClass.getMethod("seeds", List.class).invoke(builder, seeds);
            builderClass.getMethod("dataDir", Path.class).invoke(builder, dataDir);
            builderClass.getMethod("heartbeatInterval", Duration.class).invoke(builder,
                    Duration.ofMillis(electionMillis / 10));
            builderClass.getMethod("electionTimeout", Duration.class).invoke(builder, Duration.ofMillis(electionMillis));
            builderClass.getMethod("updateInterval", Duration.class).invoke(builder, Duration.ofMillis(200));
            Object config = builderClass.getMethod("build").invoke(builder);
            Object cluster = clusterClass.getMethod("start", configClass).invoke(null, config);
            return new Node(cluster, clusterClass.getMethod("fencingToken"));
        }

        /** {@code cluster.fencingToken()}: the term while primary, else empty. */
        OptionalLong fencingToken() {
            try {
                return (OptionalLong) tokenMethod.invoke(cluster);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
