package io.clustermode.cli.http;

/**
 * What the HTTP server reports, for metrics. Called on event loops: implementations must be
 * quick and thread-safe.
 */
public interface HttpServerEvents {

    /** Reports nothing. */
    HttpServerEvents NONE = new HttpServerEvents() {
    };

    /** An answer was written: the request's method ({@code OTHER} when no request was read) and the status. */
    default void answered(String method, int status) {
    }

    /** A connection was closed at once because {@link HttpServerSettings#maxConnections()} were open. */
    default void connectionRefused() {
    }

    /** A request without the right bearer token was refused; {@code reason} is {@code missing} or {@code wrong}. */
    default void authenticationRefused(String reason) {
    }

    /** A connection was cut off because its request did not arrive within the read timeout. */
    default void readTimedOut() {
    }
}
