package io.clustermode.benchmarks;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The report's section on partition ownership through a join, kill -9, a rolling restart and a
 * cut-off ({@link PartitionOwnership}, issue 15): method, the aims, every settled step, the cut's
 * timestamps. Like {@link SpringFailoverSection} it carries its own date, commit and load averages
 * and sits between two comment lines, so that {@code --only partitions} replaces it in an existing
 * report ({@link #splice}).
 */
public final class PartitionOwnershipSection {

    /** The line that opens the section. */
    public static final String BEGIN = "<!-- partitions: begin (replaced by bin/benchmarks --only partitions) -->";
    /** The line that closes it. */
    public static final String END = "<!-- partitions: end -->";

    private final StringBuilder md = new StringBuilder();

    private PartitionOwnershipSection() {
    }

    /**
     * The section, from {@link #BEGIN} to {@link #END} (with a newline after each line).
     *
     * @param r         what was measured
     * @param machine   where and when (at the start of the run)
     * @param command   how it was run, e.g. {@code bin/benchmarks --only partitions}
     * @param quick     whether it was a {@code --quick} run (said in the section)
     * @param loadAtEnd the load average when the run ended
     */
    public static String markdown(PartitionOwnership.Result r, MachineInfo machine, String command, boolean quick,
                                  String loadAtEnd) {
        PartitionOwnershipSection s = new PartitionOwnershipSection();
        s.write(r, machine, command, quick, loadAtEnd);
        return s.md.toString();
    }

    /** An existing report with {@code section} in place of its own, or inserted as {@link ReportSections#splice} does. */
    public static String splice(String report, String section, String marker) {
        return ReportSections.splice(report, BEGIN, END, section, marker);
    }

    private void write(PartitionOwnership.Result r, MachineInfo machine, String command, boolean quick,
                       String loadAtEnd) {
        md.append(BEGIN).append('\n');
        md.append("## Partitions: ownership through a join, kill -9, a rolling restart and a cut-off\n\n");
        if (quick) {
            md.append("> **A `--quick` run**: the same single run as the full one (this part has no trials to cut).\n\n");
        }
        md.append(machine.measured(command, loadAtEnd)).append("\n\n");
        method(r);
        aims(r);
        steps(r);
        cut(r);
        md.append(END).append('\n');
    }

    private void method(PartitionOwnership.Result r) {
        double e = r.timeouts().election();
        md.append("Node processes of `cluster-mode node --partitions ").append(PartitionOwnership.GROUP).append(':')
                .append(PartitionOwnership.COUNT).append("` with durable data dirs, on loopback, timeouts ")
                .append(r.timeouts().label()).append(" (heartbeat/election). Five start; then a sixth joins; a"
                        + " member that is not the primary gets `kill -9` and is started again; all six are restarted"
                        + " one after another (SIGTERM, wait for the exit, start, wait for balance and a primary"
                        + " named by all); ")
                .append(r.cut() == null ? "(no network namespace: the cut-off was not run). "
                        : "a member that is not the primary is cut off from all the others by iptables (both"
                        + " directions, node addresses only: the benchmark still polls it), then healed. ")
                .append("A poller thread in the benchmark JVM asks every running node for `GET /cluster/partitions/")
                .append(PartitionOwnership.GROUP).append("` at once, a round every ")
                .append(PartitionOwnership.POLL_MILLIS).append(" ms at most (mean ").append(fmt("%.1f", r.pollMillis()))
                .append(" ms from one round's start to the next over ").append(fmt("%,d", r.rounds()))
                .append(" rounds), and records each node's own `owned`: who holds a partition is what the holders"
                        + " say, not a table. A node that does not answer within 250 ms holds nothing in that round"
                        + " (unheld times err long, never short; a missing answer cannot make a second holder). A *move*: a partition's holder followed by another"
                        + " (A, nobody, A again is none). *Unheld*: from the start of the last round that saw a"
                        + " partition held to the end of the first that saw it held again (errs long by up to two"
                        + " rounds). A step is *settled* when every partition is held by one running node, their"
                        + " counts differ by at most one, and nothing changed for ")
                .append(PartitionOwnership.SETTLE_MILLIS).append(" ms. Aims from issue 15; lease = one election"
                        + " timeout (").append(ms(e)).append(" ms).\n\n");
    }

    private void aims(PartitionOwnership.Result r) {
        double e = r.timeouts().election();
        int joinAim = (PartitionOwnership.COUNT + PartitionOwnership.NODES - 1) / PartitionOwnership.NODES;
        int maxMoves = Arrays.stream(r.rollingMoves()).max().orElse(0);
        boolean allBalanced = r.steps().stream().allMatch(PartitionOwnership.Step::balanced);
        md.append("| aim | measured | met |\n| --- | --- | :---: |\n");
        aim("join of a 6th node moves at most ⌈" + PartitionOwnership.COUNT + "/" + PartitionOwnership.NODES + "⌉ = "
                + joinAim + " partitions", r.joinMoves() + " moved", r.joinMoves() <= joinAim);
        aim("kill -9 of a member (" + r.killVictim() + ") → all its partitions held by others within lease + election"
                + " timeout (" + ms(2 * e) + " ms)", ms(r.killMillis()) + " ms", r.killMillis() <= 2 * e);
        aim("rolling restart of all " + PartitionOwnership.NODES + ": each partition moves at most twice",
                "at most " + maxMoves + "; partitions by moves: " + distribution(r.rollingMoves()), maxMoves <= 2);
        aim("rolling restart: no partition unheld longer than 2 × election timeout (" + ms(2 * e) + " ms)",
                "longest " + ms(r.rollingUnheldMillis()) + " ms", r.rollingUnheldMillis() <= 2 * e);
        if (r.cut() != null) {
            PartitionOwnership.Cut c = r.cut();
            aim("a member cut off by iptables (" + c.victim() + ") revokes its own partitions before anyone else holds"
                    + " them", "revoked by " + ms(c.revokedMillis()) + " ms, first held elsewhere at "
                    + ms(c.elsewhereMillis()) + " ms after the cut", c.revokedFirst());
        } else {
            md.append("| a member cut off by iptables revokes before anyone else holds its partitions | not run (no"
                    + " network namespace: run as root) | – |\n");
        }
        aim("balance holds after every step (" + r.steps().size() + " steps)",
                r.steps().stream().filter(PartitionOwnership.Step::balanced).count() + " of " + r.steps().size()
                        + " balanced", allBalanced);
        md.append("\nIn ").append(fmt("%,d", r.rounds())).append(" rounds, two nodes said at once that they held one"
                + " partition ").append(r.doubleHeld()).append(" times (a round's answers come from slightly different"
                + " instants, so this would show an overlap only roughly; the simulation checks it exactly).\n\n");
    }

    private void steps(PartitionOwnership.Result r) {
        md.append("Every settled step: partitions per node; moves during the step (from the step's start until it"
                + " settled); *back*: how often a partition was held by nobody and then by its last holder again (no"
                + " move, but its work stopped and started again under a new epoch); *two at once*: (round, partition)"
                + " pairs in which two nodes said they held it; the longest time a partition was held by nobody.\n\n");
        md.append("| step | partitions per node | balanced | moves | back | two at once | longest unheld ms |\n");
        md.append("| --- | --- | :---: | ---: | ---: | ---: | ---: |\n");
        for (PartitionOwnership.Step s : r.steps()) {
            md.append("| ").append(s.step()).append(" | ").append(s.counts().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")))
                    .append(" | ").append(s.balanced() ? "yes" : "**no**").append(" | ").append(s.moves())
                    .append(" | ").append(s.returns()).append(" | ")
                    .append(s.doubleHeld()).append(" | ").append(ms(s.longestUnheldMillis())).append(" |\n");
        }
        md.append('\n');
    }

    private void cut(PartitionOwnership.Result r) {
        PartitionOwnership.Cut c = r.cut();
        if (c == null) {
            md.append("The cut-off was not run: no network namespace (it needs root, `ip` and `iptables`).\n\n");
            return;
        }
        md.append("The cut-off, ms after the iptables rules were in force (").append(c.victim()).append(" held ")
                .append(c.partitions()).append(" partitions):\n\n");
        md.append("| event | ms |\n| --- | ---: |\n");
        md.append("| ").append(c.victim()).append("'s own `owned` lists none of them (end of the first round that"
                + " saw it) | ").append(ms(c.revokedMillis())).append(" |\n");
        md.append("| another node lists one of them (start of the first round that saw it) | ")
                .append(ms(c.elsewhereMillis())).append(" |\n");
        md.append("| other nodes list all of them (end of the first round) | ").append(ms(c.allMillis()))
                .append(" |\n\n");
        md.append(c.revokedFirst() ? "The revoking round ended before the other holder's round began: revoked first.\n\n"
                : "**Not shown revoked first**: the rounds overlap or the revoke was not seen.\n\n");
    }

    /** "0 moves: 20, 1 moves: 30, 2 moves: 14": how many partitions moved how often. */
    static String distribution(int[] moves) {
        Map<Integer, Integer> by = new TreeMap<>();
        for (int m : moves) {
            by.merge(m, 1, Integer::sum);
        }
        return by.entrySet().stream().map(e -> e.getKey() + " moves: " + e.getValue()).collect(Collectors.joining(", "));
    }

    private void aim(String aim, String measured, boolean met) {
        md.append("| ").append(aim).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**")
                .append(" |\n");
    }

    private static String ms(double millis) {
        return Double.isNaN(millis) ? "–" : fmt("%,.0f", millis);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
