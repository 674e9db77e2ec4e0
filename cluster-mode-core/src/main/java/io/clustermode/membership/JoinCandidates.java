package io.clustermode.membership;

import io.clustermode.NodeId;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Nodes that asked this one to be let into its cluster: a node that belongs to no configuration
 * of ours reached us through its own discovery (a seed list naming one of our members, a DNS
 * name, a Kubernetes service), proved who it is in the transport handshake, and said where it
 * listens. Only the primary acts on them, and only after it has reached the candidate at that
 * address itself and got the same id back (see {@code Reconciler}); this registry only remembers.
 *
 * <p>Bounded both ways, because whoever passes the handshake can fill it (with a cluster secret
 * or mutual TLS only a holder of the cluster's credentials; on an insecure cluster anyone who
 * reaches the port): at most {@code capacity} candidates, the one heard from longest ago dropped
 * first, and a candidate not heard from for {@code expiry} is forgotten. A candidate that still
 * wants in asks again every round of its own discovery, which keeps it fresh.
 *
 * <p>Time is whatever unit the caller uses ({@code now} and {@code expiry} must agree):
 * nanoseconds in the cluster. Thread-safe: transport threads offer, the membership thread reads.
 * Not an application API.
 */
public final class JoinCandidates {

    /** The default capacity: well above any number of nodes joining at once. */
    public static final int DEFAULT_CAPACITY = 64;

    private record Candidate(String address, long lastHeard) {
    }

    private final int capacity;
    private final long expiry;
    /** Least recently heard first: a candidate heard again moves to the end. */
    private final LinkedHashMap<NodeId, Candidate> candidates = new LinkedHashMap<>();

    /**
     * @param capacity how many candidates are remembered at most; at least 1
     * @param expiry   how long a candidate not heard from again is remembered; positive
     */
    public JoinCandidates(int capacity, long expiry) {
        if (capacity < 1 || expiry <= 0) {
            throw new IllegalArgumentException("capacity must be at least 1 and expiry positive, were " + capacity
                    + " and " + expiry);
        }
        this.capacity = capacity;
        this.expiry = expiry;
    }

    /**
     * Remembers that {@code id}, listening at {@code address}, asked at {@code now}.
     *
     * @return whether it is news: a candidate not remembered before, or at another address
     */
    public synchronized boolean offer(NodeId id, String address, long now) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        forgetExpired(now);
        Candidate previous = candidates.remove(id);
        if (previous == null && candidates.size() >= capacity) {
            Iterator<NodeId> oldest = candidates.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        candidates.put(id, new Candidate(address, now));
        return previous == null || !previous.address().equals(address);
    }

    /** The candidates heard from within the expiry, by id, with the address each gave. */
    public synchronized Map<NodeId, String> current(long now) {
        forgetExpired(now);
        Map<NodeId, String> out = new TreeMap<>();
        candidates.forEach((id, candidate) -> out.put(id, candidate.address()));
        return out;
    }

    /** Forgets {@code id} (it became a member, or proved to be someone else). */
    public synchronized void forget(NodeId id) {
        candidates.remove(id);
    }

    /** How many candidates are remembered now, expired ones included until the next call that looks. */
    public synchronized int size() {
        return candidates.size();
    }

    private void forgetExpired(long now) {
        // Ordered by when each was last heard: the expired ones are at the front.
        for (Iterator<Candidate> it = candidates.values().iterator(); it.hasNext(); ) {
            if (now - it.next().lastHeard() < expiry) {
                break;
            }
            it.remove();
        }
    }
}
