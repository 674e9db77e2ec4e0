package io.clustermode.netty;

import io.clustermode.codec.MessageCodec;
import io.clustermode.raft.Entry;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.transport.HostPort;
import io.clustermode.transport.Transport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A rough timing of two transports on loopback, plain and with mutual TLS: one-way throughput of
 * AppendRequests with 64 entries of 100 bytes, and heartbeat round trips. Not a test and not
 * run by the build; run it by hand:
 * <pre>
 * ./mvnw -q -pl cluster-mode-core,cluster-mode-netty test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp cluster-mode-netty/target/test-classes:cluster-mode-netty/target/classes:\
 * cluster-mode-core/target/classes:$(cat /tmp/cp.txt) io.clustermode.netty.NettyTransportTiming [count]
 * </pre>
 * Both transports share this JVM and its cores, so the figures are a floor.
 */
public final class NettyTransportTiming {

    private NettyTransportTiming() {
    }

    /** Runs the timing; the only argument is the number of AppendRequests per round. */
    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        Path dir = Files.createTempDirectory("timing");
        TestPki.Ca ca = TestPki.newCa("timing", dir);
        run("plain", count, null, null);
        run("mutual TLS", count, ca.issueMutual("a"), ca.issueMutual("b"));
    }

    private static void run(String name, int count, TlsConfig tlsA, TlsConfig tlsB) throws Exception {
        AtomicInteger appends = new AtomicInteger();
        CountDownLatch allArrived = new CountDownLatch(1);
        // Unbounded: an answer may arrive before the sender starts waiting for it.
        LinkedBlockingQueue<Message> pongs = new LinkedBlockingQueue<>();
        NodeId a = NodeId.of("a");
        NodeId b = NodeId.of("b");
        try (NettyTransport ta = new NettyTransport(TestNodes.config("a", "127.0.0.1", 0, "timing").tls(tlsA).build());
             NettyTransport tb = new NettyTransport(TestNodes.config("b", "127.0.0.2", 0, "timing").tls(tlsB).build())) {
            ta.start(message -> pongs.offer(message));
            tb.start(new Transport.Listener() {
                @Override
                public void onMessage(Message message) {
                    if (message instanceof Message.Heartbeat hb) {
                        tb.send(new Message.HeartbeatResponse(b, a, hb.term(), hb.sequence(), true));
                    } else if (appends.incrementAndGet() == count) {
                        allArrived.countDown();
                    }
                }
            });
            ta.updatePeers(Map.of(b, HostPort.format(tb.localAddress())));
            tb.updatePeers(Map.of(a, HostPort.format(ta.localAddress())));
            while (!ta.isConnected(b) || !tb.isConnected(a)) {
                Thread.sleep(10);
            }

            // Round trips first, on idle connections.
            long[] rtt = new long[2000];
            for (int i = 0; i < rtt.length; i++) {
                long start = System.nanoTime();
                ta.send(new Message.Heartbeat(a, b, 1, 0, i));
                if (pongs.poll(5, TimeUnit.SECONDS) == null) {
                    throw new IllegalStateException("no heartbeat response");
                }
                rtt[i] = System.nanoTime() - start;
            }
            Arrays.sort(rtt);

            Message append = appendRequest(a, b);
            int bytes = MessageCodec.sizeOf(append);
            long start = System.nanoTime();
            long retries = 0;
            for (int i = 0; i < count; i++) {
                while (!ta.send(append)) {
                    retries++;
                    // Leave the cores to the I/O threads while the queue drains.
                    LockSupport.parkNanos(50_000);
                }
            }
            if (!allArrived.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + appends.get() + " of " + count + " arrived");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%-11s heartbeat round trip p50 %5.0f us, p99 %5.0f us; "
                            + "%,d AppendRequests of %d B: %,8.0f msg/s, %6.1f MB/s (%,d sends retried on a full queue)%n",
                    name, rtt[rtt.length / 2] / 1e3, rtt[rtt.length * 99 / 100] / 1e3, count, bytes,
                    count / seconds, count * (double) bytes / seconds / 1e6, retries);
        }
    }

    private static Message appendRequest(NodeId from, NodeId to) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            entries.add(Entry.command(1001 + i, 7, new byte[100]));
        }
        return new Message.AppendRequest(from, to, 7, 1000, 7, entries, 990);
    }
}
