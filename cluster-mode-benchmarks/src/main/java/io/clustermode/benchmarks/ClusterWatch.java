package io.clustermode.benchmarks;

import io.clustermode.cli.ClusterInfo;

/**
 * Waits on a {@link ClusterProcesses} by polling every node's {@code /cluster/info} every few
 * milliseconds (all nodes asked at once in each round): until a set of nodes agree on one
 * primary, or until the whole cluster is healthy and quiet.
 */
public final class ClusterWatch {

    /** Pause between two poll rounds. */
    public static final long POLL_MILLIS = 2;
    private static final long ANSWER_MILLIS = 500;

    private final ClusterProcesses cluster;
    private double lastRoundMillis;

    /** Watches {@code cluster}. */
    public ClusterWatch(ClusterProcesses cluster) {
        this.cluster = cluster;
    }

    /**
     * Polls until every node in {@code considered} answers and names the same primary, one of
     * {@code considered} and not {@code not}; returns that primary's id, or null after
     * {@code boundMillis}. The time of the round that saw the agreement is its end: the
     * measurement errs long by at most one round.
     */
    public String awaitAgreement(boolean[] considered, String not, long boundMillis) throws InterruptedException {
        long begin = System.nanoTime();
        long deadline = begin + boundMillis * 1_000_000L;
        int rounds = 0;
        try {
            while (System.nanoTime() < deadline) {
                rounds++;
                String agreed = agreement(cluster.poll(considered, ANSWER_MILLIS), considered, not);
                if (agreed != null) {
                    return agreed;
                }
                Thread.sleep(POLL_MILLIS);
            }
            return null;
        } finally {
            lastRoundMillis = (System.nanoTime() - begin) / 1e6 / rounds;
        }
    }

    /** The mean time of one poll round (answers and pause) in the last {@link #awaitAgreement}. */
    public double lastRoundMillis() {
        return lastRoundMillis;
    }

    /** The primary all {@code considered} nodes name, if it is one of them and not {@code not}; else null. */
    String agreement(ClusterInfo[] infos, boolean[] considered, String not) {
        String agreed = null;
        for (int i = 0; i < infos.length; i++) {
            if (!considered[i]) {
                continue;
            }
            ClusterInfo info = infos[i];
            if (info == null || info.leaderId() == null || info.leaderId().equals(not)
                    || (agreed != null && !agreed.equals(info.leaderId()))) {
                return null;
            }
            agreed = info.leaderId();
        }
        int leader = agreed == null ? -1 : cluster.indexOf(agreed);
        return leader >= 0 && considered[leader] ? agreed : null;
    }

    /**
     * Polls until the whole cluster is healthy: every node answers, all name the same primary,
     * which calls itself primary, every node counts all nodes as voters and all commit indexes
     * are equal — seen in two rounds {@code settleMillis} apart. Returns the primary, or null
     * after {@code boundMillis}.
     */
    public String awaitHealthy(long boundMillis, long settleMillis) throws InterruptedException {
        long deadline = System.nanoTime() + boundMillis * 1_000_000L;
        String seen = null;
        while (System.nanoTime() < deadline) {
            String healthy = healthy(cluster.poll(ANSWER_MILLIS));
            if (healthy != null && healthy.equals(seen)) {
                return healthy;
            }
            seen = healthy;
            Thread.sleep(healthy != null ? settleMillis : 20);
        }
        return null;
    }

    private String healthy(ClusterInfo[] infos) {
        boolean[] all = new boolean[infos.length];
        java.util.Arrays.fill(all, true);
        String leader = agreement(infos, all, null);
        if (leader == null || !infos[cluster.indexOf(leader)].isPrimary()) {
            return null;
        }
        for (ClusterInfo info : infos) {
            if (info.voterCount() != infos.length || info.commitIndex() != infos[0].commitIndex()) {
                return null;
            }
        }
        return leader;
    }
}
