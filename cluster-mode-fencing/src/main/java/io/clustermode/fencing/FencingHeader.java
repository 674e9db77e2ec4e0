package io.clustermode.fencing;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The client side of HTTP fencing: stamps outgoing requests with
 * {@code Cluster-Fencing-Token: <group>/<token>}, the token read afresh for every request from
 * its source — typically {@code cluster::fencingToken}, which is empty unless this node is the
 * primary, so a node that lost primacy stops sending at once (it gets
 * {@link NotPrimaryException} instead).
 *
 * <p>With {@link java.net.http.HttpClient}:
 * <pre>{@code
 * FencingHeader fencing = new FencingHeader("orders", cluster::fencingToken);
 * HttpRequest request = fencing.newBuilder(URI.create("https://stock/reserve"))
 *         .POST(BodyPublishers.ofString(body)).build();
 * client.send(request, BodyHandlers.ofString());
 * }</pre>
 * With Spring's {@code RestClient} (or {@code RestTemplate}), a
 * {@code ClientHttpRequestInterceptor} does the same; this module needs no Spring:
 * <pre>{@code
 * RestClient.builder().requestInterceptor((request, body, execution) -> {
 *     request.getHeaders().set(FencingToken.HEADER, fencing.value());
 *     return execution.execute(request, body);
 * }).build();
 * }</pre>
 * Safe to use from any thread.
 */
public final class FencingHeader {

    private final String group;
    private final Supplier<OptionalLong> tokens;

    /**
     * @param group  the group the tokens belong to (see {@link FencingToken}): the same name the
     *               resource's filter keeps the largest token under, e.g. the cluster's name
     * @param tokens where the current token comes from, asked for every request; empty when this
     *               node holds none (not primary)
     * @throws IllegalArgumentException when the group is malformed
     */
    public FencingHeader(String group, Supplier<OptionalLong> tokens) {
        new FencingToken(group, 0); // checks the group now rather than at the first request
        this.group = group;
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /** Thrown when a request should be stamped and the token source has no token. */
    public static final class NotPrimaryException extends IllegalStateException {

        private static final long serialVersionUID = 1L;

        NotPrimaryException(String group) {
            super("no fencing token for group '" + group + "': this node is not the primary, so it must not send");
        }
    }

    /** The current token with its group. @throws NotPrimaryException when the source has none */
    public FencingToken token() {
        OptionalLong token = tokens.get();
        if (token.isEmpty()) {
            throw new NotPrimaryException(group);
        }
        return new FencingToken(group, token.getAsLong());
    }

    /** The header's value now, {@code <group>/<token>}. @throws NotPrimaryException when there is no token */
    public String value() {
        return token().headerValue();
    }

    /** Sets the header on {@code builder} (replacing one set before) and returns it. */
    public HttpRequest.Builder stamp(HttpRequest.Builder builder) {
        return builder.setHeader(FencingToken.HEADER, value());
    }

    /** A request builder for {@code uri} with the header set. */
    public HttpRequest.Builder newBuilder(URI uri) {
        return stamp(HttpRequest.newBuilder(uri));
    }
}
