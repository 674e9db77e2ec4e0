package io.clustermode.fencing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server for a test class: Debian's {@code postgresql} binaries
 * ({@code /usr/lib/postgresql/<version>/bin}), a fresh {@code initdb} in a temporary directory,
 * a free TCP port on 127.0.0.1 and the unix socket in that directory. PostgreSQL refuses to run
 * as root, so when the tests are root the server runs as {@code nobody} (through
 * {@code setpriv}) and the directory is handed to that user. Durability is off (the data is
 * thrown away). Without the binaries the test is skipped, except on CI ({@code CI=true}), where
 * it fails: {@code .ci/run} installs them.
 */
final class PostgresServer implements AutoCloseable {

    private static final String UNPRIVILEGED = "nobody";

    private final Path dir;
    private final Path bin;
    private final Process server;
    private final int port;
    private final boolean root;

    private PostgresServer(Path dir, Path bin, Process server, int port, boolean root) {
        this.dir = dir;
        this.bin = bin;
        this.server = server;
        this.port = port;
        this.root = root;
    }

    static PostgresServer start() throws Exception {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("cluster-mode-pg");
        Path data = dir.resolve("data");
        if (root) {
            giveTo(dir);
        }
        run(root, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"), dir.resolve("initdb.log"));
        int port = freePort();
        Path log = dir.resolve("server.log");
        Process server = command(root, List.of(bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PostgresServer started = new PostgresServer(dir, bin, server, port, root);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection ignored = started.connect()) {
                return started;
            } catch (SQLException notYet) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    started.close();
                    throw new IllegalStateException("PostgreSQL did not start (" + (server.isAlive() ? "no answer in 60 s"
                            : "exit " + server.exitValue()) + "): " + Files.readString(log, StandardCharsets.UTF_8),
                            notYet);
                }
                Thread.sleep(100);
            }
        }
    }

    /** A new connection to database {@code postgres} as {@code postgres}. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "");
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    @Override
    public void close() throws Exception {
        // fast shutdown: SIGINT to the postmaster (it is the process itself: setpriv execs)
        new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).start().waitFor();
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        Path found = null;
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                found = versions.map(version -> version.resolve("bin"))
                        .filter(bin -> Files.isExecutable(bin.resolve("initdb")))
                        .max(Comparator.comparingInt(PostgresServer::major)).orElse(null);
            }
        }
        if (found == null) {
            String message = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(message + " (.ci/run installs it)");
            }
            Assumptions.abort(message);
        }
        return found;
    }

    private static int major(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException notAVersion) {
            return -1;
        }
    }

    private static void giveTo(Path dir) throws IOException {
        UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName(UNPRIVILEGED);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName("nogroup");
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        view.setOwner(user);
        view.setGroup(group);
    }

    private static ProcessBuilder command(boolean root, List<String> command) {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("setpriv", "--reuid=" + UNPRIVILEGED, "--regid=nogroup", "--clear-groups", "--"));
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full);
        builder.environment().put("LC_ALL", "C");
        return builder;
    }

    private static void run(boolean root, List<String> command, Path log) throws Exception {
        Process process = command(root, command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(command.get(0) + " failed: " + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }
}
