package io.clustermode.cli.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer of the HTTP API: status, content type, body and extra headers. Immutable.
 *
 * @param status      the HTTP status
 * @param contentType the Content-Type header
 * @param body        the body bytes (not copied: do not change them)
 * @param headers     extra headers, in order
 */
public record ApiAnswer(int status, String contentType, byte[] body, Map<String, String> headers) {

    /** The content type of every JSON answer. */
    public static final String JSON = "application/json; charset=utf-8";

    /** {@code document} (a record, map or list) as a JSON answer. */
    public static ApiAnswer json(int status, Object document) {
        return new ApiAnswer(status, JSON, Json.bytes(document), Map.of());
    }

    /** The API's error answer, {@code {"error": message}}. */
    public static ApiAnswer error(int status, String message) {
        return new ApiAnswer(status, JSON, Json.error(message), Map.of());
    }

    /** A plain-text answer. */
    public static ApiAnswer text(int status, String contentType, String text) {
        return new ApiAnswer(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** This answer with one more header. */
    public ApiAnswer with(String header, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(header, value);
        return new ApiAnswer(status, contentType, body, more);
    }

    /** The body as UTF-8 text (for logs and tests). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
