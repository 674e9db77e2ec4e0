package io.clustermode.discovery.dns;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real dnsmasq for the tests, on a free loopback port, answering for the domain
 * {@value #DOMAIN} only: names from a hosts file (re-read on {@link #reload()}, SIGHUP) and
 * records from its command line options such as {@code --srv-host} and {@code --cname} (changed
 * by {@link #restart(List)}: SIGHUP does not re-read them). Other names get REFUSED, since it has
 * no upstream server.
 */
final class Dnsmasq implements AutoCloseable {

    static final String DOMAIN = "cm.test";
    /**
     * Not a dnsmasq option: leaves out {@code --local}, so that a question about the domain the
     * hosts file cannot answer (an AAAA of a name with A records only) goes to the upstream
     * servers, of which there are none: as a dnsmasq set up without {@code --local} answers it.
     */
    static final String NOT_LOCAL = "(not --local)";

    private final Path executable;
    private final Path hosts;
    private final Path log;
    private int port;
    private Process process;

    private Dnsmasq(Path executable, Path dir) throws IOException {
        this.executable = executable;
        // dnsmasq may read the hosts file as another user; let it
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        this.hosts = dir.resolve("hosts");
        this.log = dir.resolve("dnsmasq.log");
    }

    /** dnsmasq on the PATH, or in an sbin directory that a non-root PATH often lacks. */
    static Optional<Path> executable() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin"));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, "dnsmasq"))
                .filter(Files::isExecutable).findFirst();
    }

    /**
     * Starts dnsmasq with a hosts file ({@code address name} lines) and more options, such as
     * {@code --srv-host=...}.
     */
    static Dnsmasq start(Path executable, Path dir, String hosts, List<String> options) throws Exception {
        Dnsmasq dnsmasq = new Dnsmasq(executable, dir);
        dnsmasq.writeHosts(hosts);
        Exception last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            dnsmasq.port = freePort();
            try {
                dnsmasq.launch(options);
                return dnsmasq;
            } catch (Exception e) { // most likely the port was taken in between; try another
                last = e;
            }
        }
        throw last;
    }

    int port() {
        return port;
    }

    String server() {
        return "127.0.0.1:" + port;
    }

    /** Replaces the hosts file: lines of {@code address name}. Takes effect on {@link #reload()}. */
    void writeHosts(String content) throws IOException {
        Path tmp = hosts.resolveSibling("hosts.tmp");
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, hosts, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** SIGHUP: dnsmasq re-reads the hosts file (not its command line). */
    void reload() throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -HUP " + process.pid() + " failed");
        }
    }

    /** Stops dnsmasq and starts it again on the same port with other options. */
    void restart(List<String> options) throws Exception {
        stop();
        launch(options);
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void launch(List<String> options) throws Exception {
        List<String> command = new ArrayList<>(List.of(executable.toString(),
                "--no-daemon", // stays in the foreground and keeps our user: the hosts file stays readable
                "--conf-file=/dev/null", "--pid-file=",
                "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces",
                "--no-resolv", "--no-hosts", "--addn-hosts=" + hosts));
        if (!options.contains(NOT_LOCAL)) {
            command.add("--local=/" + DOMAIN + "/"); // unknown names of the domain: NXDOMAIN, not forwarded
        }
        options.stream().filter(option -> !option.equals(NOT_LOCAL)).forEach(command::add);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            Awaitility.await("dnsmasq answering on port " + port).atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("dnsmasq exited with " + process.exitValue() + ": "
                                    + logText());
                        }
                        return answers();
                    });
        } catch (ConditionTimeoutException e) {
            stop();
            throw new IllegalStateException("dnsmasq did not answer on port " + port + " within 20 s: " + logText(), e);
        }
    }

    /** Whether dnsmasq answers at all (NXDOMAIN counts). */
    private boolean answers() {
        try {
            SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            resolver.setTimeout(Duration.ofMillis(300));
            resolver.send(Message.newQuery(Record.newRecord(Name.fromString("probe." + DOMAIN + "."), Type.A, DClass.IN)));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** A port free for both UDP and TCP on loopback, right now. */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                int candidate = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                    return tcp.getLocalPort();
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free loopback port");
    }
}
