package io.clustermode.cli.http;

import io.netty.handler.ssl.SslContext;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits and the security of {@link NettyHttpServer}.
 *
 * @param readTimeout         how long a client may take to send a request: its headers must have
 *                            arrived within this time of the connection being ready (opened, or
 *                            its previous answer written), its body within this time of its
 *                            headers. A connection that misses it is answered 408 (if any byte of
 *                            a request came) and closed; an idle kept-alive one is just closed.
 *                            Default {@value #DEFAULT_READ_TIMEOUT_MS} ms.
 * @param maxConnections      connections open at once; one more is closed at once. Default
 *                            {@value #DEFAULT_MAX_CONNECTIONS}.
 * @param maxContentBytes     the largest request body; a larger one is answered 413 and its bytes
 *                            dropped as they come, never buffered.
 * @param maxHeaderBytes      the largest header block; larger is answered 431. Default
 *                            {@value #DEFAULT_MAX_HEADER_BYTES}.
 * @param maxInitialLineBytes the longest request line (method, URI, version); longer is answered
 *                            414. Default {@value #DEFAULT_MAX_INITIAL_LINE_BYTES}.
 * @param token               the bearer token every request but {@code GET /health} (and
 *                            {@code /ui}) must carry; null to ask for none
 * @param tls                 the server's TLS context (HTTPS); null for plain HTTP
 */
public record HttpServerSettings(Duration readTimeout, int maxConnections, int maxContentBytes, int maxHeaderBytes,
                                 int maxInitialLineBytes, BearerToken token, SslContext tls) {

    /** Default read timeout, in milliseconds. */
    public static final long DEFAULT_READ_TIMEOUT_MS = 10_000;
    /** Default connection cap. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    /** Default header block limit, in bytes. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
    /** Default request line limit, in bytes (keys are at most 256 bytes, percent-encoded up to 768). */
    public static final int DEFAULT_MAX_INITIAL_LINE_BYTES = 8 * 1024;

    public HttpServerSettings {
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("the read timeout must be positive, was " + readTimeout.toMillis() + " ms");
        }
        if (maxConnections <= 0 || maxContentBytes < 0 || maxHeaderBytes <= 0 || maxInitialLineBytes <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** The defaults, for bodies up to {@code maxContentBytes}: no token, no TLS. */
    public static HttpServerSettings defaults(int maxContentBytes) {
        return new HttpServerSettings(Duration.ofMillis(DEFAULT_READ_TIMEOUT_MS), DEFAULT_MAX_CONNECTIONS,
                maxContentBytes, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_INITIAL_LINE_BYTES, null, null);
    }

    /** These settings with another read timeout. */
    public HttpServerSettings withReadTimeout(Duration timeout) {
        return new HttpServerSettings(timeout, maxConnections, maxContentBytes, maxHeaderBytes, maxInitialLineBytes,
                token, tls);
    }

    /** These settings with another connection cap. */
    public HttpServerSettings withMaxConnections(int max) {
        return new HttpServerSettings(readTimeout, max, maxContentBytes, maxHeaderBytes, maxInitialLineBytes, token,
                tls);
    }

    /** These settings asking for {@code bearer} (null for none). */
    public HttpServerSettings withToken(BearerToken bearer) {
        return new HttpServerSettings(readTimeout, maxConnections, maxContentBytes, maxHeaderBytes,
                maxInitialLineBytes, bearer, tls);
    }

    /** These settings serving HTTPS with {@code context} (null for plain HTTP). */
    public HttpServerSettings withTls(SslContext context) {
        return new HttpServerSettings(readTimeout, maxConnections, maxContentBytes, maxHeaderBytes,
                maxInitialLineBytes, token, context);
    }
}
