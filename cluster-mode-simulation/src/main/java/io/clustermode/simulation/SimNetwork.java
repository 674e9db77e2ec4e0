package io.clustermode.simulation;

import io.clustermode.raft.Message;
import io.clustermode.NodeId;

import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * The simulated network: every message gets a random delay (so messages reorder), may be
 * dropped or duplicated, and is lost when a partition blocks its direction at send or at
 * delivery time. Partitions are a set of blocked directed links, so they can be symmetric,
 * one-way, or isolate one node.
 */
final class SimNetwork {

    /** A message on the wire, due at {@code time}; {@code sequence} keeps equal times in send order. */
    record InFlight(long time, long sequence, Message message) implements Comparable<InFlight> {
        @Override
        public int compareTo(InFlight other) {
            int byTime = Long.compare(time, other.time);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private record Link(NodeId from, NodeId to) {
    }

    private final Random random;
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>();
    private final Set<Link> blocked = new HashSet<>();
    private long sequence;
    /** Messages a scenario wants lost, whatever the partitions say. */
    java.util.function.Predicate<Message> lose = message -> false;

    int minDelay = 1;
    int maxDelay = 8;
    double dropRate;
    double duplicateRate;
    /** Chance that a message is held back much longer than usual (it arrives far out of order). */
    double longDelayRate;
    long sent;
    long delivered;

    SimNetwork(Random random) {
        this.random = random;
    }

    void send(Message message, long now) {
        sent++;
        if (isBlocked(message.from(), message.to()) || lose.test(message)
                || (dropRate > 0 && random.nextDouble() < dropRate)) {
            return;
        }
        enqueue(message, now);
        if (duplicateRate > 0 && random.nextDouble() < duplicateRate) {
            enqueue(message, now);
        }
    }

    private void enqueue(Message message, long now) {
        long delay = minDelay + random.nextInt(maxDelay - minDelay + 1);
        if (longDelayRate > 0 && random.nextDouble() < longDelayRate) {
            delay += random.nextInt(60 * maxDelay);
        }
        inFlight.add(new InFlight(now + delay, sequence++, message));
    }

    /** The next message due at or before {@code now} that a partition does not block, or null. */
    Message poll(long now) {
        while (!inFlight.isEmpty() && inFlight.peek().time() <= now) {
            Message message = inFlight.poll().message();
            if (!isBlocked(message.from(), message.to())) {
                delivered++;
                return message;
            }
        }
        return null;
    }

    /**
     * Puts a due message back, to arrive at {@code time} (for a receiver whose process is
     * stopped); it keeps its place after messages sent earlier. Draws nothing from the random.
     */
    void hold(Message message, long time) {
        delivered--; // poll counted it
        inFlight.add(new InFlight(time, sequence++, message));
    }

    int inFlight() {
        return inFlight.size();
    }

    boolean isBlocked(NodeId from, NodeId to) {
        return !blocked.isEmpty() && blocked.contains(new Link(from, to));
    }

    void block(NodeId from, NodeId to) {
        blocked.add(new Link(from, to));
    }

    void blockBoth(NodeId a, NodeId b) {
        block(a, b);
        block(b, a);
    }

    void heal() {
        blocked.clear();
    }

    boolean partitioned() {
        return !blocked.isEmpty();
    }

    void quiet() {
        dropRate = 0;
        duplicateRate = 0;
        longDelayRate = 0;
    }
}
