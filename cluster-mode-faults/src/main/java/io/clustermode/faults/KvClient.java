package io.clustermode.faults;

import io.clustermode.linearizability.History;
import io.clustermode.linearizability.OpKind;
import io.clustermode.linearizability.Operation;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One workload client of the key-value HTTP API (docs: the contract's {@code /kv/{key}}),
 * recording each operation it does in a {@link History.Recorder} with the outcome the answer
 * implies:
 *
 * <table>
 * <caption>answers and outcomes</caption>
 * <tr><th>answer</th><th>writes</th><th>reads</th></tr>
 * <tr><td>200</td><td>ok</td><td>ok, the body</td></tr>
 * <tr><td>404</td><td>failed</td><td>ok, absent</td></tr>
 * <tr><td>409 (CAS mismatch), 503 (nothing proposed), other 4xx</td><td>failed</td><td>failed</td></tr>
 * <tr><td>504, other 5xx, timeout, reset</td><td>unknown</td><td>unknown</td></tr>
 * <tr><td>connection refused or connect timeout: nothing was sent</td><td>failed</td><td>failed</td></tr>
 * </table>
 *
 * <p>One operation at a time (a client is one process of the history); use one instance per
 * client thread.
 */
public final class KvClient {

    private final HttpClient http;
    private final URI base;
    private final Duration timeout;
    private final int clientId;
    private final History.Recorder recorder;
    private final boolean staleReads;

    /**
     * @param base     the node's HTTP address, e.g. {@code http://127.0.0.2:8600}
     * @param timeout  how long to wait for an answer before calling the outcome unknown
     * @param clientId this client's id in the history
     * @param recorder where operations are recorded
     */
    public KvClient(URI base, Duration timeout, int clientId, History.Recorder recorder) {
        this(base, timeout, clientId, recorder, false);
    }

    /**
     * A canary client whose reads are {@code GET /kv/key?consistency=stale}: the node's own copy,
     * not linearizable. Histories it records should fail the linearizability check.
     */
    public static KvClient staleReading(URI base, Duration timeout, int clientId, History.Recorder recorder) {
        return new KvClient(base, timeout, clientId, recorder, true);
    }

    private KvClient(URI base, Duration timeout, int clientId, History.Recorder recorder, boolean staleReads) {
        this.staleReads = staleReads;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        this.base = base;
        this.timeout = timeout;
        this.clientId = clientId;
        this.recorder = recorder;
    }

    /** {@code PUT /kv/key}. */
    public Operation put(String key, String value) {
        return send(recorder.invoke(clientId, OpKind.PUT, key, value, null),
                HttpRequest.newBuilder(uri(key, null)).PUT(body(value)));
    }

    /** {@code PUT /kv/key?expect=expected}. */
    public Operation cas(String key, String expected, String value) {
        return send(recorder.invoke(clientId, OpKind.CAS, key, value, expected),
                HttpRequest.newBuilder(uri(key, expected)).PUT(body(value)));
    }

    /** {@code GET /kv/key}, linearizable. */
    public Operation get(String key) {
        URI uri = uri(key, null);
        if (staleReads) {
            uri = URI.create(uri + "?consistency=stale");
        }
        return send(recorder.invoke(clientId, OpKind.GET, key, null, null), HttpRequest.newBuilder(uri).GET());
    }

    /** {@code DELETE /kv/key}. */
    public Operation delete(String key) {
        return send(recorder.invoke(clientId, OpKind.DELETE, key, null, null),
                HttpRequest.newBuilder(uri(key, null)).DELETE());
    }

    private Operation send(History.Recorder.Pending pending, HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return pending.failed(); // never connected: the request was not sent
        } catch (IOException e) {
            return pending.unknown(); // timeout, reset, EOF: it may have been sent and applied
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return pending.unknown();
        }
        int status = response.statusCode();
        boolean read = pending.kind() == OpKind.GET;
        if (status == 200) {
            return pending.ok(read ? response.body() : null);
        }
        if (status == 404 && read) {
            return pending.ok(null);
        }
        if (status >= 500 && status != 503) {
            return pending.unknown();
        }
        return pending.failed();
    }

    private URI uri(String key, String expect) {
        String path = "/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
        String query = expect == null ? "" : "?expect=" + URLEncoder.encode(expect, StandardCharsets.UTF_8);
        return base.resolve(path + query);
    }

    private static HttpRequest.BodyPublisher body(String value) {
        return HttpRequest.BodyPublishers.ofString(value, StandardCharsets.UTF_8);
    }
}
