package io.clustermode.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The pure pieces of the HTTP throughput part: requests, etcd's JSON, the targets, the report section. */
class HttpThroughputPiecesTest {

    private static final MachineInfo MACHINE = new MachineInfo("Test CPU", 2, "24.0 GiB", "6.1", "Debian", "JDK 17",
            "2026-12-05 10:00 UTC", "abc123", "0.10 0.20 0.30");

    @Test
    void a_request_is_encoded_once_as_kept_alive_http_1_1_with_its_body() {
        byte[] put = HttpRequests.encode("PUT", "/kv/k3-1", "127.0.0.2:8600", null, "abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(put, StandardCharsets.US_ASCII))
                .isEqualTo("PUT /kv/k3-1 HTTP/1.1\r\nHost: 127.0.0.2:8600\r\nContent-Length: 3\r\n\r\nabc");
        byte[] get = HttpRequests.encode("GET", "/health", "h:1", null, null);
        assertThat(new String(get, StandardCharsets.US_ASCII)).isEqualTo("GET /health HTTP/1.1\r\nHost: h:1\r\n\r\n");
    }

    @Test
    void each_connection_cycles_over_its_own_keys_and_reads_ask_for_the_keys_written() {
        HttpRequests puts = HttpRequests.kvPut("h:1", 4, new byte[100]);
        HttpRequests gets = HttpRequests.kvGet("h:1", 4);
        assertThat(puts.connections()).isEqualTo(4);
        assertThat(text(puts.request(2, 0))).startsWith("PUT /kv/k2-0 HTTP/1.1\r\n").contains("Content-Length: 100\r\n");
        assertThat(text(puts.request(2, 5))).startsWith("PUT /kv/k2-5 ");
        assertThat(text(puts.request(2, HttpRequests.KEYS_PER_CONNECTION + 5))).startsWith("PUT /kv/k2-5 ");
        assertThat(text(gets.request(2, 5))).startsWith("GET /kv/k2-5 ");
    }

    @Test
    void etcd_bodies_carry_base64_keys_and_values_and_reads_stay_linearizable() {
        assertThat(new String(EtcdJson.put("k0-0", "hi".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII))
                .isEqualTo("{\"key\":\"azAtMA==\",\"value\":\"aGk=\"}");
        assertThat(new String(EtcdJson.range("k0-0"), StandardCharsets.US_ASCII)).isEqualTo("{\"key\":\"azAtMA==\"}")
                .doesNotContain("serializable");
        String put = text(HttpRequests.etcdPut("127.0.0.2:2379", 1, "hi".getBytes(StandardCharsets.US_ASCII))
                .request(0, 0));
        assertThat(put).startsWith("POST /v3/kv/put HTTP/1.1\r\n").contains("Content-Type: application/json\r\n")
                .endsWith("\r\n\r\n{\"key\":\"azAtMA==\",\"value\":\"aGk=\"}");
    }

    @Test
    void etcd_status_names_its_member_and_the_leader_and_a_range_answer_is_checked_by_value() {
        String status = "{\"header\":{\"cluster_id\":\"14841639068965178418\",\"member_id\":\"10276657743932975437\","
                + "\"revision\":\"1\",\"raft_term\":\"2\"},\"version\":\"3.4.23\",\"dbSize\":\"20480\","
                + "\"leader\":\"10276657743932975437\",\"raftIndex\":\"8\",\"raftTerm\":\"2\"}";
        assertThat(EtcdJson.status(status).memberId()).isEqualTo("10276657743932975437");
        assertThat(EtcdJson.status(status).leader()).isEqualTo("10276657743932975437");
        assertThat(EtcdJson.status(status).knowsLeader()).isTrue();
        assertThat(EtcdJson.status(status.replace("\"leader\":\"10276657743932975437\"", "\"leader\":\"0\""))
                .knowsLeader()).isFalse();
        String range = "{\"header\":{},\"kvs\":[{\"key\":\"azAtMA==\",\"value\":\"aGk=\",\"version\":\"3\"}],\"count\":\"1\"}";
        assertThat(EtcdJson.rangeHolds(range, "hi".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(EtcdJson.rangeHolds("{\"header\":{}}", "hi".getBytes(StandardCharsets.US_ASCII))).isFalse();
    }

    @Test
    void errors_are_shown_by_kind() {
        TreeMap<String, Long> errors = new TreeMap<>(Map.of("503", 1200L, "timeout", 2L));
        assertThat(load(1000, errors).errorsText()).isEqualTo("1,202 (503: 1,200, timeout: 2)");
        assertThat(load(1000, new TreeMap<>()).errorsText()).isEqualTo("0");
    }

    @Test
    void when_writes_are_too_slow_and_a_row_has_errors_then_those_targets_are_not_met() {
        Map<ThroughputCase, HttpLoadResult> ours = rows(25_000, 15_000, 60_000, 40_000);
        ours.put(ThroughputCase.GET_THROUGH_SECONDARY, load(40_000, new TreeMap<>(Map.of("504", 3L))));
        Map<ThroughputCase, HttpLoadResult> etcd = rows(10_000, 10_000, 20_000, 25_000);
        List<ThroughputTargets.Target> targets = ThroughputTargets.evaluate(result(ours, etcd));

        assertThat(targets).extracting(ThroughputTargets.Target::verdict).containsExactly(
                "not met", // errors
                "met", // 25,000 >= 20,000
                "not met", // 15,000 / 25,000 = 60 %
                "met", // 60,000 / 25,000
                "met", // 40,000 / 15,000
                "met", "not met", "met", "not met"); // against etcd: 2.5, 1.5, 3.0, 1.6
        assertThat(targets.get(0).measured()).isEqualTo("linearizable GET through a secondary: 3 (504: 3)");
        assertThat(targets.get(2).measured()).isEqualTo("15,000/s against 25,000/s: 60 %");
    }

    @Test
    void without_etcd_its_targets_are_not_measured_rather_than_failed() {
        List<ThroughputTargets.Target> targets = ThroughputTargets.evaluate(
                result(rows(25_000, 20_000, 60_000, 50_000), new EnumMap<>(ThroughputCase.class)));
        assertThat(targets.subList(0, 5)).extracting(ThroughputTargets.Target::verdict).containsOnly("met");
        assertThat(targets.subList(5, 9)).extracting(ThroughputTargets.Target::met).containsOnlyNulls();
    }

    @Test
    void the_section_puts_both_systems_on_one_row_with_the_ratio() {
        String md = HttpThroughputSection.markdown(result(rows(25_000, 20_000, 60_000, 50_000),
                rows(10_000, 10_000, 20_000, 25_000)), MACHINE, "bin/benchmarks --only http-throughput", false, "1 2 3");
        assertThat(md).startsWith(HttpThroughputSection.BEGIN + "\n").endsWith(HttpThroughputSection.END + "\n")
                .contains("| PUT straight to the primary | 25,000 writes/s | 1.50 | 12.0 | 0 | 10,000 writes/s"
                        + " | 1.50 | 12.0 | 0 | 2.50 |")
                .contains("| linearizable GET at the primary | 60,000 reads/s |")
                .contains("| ≥ 20,000 writes/s straight to the primary | 25,000 writes/s | yes |")
                .contains("etcd 3.4.23").contains("at commit `abc123`").doesNotContain("--quick")
                .contains("| PUT straight to the primary | cluster-mode | 0.50 | 0.90 | 0.20 | 0.20 | 1.80 | 0.10 | 72 |")
                .doesNotContain("Other work took");
    }

    @Test
    void a_row_that_shared_the_machine_with_other_work_is_pointed_out() {
        Map<ThroughputCase, HttpLoadResult> ours = rows(25_000, 20_000, 60_000, 50_000);
        ours.put(ThroughputCase.GET_AT_PRIMARY, new HttpLoadResult(60_000 * 20, 20, 1.5, 12.0, new TreeMap<>(),
                Map.of("generator", 0.5, "leader", 0.9, "follower 1", 0.1, "follower 2", 0.1, CpuMeter.MACHINE, 1.95)));
        String md = HttpThroughputSection.markdown(result(ours, rows(10_000, 10_000, 20_000, 25_000)), MACHINE,
                "bin/benchmarks", false, "1 2 3");
        assertThat(md).contains("Other work took more than 0.25 cores of the machine in these rows (cores in brackets),"
                + " whose figures are lower than a quiet machine would give: cluster-mode linearizable GET at the"
                + " primary (0.35).");
    }

    @Test
    void a_run_of_this_part_alone_replaces_its_section_and_keeps_the_others() {
        String marker = ReportWriter.MARKER;
        String old = "# Benchmarks\n\n## Failover\n\nfigures\n\n" + HttpThroughputSection.BEGIN + "\nold\n"
                + HttpThroughputSection.END + "\n\n## Reproducing it\n\nhow\n\n" + marker + "\nby hand\n";
        String replaced = HttpThroughputSection.splice(old, HttpThroughputSection.BEGIN + "\nnew\n"
                + HttpThroughputSection.END + "\n", marker);
        assertThat(replaced).isEqualTo(old.replace("\nold\n", "\nnew\n"));

        String without = "# Benchmarks\n\n## Failover\n\nfigures\n\n## Reproducing it\n\nhow\n\n" + marker + "\n";
        String inserted = HttpThroughputSection.splice(without, "SECTION\n", marker);
        assertThat(inserted).isEqualTo("# Benchmarks\n\n## Failover\n\nfigures\n\nSECTION\n\n## Reproducing it\n\nhow\n\n"
                + marker + "\n");
    }

    @Test
    void the_part_has_its_own_name_and_durations() {
        Path root = Path.of("/repo");
        BenchmarkOptions only = BenchmarkOptions.parse(new String[] {"--only", "http-throughput"}, root);
        assertThat(only.parts()).containsExactly("http-throughput");
        assertThat(only.httpWarmup()).isEqualTo(10);
        assertThat(only.httpSeconds()).isEqualTo(20);
        assertThat(only.httpThreads()).isEqualTo(1);
        BenchmarkOptions quick = BenchmarkOptions.parse(new String[] {"--quick", "--http-seconds", "7",
                "--http-threads", "2"}, root);
        assertThat(quick.runs("http-throughput")).isTrue();
        assertThat(quick.httpWarmup()).isEqualTo(2);
        assertThat(quick.httpSeconds()).isEqualTo(7);
        assertThat(quick.httpThreads()).isEqualTo(2);
    }

    private static HttpThroughput.Result result(Map<ThroughputCase, HttpLoadResult> ours,
                                                Map<ThroughputCase, HttpLoadResult> etcd) {
        return new HttpThroughput.Result(256, 1, 10, 20, load(50_000, new TreeMap<>()), ours, etcd,
                etcd.isEmpty() ? null : "3.4.23", List.of());
    }

    private static Map<ThroughputCase, HttpLoadResult> rows(double... perSecond) {
        Map<ThroughputCase, HttpLoadResult> rows = new EnumMap<>(ThroughputCase.class);
        for (ThroughputCase c : ThroughputCase.values()) {
            rows.put(c, load(perSecond[c.ordinal()], new TreeMap<>()));
        }
        return rows;
    }

    /** A 20-second window at {@code perSecond}. */
    private static HttpLoadResult load(double perSecond, TreeMap<String, Long> errors) {
        return new HttpLoadResult((long) (perSecond * 20), 20, 1.5, 12.0, errors,
                Map.of("generator", 0.5, "leader", 0.9, "follower 1", 0.2, "follower 2", 0.2, CpuMeter.MACHINE, 1.9));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
