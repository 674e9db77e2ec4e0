package io.clustermode.cli;

import io.clustermode.cli.http.Json;
import io.clustermode.cli.http.SseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The web view ({@code GET /ui}) in a real headless browser — Debian's {@code chromium} driven
 * through its {@code chromedriver} — against three node processes that ask for an HTTP token:
 * the page asks for the token and then shows the primary; after {@code kill -9} of the primary
 * (the very node that served the page) it shows the new primary without a reload, reading from
 * another member; a hand-over shows as one; a 20-member view renders; text and badges keep their
 * contrast (light and dark), the members' links and the timeline are reached with the keyboard,
 * and the page fits a phone's width.
 * Times are printed; the bounds asserted are generous, for a busy machine.
 *
 * <p>Without the browser it is skipped, unless {@code CI=true}: then it fails ({@code .ci/run}
 * installs both packages).
 */
class WebViewIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "web-view-test-token";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private NodeProcesses nodes;
    private ChromeDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    private static void requireBrowser() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing: apt-get install -y chromium"
                    + " chromium-driver (.ci/run does this as root)");
        }
        assumeTrue(present, "chromium and chromium-driver are not installed (apt-get install -y chromium"
                + " chromium-driver): the browser test is skipped");
    }

    private ChromeDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,900", "--disable-extensions", "--no-first-run");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private String text(String id) {
        return (String) js("var e = document.getElementById(arguments[0]); return e ? e.textContent : null;", id);
    }

    private ClusterInfo info(NodeProcesses.Node node) throws Exception {
        return ClusterInfo.fetch(nodes.client, URI.create("http://" + node.http()), Duration.ofSeconds(5),
                "Bearer " + TOKEN).get();
    }

    private HttpResponse<String> get(NodeProcesses.Node node, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + node.http() + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return nodes.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void the_page_follows_the_primary_through_a_kill_and_draws_twenty_members() throws Exception {
        requireBrowser();
        nodes = new NodeProcesses(dir);
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        List<NodeProcesses.Node> cluster = new ArrayList<>();
        for (String name : List.of("w1", "w2", "w3")) {
            cluster.add(new NodeProcesses.Node(name));
        }
        String seeds = String.join(",", cluster.stream().map(NodeProcesses.Node::address).toList());
        for (NodeProcesses.Node node : cluster) {
            // The defaults of CONTRACT.md: heartbeat 100 ms, election timeout 1000 ms.
            node.process = nodes.start(node.name, List.of("node", "--node-id", node.name, "--bind", node.address(),
                    "--http", node.http(), "--seeds", seeds, "--http-token-file", tokenFile.toString()));
        }
        // Every member has announced where it serves HTTP: the page can go to any of them.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            ClusterInfo info = info(cluster.get(0));
            return info.leaderId() != null && info.voterCount() == 3
                    && info.members().stream().allMatch(m -> m.http() != null);
        });
        String primaryId = info(cluster.get(0)).leaderId();
        NodeProcesses.Node primary = cluster.stream().filter(n -> n.name.equals(primaryId)).findFirst().orElseThrow();
        NodeProcesses.Node secondary = cluster.stream().filter(n -> n != primary).findFirst().orElseThrow();

        checkHttp(primary, secondary);

        browser = browser();
        // Without the token the page asks for it; typed in and sent with Enter, the page goes live.
        browser.get("http://" + primary.http() + "/ui");
        await().atMost(WAIT).until(() -> browser.findElement(By.id("auth")).isDisplayed());
        WebElement field = browser.findElement(By.id("token"));
        assertThat(browser.switchTo().activeElement()).as("the token field has the focus").isEqualTo(field);
        field.sendKeys(TOKEN, Keys.ENTER);
        await().atMost(WAIT).until(() -> primaryId.equals(text("primary"))
                && browser.findElements(By.cssSelector("#members tr")).size() == 3);
        assertThat(browser.findElement(By.cssSelector("#members tr[data-node='" + primaryId + "']"))
                .getAttribute("data-role")).isEqualTo("PRIMARY");
        // Replication figures arrive (once a second) and draw a lag for each member.
        await().atMost(WAIT).until(() -> browser.findElements(By.cssSelector("#members .bar[role=img]")).size() == 3);
        assertThat(text("budget")).isEqualTo("2200 ms");
        // The timeline starts with what the node kept: the members joining and becoming voters.
        String timeline = text("timeline");
        assertThat(timeline).contains("w1 joined", "became a voter", "election: " + primaryId + " is primary");

        checkContrastKeyboardAndPhone();
        browser.manage().window().setSize(new Dimension(1200, 900));

        // kill -9 of the primary, which also served the page: it must find another member itself.
        long killed = System.nanoTime();
        primary.process.kill9();
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
                String shown = text("primary");
                return shown != null && !shown.equals(primaryId) && !shown.equals("none");
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the page did not show a new primary; it shows " + text("primary") + ", says '"
                    + text("conn") + "', reads from " + js("return window.clusterView.source();") + "; the nodes say "
                    + info(secondary).leaderId(), e);
        }
        long millis = (System.nanoTime() - killed) / 1_000_000;
        String newPrimary = text("primary");
        String source = (String) js("return window.clusterView.source();");
        System.out.printf("web view: after kill -9 of the primary %s (which served the page) the page showed the"
                + " new primary %s after %d ms, reading from %s (election timeout 1000 ms)%n", primaryId, newPrimary,
                millis, source);
        assertThat(millis).as("time until the page showed the new primary").isLessThan(15_000);
        assertThat(source).isNotEqualTo(primary.http());
        assertThat(List.of("w1", "w2", "w3")).contains(newPrimary);
        await().atMost(WAIT).until(() -> "PRIMARY".equals(js("var r = document.querySelector(\"#members"
                + " tr[data-node='\" + arguments[0] + \"']\"); return r && r.dataset.role;", newPrimary)));
        // The timeline tells the election and its cause; the dead member is shown as silent.
        await().atMost(WAIT).until(() -> Boolean.TRUE.equals(js("var want = arguments[0]; return Array.from("
                + "document.querySelectorAll('#timeline li')).some(function (li) { return li.textContent.indexOf(want)"
                + " >= 0 && li.textContent.indexOf('cause: ') >= 0; });", "election: " + newPrimary + " is primary")));
        await().atMost(WAIT).until(() -> !browser.findElements(By.cssSelector("#members tr[data-node='" + primaryId
                + "'][data-silent=true]")).isEmpty());

        // Writes after the kill: the dead member falls behind, and its bar shows it.
        NodeProcesses.Node writeTo = cluster.stream().filter(n -> n.name.equals(newPrimary)).findFirst().orElseThrow();
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> put = nodes.client.send(HttpRequest.newBuilder(URI.create("http://" + writeTo.http()
                    + "/kv/k" + i)).header("Authorization", "Bearer " + TOKEN)
                    .PUT(HttpRequest.BodyPublishers.ofString("v" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        }
        await().atMost(WAIT).until(() -> {
            List<WebElement> bars = browser.findElements(By.cssSelector("#members tr[data-node='" + primaryId
                    + "'] .bar[role=img]"));
            return !bars.isEmpty() && !"lag 0 entries".equals(bars.get(0).getAttribute("aria-label"));
        });
        browser.manage().window().setSize(new Dimension(1000, 700));
        js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);");
        saveScreenshot();

        // A hand-over is told as one, and the page follows it.
        String successor = cluster.stream().filter(n -> n != primary && !n.name.equals(newPrimary)).findFirst()
                .orElseThrow().name;
        HttpResponse<String> transfer = nodes.client.send(HttpRequest.newBuilder(URI.create("http://" + writeTo.http()
                + "/cluster/transfer-leadership?to=" + successor)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(transfer.statusCode()).as(transfer.body()).isEqualTo(200);
        await().atMost(WAIT).until(() -> successor.equals(text("primary")));
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Boolean.TRUE.equals(js("var want = arguments[0];"
                    + " return Array.from(document.querySelectorAll('#timeline li[data-type=primary]')).some("
                    + "function (li) { return li.textContent.indexOf(want) >= 0; });",
                    "hand-over: " + successor + " is primary")));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no hand-over in the timeline: " + js("return Array.from(document.querySelectorAll("
                    + "'#timeline li')).map(function (li) { return li.textContent; }).join('\\n');"), e);
        }

        renderTwentyMembers();
    }

    /** The HTTP side of the view on real nodes: the page, the progress a secondary relays, CORS, errors. */
    private void checkHttp(NodeProcesses.Node primary, NodeProcesses.Node secondary) throws Exception {
        HttpResponse<String> page = get(secondary, "/ui");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString().contains("default-src 'none'");
        int size = page.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        System.out.printf("web view: the page is %,d bytes (one file: HTML, style and script)%n", size);
        assertThat(size).isLessThan(100 * 1024);
        assertThat(page.body()).doesNotContain("src=\"http", "href=\"http"); // nothing from elsewhere

        String auth = "Bearer " + TOKEN;
        HttpResponse<String> post = nodes.client.send(HttpRequest.newBuilder(
                URI.create("http://" + secondary.http() + "/cluster/events")).header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.body()).startsWith("{\"error\":");
        assertThat(get(secondary, ClusterEvents.PROGRESS_PATH).statusCode()).isEqualTo(401);
        HttpResponse<String> progress = get(secondary, ClusterEvents.PROGRESS_PATH, "Authorization", auth);
        assertThat(progress.statusCode()).as(progress.body()).isEqualTo(200);
        assertThat(progress.headers().firstValue("X-Cluster-Mode-Served-By")).hasValue(primary.name);
        assertThat((List<?>) Json.read(progress.body(), Map.class).get("members")).hasSize(3);

        // A secondary's stream: the status, then the primary's figures relayed once a second.
        // A page served by a member may read it (CORS); one served by anyone else may not.
        try (SseClient stream = SseClient.open(nodes.client, URI.create("http://" + secondary.http()
                + "/cluster/events?access_token=" + TOKEN), "Origin", "http://" + primary.http())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Access-Control-Allow-Origin")).isEqualTo("http://" + primary.http());
            assertThat(stream.next(Duration.ofSeconds(10)).type()).isEqualTo("status");
            SseClient.Event relayed = stream.next("progress", Duration.ofSeconds(10));
            assertThat(relayed).isNotNull();
            assertThat(Json.read(relayed.data(), Map.class)).containsEntry("relayedBy", secondary.name)
                    .containsEntry("primary", primary.name);
        }
        // While a stream is open the node counts it.
        try (SseClient counted = SseClient.open(nodes.client, URI.create("http://" + secondary.http()
                + "/cluster/events"), "Authorization", auth)) {
            assertThat(counted.next(Duration.ofSeconds(10)).type()).isEqualTo("status");
            assertThat(get(secondary, "/metrics", "Authorization", auth).body())
                    .containsPattern("(?m)^cluster_mode_http_event_streams [1-9]");
        }
        try (SseClient stranger = SseClient.open(nodes.client, URI.create("http://" + secondary.http()
                + "/cluster/events?access_token=" + TOKEN), "Origin", "http://evil.example:80")) {
            assertThat(stranger.header("Access-Control-Allow-Origin")).isNull();
        }
    }

    /** WCAG contrast of text and badges, keyboard reach, and a phone's width without sideways scrolling. */
    private void checkContrastKeyboardAndPhone() {
        for (String scheme : List.of("light", "dark")) {
            browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
                    List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
            @SuppressWarnings("unchecked")
            Map<String, Object> ratios = (Map<String, Object>) js(CONTRAST);
            System.out.println("web view: contrast ratios, " + scheme + " scheme: " + ratios);
            assertThat(ratios).hasSize(8);
            ratios.forEach((what, ratio) -> assertThat(((Number) ratio).doubleValue()).as(scheme + ": " + what)
                    .isGreaterThanOrEqualTo(4.5));
        }
        browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));

        js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);");
        List<String> reached = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            new Actions(browser).sendKeys(Keys.TAB).perform();
            reached.add((String) js("var e = document.activeElement; return e.tagName + (e.id ? '#' + e.id : '')"
                    + " + (e.closest('#members') ? ' in members' : '');"));
        }
        assertThat(reached).as("what Tab reaches").contains("A in members", "OL#timeline");

        browser.manage().window().setSize(new Dimension(390, 844));
        await().atMost(Duration.ofSeconds(10)).until(() -> ((Number) js("return window.innerWidth;")).intValue() < 500);
        Number overflow = (Number) js("return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(overflow.intValue()).as("sideways scrolling on a phone's width").isLessThanOrEqualTo(0);
    }

    /** Computes WCAG 2 contrast ratios in the page, for text on its background and the primary's badge. */
    private static final String CONTRAST = String.join("\n",
            "function rgb(c){var m=c.match(/[\\d.]+/g).map(Number);return m.slice(0,3);}",
            "function lum(c){var v=rgb(c).map(function(x){x/=255;return x<=0.03928?x/12.92:Math.pow((x+0.055)/1.055,2.4);});",
            "  return 0.2126*v[0]+0.7152*v[1]+0.0722*v[2];}",
            "function bg(e){while(e){var b=getComputedStyle(e).backgroundColor;if(b&&!/rgba\\(0, 0, 0, 0\\)|transparent/.test(b)){return b;}e=e.parentElement;}return 'rgb(255,255,255)';}",
            "function ratio(e){var a=lum(getComputedStyle(e).color),b=lum(bg(e));return (Math.max(a,b)+0.05)/(Math.min(a,b)+0.05);}",
            "var out={};",
            "[['body text','#primary'],['muted text','#progress-note'],['table header','th'],['primary badge','.badge.PRIMARY'],",
            " ['secondary badge','.badge.SECONDARY'],['timeline time','#timeline time'],['link','#members a'],['connection','#conn']]",
            ".forEach(function(p){var e=document.querySelector(p[1]);if(e){out[p[0]]=Math.round(ratio(e)*100)/100;}});",
            "return out;");

    private void saveScreenshot() throws Exception {
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "web-view.png");
        Files.copy(shot.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println("web view: screenshot in " + target.toAbsolutePath() + " (docs/web-view.png is one)");
    }

    /** A synthetic 20-member cluster, drawn by the page's own code; the time measured in the browser. */
    private void renderTwentyMembers() {
        Number millis = (Number) js(String.join("\n",
                "window.clusterView.stop();",
                "var members = [], progress = [];",
                "for (var i = 1; i <= 20; i++) {",
                "  var id = 'node-' + (i < 10 ? '0' : '') + i;",
                "  members.push({nodeId: id, address: '10.0.0.' + i + ':7600', voter: i <= 5,",
                "    role: i === 1 ? 'PRIMARY' : 'SECONDARY', http: '10.0.0.' + i + ':8600', joinedBy: i === 1 ? 'bootstrap' : 'discovery'});",
                "  progress.push({nodeId: id, matchIndex: 5000 - i * 37, lag: i * 37});",
                "}",
                "var recent = [];",
                "for (var j = 0; j < 60; j++) { recent.push({id: 'x-' + j, type: 'membership', data: {at: Date.now(),",
                "  joined: ['node-' + j], left: [], promoted: [], demoted: [], members: members}}); }",
                "var state = {nodeId: 'node-01', clusterName: 'twenty', role: 'PRIMARY', term: 9, leaderId: 'node-01',",
                "  commitIndex: 5000, appliedIndex: 5000, members: members, leaderHttp: '10.0.0.1:8600', failoverBudgetMs: 2200,",
                "  electionTimeoutMs: 1000, heartbeatIntervalMs: 100};",
                "var t0 = performance.now();",
                "window.clusterView.apply('status', {state: state, recent: recent});",
                "window.clusterView.apply('progress', {at: Date.now(), primary: 'node-01', term: 9, lastIndex: 5000,",
                "  commitIndex: 5000, members: progress});",
                "document.body.offsetHeight;", // the layout, too
                "return performance.now() - t0;"));
        int rows = browser.findElements(By.cssSelector("#members tr")).size();
        System.out.printf("web view: a 20-member view (and 60 timeline events) rendered in %.1f ms in the browser%n",
                millis.doubleValue());
        assertThat(rows).isEqualTo(20);
        assertThat(browser.findElements(By.cssSelector("#members .bar[role=img]"))).hasSize(20);
        assertThat(millis.doubleValue()).as("render time of 20 members, ms").isLessThan(1000);
    }
}
