package io.clustermode.fencing;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The server side of HTTP fencing: a servlet {@link Filter} that reads
 * {@code Cluster-Fencing-Token: <group>/<token>} (see {@link FencingToken}), raises the largest
 * token its {@link TokenStore} keeps for the group, and refuses a request whose token is older:
 *
 * <ul>
 *   <li><b>409 Conflict</b> for a stale token, with a JSON body
 *       {@code {"error":"fenced out","reason":"...","group":"g","token":5,"current":6}};</li>
 *   <li><b>400 Bad Request</b> for a malformed header, and for a missing one when the filter
 *       requires it ({@code {"error":"bad fencing token","reason":"..."}}); a filter that does not
 *       require it passes requests without the header (for a resource that also has unfenced
 *       clients);</li>
 *   <li><b>503 Service Unavailable</b> when the store fails: the token cannot be checked.</li>
 * </ul>
 * An accepted request goes on down the chain with its {@link FencingToken} in the request
 * attribute {@value #ATTRIBUTE}.
 *
 * <p>The check happens when the request arrives. A request accepted just before a newer token
 * arrives may still be running when the newer one is accepted; a resource that must exclude
 * that too checks the token again where it commits (for a database, {@link JdbcFence#check}).
 *
 * <p>In a servlet container, declared by class name, it uses an {@link InMemoryTokenStore} and
 * reads the init parameter {@code required} ({@code true} by default). In Spring Boot, register
 * it as a bean (or through a {@code FilterRegistrationBean}) with the store of your choice:
 * <pre>{@code
 * @Bean FencingFilter fencing() throws IOException {
 *     return new FencingFilter(new FileTokenStore(Path.of("/var/lib/app/fencing-tokens")), true);
 * }
 * }</pre>
 * Safe for concurrent requests.
 */
public final class FencingFilter implements Filter {

    /** The request attribute that holds an accepted request's {@link FencingToken}. */
    public static final String ATTRIBUTE = "io.clustermode.fencing.token";

    private static final Logger LOG = LoggerFactory.getLogger(FencingFilter.class);

    private final TokenStore store;
    private volatile boolean required;
    /** The last store failure logged, so that a broken store is logged once, not per request. */
    private final ConcurrentMap<String, Boolean> loggedFailures = new ConcurrentHashMap<>();

    /** A filter with an in-memory store that requires the header (its {@code required} init parameter may change that). */
    public FencingFilter() {
        this(new InMemoryTokenStore(), true);
    }

    /**
     * @param store    where the largest token per group is kept
     * @param required whether a request without the header is refused (400) rather than passed
     */
    public FencingFilter(TokenStore store, boolean required) {
        this.store = Objects.requireNonNull(store, "store");
        this.required = required;
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        String value = config.getInitParameter("required");
        if (value != null) {
            if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                throw new ServletException("FencingFilter init parameter 'required' must be true or false, was '"
                        + value + "'");
            }
            required = Boolean.parseBoolean(value);
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse answer)) {
            chain.doFilter(request, response);
            return;
        }
        String header = http.getHeader(FencingToken.HEADER);
        if (header == null) {
            if (required) {
                refuse(answer, HttpServletResponse.SC_BAD_REQUEST, "{\"error\":\"bad fencing token\",\"reason\":"
                        + json("this resource requires a " + FencingToken.HEADER + " header: <group>/<token>") + "}");
            } else {
                chain.doFilter(request, response);
            }
            return;
        }
        FencingToken token;
        try {
            token = FencingToken.parse(header);
        } catch (IllegalArgumentException malformed) {
            refuse(answer, HttpServletResponse.SC_BAD_REQUEST,
                    "{\"error\":\"bad fencing token\",\"reason\":" + json(malformed.getMessage()) + "}");
            return;
        }
        long current;
        try {
            current = store.raise(token.group(), token.token());
            loggedFailures.clear();
        } catch (IOException e) {
            if (loggedFailures.size() > 64) {
                loggedFailures.clear(); // bounded: a store failing with ever-new messages logs them again now and then
            }
            if (loggedFailures.putIfAbsent(String.valueOf(e.getMessage()), Boolean.TRUE) == null) {
                LOG.warn("fencing filter: cannot check tokens of group {}, answering 503 until the store works: {}",
                        token.group(), e.getMessage());
            }
            refuse(answer, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "{\"error\":\"fencing unavailable\","
                    + "\"reason\":" + json("the token store failed: " + e.getMessage()) + "}");
            return;
        }
        if (current > token.token()) {
            LOG.debug("fencing filter: refused {} {} with stale token {} (current {})", http.getMethod(),
                    http.getRequestURI(), token, current);
            refuse(answer, HttpServletResponse.SC_CONFLICT, "{\"error\":\"fenced out\",\"reason\":"
                    + json("token " + token.token() + " of group " + token.group() + " is older than " + current
                    + ", already seen: another primary took over")
                    + ",\"group\":" + json(token.group()) + ",\"token\":" + token.token() + ",\"current\":" + current
                    + "}");
            return;
        }
        request.setAttribute(ATTRIBUTE, token);
        chain.doFilter(request, response);
    }

    private static void refuse(HttpServletResponse response, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
        response.flushBuffer();
    }

    /** A JSON string literal. */
    static String json(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
