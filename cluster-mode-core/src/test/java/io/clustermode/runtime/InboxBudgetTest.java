package io.clustermode.runtime;

import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.storage.MemoryStorage;
import io.clustermode.transport.PeerIdentity;
import io.clustermode.transport.Transport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A node whose loop falls behind stops its transport reading, instead of letting its inbox grow. */
class InboxBudgetTest {

    /** Records what the node asks of it; delivers what the test hands it. */
    static final class RecordingTransport implements Transport {
        volatile Listener listener;
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void start(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void updatePeers(Map<NodeId, String> peers) {
        }

        @Override
        public boolean send(Message message) {
            return true;
        }

        @Override
        public CompletableFuture<PeerIdentity> identify(String hostPort) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException());
        }

        @Override
        public void pauseInbound() {
            calls.add("pause");
        }

        @Override
        public void resumeInbound() {
            calls.add("resume");
        }

        @Override
        public void close() {
        }
    }

    @Test
    void when_the_inbox_holds_more_than_its_budget_then_reading_pauses_until_it_is_worked_down() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        NodeId self = NodeId.of("a");
        try (RaftNode<Integer> node = RaftNode.start(NodeSettings.defaults(self).withMaxInboxBytes(1_000),
                new MemoryStorage(), transport, new CountingMachine())) {
            CountDownLatch release = new CountDownLatch(1);
            // Hold the loop, as a slow disk or a long apply would.
            CompletableFuture<Integer> held = node.readStale(machine -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            });
            for (int i = 0; i < 100; i++) {
                transport.listener.onMessage(new Message.Heartbeat(NodeId.of("b"), self, 1, 0, i));
            }
            assertThat(transport.calls).containsExactly("pause");
            release.countDown();
            held.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> transport.calls.size() == 2);
            assertThat(transport.calls).containsExactly("pause", "resume");
        }
    }
}
