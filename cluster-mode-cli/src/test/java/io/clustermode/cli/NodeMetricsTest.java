package io.clustermode.cli;

import io.clustermode.NodeId;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class NodeMetricsTest {

    private final NodeMetrics metrics = new NodeMetrics();

    @Test
    void elections_and_leader_changes_are_counted_from_state_changes_once_each() {
        metrics.leaderChanged(Optional.empty(), 1); // pre-candidate
        metrics.campaigned(2);
        metrics.leaderChanged(Optional.empty(), 2);
        metrics.campaigned(2); // won: still the same election
        metrics.leaderChanged(Optional.of(NodeId.of("a")), 2);
        metrics.electionStarted(2); // also seen in its vote requests: still one election
        metrics.leaderChanged(Optional.empty(), 3);
        metrics.leaderChanged(Optional.of(NodeId.of("b")), 3);
        metrics.leaderChanged(Optional.of(NodeId.of("b")), 3);

        assertThat(value("cluster_mode_elections_started_total")).isEqualTo(1.0);
        assertThat(value("cluster_mode_leader_changes_total")).isEqualTo(2.0);
    }

    @Test
    void time_without_a_primary_grows_only_while_none_is_known() throws Exception {
        Thread.sleep(50); // from the start, no primary is known
        metrics.leaderChanged(Optional.of(NodeId.of("a")), 1);
        double known = value("cluster_mode_time_without_primary_seconds_total");
        assertThat(known).isGreaterThanOrEqualTo(0.05);
        Thread.sleep(50);
        assertThat(value("cluster_mode_time_without_primary_seconds_total")).isEqualTo(known);
        metrics.leaderChanged(Optional.empty(), 2); // lost the connection to leader a
        Thread.sleep(50);
        assertThat(value("cluster_mode_time_without_primary_seconds_total")).isGreaterThanOrEqualTo(known + 0.05);
    }

    @Test
    void messages_are_counted_by_direction_and_type() {
        metrics.message("sent", "heartbeat", 20);
        metrics.message("sent", "heartbeat", 22);
        metrics.message("received", "heartbeat", 20);
        assertThat(value("cluster_mode_transport_messages_total{direction=\"sent\",type=\"heartbeat\"}")).isEqualTo(2.0);
        assertThat(value("cluster_mode_transport_bytes_total{direction=\"sent\",type=\"heartbeat\"}")).isEqualTo(42.0);
        assertThat(value("cluster_mode_transport_messages_total{direction=\"received\",type=\"heartbeat\"}")).isEqualTo(1.0);
    }

    @Test
    void refused_messages_are_counted_by_type() {
        metrics.messageRefused(NodeId.of("x"), "Heartbeat");
        metrics.messageRefused(NodeId.of("y"), "Heartbeat");
        assertThat(value("cluster_mode_messages_refused_total{type=\"Heartbeat\"}")).isEqualTo(2.0);
    }

    private double value(String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "\\s+(\\S+)$").matcher(metrics.scrape());
        assertThat(m.find()).as(series + " in\n" + metrics.scrape()).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
