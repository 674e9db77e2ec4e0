package io.clustermode.cli;

import io.clustermode.cli.launch.ChildProcess;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code bin/cluster-mode demo} without a terminal (keys by line): it starts nodes, writes, and stops them all. */
class DemoIT {

    @Test
    void demo_starts_nodes_writes_a_key_and_stops_every_node_on_q() throws Exception {
        Process demo = ChildProcess.start(NodeProcesses.PROGRAM.processBuilder(List.of("demo", "--nodes", "3"))
                .redirectErrorStream(true)).process();
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = demo.getInputStream()) {
                in.transferTo(new OutputStream() {
                    @Override
                    public void write(int b) {
                        synchronized (screen) {
                            screen.write(b);
                        }
                    }
                });
            } catch (Exception ignored) {
                // the demo ended
            }
        });
        reader.start();
        try {
            // A node's role PRIMARY is printed bold (the column header is not).
            await().atMost(Duration.ofSeconds(60)).until(() -> text(screen).contains("\033[1mPRIMARY"));
            // The web view's address is printed, and a node serves the page there.
            java.util.regex.Matcher page = java.util.regex.Pattern.compile("web view: (?:\033\\[1m)?(http://[0-9.:]+/ui)")
                    .matcher(text(screen));
            assertThat(page.find()).as("the web view's address on the screen").isTrue();
            java.net.http.HttpResponse<String> html = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(page.group(1))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(html.statusCode()).isEqualTo(200);
            assertThat(html.body()).contains("<title>cluster-mode</title>");
            List<ProcessHandle> children = demo.toHandle().children().toList();
            assertThat(children).hasSize(3);
            OutputStream keys = demo.getOutputStream();
            keys.write("w\n".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> text(screen).contains("PUT /kv/key-1 via"));
            assertThat(text(screen)).contains("PUT /kv/key-1 via node").contains(": 200 {\"index\":");
            keys.write("q\n".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(demo.exitValue()).isZero();
            for (ProcessHandle child : children) {
                assertThat(child.isAlive()).as("node process " + child.pid()).isFalse();
            }
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }

    private static String text(ByteArrayOutputStream screen) {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }
}
