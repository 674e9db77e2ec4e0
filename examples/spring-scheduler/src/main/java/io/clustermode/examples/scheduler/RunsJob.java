package io.clustermode.examples.scheduler;

import io.clustermode.Cluster;
import io.clustermode.spring.ClusterFencing;
import io.clustermode.spring.PrimaryOnly;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The example's job: every 100 ms, on the primary only, one line {@code <fencing token> <node id>
 * <epoch milliseconds>} appended to {@code example.runs-file}. Every instance appends to the same
 * file; each line is one write of an append-only file, so lines of different processes never mix.
 * The file shows who ran the job when: tokens never go back, and each token belongs to one node.
 */
@Component
public class RunsJob {

    private final ClusterFencing fencing;
    private final String nodeId;
    private final Path runsFile;

    /**
     * @param fencing  the fencing token of the run
     * @param cluster  this node's cluster, for its id
     * @param runsFile where runs are written ({@code example.runs-file})
     */
    public RunsJob(ClusterFencing fencing, Cluster<?, ?> cluster,
                   @Value("${example.runs-file:spring-scheduler-runs.txt}") Path runsFile) {
        this.fencing = fencing;
        this.nodeId = cluster.id().value();
        this.runsFile = runsFile;
    }

    /**
     * One run: one line. Interrupted (and its write left undone) when this node stops being primary.
     * A fixed rate, so it also runs once at once when this node is granted primacy
     * ({@link PrimaryOnly#onGrant()}'s default): after a hand-over the job goes on without waiting for
     * its next tick.
     */
    @Scheduled(fixedRate = 100)
    @PrimaryOnly
    public void run() throws IOException {
        long token = fencing.currentToken().orElseThrow();
        byte[] line = (token + " " + nodeId + " " + System.currentTimeMillis() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        try (FileChannel file = FileChannel.open(runsFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            file.write(ByteBuffer.wrap(line));
        }
    }
}
