package io.clustermode.cli.http;

import java.util.concurrent.CompletableFuture;

/**
 * What the server serves: turns a complete, authenticated request into an answer.
 *
 * <p>Called on a Netty event loop: it must not block. Work that waits (for a commit, for the
 * primary) is handed on, and the returned future completes when the answer is known; the
 * server writes it then. A future that completes exceptionally is answered 500.
 */
@FunctionalInterface
public interface Routes {

    /** The answer to {@code request}; never null. */
    CompletableFuture<ApiAnswer> answer(ApiRequest request);
}
