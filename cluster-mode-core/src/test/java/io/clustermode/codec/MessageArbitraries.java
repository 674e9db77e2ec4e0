package io.clustermode.codec;

import io.clustermode.raft.Configuration;
import io.clustermode.raft.Entry;
import io.clustermode.raft.Message;
import io.clustermode.NodeId;
import io.clustermode.raft.SnapshotMeta;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Random values of every message type, within what Raft sends. */
final class MessageArbitraries {

    private MessageArbitraries() {
    }

    static Arbitrary<NodeId> nodeIds() {
        Arbitrary<String> plain = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('-', '.', '_')
                .ofMinLength(1).ofMaxLength(16);
        // Multi-byte UTF-8 (including a surrogate pair) and the longest id allowed.
        Arbitrary<String> unusual = Arbitraries.of("n\u00e9ud-\u4e2d", "\ud83d\ude80rocket", "x".repeat(NodeId.MAX_LENGTH),
                "\u00e9".repeat(NodeId.MAX_LENGTH));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(9, plain),
                net.jqwik.api.Tuple.of(1, unusual)).map(NodeId::new);
    }

    static Arbitrary<Long> nonNegative() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE).withDistribution(
                net.jqwik.api.RandomDistribution.biased());
    }

    static Arbitrary<Configuration> configurations() {
        Arbitrary<Set<NodeId>> voters = nodeIds().set().ofMaxSize(5);
        Arbitrary<Set<NodeId>> learners = nodeIds().set().ofMaxSize(3);
        return Combinators.combine(voters, learners).as((v, l) -> {
            TreeSet<NodeId> onlyLearners = new TreeSet<>(l);
            onlyLearners.removeAll(v);
            return new Configuration(new TreeSet<>(v), onlyLearners);
        });
    }

    static Arbitrary<byte[]> blobs(int maxSize) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxSize);
    }

    /** Entries of one type each, consecutive from {@code first}. */
    static Arbitrary<List<Entry>> entries(long first) {
        Arbitrary<Integer> kinds = Arbitraries.integers().between(0, 3);
        Arbitrary<List<Object[]>> specs = Combinators.combine(kinds, nonNegative(), blobs(64), configurations())
                .as((kind, term, data, conf) -> new Object[]{kind, term, data, conf})
                .list().ofMaxSize(6);
        return specs.map(list -> {
            List<Entry> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                Object[] s = list.get(i);
                long index = first + i;
                long term = (Long) s[1];
                switch ((Integer) s[0]) {
                    case 0 -> out.add(Entry.command(index, term, (byte[]) s[2]));
                    case 1 -> out.add(Entry.noop(index, term));
                    case 2 -> out.add(new Entry(index, term, io.clustermode.raft.EntryType.PARTITIONS,
                            io.clustermode.raft.PartitionChange.encode(List.of(
                                    new io.clustermode.raft.PartitionChange.Join("orders", 64, NodeId.of("n1")),
                                    new io.clustermode.raft.PartitionChange.Grant("orders", (int) (term % 64),
                                            NodeId.of("n1")),
                                    new io.clustermode.raft.PartitionChange.Release("orders", 3, index))), null));
                    default -> out.add(Entry.configuration(index, term, (Configuration) s[3]));
                }
            }
            return out;
        });
    }

    static Arbitrary<Message> voteRequests() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), nonNegative(), nonNegative(),
                        Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as(Message.VoteRequest::new);
    }

    static Arbitrary<Message> voteResponses() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), Arbitraries.of(true, false),
                Arbitraries.of(true, false)).as(Message.VoteResponse::new);
    }

    static Arbitrary<Message> appendRequests() {
        // Room after prevLogIndex for the entries' indices.
        Arbitrary<Long> prev = Arbitraries.longs().between(0, Long.MAX_VALUE - 16)
                .withDistribution(net.jqwik.api.RandomDistribution.biased());
        return prev.flatMap(prevIndex -> Combinators.combine(nodeIds(), nodeIds(), nonNegative(), nonNegative(),
                        entries(prevIndex + 1), nonNegative())
                .as((from, to, term, prevTerm, entries, commit) ->
                        new Message.AppendRequest(from, to, term, prevIndex, prevTerm, entries, commit)));
    }

    static Arbitrary<Message> appendResponses() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), Arbitraries.of(true, false), nonNegative(),
                        nonNegative(), nonNegative(), nonNegative())
                .as(Message.AppendResponse::new);
    }

    static Arbitrary<Message> heartbeats() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), nonNegative(), nonNegative())
                .as(Message.Heartbeat::new);
    }

    static Arbitrary<Message> heartbeatResponses() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), nonNegative(), Arbitraries.of(true, false))
                .as(Message.HeartbeatResponse::new);
    }

    static Arbitrary<Message> installSnapshots() {
        Arbitrary<SnapshotMeta> metas = Combinators.combine(nonNegative(), nonNegative(), configurations())
                .as(SnapshotMeta::new);
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), metas, nonNegative(), blobs(256),
                        Arbitraries.of(true, false))
                .as(Message.InstallSnapshot::new);
    }

    static Arbitrary<Message> installSnapshotResponses() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), nonNegative(), nonNegative(),
                Arbitraries.of(true, false)).as(Message.InstallSnapshotResponse::new);
    }

    static Arbitrary<Message> timeoutNows() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative()).as(Message.TimeoutNow::new);
    }

    static Arbitrary<Message> forwardRequests() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), nonNegative(),
                blobs(64).list().ofMaxSize(5)).as(Message.ForwardRequest::new);
    }

    static Arbitrary<Message> forwardResponses() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), nonNegative(), nonNegative())
                .as(Message.ForwardResponse::new);
    }

    static Arbitrary<Message> readIndexRequests() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), nonNegative())
                .as(Message.ReadIndexRequest::new);
    }

    static Arbitrary<Message> readIndexResponses() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), nonNegative(), nonNegative())
                .as(Message.ReadIndexResponse::new);
    }

    static Arbitrary<Message> partitionReports() {
        Arbitrary<java.util.Map<String, Integer>> groups = Arbitraries.maps(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12),
                Arbitraries.integers().between(1, 4096)).ofMaxSize(4);
        Arbitrary<List<Message.PartitionReport.Released>> released = Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12),
                Arbitraries.integers().between(0, 4095), nonNegative())
                .as(Message.PartitionReport.Released::new).list().ofMaxSize(5);
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), nonNegative(), groups, released)
                .as(Message.PartitionReport::new);
    }

    static Arbitrary<Message> partitionReportAcks() {
        return Combinators.combine(nodeIds(), nodeIds(), nonNegative(), nonNegative(), nonNegative())
                .as(Message.PartitionReportAck::new);
    }

    /** Every type, equally often. */
    static Arbitrary<Message> messages() {
        return Arbitraries.oneOf(List.of(voteRequests(), voteResponses(), appendRequests(), appendResponses(),
                heartbeats(), heartbeatResponses(), installSnapshots(), installSnapshotResponses(), timeoutNows(),
                forwardRequests(), forwardResponses(), readIndexRequests(), readIndexResponses(), partitionReports(),
                partitionReportAcks()));
    }
}
