package io.clustermode.faults.run;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.LinearizabilityChecker;
import io.clustermode.linearizability.Verdict;


import java.nio.file.Path;

/**
 * Re-checks a kept history offline: {@code java -cp
 * cluster-mode-faults/target/classes:cluster-mode-linearizability/target/classes
 * io.clustermode.faults.run.Recheck fault-runs/seed-7-.../history.txt [nodeBudget]}. Prints the
 * linearizability report per key; exit code 0 when linearizable, 1 otherwise.
 */
public final class Recheck {

    private Recheck() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Recheck HISTORY.txt [nodeBudget]");
            System.exit(2);
        }
        History history = History.load(Path.of(args[0]));
        LinearizabilityChecker checker = new LinearizabilityChecker();
        if (args.length == 2) {
            checker = checker.withNodeBudget(Long.parseLong(args[1]));
        }
        LinearizabilityChecker.LinearizabilityResult result = checker.check(history);
        System.out.println(history.size() + " operations, " + history.byKey().size() + " keys");
        System.out.println(result.describe());
        System.exit(result.verdict() == Verdict.LINEARIZABLE ? 0 : 1);
    }
}
