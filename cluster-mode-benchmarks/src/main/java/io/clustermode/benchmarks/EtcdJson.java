package io.clustermode.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few JSON bodies of etcd's v3 HTTP/JSON gateway the benchmark needs: keys and values are
 * base64 (protobuf {@code bytes}), 64-bit numbers are strings. Built and read by hand, since a
 * handful of fixed shapes does not justify a JSON library in the load generator.
 */
public final class EtcdJson {

    private EtcdJson() {
    }

    /** The body of {@code POST /v3/kv/put}: {@code {"key": base64(key), "value": base64(value)}}. */
    public static byte[] put(String key, byte[] value) {
        return ("{\"key\":\"" + base64(key.getBytes(StandardCharsets.UTF_8)) + "\",\"value\":\"" + base64(value)
                + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    /** The body of {@code POST /v3/kv/range} for one key; no {@code serializable}, so the read is linearizable. */
    public static byte[] range(String key) {
        return ("{\"key\":\"" + base64(key.getBytes(StandardCharsets.UTF_8)) + "\"}")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A string or number field of an answer, e.g. {@code member_id} (inside {@code header}) or
     * {@code leader} of {@code /v3/maintenance/status}; null when absent. The first occurrence
     * wins, which is enough for the flat answers read here.
     */
    public static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"?([^\",}]*)").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    /** Whether a range answer holds {@code value} (as etcd gives it back: base64). */
    public static boolean rangeHolds(String json, byte[] value) {
        return json.contains("\"value\":\"" + base64(value) + "\"");
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
