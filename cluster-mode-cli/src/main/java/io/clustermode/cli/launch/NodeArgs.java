package io.clustermode.cli.launch;

import io.clustermode.transport.HostPort;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The arguments of one {@code cluster-mode node} process, with the options' names of
 * CONTRACT.md: {@code NodeArgs.node("n1").bind(...).http(...).seeds(...).dataDir(...)}. Options
 * without a method here go through {@link #with}. Each call returns a new, immutable value.
 */
public final class NodeArgs {

    private final List<String> args;

    private NodeArgs(List<String> args) {
        this.args = List.copyOf(args);
    }

    /** {@code node --node-id ID}. */
    public static NodeArgs node(String nodeId) {
        return new NodeArgs(List.of("node", "--node-id", nodeId));
    }

    /** {@code --bind}: where the transport listens (and connects from). */
    public NodeArgs bind(HostPort address) {
        return with("--bind", address.toString());
    }

    /** {@code --http}: where the HTTP API listens. */
    public NodeArgs http(HostPort address) {
        return with("--http", address.toString());
    }

    /** {@code --seeds}: static discovery's transport addresses, this node's may be among them. */
    public NodeArgs seeds(List<HostPort> addresses) {
        return with("--seeds", addresses.stream().map(HostPort::toString).collect(Collectors.joining(",")));
    }

    /** {@code --data-dir}: durable state; without it the node keeps everything in memory. */
    public NodeArgs dataDir(Path dir) {
        return with("--data-dir", dir.toString());
    }

    /** {@code --heartbeat-interval} and {@code --election-timeout}, milliseconds. */
    public NodeArgs timeouts(long heartbeatMs, long electionTimeoutMs) {
        return with("--heartbeat-interval", Long.toString(heartbeatMs), "--election-timeout",
                Long.toString(electionTimeoutMs));
    }

    /** {@code --update-interval}: discovery polling, milliseconds. */
    public NodeArgs updateInterval(long ms) {
        return with("--update-interval", Long.toString(ms));
    }

    /** {@code --request-timeout}: how long an HTTP request may wait for commit, milliseconds. */
    public NodeArgs requestTimeout(long ms) {
        return with("--request-timeout", Long.toString(ms));
    }

    /** {@code --partitions}: partition groups the node takes part in, as {@code NAME:COUNT}. */
    public NodeArgs partitions(String... groups) {
        return with("--partitions", String.join(",", groups));
    }

    /** Any further options and values, as the command line spells them. */
    public NodeArgs with(String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return new NodeArgs(all);
    }

    /** The arguments, sub-command first. */
    public List<String> toList() {
        return args;
    }

    @Override
    public String toString() {
        return String.join(" ", args);
    }
}
