package io.clustermode.cli;

import io.clustermode.cli.http.Json;
import io.clustermode.kv.KvStore;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JsonAndNodeStateTest {

    @Test
    void cluster_info_is_written_with_the_contract_names_and_read_back() {
        ClusterInfo info = new ClusterInfo("n1", "cm", "PRIMARY", 3, "n1", 10, 9,
                List.of(new ClusterInfo.MemberInfo("n1", "127.0.0.1:7600", true, "PRIMARY", "127.0.0.1:8600"),
                        new ClusterInfo.MemberInfo("n2", "127.0.0.2:7600", false, "SECONDARY", null)),
                "127.0.0.1:7600", "127.0.0.1:8600", "127.0.0.1:8600");
        String json = Json.text(info);
        assertThat(json).startsWith("{\"nodeId\":\"n1\",\"clusterName\":\"cm\",\"role\":\"PRIMARY\",\"term\":3,"
                + "\"leaderId\":\"n1\",\"commitIndex\":10,\"appliedIndex\":9,\"members\":[{\"nodeId\":\"n1\","
                + "\"address\":\"127.0.0.1:7600\",\"voter\":true,\"role\":\"PRIMARY\"");
        assertThat(Json.read(json, ClusterInfo.class)).isEqualTo(info);
        // A newer node's document, with fields this version does not know, still reads.
        assertThat(Json.read(json.replace("\"term\":3,", "\"term\":3,\"future\":[1],"), ClusterInfo.class))
                .isEqualTo(info);
        assertThat(Json.text(new ClusterInfo("n", "c", "INACTIVE", 0, null, 0, 0, null, "a", "h", null)))
                .contains("\"leaderId\":null", "\"members\":[]");
    }

    @Test
    void each_member_says_how_it_came_in_and_the_status_table_shows_it() {
        ClusterInfo info = new ClusterInfo("n1", "cm", "PRIMARY", 3, "n1", 10, 9,
                List.of(new ClusterInfo.MemberInfo("n1", "127.0.0.1:7600", true, "PRIMARY", null, "bootstrap"),
                        new ClusterInfo.MemberInfo("n2", "127.0.0.2:7600", true, "SECONDARY", null, "discovery"),
                        new ClusterInfo.MemberInfo("n4", "127.0.0.4:7600", false, "SECONDARY", null, "contact"),
                        new ClusterInfo.MemberInfo("n5", "127.0.0.5:7600", false, "SECONDARY", null, null)),
                "127.0.0.1:7600", "h", null);
        String json = Json.text(info);
        assertThat(json).contains("\"role\":\"SECONDARY\",\"http\":null,\"joinedBy\":\"contact\"");
        assertThat(ClusterInfo.read(json)).isEqualTo(info);
        // A document of an older node, without the field, reads as not knowing.
        assertThat(ClusterInfo.read("{\"nodeId\":\"n2\",\"role\":\"SECONDARY\",\"term\":4,"
                + "\"members\":[{\"nodeId\":\"n2\",\"voter\":false}]}").members().get(0).joinedBy()).isNull();
        assertThat(HttpApi.joinedBy(io.clustermode.JoinedBy.CONTACT)).isEqualTo("contact");
        assertThat(HttpApi.joinedBy(io.clustermode.JoinedBy.BOOTSTRAP)).isEqualTo("bootstrap");
        assertThat(HttpApi.joinedBy(io.clustermode.JoinedBy.UNKNOWN)).isNull();

        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        StatusCommand.print(info, new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(1)).matches("NODE +ROLE +VOTER +JOINED BY +ADDRESS +HTTP");
        assertThat(lines.get(2)).matches("n1 \\* +PRIMARY +yes +bootstrap +127\\.0\\.0\\.1:7600 +-");
        assertThat(lines.get(4)).matches("n4 +SECONDARY +no +contact +127\\.0\\.0\\.4:7600 +-");
        assertThat(lines.get(5)).matches("n5 +SECONDARY +no +- +127\\.0\\.0\\.5:7600 +-");
    }

    @Test
    void cluster_info_carries_exactly_its_fields_and_readers_need_the_node_id_role_and_term() {
        ClusterInfo info = new ClusterInfo("n1", "cm", "PRIMARY", 3, "n1", 10, 9,
                List.of(new ClusterInfo.MemberInfo("n1", "127.0.0.1:7600", true, "PRIMARY", null)), "a", "h", null);
        @SuppressWarnings("unchecked")
        Map<String, Object> wire = Json.read(Json.text(info), Map.class);
        // The helpers for readers (isPrimary, voterCount) are not fields of the document.
        assertThat(wire.keySet()).containsExactly("nodeId", "clusterName", "role", "term", "leaderId", "commitIndex",
                "appliedIndex", "members", "address", "http", "leaderHttp", "partitions");
        Map<?, ?> member = (Map<?, ?>) ((List<?>) wire.get("members")).get(0);
        assertThat(member.keySet().stream().map(String::valueOf)).containsExactly("nodeId", "address", "voter", "role", "http",
                "joinedBy");
        assertThat(info.isPrimary()).isTrue();
        assertThat(info.voterCount()).isEqualTo(1);
        // An older node's document, without the fields beyond the contract, still reads.
        ClusterInfo old = ClusterInfo.read("{\"nodeId\":\"n2\",\"role\":\"SECONDARY\",\"term\":4,"
                + "\"members\":[{\"nodeId\":\"n2\",\"voter\":false,\"extra\":{}}]}");
        assertThat(old.http()).isNull();
        assertThat(old.voterCount()).isZero();
        for (String missing : List.of("nodeId", "role", "term")) {
            String json = Json.text(info).replace("\"" + missing + "\":", "\"was-" + missing + "\":");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClusterInfo.read(json))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing);
        }
    }

    @Test
    void error_documents_escape_what_they_must() {
        String text = "quote \" backslash \\ newline \n tab \t bell \u0007 ü";
        String json = new String(Json.error(text), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("\n").contains("\\\"", "\\\\", "\\n", "\\t", "\\u0007");
        assertThat(Json.read(json, Map.class)).isEqualTo(Map.of("error", text));
    }

    @Test
    void node_state_keeps_the_store_and_the_http_directory_through_a_snapshot() {
        NodeState state = new NodeState();
        assertThat(state.apply(1, NodeState.kv(KvStore.put("k", "v".getBytes(StandardCharsets.UTF_8)))))
                .isEqualTo(KvStore.Result.OK);
        assertThat(state.apply(2, NodeState.announce("n1", "10.0.0.1:8600"))).isEqualTo(KvStore.Result.OK);
        assertThat(state.apply(3, new byte[] {9, 9})).isEqualTo(KvStore.Result.MALFORMED);
        assertThat(state.apply(4, new byte[0])).isEqualTo(KvStore.Result.MALFORMED);
        byte[] announce = NodeState.announce("n2", "x:1");
        assertThat(state.apply(5, Arrays.copyOf(announce, announce.length - 2))).isEqualTo(KvStore.Result.MALFORMED);

        NodeState restored = new NodeState();
        restored.restore(state.snapshot());
        assertThat(restored.value("k")).isEqualTo("v");
        assertThat(restored.httpAddress("n1")).hasValue("10.0.0.1:8600");
        assertThat(restored.httpAddress("n2")).isEmpty();
        assertThat(restored.snapshot()).isEqualTo(state.snapshot());
        restored.restore(new byte[0]);
        assertThat(restored.value("k")).isNull();
        assertThat(restored.httpAddress("n1")).isEmpty();
    }

    @Test
    void a_node_bound_to_all_interfaces_announces_its_http_on_the_advertised_host() {
        assertThat(NodeCommand.announcedHttp("127.0.0.1:8600", new InetSocketAddress("0.0.0.0", 8600), "10.1.2.3:7600"))
                .isEqualTo("10.1.2.3:8600");
        assertThat(NodeCommand.announcedHttp("127.0.0.2:8600", new InetSocketAddress("127.0.0.2", 8600),
                "10.1.2.3:7600")).isEqualTo("127.0.0.2:8600");
    }

    @Test
    void help_names_every_contract_option() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.execute("node", "--help")).isZero();
        } finally {
            System.setOut(original);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--node-id", "--cluster-name", "--bind", "--advertise",
                "--http", "--data-dir", "--discovery", "--seeds", "--dns-name", "--dns-server", "--dns-port",
                "--k8s-service", "--k8s-namespace", "--k8s-port-name", "--min-nodes", "--max-nodes", "--voters",
                "--heartbeat-interval", "--election-timeout", "--update-interval", "--connection-timeout",
                "--request-timeout", "--tls-cert", "--tls-key", "--tls-ca", "--http-token-file", "--http-tls-cert",
                "--http-tls-key", "--http-insecure", "--kv-max-bytes");
    }
}
