package io.clustermode.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Where and when the report was measured: CPU model, cores, memory (from {@code /proc}), kernel,
 * OS, JDK, date, the git commit (with a mark when the working tree had changes) and the load
 * average at the start.
 */
public record MachineInfo(String cpu, int cores, String memory, String kernel, String os, String jdk, String date,
                          String commit, String loadAverage) {

    /** Reads it all now; what cannot be read is {@code unknown}. */
    public static MachineInfo now(Path repository) {
        return new MachineInfo(cpuModel(), Runtime.getRuntime().availableProcessors(), totalMemory(),
                read("/proc/sys/kernel/osrelease"), osName(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
                commit(repository), currentLoadAverage());
    }

    /**
     * The sentence that opens a section measured by a run of its part alone: the command, date,
     * commit, machine and the load averages at the start (these) and at the end ({@code loadAtEnd}).
     */
    public String measured(String command, String loadAtEnd) {
        return "Measured by `" + command + "` on " + date + " at commit `" + commit + "`: " + cpu + ", " + cores
                + " cores, " + memory + ", Linux " + kernel + ", " + jdk + "; load average (1/5/15 min) at the start "
                + loadAverage + ", at the end " + loadAtEnd + ".";
    }

    /** The 1-, 5- and 15-minute load averages now. */
    public static String currentLoadAverage() {
        String[] f = read("/proc/loadavg").split(" ");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "unknown";
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            // unknown below
        }
        return "unknown";
    }

    private static String totalMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
                }
            }
        } catch (IOException e) {
            // unknown below
        }
        return "unknown";
    }

    private static String osName() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring(12).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // unknown below
        }
        return System.getProperty("os.name");
    }

    private static String commit(Path repository) {
        String head = git(repository, "rev-parse", "--short=12", "HEAD");
        if (head.isEmpty()) {
            return "unknown";
        }
        String changes = git(repository, "status", "--porcelain", "--untracked-files=no");
        return changes.isEmpty() ? head : head + " (with uncommitted changes)";
    }

    private static String git(Path repository, String... args) {
        try {
            List<String> command = new java.util.ArrayList<>(List.of("git", "-C", repository.toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
