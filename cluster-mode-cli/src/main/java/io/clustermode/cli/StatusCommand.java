package io.clustermode.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.clustermode.cli.http.BearerToken;
import io.clustermode.transport.HostPort;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/** {@code cluster-mode status}: one node's view of the cluster, as a table. */
@Command(name = "status", mixinStandardHelpOptions = true,
        header = "Prints one node's view of the cluster as a table.",
        description = {"Prints one node's view of the cluster (its GET /cluster/info) as a table.",
                "Exit code 0, 1 when the node cannot be asked, 2 for bad options."})
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8600",
            description = "the node's HTTP API (default: ${DEFAULT-VALUE})")
    String http;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "3000",
            description = "how long to wait for the answer (default: ${DEFAULT-VALUE})")
    long timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--http-token-file", paramLabel = "FILE",
            description = "the node's bearer token (see node --http-token-file), when it asks for one")
    java.nio.file.Path httpTokenFile;

    @Override
    public Integer call() {
        if (timeout <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive, was " + timeout);
        }
        URI node;
        try {
            node = URI.create("http://" + HostPort.parse("--http", http));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        BearerToken token = null;
        if (httpTokenFile != null) {
            try {
                token = BearerToken.readFrom(httpTokenFile);
            } catch (IOException | IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--http-token-file " + httpTokenFile
                        + ": " + NodeCommand.oneLine(e));
            }
        }
        ClusterInfo info;
        try {
            Duration wait = Duration.ofMillis(timeout);
            info = ClusterInfo.fetch(HttpClient.newBuilder().connectTimeout(wait).build(), node, wait,
                    token == null ? null : token.authorization()).get();
        } catch (ExecutionException e) {
            System.err.println("cluster-mode: cannot ask " + http + ": " + NodeCommand.oneLine(e.getCause()));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        print(info, System.out);
        return 0;
    }

    static void print(ClusterInfo info, PrintStream out) {
        out.printf("node %s of cluster '%s': %s, term %s, commit index %s, applied index %s, primary %s%n",
                info.nodeId(), info.clusterName(), info.role(), info.term(), info.commitIndex(), info.appliedIndex(),
                info.leaderId() == null ? "unknown" : info.leaderId());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NODE", "ROLE", "VOTER", "JOINED BY", "ADDRESS", "HTTP"});
        for (ClusterInfo.MemberInfo member : info.members()) {
            String id = member.nodeId();
            rows.add(new String[] {id.equals(info.nodeId()) ? id + " *" : id, member.role(),
                    member.voter() ? "yes" : "no", member.joinedBy() == null ? "-" : member.joinedBy(),
                    member.address(), member.http() == null ? "-" : member.http()});
        }
        int[] widths = new int[6];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 2) + "s", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        if (rows.size() == 1) {
            out.println("(no members known yet)");
        }
        for (ClusterInfo.Partitions group : info.partitions()) {
            out.printf("partitions %s (%d): %s; this node holds %s%n", group.group(), group.count(),
                    describeOwners(group), group.owned());
        }
    }

    /** "n1 13, n2 13, unowned 2": how many partitions each node holds. */
    static String describeOwners(ClusterInfo.Partitions group) {
        StringBuilder line = new StringBuilder();
        group.countsByOwner().forEach((owner, count) -> line.append(line.length() == 0 ? "" : ", ")
                .append(owner == null ? "unowned" : owner).append(' ').append(count));
        return line.toString();
    }
}
