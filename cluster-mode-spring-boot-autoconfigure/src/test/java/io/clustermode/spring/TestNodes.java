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

    /** A port nothing listens on now (the transport needs a concrete one: peers dial it). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
