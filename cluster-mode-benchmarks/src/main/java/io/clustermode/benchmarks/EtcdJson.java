package io.clustermode.benchmarks;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.clustermode.cli.http.Json;

import java.util.Base64;
import java.util.List;

/**
 * The few JSON bodies of etcd's v3 HTTP/JSON gateway the benchmark needs, written and read with
 * Jackson like the project's own documents: keys and values are base64 (protobuf
 * {@code bytes}), 64-bit numbers are strings. Fields the benchmark does not use are ignored.
 */
public final class EtcdJson {

    private EtcdJson() {
    }

    /** The body of {@code POST /v3/kv/put}: {@code {"key": base64(key), "value": base64(value)}}. */
    public static byte[] put(String key, byte[] value) {
        return Json.bytes(new Put(base64(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)), base64(value)));
    }

    /** The body of {@code POST /v3/kv/range} for one key; no {@code serializable}, so the read is linearizable. */
    public static byte[] range(String key) {
        return Json.bytes(new Range(base64(key.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    /**
     * The answer of {@code POST /v3/maintenance/status}: who answered and whom it follows.
     *
     * @throws IllegalArgumentException when {@code json} is not such an answer
     */
    public static Status status(String json) {
        return Json.read(json, Status.class);
    }

    /** Whether a range answer holds {@code value} (as etcd gives it back: base64). */
    public static boolean rangeHolds(String json, byte[] value) {
        RangeAnswer answer = Json.read(json, RangeAnswer.class);
        String wanted = base64(value);
        return answer.kvs() != null && answer.kvs().stream().anyMatch(kv -> wanted.equals(kv.value()));
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private record Put(String key, String value) {
    }

    private record Range(String key) {
    }

    /**
     * What {@code /v3/maintenance/status} says.
     *
     * @param header the answering member's header
     * @param leader the member id of the leader it knows, {@code 0} or null when none
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Status(Header header, String leader) {

        /** The id of the member that answered, or null. */
        public String memberId() {
            return header == null ? null : header.memberId();
        }

        /** Whether it knows a leader. */
        public boolean knowsLeader() {
            return leader != null && !leader.equals("0");
        }
    }

    /**
     * The header of every answer.
     *
     * @param memberId the answering member's id
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Header(@JsonProperty("member_id") String memberId) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record RangeAnswer(List<KeyValue> kvs) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record KeyValue(String key, String value) {
    }
}
