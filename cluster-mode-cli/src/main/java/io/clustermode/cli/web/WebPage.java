package io.clustermode.cli.web;

import io.clustermode.cli.http.ApiAnswer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web view, {@code GET /ui}: one HTML page with its script and style inline (the classpath
 * resource {@code ui.html} beside this class), no build step and nothing fetched from elsewhere.
 * The page reads {@code GET /cluster/events} and draws the cluster from it.
 */
public final class WebPage {

    /** The page's bytes, read once. */
    private static final byte[] PAGE = load();
    /**
     * Inline script and style only, nothing loaded from elsewhere; the page may read the events of
     * other members (following the primary when its own node is gone), so any http(s) source
     * may be connected to.
     */
    private static final String POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
            + " connect-src 'self' http: https:; img-src data:; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    private WebPage() {
    }

    /** The page's size in bytes. */
    public static int size() {
        return PAGE.length;
    }

    /** The answer to {@code GET /ui}. */
    public static ApiAnswer answer() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Security-Policy", POLICY);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("Cache-Control", "no-cache");
        return new ApiAnswer(200, "text/html; charset=utf-8", PAGE, headers);
    }

    private static byte[] load() {
        try (InputStream in = WebPage.class.getResourceAsStream("ui.html")) {
            if (in == null) {
                throw new IllegalStateException("the web view's page (io/clustermode/cli/web/ui.html) is not on the"
                        + " class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
