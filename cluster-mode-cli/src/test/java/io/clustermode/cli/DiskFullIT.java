package io.clustermode.cli;

import io.clustermode.cli.http.Json;
import io.clustermode.cli.launch.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A primary whose data dir fills up (a real file system, a small tmpfs) cannot go on: it logs
 * one line naming the cause, stops being a member, closes its ports and exits with code 3; the
 * others elect a new primary, and no acknowledged write is lost. Needs root (to mount); skipped
 * otherwise.
 */
class DiskFullIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private NodeProcesses nodes;
    private Path mount;

    @AfterEach
    void stop(org.junit.jupiter.api.TestInfo info) throws Exception {
        if (nodes != null && Boolean.getBoolean("cluster-mode.test.logs")) {
            for (String name : List.of("d1", "d2", "d3")) {
                System.out.println("=== " + name + "\n" + nodes.stderr(name));
            }
        }
        if (nodes != null) {
            nodes.close();
        }
        if (mount != null) {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private boolean mountTmpfs(Path at, String size) throws Exception {
        Files.createDirectories(at);
        Process process = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", at.toString())
                .redirectErrorStream(true).start();
        return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    @Test
    void when_the_primarys_disk_fills_then_it_exits_3_another_node_takes_over_and_no_acknowledged_write_is_lost()
            throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        mount = dir.resolve("small");
        Assumptions.assumeTrue(mountTmpfs(mount, "12m"), "cannot mount a tmpfs here");
        nodes = new NodeProcesses(dir);
        List<String> names = List.of("d1", "d2", "d3");
        List<String> http = new ArrayList<>();
        List<Integer> transports = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            transports.add(NodeProcesses.freePort());
            http.add("127.0.0.1:" + NodeProcesses.freePort());
        }
        String seeds = String.join(",", transports.stream().map(p -> "127.0.0.1:" + p).toList());
        List<ChildProcess> processes = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            // d1's data dir is on the small file system; the others have room.
            Path data = i == 0 ? mount.resolve("d1") : dir.resolve(names.get(i));
            processes.add(nodes.start(names.get(i), List.of("node", "--node-id", names.get(i),
                    "--bind", "127.0.0.1:" + transports.get(i), "--http", http.get(i), "--seeds", seeds,
                    "--data-dir", data.toString(), "--heartbeat-interval", "50", "--election-timeout", "400",
                    "--update-interval", "200", "--request-timeout", "3000")));
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            ClusterInfo info = nodes.info(http.get(1));
            return info.leaderId() != null && info.voterCount() == 3;
        });
        // Make d1 the primary.
        await().atMost(WAIT).ignoreExceptions().until(() -> "d1".equals(nodes.info(http.get(1)).leaderId())
                || nodes.send("POST", http.get(1), "/cluster/transfer-leadership?to=d1", null).statusCode() == 200);

        String value = "x".repeat(256 * 1024);
        List<String> acknowledged = new ArrayList<>();
        int failures = 0;
        for (int i = 0; i < 400 && processes.get(0).isAlive(); i++) {
            try {
                HttpResponse<String> answer = nodes.send("PUT", http.get(0), "/kv/k" + i,
                        value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (answer.statusCode() == 200) {
                    acknowledged.add("k" + i);
                } else {
                    failures++;
                }
            } catch (java.io.IOException gone) {
                failures++; // d1 closed its port: it left
            }
        }
        assertThat(failures).as("writes refused or cut off once the disk was full").isPositive();
        assertThat(acknowledged).as("writes acknowledged before the disk filled").isNotEmpty();
        assertThat(processes.get(0).awaitExit(Duration.ofSeconds(20))).as("d1 ended with exit code 3").hasValue(3);
        String log = nodes.stderr("d1");
        assertThat(log).contains("d1 stops at term").contains("its storage failed")
                .containsIgnoringCase("no space left on device");
        assertThat(log.lines().filter(line -> line.contains("ERROR")).count()).as("one line names the cause: " + log.lines().filter(line -> line.contains("ERROR")).toList())
                .isEqualTo(1);
        // Another primary, and everything acknowledged is there.
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            String leader = nodes.info(http.get(1)).leaderId();
            return leader != null && !"d1".equals(leader);
        });
        for (String key : acknowledged) {
            HttpResponse<String> read = nodes.get(http.get(1), "/kv/" + key);
            assertThat(read.statusCode()).as(key).isEqualTo(200);
            assertThat(read.body()).hasSize(value.length());
        }
        assertThat(Json.read(nodes.put(http.get(2), "after", "yes").body(), Map.class)).containsKey("index");
    }
}
