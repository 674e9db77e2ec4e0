package io.clustermode.storage;

import io.clustermode.NodeId;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Which cluster and node a data directory belongs to, and in which storage format: a small
 * properties file, readable by people, written once and atomically.
 *
 * @param format    the storage format version
 * @param cluster   the cluster's name
 * @param node      the node's id
 * @param clusterId the id the cluster chose at bootstrap, once this node knows it; empty before
 */
record DataDirIdentity(int format, String cluster, NodeId node, String clusterId) {

    static final String FILE = "identity.properties";
    /** The storage format this code reads and writes. */
    static final int FORMAT = 1;

    /** The identity stored in {@code dir}; empty when there is none. */
    static Optional<DataDirIdentity> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | IllegalArgumentException e) {
            throw new StorageCorruptedException("corrupt identity file " + file + ": " + e.getMessage());
        }
        String format = properties.getProperty("format");
        String cluster = properties.getProperty("cluster");
        String node = properties.getProperty("node");
        if (format == null || cluster == null || node == null) {
            throw new StorageCorruptedException("corrupt identity file " + file + ": needs format, cluster and node");
        }
        if (!format.equals(Integer.toString(FORMAT))) {
            throw new StorageCorruptedException("data dir " + dir + " has storage format '" + format
                    + "', this version reads format " + FORMAT);
        }
        try {
            String clusterId = properties.getProperty("clusterId", "");
            io.clustermode.codec.Handshake.checkClusterId(clusterId);
            return Optional.of(new DataDirIdentity(FORMAT, cluster, new NodeId(node), clusterId));
        } catch (IllegalArgumentException e) {
            throw new StorageCorruptedException("corrupt identity file " + file + ": " + e.getMessage());
        }
    }

    /**
     * Checks that {@code dir} belongs to {@code cluster} and {@code node}; claims it for them
     * when it has no identity and no storage files yet.
     *
     * @throws StorageCorruptedException when it belongs to another cluster or node, or holds
     *                                   storage files without an identity
     */
    static void verifyOrClaim(Path dir, String cluster, NodeId node) throws IOException {
        Optional<DataDirIdentity> stored = read(dir);
        if (stored.isPresent()) {
            DataDirIdentity found = stored.get();
            if (!found.cluster.equals(cluster) || !found.node.equals(node)) {
                throw new StorageCorruptedException("data dir " + dir + " belongs to cluster '" + found.cluster
                        + "' node '" + found.node + "', not to cluster '" + cluster + "' node '" + node + "'");
            }
            return;
        }
        String stray = storageFile(dir);
        if (stray != null) {
            throw new StorageCorruptedException("data dir " + dir + " holds storage file " + stray + " but no " + FILE
                    + ": refusing to adopt it as cluster '" + cluster + "' node '" + node + "'");
        }
        new DataDirIdentity(FORMAT, cluster, node, "").write(dir);
    }

    /**
     * Records the cluster id in {@code dir}'s identity, durably; once known it never changes.
     *
     * @throws IllegalStateException when another id is recorded there already
     */
    static void recordClusterId(Path dir, String clusterId) throws IOException {
        DataDirIdentity found = read(dir).orElseThrow(() -> new StorageCorruptedException("data dir " + dir
                + " lost its " + FILE));
        if (found.clusterId.equals(clusterId)) {
            return;
        }
        if (!found.clusterId.isEmpty()) {
            throw new IllegalStateException("data dir " + dir + " belongs to cluster id " + found.clusterId
                    + ", not " + clusterId);
        }
        new DataDirIdentity(FORMAT, found.cluster, found.node, clusterId).write(dir);
    }

    private void write(Path dir) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("format", Integer.toString(format));
        properties.setProperty("cluster", cluster);
        properties.setProperty("node", node.value());
        if (!clusterId.isEmpty()) {
            properties.setProperty("clusterId", clusterId);
        }
        StringWriter text = new StringWriter();
        properties.store(text, "cluster-mode data directory: the cluster and node it belongs to. Do not edit.");
        DurableFiles.writeAtomically(dir, FILE, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static String storageFile(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.equals(HardStateFile.NAME) || name.equals(SnapshotFile.NAME) || name.endsWith(Segment.SUFFIX)) {
                    return name;
                }
            }
        }
        return null;
    }
}
