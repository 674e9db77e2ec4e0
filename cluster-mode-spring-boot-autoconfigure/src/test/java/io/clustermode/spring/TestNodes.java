package io.clustermode.spring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;

/** Properties of nodes on loopback that are clusters of their own, quick to elect themselves. */
public final class TestNodes {

    /** A generous bound for anything a node does on its own (it elects itself within a second here). */
    public static final Duration WAIT = Duration.ofSeconds(30);

    private TestNodes() {
    }

    /** A single node on a free port: primary within about a second of its start. */
    public static String[] alone() {
        return node(1);
    }

    /** A node on a free port that waits for a second member that never comes: never primary. */
    public static String[] waiting() {
        return node(2);
    }

    private static String[] node(int minNodes) {
        return new String[] {"cluster-mode.bind=127.0.0.1:" + freePort(), "cluster-mode.min-nodes=" + minNodes,
            "cluster-mode.heartbeat-interval=20", "cluster-mode.election-timeout=100",
            "cluster-mode.update-interval=200"};
    }

    /**
     * A port nothing listens on now (the transport needs a concrete one: peers dial it), below
     * Linux's ephemeral range (32768 on): a port the kernel handed out for "any free port" is
     * also what it hands the next outbound connection of any process, which then takes it
     * before the node binds it (seen here on a busy machine).
     */
    public static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port in 20000..31999 after 100 tries"));
    }
}
