package io.clustermode.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

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

    @Override
    public Integer call() {
        if (timeout <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive, was " + timeout);
        }
        URI uri;
        try {
            uri = URI.create("http://" + http + "/cluster/info");
            if (uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("no host or port");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--http must be HOST:PORT, was '" + http + "'");
        }
        Map<String, Object> info;
        try {
            info = fetch(uri, Duration.ofMillis(timeout));
        } catch (Exception e) {
            System.err.println("cluster-mode: cannot ask " + http + ": " + NodeCommand.oneLine(e));
            return 1;
        }
        print(info, System.out);
        return 0;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> fetch(URI uri, Duration timeout) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return (Map<String, Object>) Json.parse(response.body());
    }

    @SuppressWarnings("unchecked")
    static void print(Map<String, Object> info, PrintStream out) {
        out.printf("node %s of cluster '%s': %s, term %s, commit index %s, applied index %s, primary %s%n",
                info.get("nodeId"), info.get("clusterName"), info.get("role"), info.get("term"),
                info.get("commitIndex"), info.get("appliedIndex"),
                info.get("leaderId") == null ? "unknown" : info.get("leaderId"));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NODE", "ROLE", "VOTER", "ADDRESS", "HTTP"});
        for (Object item : (List<Object>) info.getOrDefault("members", List.of())) {
            Map<String, Object> member = (Map<String, Object>) item;
            String id = String.valueOf(member.get("nodeId"));
            rows.add(new String[] {id.equals(info.get("nodeId")) ? id + " *" : id, String.valueOf(member.get("role")),
                    Boolean.TRUE.equals(member.get("voter")) ? "yes" : "no", String.valueOf(member.get("address")),
                    member.get("http") == null ? "-" : String.valueOf(member.get("http"))});
        }
        int[] widths = new int[5];
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
    }
}
