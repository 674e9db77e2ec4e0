package io.clustermode.raft;

import io.clustermode.NodeId;
import io.clustermode.raft.Message.PartitionReport;
import io.clustermode.raft.Message.PartitionReportAck;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Partition ownership, both ends (CONTRACT.md, "Partitions"): what this node holds, under which
 * lease, and — on the leader — who gets which partition.
 *
 * <h2>Holding</h2>
 * A node holds a partition while the applied {@link PartitionTable} grants it to this node, the
 * grant is not being revoked, the node takes part in the group, and its <em>lease</em> runs. A
 * follower's lease runs for {@code electionTicks} from the sending of its last
 * {@link PartitionReport} that the leader acknowledged: renewed by a round trip, so a node that
 * hears the leader but is not heard by it (a one-way partition) lets its lease lapse. A leader's
 * lease runs from its last lease round that found a quorum (one every election timeout). A grant
 * whose lease lapsed is never held again, nor is a grant of an earlier run of the node (epoch up
 * to the log's last index at start): the node reports it released and the leader grants the
 * partition anew, to it again if balance allows.
 *
 * <h2>Moving</h2>
 * The leader moves a partition only through the log: {@code Revoke} asks the holder to give it
 * up; the holder stops, tells its driver, and only then reports it released; the leader commits
 * {@code Release}, then {@code Grant}s it elsewhere. A holder that cannot be heard is released
 * without its word only once its lease surely lapsed: {@link #silenceTicks()} after the leader
 * last heard from it, or — for a holder this leader never heard — {@link #newLeaderTicks()}
 * after this leader's election (the previous leader may have renewed leases until it stepped
 * down, within two election timeouts of the new leader's election). Both bounds allow
 * clocks to run 10 % apart (the factor 5/4 ≥ 1.1/0.9), plus three ticks of rounding.
 *
 * <h2>Balance</h2>
 * Among the group's active members (members of the configuration that take part in the group and
 * were heard within an election timeout) the counts differ by at most one; those holding more get
 * the larger quotas, so only what balance needs moves. An unowned partition goes back to its last
 * holder when that one is below its quota.
 */
final class Partitions {

    /** One grant: a partition under an epoch. */
    record Key(String group, int partition, long epoch) implements Comparable<Key> {
        private static final Comparator<Key> ORDER = Comparator.comparing(Key::group)
                .thenComparingInt(Key::partition).thenComparingLong(Key::epoch);

        @Override
        public int compareTo(Key other) {
            return ORDER.compare(this, other);
        }
    }

    private final NodeId self;
    private final RaftConfig config;
    private final Output output;
    private PartitionTable table;
    /** This core's ticks. */
    private long now;
    /**
     * Grants up to this epoch are never held: they were made before this node's lease last
     * lapsed (or before it started), and any of them may have been released while it was not
     * heard — a node whose log lags could otherwise apply an old grant after a newer one of the
     * same partition went elsewhere.
     */
    private long staleUpTo;
    /** Whether the lease lapsed (or never ran) since the last acknowledged report. */
    private boolean lapsedSinceAck = true;
    /** Whether what this node holds may have changed since the last {@link #refresh}. */
    private boolean dirty = true;
    private boolean leaseRanAtRefresh;
    private boolean ledAtRefresh;
    private final TreeMap<String, Integer> declared = new TreeMap<>();

    // holder side
    private long leaseFrom;
    private final TreeSet<Key> held = new TreeSet<>();
    private final TreeSet<Key> lapsed = new TreeSet<>();
    /** Grants given up whose event the driver has not carried out yet: not released before it has. */
    private final TreeSet<Key> undelivered = new TreeSet<>();
    private long reportSequence;
    /** {@link #interested()}, until the table or the declared groups change. */
    private Boolean interestedCache;
    private final TreeMap<Long, Long> reportSentAt = new TreeMap<>();
    private int sinceReport;

    // leader side
    private long leaderSince;
    private final TreeMap<NodeId, Long> lastHeard = new TreeMap<>();
    private final TreeMap<NodeId, PartitionReport> inbox = new TreeMap<>();
    /** The index of this leader's last partition entry (or its no-op): nothing new until it is applied. */
    private long proposedIndex = Long.MAX_VALUE;
    /** The {@code proposedIndex} the last decision was made after. */
    private long decided = -1;
    /** Whether something the leader decides on changed since its last decision (time aside). */
    private boolean decisionDue;
    private long lastDecision;
    /** The members heard recently at the last decision, and whether a holder then was not. */
    private java.util.Set<NodeId> activeAtDecision = java.util.Set.of();
    /** The tick from which a silent holder's lease may have surely lapsed; MAX_VALUE when no holder is silent. */
    private long nextExpiry = Long.MAX_VALUE;
    /** {@link #releasable()}, until the table, the holdings or the driver's progress change. */
    private List<PartitionReport.Released> releasableCache;

    Partitions(NodeId self, RaftConfig config, Output output, byte[] snapshotTable, long lastIndex) {
        this.self = self;
        this.config = config;
        this.output = output;
        this.table = snapshotTable.length == 0 ? new PartitionTable() : PartitionTable.decode(snapshotTable);
        this.staleUpTo = lastIndex;
        this.leaseFrom = -lease();
    }

    private int lease() {
        return config.electionTicks();
    }

    /** The ticks after which the leader may release the grants of a holder it heard from before but no longer hears. */
    int silenceTicks() {
        return lease() * 5 / 4 + 3;
    }

    /**
     * Ticks between a member's reports: the lease renews from an acknowledged report's sending,
     * so a quarter of the lease leaves three reports' worth of slack; never more often than heartbeats.
     */
    int reportTicks() {
        return Math.max(config.heartbeatTicks(), lease() / 4);
    }

    /** A new leader's silence on partitions: a round of reports from every member that hears it. */
    int settleTicks() {
        return 2 * reportTicks() + 1;
    }

    /** The ticks after its election before a leader may release the grants of a holder it never heard from. */
    int newLeaderTicks() {
        return (2 * config.electionTicks() + lease()) * 5 / 4 + 3;
    }

    PartitionTable table() {
        return table;
    }

    // ------------------------------------------------------------------ the application's side

    /** This node takes part in {@code group} of {@code count} partitions. */
    void declare(String group, int count) {
        PartitionChange.check(group, count);
        int known = table.count(group);
        if (known != 0 && known != count) {
            throw new IllegalArgumentException("partition group " + group + " has " + known + " partitions, not " + count);
        }
        Integer before = declared.get(group);
        if (before != null && before != count) {
            throw new IllegalArgumentException("partition group " + group + " was declared with " + before
                    + " partitions, not " + count);
        }
        if (before == null && declared.size() >= PartitionChange.MAX_GROUPS) {
            throw new IllegalArgumentException("at most " + PartitionChange.MAX_GROUPS + " partition groups");
        }
        declared.put(group, count);
        interestedCache = null;
        dirty = true;
        decisionDue = true;
        sinceReport = reportTicks(); // tell the leader at the next tick
    }

    /** This node no longer takes part in {@code group}: what it holds there is given up at once. */
    void withdraw(String group) {
        if (declared.remove(group) != null) {
            interestedCache = null;
            dirty = true;
            decisionDue = true;
            refresh(false);
            sinceReport = reportTicks();
        }
    }

    // ------------------------------------------------------------------ time and leases

    void tick() {
        now++;
        sinceReport = Math.min(sinceReport + 1, 1 << 20);
    }

    /**
     * The ticks until a tick may do something here: send a report, or end the lease of what this
     * node holds. {@link Integer#MAX_VALUE} when nothing waits for time.
     */
    int ticksUntilTimer(boolean leading, NodeId leader) {
        int ticks = Integer.MAX_VALUE;
        if (!leading && leader != null && interested()) {
            ticks = Math.max(1, reportTicks() - sinceReport);
        }
        if (!leading && !held.isEmpty()) {
            ticks = (int) Math.min(ticks, Math.max(1, leaseFrom + lease() - now));
        }
        return ticks;
    }

    /** Whether the leader's last decision (or no-op) became applied with {@code appliedIndex}. */
    boolean awaitsApplied(long appliedIndex) {
        return proposedIndex != Long.MAX_VALUE && appliedIndex >= proposedIndex && decided < proposedIndex;
    }

    /** The leader ended a lease round with a quorum, or became leader: its own lease starts over. */
    void leaderLeaseRenewed() {
        leaseFrom = now;
    }

    /** Why this node no longer holds {@code key}: the reasons in the order {@link #refresh} checks them. */
    private String whyGivenUp(Key key, boolean leaseRuns) {
        if (key.epoch() != table.epoch(key.group(), key.partition())
                || !self.equals(table.owner(key.group(), key.partition()))) {
            return "released";
        }
        if (!leaseRuns) {
            return "its lease lapsed (no report acknowledged for " + lease() + " ticks)";
        }
        if (key.epoch() <= staleUpTo) {
            return "granted before its lease last lapsed";
        }
        if (!declared.containsKey(key.group())) {
            return "it left the group";
        }
        return table.revoking(key.group(), key.partition()) ? "revoked by the primary" : "no longer granted";
    }

    /**
     * What this node holds now, given whether it leads; an event for every change. A lease that
     * ran out lapses every grant of this node for good.
     */
    void refresh(boolean leading) {
        boolean leaseRuns = leading || now - leaseFrom < lease();
        lapsedSinceAck |= !leaseRuns;
        if (!dirty && leaseRuns == leaseRanAtRefresh && leading == ledAtRefresh) {
            return; // nothing it depends on changed: the table, the lease, the role, the groups
        }
        dirty = false;
        releasableCache = null;
        leaseRanAtRefresh = leaseRuns;
        ledAtRefresh = leading;
        if (table.isEmpty() && held.isEmpty()) {
            return;
        }
        TreeSet<Key> nowHeld = new TreeSet<>();
        for (String group : table.groups()) {
            int count = table.count(group);
            for (int p = 0; p < count; p++) {
                if (!self.equals(table.owner(group, p))) {
                    continue;
                }
                Key key = new Key(group, p, table.epoch(group, p));
                if (!leaseRuns || key.epoch() <= staleUpTo) {
                    lapsed.add(key);
                }
                if (declared.containsKey(group) && !table.revoking(group, p) && !lapsed.contains(key)) {
                    nowHeld.add(key);
                }
            }
        }
        lapsed.removeIf(key -> key.epoch() != table.epoch(key.group(), key.partition())
                || !self.equals(table.owner(key.group(), key.partition())));
        for (Key key : held) {
            if (!nowHeld.contains(key)) {
                output.partitionEvent(new PartitionEvent(key.group(), key.partition(), key.epoch(), false,
                        whyGivenUp(key, leaseRuns)));
                undelivered.add(key);
                sinceReport = reportTicks(); // report the release soon
            }
        }
        for (Key key : nowHeld) {
            if (!held.contains(key)) {
                output.partitionEvent(new PartitionEvent(key.group(), key.partition(), key.epoch(), true,
                        "granted by the primary"));
            }
        }
        held.clear();
        held.addAll(nowHeld);
    }

    /** The driver carried out {@code ready}: the grants it was told were given up may now be released. */
    void advanced(Ready ready) {
        releasableCache = null;
        for (PartitionEvent event : ready.partitionEvents()) {
            if (!event.held()) {
                undelivered.remove(new Key(event.group(), event.partition(), event.epoch()));
                decisionDue = true; // a leader releases its own at its next decision
                sinceReport = reportTicks(); // a follower reports it at its next tick
            }
        }
    }

    /** Grants of this node in the table that it does not hold and whose end the driver knows of. */
    private List<PartitionReport.Released> releasable() {
        if (releasableCache != null) {
            return releasableCache;
        }
        List<PartitionReport.Released> released = new ArrayList<>();
        for (String group : table.groups()) {
            int count = table.count(group);
            for (int p = 0; p < count; p++) {
                if (self.equals(table.owner(group, p))) {
                    Key key = new Key(group, p, table.epoch(group, p));
                    if (!held.contains(key) && !undelivered.contains(key)) {
                        released.add(new PartitionReport.Released(group, p, key.epoch()));
                    }
                }
            }
        }
        releasableCache = released.isEmpty() ? List.of() : List.copyOf(released);
        return releasableCache;
    }

    /** Whether this node takes part in a group, or the table says it does (it must say it left): cached per change. */
    private boolean interested() {
        if (interestedCache == null) {
            interestedCache = computeInterested();
        }
        return interestedCache;
    }

    private boolean computeInterested() {
        if (!declared.isEmpty()) {
            return true;
        }
        for (String group : table.groups()) {
            if (table.members(group).contains(self)) {
                return true;
            }
        }
        return false;
    }

    /** A follower's report to its leader, when one is due; null otherwise. */
    PartitionReport maybeReport(long term, NodeId leader) {
        if (leader == null || sinceReport < reportTicks() || !interested()) {
            return null;
        }
        sinceReport = 0;
        long sequence = ++reportSequence;
        reportSentAt.put(sequence, now);
        while (reportSentAt.size() > 64) {
            reportSentAt.pollFirstEntry();
        }
        return new PartitionReport(self, leader, term, sequence, declared, releasable());
    }

    /** The leader acknowledged a report: the lease runs from its sending. */
    void acknowledged(PartitionReportAck ack) {
        Long sentAt = reportSentAt.get(ack.sequence());
        if (sentAt != null && sentAt > leaseFrom) {
            if (lapsedSinceAck) {
                staleUpTo = Math.max(staleUpTo, ack.index());
                lapsedSinceAck = false;
                dirty = true;
            }
            leaseFrom = sentAt;
        }
    }

    // ------------------------------------------------------------------ the log

    /** A committed entry was applied: the table follows it. */
    void applied(Entry entry) {
        if (entry.type() != EntryType.PARTITIONS) {
            return;
        }
        List<PartitionChange> changes;
        try {
            changes = PartitionChange.decode(entry.data());
        } catch (IllegalArgumentException malformed) {
            return; // every node ignores it alike
        }
        if (table.apply(changes, entry.index())) {
            interestedCache = null;
            output.partitionsChanged(table);
            dirty = true;
            decisionDue = true;
        }
    }

    /** A snapshot from the leader replaced the log: its table replaces this one. */
    void restored(SnapshotMeta meta) {
        table = meta.partitions().length == 0 ? new PartitionTable() : PartitionTable.decode(meta.partitions());
        interestedCache = null;
        output.partitionsChanged(table);
        dirty = true;
    }

    // ------------------------------------------------------------------ leader side

    void becameLeader(long noopIndex) {
        if (lapsedSinceAck || now - leaseFrom >= lease()) {
            // Its log holds every release a former leader made while this node was not heard.
            staleUpTo = Math.max(staleUpTo, noopIndex);
            lapsedSinceAck = false;
            dirty = true;
        }
        decisionDue = true;
        leaderSince = now;
        lastHeard.clear();
        inbox.clear();
        proposedIndex = noopIndex;
        leaseFrom = now;
    }

    void steppedDown() {
        lastHeard.clear();
        inbox.clear();
        proposedIndex = Long.MAX_VALUE;
    }

    /** A member's report reached this leader: it is heard, and its lease renewed. */
    PartitionReportAck reportReceived(PartitionReport report, long lastIndex) {
        lastHeard.put(report.from(), now);
        inbox.put(report.from(), report);
        decisionDue |= !report.released().isEmpty() || !report.groups().keySet().equals(groupsOf(report.from()));
        return new PartitionReportAck(self, report.from(), report.term(), report.sequence(), lastIndex);
    }

    /**
     * The leader's decisions: what it learned from its members' reports, releases of holders
     * whose lease surely lapsed, revocations and grants for balance. One entry at a time: nothing
     * until the previous one is applied, so every decision sees the table it changes.
     *
     * @param nextIndex the index the entry will get (the epoch of its grants)
     */
    List<PartitionChange> decide(Configuration configuration, long appliedIndex, long nextIndex) {
        if (appliedIndex < proposedIndex) {
            return List.of();
        }
        if (now - leaderSince < settleTicks()) {
            return List.of(); // a new leader first hears every member's report: it would take their absence for leaving
        }
        boolean timely = now - lastDecision >= Math.max(config.heartbeatTicks(), config.electionTicks() / 4);
        if (!decisionDue && decided == proposedIndex) {
            if (!timely) {
                return List.of(); // nothing changed; holders' leases are looked at every quarter election timeout
            }
            java.util.Set<NodeId> active = recentlyHeard();
            if (now < nextExpiry && active.equals(activeAtDecision)) {
                lastDecision = now;
                return List.of(); // time passed, but nobody came or went, and no silent holder's lease ran out
            }
        }
        decisionDue = false;
        lastDecision = now;
        decided = proposedIndex;
        if (table.isEmpty() && inbox.isEmpty() && declared.isEmpty()) {
            return List.of();
        }
        PartitionTable work = table.copy();
        List<PartitionChange> changes = new ArrayList<>();
        for (Map.Entry<NodeId, PartitionReport> e : inbox.entrySet()) {
            if (configuration.contains(e.getKey())) {
                learn(work, e.getKey(), e.getValue().groups(), e.getValue().released(), changes, nextIndex);
            }
        }
        inbox.clear();
        learn(work, self, declared, releasable(), changes, nextIndex);
        for (String group : List.copyOf(work.groups())) {
            balance(work, group, configuration, changes, nextIndex);
        }
        if (!changes.isEmpty()) {
            proposedIndex = nextIndex;
        }
        activeAtDecision = recentlyHeard();
        nextExpiry = Long.MAX_VALUE;
        for (String group : work.groups()) {
            for (int p = 0; p < work.count(group); p++) {
                NodeId owner = work.owner(group, p);
                if (owner != null && !owner.equals(self) && !activeAtDecision.contains(owner)) {
                    nextExpiry = Math.min(nextExpiry, expiryOf(owner));
                }
            }
        }
        return changes;
    }

    /** The members of any group, and holders, that this leader heard within an election timeout. */
    private java.util.Set<NodeId> recentlyHeard() {
        TreeSet<NodeId> heard = new TreeSet<>();
        for (String group : table.groups()) {
            for (NodeId member : table.members(group)) {
                if (heardRecently(member)) {
                    heard.add(member);
                }
            }
        }
        return heard;
    }

    private static void change(PartitionTable work, PartitionChange change, List<PartitionChange> changes, long index) {
        if (work.apply(List.of(change), index)) {
            changes.add(change);
        }
    }

    private void learn(PartitionTable work, NodeId node, Map<String, Integer> groups,
                       List<PartitionReport.Released> released, List<PartitionChange> changes, long index) {
        for (String group : List.copyOf(work.groups())) {
            if (work.members(group).contains(node) && !groups.containsKey(group)) {
                change(work, new PartitionChange.Leave(group, node), changes, index);
            }
        }
        groups.forEach((group, count) -> {
            if (!work.members(group).contains(node)) {
                change(work, new PartitionChange.Join(group, count, node), changes, index);
            }
        });
        for (PartitionReport.Released r : released) {
            if (node.equals(work.owner(r.group(), r.partition()))) {
                change(work, new PartitionChange.Release(r.group(), r.partition(), r.epoch()), changes, index);
            }
        }
    }

    /** A member's stable place among a group's members, for the larger quotas: a hash of the two names. */
    private static int rank(String group, NodeId member) {
        int hash = (group + "/" + member.value()).hashCode();
        hash ^= hash >>> 16;
        return hash * 0x45d9f3b;
    }

    /** The groups the table says {@code node} takes part in. */
    private java.util.Set<String> groupsOf(NodeId node) {
        TreeSet<String> groups = new TreeSet<>();
        for (String group : table.groups()) {
            if (table.members(group).contains(node)) {
                groups.add(group);
            }
        }
        return groups;
    }

    private boolean heardRecently(NodeId node) {
        Long heard = lastHeard.get(node);
        return node.equals(self) || (heard != null && now - heard < config.electionTicks());
    }

    /** Whether {@code holder}'s lease surely lapsed, so its grants may be released without its word. */
    private boolean leaseSurelyLapsed(NodeId holder) {
        if (holder.equals(self)) {
            return false;
        }
        if (config.broken(Canary.PARTITION_GRANT_WITHOUT_LEASE)) {
            return !heardRecently(holder);
        }
        return now >= expiryOf(holder);
    }

    /** The tick from which {@code holder}'s lease has surely lapsed, if it is not heard again. */
    private long expiryOf(NodeId holder) {
        Long heard = lastHeard.get(holder);
        return heard == null ? leaderSince + newLeaderTicks() : heard + silenceTicks();
    }

    private void balance(PartitionTable work, String group, Configuration configuration,
                         List<PartitionChange> changes, long index) {
        int count = work.count(group);
        PartitionTable.GroupView g = work.view(group);
        java.util.Set<NodeId> active = new TreeSet<>();
        for (NodeId member : work.members(group)) {
            if (configuration.contains(member) && heardRecently(member)) {
                active.add(member);
            }
        }
        // Holders that are gone, left the group or cannot be heard: asked to give up when they can
        // hear it, released without their word once their lease surely lapsed.
        for (int p = 0; p < count; p++) {
            NodeId owner = g.owners()[p];
            if (owner == null) {
                continue;
            }
            long epoch = g.epochs()[p];
            if (!active.contains(owner)) {
                if (leaseSurelyLapsed(owner)) {
                    change(work, new PartitionChange.Release(group, p, epoch), changes, index);
                } else if (heardRecently(owner)) {
                    // Alive but no longer taking part (left the group or the configuration): asked to give up.
                    // A holder not heard (yet) keeps its grant until its lease surely lapsed.
                    change(work, new PartitionChange.Revoke(group, p, epoch), changes, index);
                }
            } else if (g.revoking()[p] && leaseSurelyLapsed(owner)) {
                change(work, new PartitionChange.Release(group, p, epoch), changes, index);
            }
        }
        if (active.isEmpty()) {
            return;
        }
        // Quotas: the counts differ by at most one.
        TreeMap<NodeId, Integer> holding = new TreeMap<>();
        active.forEach(member -> holding.put(member, 0));
        for (int p = 0; p < count; p++) {
            NodeId owner = g.owners()[p];
            if (owner != null && !g.revoking()[p]) {
                holding.computeIfPresent(owner, (member, owned) -> owned + 1);
            }
        }
        // Which members get the larger quotas depends on the group and the members only (a stable
        // rank), not on what they hold now: a member that restarts comes back to the quota it had,
        // and takes back exactly what covered for its absence — nothing else moves.
        List<NodeId> byHolding = new ArrayList<>(active);
        byHolding.sort(Comparator.comparingInt((NodeId m) -> rank(group, m)).thenComparing(m -> m));
        TreeMap<NodeId, Integer> quota = new TreeMap<>();
        for (int i = 0; i < byHolding.size(); i++) {
            quota.put(byHolding.get(i), count / active.size() + (i < count % active.size() ? 1 : 0));
        }
        for (NodeId member : byHolding) {
            int excess = holding.get(member) - quota.get(member);
            if (excess <= 0) {
                continue;
            }
            // What goes first: partitions whose home is back and has room (they came here only to
            // cover its absence), then covers for a home still away (they move again when it
            // returns anyway), then the highest-numbered of its own.
            List<Integer> order = new ArrayList<>();
            for (int tier = 0; tier < 3; tier++) {
                for (int p = count - 1; p >= 0; p--) {
                    NodeId home = g.homes()[p];
                    if (!member.equals(g.owners()[p]) || g.revoking()[p]) {
                        continue;
                    }
                    boolean covering = home != null && !home.equals(member);
                    boolean homeHasRoom = covering && quota.containsKey(home) && holding.get(home) < quota.get(home);
                    int its = homeHasRoom ? 0 : covering && !quota.containsKey(home) ? 1 : 2;
                    if (its == tier) {
                        order.add(p);
                    }
                }
            }
            for (int p : order) {
                if (excess == 0) {
                    break;
                }
                long epoch = g.epochs()[p];
                if (config.broken(Canary.PARTITION_GRANT_WITHOUT_LEASE)) {
                    change(work, new PartitionChange.Release(group, p, epoch), changes, index);
                } else {
                    change(work, new PartitionChange.Revoke(group, p, epoch), changes, index);
                }
                holding.merge(member, -1, Integer::sum);
                excess--;
            }
        }
        // Unowned partitions: home when it has room, else back to their last holder when it has
        // room, else to the emptiest. A grant while the home is away (a member of the cluster not
        // taking part now: restarting, cut off) only covers for it, and the home stays.
        for (int p = 0; p < count; p++) {
            for (NodeId back : new NodeId[] {g.homes()[p], g.lastOwners()[p]}) {
                if (g.owners()[p] == null && back != null && quota.containsKey(back)
                        && holding.get(back) < quota.get(back)) {
                    grant(work, group, g, p, back, configuration, quota, changes, index);
                    holding.merge(back, 1, Integer::sum);
                }
            }
        }
        for (int p = 0; p < count; p++) {
            if (g.owners()[p] != null) {
                continue;
            }
            NodeId emptiest = null;
            for (NodeId member : active) {
                int room = quota.get(member) - holding.get(member);
                if (room > 0 && (emptiest == null || room > quota.get(emptiest) - holding.get(emptiest))) {
                    emptiest = member;
                }
            }
            if (emptiest == null) {
                break;
            }
            grant(work, group, g, p, emptiest, configuration, quota, changes, index);
            holding.merge(emptiest, 1, Integer::sum);
        }
    }

    /**
     * Grants unowned partition {@code p} to {@code to}: a cover, which keeps the partition's home,
     * when the home is a member of the cluster that does not take part now (it comes back).
     */
    private static void grant(PartitionTable work, String group, PartitionTable.GroupView g, int p, NodeId to,
                              Configuration configuration, Map<NodeId, Integer> quota,
                              List<PartitionChange> changes, long index) {
        NodeId home = g.homes()[p];
        boolean cover = home != null && !home.equals(to) && configuration.contains(home) && !quota.containsKey(home);
        change(work, new PartitionChange.Grant(group, p, to, cover), changes, index);
    }
}
