package io.damselfly.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** What a result was measured on, for the results header: hardware, OS, JDK, tool versions, commit. */
final class Machine {
    private Machine() {}

    /** "2 cores, Intel(R) Xeon(R) ..., 23.5 GiB RAM". */
    static String hardware() {
        int cores = Runtime.getRuntime().availableProcessors();
        String cpu = procField("/proc/cpuinfo", "model name");
        String memKb = procField("/proc/meminfo", "MemTotal");
        String ram = "unknown RAM";
        if (memKb != null) {
            long kb = Long.parseLong(memKb.replaceAll("[^0-9]", ""));
            ram = String.format(Locale.ROOT, "%.1f GiB RAM", kb / 1024.0 / 1024.0);
        }
        return cores + " cores, " + (cpu == null ? "unknown CPU" : cpu) + ", " + ram;
    }

    /** "Debian GNU/Linux 12 (bookworm), Linux 6.1.0-... x86_64". */
    static String os() {
        String pretty = null;
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    pretty = line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // not Linux, or no os-release
        }
        String kernel = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        return pretty == null ? kernel : pretty + ", " + kernel;
    }

    /** The JDK that runs the runner and damselfly. */
    static String jdk() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vendor") + ")";
    }

    /** "7.0.15 (jemalloc-5.3.0)" from {@code redis-server --version}. */
    static String redisServerVersion(String redisServer) {
        String v = firstLine(List.of(redisServer, "--version"));
        if (v == null) {
            return "unknown";
        }
        String version = token(v, "v=");
        String malloc = token(v, "malloc=");
        return version == null ? v : version + (malloc == null ? "" : " (" + malloc + ")");
    }

    /** "redis-benchmark 7.0.15". */
    static String redisBenchmarkVersion(String redisBenchmark) {
        String v = firstLine(List.of(redisBenchmark, "--version"));
        return v == null ? "unknown" : v.trim();
    }

    /** The short commit of the working tree, with "-dirty" when tracked files have changed; null outside git. */
    static String commit() {
        String head = firstLine(List.of("git", "rev-parse", "--short", "HEAD"));
        if (head == null || head.isBlank()) {
            return null;
        }
        String status = firstLine(List.of("git", "status", "--porcelain", "--untracked-files=no"));
        return head.trim() + (status != null && !status.isBlank() ? "-dirty" : "");
    }

    private static String token(String line, String prefix) {
        for (String t : line.split("\\s+")) {
            if (t.startsWith(prefix)) {
                return t.substring(prefix.length());
            }
        }
        return null;
    }

    private static String procField(String file, String name) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** The first line a short command prints, or null when it cannot run. */
    static String firstLine(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            String s = new String(out, StandardCharsets.UTF_8);
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
