package io.clustermode.benchmarks;

/**
 * Sections of the report that a run of their part alone replaces in an existing report,
 * leaving the others as they were: each sits between a begin and an end comment line of its
 * own ({@link HttpThroughputSection}, {@link SpringFailoverSection}, {@link PartitionOwnershipSection}).
 */
final class ReportSections {

    /** The section a spliced one goes before when the report has none yet. */
    static final String BEFORE = "## Reproducing it";

    private ReportSections() {
    }

    /**
     * An existing report with {@code section} in place of its own (from the line {@code begin} to
     * the line {@code end}), or inserted before {@link #BEFORE} (else before {@code marker}, else at
     * the end) when it has none.
     */
    static String splice(String report, String begin, String end, String section, String marker) {
        int from = report.indexOf(begin);
        int to = from < 0 ? -1 : report.indexOf(end, from);
        if (to >= 0) {
            int after = to + end.length();
            if (after < report.length() && report.charAt(after) == '\n') {
                after++;
            }
            return report.substring(0, from) + section + report.substring(after);
        }
        int at = report.indexOf(BEFORE);
        if (at < 0) {
            at = report.indexOf(marker);
        }
        if (at < 0) {
            return report + (report.endsWith("\n") ? "\n" : "\n\n") + section;
        }
        return report.substring(0, at) + section + "\n" + report.substring(at);
    }
}
