package io.clustermode.cli.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer of the HTTP API: status, content type, body and extra headers. Immutable.
 *
 * @param status      the HTTP status
 * @param contentType the Content-Type header
 * @param body        the body bytes (not copied: do not change them); ignored for a stream
 * @param headers     extra headers, in order
 * @param stream      null for an answer whose body is {@code body}; else the answer stays open
 *                    after its head and {@code stream} writes its body for as long as it likes
 */
public record ApiAnswer(int status, String contentType, byte[] body, Map<String, String> headers,
                        StreamBody stream) {

    /** An answer with a body known at once. */
    public ApiAnswer(int status, String contentType, byte[] body, Map<String, String> headers) {
        this(status, contentType, body, headers, null);
    }

    /** An open-ended answer (Server-Sent Events, say) of status 200: {@code stream} writes its body. */
    public static ApiAnswer stream(String contentType, Map<String, String> headers, StreamBody stream) {
        return new ApiAnswer(200, contentType, new byte[0], headers, java.util.Objects.requireNonNull(stream));
    }

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
        if (headers.isEmpty()) {
            return new ApiAnswer(status, contentType, body, Map.of(header, value), stream); // most answers
        }
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(header, value);
        return new ApiAnswer(status, contentType, body, more, stream);
    }

    /** The body as UTF-8 text (for logs and tests). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
