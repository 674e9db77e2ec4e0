package io.clustermode.fencing;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link FencingFilter} and {@link FencingHeader} together: requests stamped the way a client
 * stamps them go through the filter to a resource that records what it served. The servlet
 * request and response are small hand-made doubles ({@link Proxy}), not a container: the filter
 * uses a handful of their methods, and a container would be the heaviest dependency of the module.
 */
class FencingFilterTest {

    private final List<String> served = new ArrayList<>();

    @Test
    void when_a_newer_primary_has_been_seen_then_the_old_ones_requests_get_409_and_never_reach_the_resource()
            throws Exception {
        FencingFilter filter = new FencingFilter(new InMemoryTokenStore(), true);
        AtomicLong term = new AtomicLong(5);
        FencingHeader oldPrimary = new FencingHeader("orders", () -> OptionalLong.of(5));
        FencingHeader newPrimary = new FencingHeader("orders", () -> OptionalLong.of(term.get() + 1));

        assertThat(send(filter, oldPrimary.value(), "a").status).isEqualTo(200);
        assertThat(send(filter, newPrimary.value(), "b").status).isEqualTo(200);
        Answer stale = send(filter, oldPrimary.value(), "c");

        assertThat(stale.status).isEqualTo(409);
        assertThat(stale.contentType).isEqualTo("application/json");
        assertThat(stale.body).contains("\"error\":\"fenced out\"", "\"group\":\"orders\"", "\"token\":5",
                "\"current\":6", "another primary took over");
        assertThat(served).containsExactly("a orders/5", "b orders/6");
        assertThat(send(filter, newPrimary.value(), "d").status).isEqualTo(200); // equal tokens pass
    }

    @Test
    void groups_are_fenced_separately() throws Exception {
        FencingFilter filter = new FencingFilter(new InMemoryTokenStore(), true);
        assertThat(send(filter, "orders/9", "a").status).isEqualTo(200);
        assertThat(send(filter, "billing/2", "b").status).isEqualTo(200);
        assertThat(send(filter, "billing/1", "c").status).isEqualTo(409);
    }

    @Test
    void a_missing_header_is_400_when_required_and_passes_when_not() throws Exception {
        Answer refused = send(new FencingFilter(new InMemoryTokenStore(), true), null, "a");
        assertThat(refused.status).isEqualTo(400);
        assertThat(refused.body).contains("requires a Cluster-Fencing-Token header");
        assertThat(send(new FencingFilter(new InMemoryTokenStore(), false), null, "b").status).isEqualTo(200);
        assertThat(served).containsExactly("b -");
    }

    @Test
    void a_malformed_header_is_400_saying_what_is_wrong_even_when_not_required() throws Exception {
        FencingFilter filter = new FencingFilter(new InMemoryTokenStore(), false);
        Map<String, String> cases = Map.of(
                "5", "must be <group>/<token>",
                "orders/-1", "non-negative decimal number",
                "orders/abc", "non-negative decimal number",
                "orders/99999999999999999999", "non-negative decimal number",
                "orders/9999999999999999999", "larger than 2^63-1",
                "or ders/5", "group must be",
                "/5", "group must be");
        cases.forEach((header, reason) -> {
            Answer answer = send(filter, header, "x");
            assertThat(answer.status).as(header).isEqualTo(400);
            assertThat(answer.body).as(header).contains("bad fencing token", reason);
        });
        assertThat(served).isEmpty();
    }

    @Test
    void a_store_that_fails_makes_503() {
        FencingFilter filter = new FencingFilter((group, token) -> {
            throw new IOException("disk gone");
        }, true);
        Answer answer = send(filter, "orders/5", "a");
        assertThat(answer.status).isEqualTo(503);
        assertThat(answer.body).contains("the token store failed: disk gone");
        assertThat(served).isEmpty();
    }

    @Test
    void the_required_init_parameter_is_read_and_checked() throws Exception {
        FencingFilter filter = new FencingFilter();
        filter.init(config("false"));
        assertThat(send(filter, null, "a").status).isEqualTo(200);
        assertThatThrownBy(() -> new FencingFilter().init(config("yes"))).isInstanceOf(ServletException.class)
                .hasMessageContaining("'required' must be true or false, was 'yes'");
    }

    @Test
    void the_client_header_follows_the_token_source_and_refuses_without_a_token() {
        AtomicLong term = new AtomicLong(3);
        boolean[] primary = {true};
        FencingHeader header = new FencingHeader("cluster-mode",
                () -> primary[0] ? OptionalLong.of(term.get()) : OptionalLong.empty());
        HttpRequest request = header.newBuilder(URI.create("http://127.0.0.1/x")).build();
        assertThat(request.headers().firstValue("Cluster-Fencing-Token")).hasValue("cluster-mode/3");
        term.set(4);
        assertThat(header.stamp(HttpRequest.newBuilder(URI.create("http://127.0.0.1/x"))).build().headers()
                .allValues(FencingToken.HEADER)).containsExactly("cluster-mode/4");
        primary[0] = false;
        assertThatThrownBy(header::value).isInstanceOf(FencingHeader.NotPrimaryException.class)
                .hasMessageContaining("not the primary");
        assertThatThrownBy(() -> new FencingHeader("a/b", OptionalLong::empty))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(FencingToken.parse(" g.1:x-y/12 ")).isEqualTo(new FencingToken("g.1:x-y", 12));
    }

    // ------------------------------------------------------------------ the doubles

    private static final class Answer {
        int status = 200;
        String contentType;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String body;
    }

    /** One request through {@code filter} to a resource that records "<body> <token>". */
    private Answer send(FencingFilter filter, String header, String body) {
        Answer answer = new Answer();
        Map<String, Object> attributes = new HashMap<>();
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeader" -> FencingToken.HEADER.equalsIgnoreCase((String) args[0]) ? header : null;
                    case "getMethod" -> "POST";
                    case "getRequestURI" -> "/resource";
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    case "getAttribute" -> attributes.get((String) args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }

            @Override
            public void write(int b) {
                answer.bytes.write(b);
            }
        };
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "setStatus" -> answer.status = (Integer) args[0];
                        case "setContentType" -> answer.contentType = (String) args[0];
                        case "setCharacterEncoding", "setContentLength", "flushBuffer" -> { }
                        case "getOutputStream" -> {
                            return out;
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    }
                    return null;
                });
        try {
            filter.doFilter(request, response, (req, res) -> {
                Object token = req.getAttribute(FencingFilter.ATTRIBUTE);
                served.add(body + " " + (token == null ? "-" : token));
            });
        } catch (IOException | ServletException e) {
            throw new AssertionError(e);
        }
        answer.body = answer.bytes.toString(StandardCharsets.UTF_8);
        return answer;
    }

    private static FilterConfig config(String required) {
        return (FilterConfig) Proxy.newProxyInstance(FencingFilterTest.class.getClassLoader(),
                new Class<?>[] {FilterConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getInitParameter" -> "required".equals(args[0]) ? required : null;
                    case "getFilterName" -> "fencing";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
