package io.clustermode.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The report's section on the Spring Boot example through kill -9 and SIGTERM ({@link SpringFailover},
 * issue 14): method, the example's command line, the figures, where the time goes, the overlap
 * check, the aims. Like {@link HttpThroughputSection} it carries its own date, commit and load
 * averages and sits between two comment lines, so that {@code --only spring-failover} replaces it
 * in an existing report ({@link #splice}).
 */
public final class SpringFailoverSection {

    /** The line that opens the section. */
    public static final String BEGIN = "<!-- spring-failover: begin (replaced by bin/benchmarks --only spring-failover) -->";
    /** The line that closes it. */
    public static final String END = "<!-- spring-failover: end -->";
    /** Issue 14: kill -9 → the job runs elsewhere within this long (median). */
    static final double KILL_AIM_MILLIS = 1000;
    /** Issue 14: SIGTERM → within this long. */
    static final double TERM_AIM_MILLIS = 100;
    /** Issue 14: the overlap check spans at least this many failovers. */
    static final int FAILOVERS_AIM = 30;

    private final StringBuilder md = new StringBuilder();

    private SpringFailoverSection() {
    }

    /**
     * The section, from {@link #BEGIN} to {@link #END} (with a newline after each line).
     *
     * @param r         what was measured
     * @param machine   where and when (at the start of the run)
     * @param command   how it was run, e.g. {@code bin/benchmarks --only spring-failover}
     * @param quick     whether it was a {@code --quick} smoke run (said in the section)
     * @param loadAtEnd the load average when the run ended
     */
    public static String markdown(SpringFailover.Result r, MachineInfo machine, String command, boolean quick,
                                  String loadAtEnd) {
        SpringFailoverSection s = new SpringFailoverSection();
        s.write(r, machine, command, quick, loadAtEnd);
        return s.md.toString();
    }

    /** An existing report with {@code section} in place of its own, or inserted as {@link ReportSections#splice} does. */
    public static String splice(String report, String section, String marker) {
        return ReportSections.splice(report, BEGIN, END, section, marker);
    }

    private void write(SpringFailover.Result r, MachineInfo machine, String command, boolean quick, String loadAtEnd) {
        md.append(BEGIN).append('\n');
        md.append("## Spring Boot: the example's job through kill -9 and SIGTERM\n\n");
        if (quick) {
            md.append("> **A `--quick` smoke run**: a few trials, to show the program works; not the project's"
                    + " figures.\n\n");
        }
        md.append(machine.measured(command, loadAtEnd)).append("\n\n");
        method(r);
        figures(r.analysis());
        timeGoesTo(r);
        overlap(r.analysis());
        aims(r.analysis());
        trials(r.analysis());
        for (String note : r.notes()) {
            md.append("- **Note:** ").append(note).append('\n');
        }
        if (!r.notes().isEmpty()) {
            md.append('\n');
        }
        md.append(END).append('\n');
    }

    private void method(SpringFailover.Result r) {
        md.append("Three instances of the example application `examples/spring-scheduler` (the starter's, issue 14),"
                + " its packaged jar run as processes with `java -jar` and the JVM's default flags, on loopback, at the"
                + " cluster's default timeouts (heartbeat 100 ms, election timeout 1000–2000 ms): each is given only"
                + " its address and ports, node id, seeds, data dir, `min-nodes` 3 and the runs file all three append"
                + " to. The first:\n\n    ").append(r.command()).append("\n\n");
        md.append("Its job runs every 100 ms (a fixed rate) on the primary only, and appends `<fencing token> <node id>"
                + " <epoch ms>` to the runs file. Started at once, the three agreed on a primary running the job after ")
                .append(fmt("%.1f", r.startSeconds())).append(" s. Then ").append(trials(r.trials()))
                .append(" of `kill -9` of the primary (the node all three name in `GET /actuator/cluster`, whose"
                        + " run is the file's last): the time runs from the signal, sent by the benchmark JVM, to the"
                        + " first line of another instance in the runs file (both times from this machine's clock, in"
                        + " milliseconds). The killed instance is started again from its data dir, and the next trial"
                        + " begins once all three name the same primary in the same term and three voters, and that"
                        + " primary runs the job, unchanged for ")
                .append(SpringFailover.STEADY_MILLIS / 1000).append(" s. Then ").append(trials(r.trials()))
                .append(" alike with SIGTERM: the primary's application context closes, which stops its job"
                        + " and hands primacy to a secondary before the instance exits. A trial with no run elsewhere"
                        + " within ").append(SpringFailover.BOUND_MILLIS / 1000)
                .append(" s is failed: counted, never dropped. The 1-minute load average at the signals: ")
                .append(fmt("%.2f", r.loadMin())).append("–").append(fmt("%.2f", r.loadMax()))
                .append(" (the machine is shared; the instances and the benchmark JVM share its cores).\n\n");
    }

    private static String trials(int n) {
        return n == 1 ? "1 trial" : n + " trials";
    }

    private void figures(SchedulerRuns.Analysis a) {
        md.append("Signal → the job's first run at another instance:\n\n");
        md.append("| signal | trials | failed | p50 ms | p90 ms | p99 ms | max ms | min ms |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Disruption d : List.of(Disruption.KILL, Disruption.HANDOFF)) {
            Stats s = a.takeover(d);
            md.append("| ").append(d.label()).append(" | ").append(s.trials()).append(" | ").append(s.failed())
                    .append(" | ").append(ms(s.percentile(0.5))).append(" | ").append(ms(s.percentile(0.9)))
                    .append(" | ").append(ms(s.percentile(0.99))).append(" | ").append(ms(s.max())).append(" | ")
                    .append(ms(s.min())).append(" |\n");
        }
        md.append('\n');
    }

    private void timeGoesTo(SpringFailover.Result r) {
        SchedulerRuns.Analysis a = r.analysis();
        md.append("Where the time goes, step by step, from the instances' logs: the millisecond timestamps of the"
                + " starter's lines \"node … is no longer the primary of term …\" (the old primary's job stopped) and"
                + " \"node … is the primary in term …\" (the new primary's application granted), and of the runtime's"
                + " \"node … term …: LEADER\" (elected). p50 / p90 / max ms of each step over the trials where the"
                + " lines were found (the steps' percentiles do not add up to the total's):\n\n");
        md.append("| signal | signal → the old primary's job stopped | → the new primary elected"
                + " | → its application granted | → the job's first run there | signal → granted, in all |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Disruption d : List.of(Disruption.KILL, Disruption.HANDOFF)) {
            md.append("| ").append(d.label()).append(" | ")
                    .append(d == Disruption.KILL ? "– (killed)" : spread(a, d, SchedulerRuns.Trial::revokedMillis))
                    .append(" | ").append(spread(a, d, SchedulerRuns.Trial::electionMillis)).append(" | ")
                    .append(spread(a, d, SchedulerRuns.Trial::notifyMillis)).append(" | ")
                    .append(spread(a, d, SchedulerRuns.Trial::tickMillis)).append(" | ")
                    .append(spread(a, d, SchedulerRuns.Trial::grantedMillis)).append(" |\n");
        }
        md.append("\nThe last column is the wait for the new primary's next tick of the job's 100 ms fixed rate: up to"
                + " 100 ms (more when the scheduler's thread is late), whatever the cluster does. ");
        Stats killed = r.killExit();
        if (killed.count() > 0) {
            md.append("After kill -9 the killed process was gone (reaped by the benchmark JVM, so the kernel had torn it"
                    + " down and closed its connections) p50 ").append(ms(killed.percentile(0.5))).append(" ms, max ")
                    .append(ms(killed.max())).append(" ms after the signal. ");
        }
        Stats exit = r.termExit();
        if (exit.count() > 0) {
            md.append("After SIGTERM the stopped instance's process exited p50 ").append(ms(exit.percentile(0.5)))
                    .append(" ms, max ").append(ms(exit.max())).append(" ms after the signal, with exit code ")
                    .append(codes(r.exitCodes())).append('.');
        }
        md.append("\n\n");
    }

    private static String spread(SchedulerRuns.Analysis a, Disruption d, ToDoubleFunction<SchedulerRuns.Trial> f) {
        Stats s = a.figure(d, f);
        if (s.count() == 0) {
            return "–";
        }
        int trials = a.of(d).size();
        return ms(s.percentile(0.5)) + " / " + ms(s.percentile(0.9)) + " / " + ms(s.max())
                + (s.count() < trials ? " (" + s.count() + " of " + trials + ")" : "");
    }

    private static String codes(Map<Integer, Integer> codes) {
        return codes.entrySet().stream().map(e -> e.getKey() + (e.getKey() == 143 ? " (128 + SIGTERM)" : "")
                + " × " + e.getValue()).collect(Collectors.joining(", "));
    }

    private void overlap(SchedulerRuns.Analysis a) {
        SchedulerRuns.Overlap o = a.overlap();
        md.append("**The overlap check**, over every run of the job in this part (").append(fmt("%,d", o.runs()))
                .append(" runs by ").append(o.nodes()).append(" instances under ").append(o.tokens())
                .append(" fencing tokens, from the first start through ").append(a.trials().size())
                .append(" failovers, by the runs file alone):\n\n");
        md.append("| check | found |\n| --- | --- |\n");
        md.append("| the tokens never go back, in the order the lines were appended | ")
                .append(o.tokensBack() == 0 ? "yes" : "**no**: " + o.tokensBack() + " lines went back").append(" |\n");
        md.append("| each token was written by one node | ")
                .append(o.sharedTokens() == 0 ? "yes" : "**no**: " + o.sharedTokens() + " tokens by several").append(" |\n");
        md.append("| no two nodes' periods overlap (a node's period: its first to its last run under one token, by"
                + " the runs' timestamps) | ")
                .append(o.overlaps() == 0 ? "yes" : "**no**: " + o.overlaps() + " pairs overlap").append(" |\n");
        md.append("| the shortest time from one node's last run to the next node's first | ")
                .append(ms(o.shortestGapMillis())).append(" ms |\n\n");
        for (String example : o.examples()) {
            md.append("- ").append(example).append('\n');
        }
        if (!a.unreadable().isEmpty()) {
            md.append("- ").append(a.unreadable().size()).append(" lines of the runs file are no run (left out): `")
                    .append(a.unreadable().get(0).replace("`", "'")).append('`').append('\n');
        }
        if (!o.examples().isEmpty() || !a.unreadable().isEmpty()) {
            md.append('\n');
        }
    }

    private void aims(SchedulerRuns.Analysis a) {
        Stats kill = a.takeover(Disruption.KILL);
        Stats term = a.takeover(Disruption.HANDOFF);
        SchedulerRuns.Overlap o = a.overlap();
        md.append("The aims of issue 14:\n\n| aim | measured | met |\n| --- | --- | :---: |\n");
        aim("`kill -9` of the primary → the job runs on another instance within 1 s (median), default timeouts",
                "p50 " + ms(kill.percentile(0.5)) + " ms" + failed(kill),
                kill.count() > 0 && kill.percentile(0.5) < KILL_AIM_MILLIS && kill.failed() == 0);
        aim("SIGTERM → within 100 ms (median)", "p50 " + ms(term.percentile(0.5)) + " ms" + failed(term),
                term.count() > 0 && term.percentile(0.5) < TERM_AIM_MILLIS && term.failed() == 0);
        aim("SIGTERM → within 100 ms (every trial)", "max " + ms(term.max()) + " ms" + failed(term),
                term.count() > 0 && term.max() < TERM_AIM_MILLIS && term.failed() == 0);
        aim("across 30 failovers no two instances run the job in overlapping periods", a.trials().size()
                + " failovers: " + (o.passed() ? "no overlap, tokens never back, one node per token" : "violations"),
                o.passed() && a.trials().size() >= FAILOVERS_AIM);
        md.append('\n');
    }

    private static String failed(Stats s) {
        return s.failed() == 0 ? "" : ", " + s.failed() + " failed";
    }

    private void aim(String aim, String measured, boolean met) {
        md.append("| ").append(aim).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**")
                .append(" |\n");
    }

    private void trials(SchedulerRuns.Analysis a) {
        md.append("Every trial in order, ms from the signal to the first run elsewhere:\n\n");
        for (Disruption d : List.of(Disruption.KILL, Disruption.HANDOFF)) {
            md.append("- ").append(d.label()).append(": ").append(a.of(d).stream()
                    .map(t -> t.failed() ? "failed" : ms(t.takeoverMillis())).collect(Collectors.joining(", ")))
                    .append('\n');
        }
        md.append('\n');
    }

    private static String ms(double millis) {
        return Double.isNaN(millis) ? "–" : fmt("%,.0f", millis);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
