package io.clustermode.cli.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.EventExecutor;

import java.net.SocketAddress;

/**
 * One complete HTTP request, as the {@link Routes} see it: decoded, size-checked and
 * authenticated by the server's pipeline; its body copied out of Netty's buffers.
 *
 * @param method  the method name, as sent ({@code GET}, {@code PUT}, ...)
 * @param path    the raw (still percent-encoded) path, starting with {@code /}
 * @param query   the raw query string without {@code ?}, or null when there is none
 * @param headers the request headers
 * @param body    the body; empty when there is none
 * @param remote  the client's address
 * @param loop    the event loop of the request's connection, where the routes are called and its
 *                answer is written
 */
public record ApiRequest(String method, String path, String query, HttpHeaders headers, byte[] body,
                         SocketAddress remote, EventExecutor loop) {

    /** The path and query as sent, for passing the request on. */
    public String pathAndQuery() {
        return query == null ? path : path + "?" + query;
    }

    /** The first value of header {@code name}, or null. */
    public String header(String name) {
        return headers.get(name);
    }
}
