package io.damselfly.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code redis-benchmark --csv} against one server and reads its report.
 *
 * <p>Redis 7's CSV has one header line and one line per test:
 * {@code "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"}.
 * redis-benchmark exits (status 1) at the first error reply, after printing
 * {@code Error from server: <message>}; the rows printed before that are still good, and the
 * message names why the rest are missing.
 */
final class RedisBenchmark {
    private RedisBenchmark() {}

    /** One CSV line of the report; latencies in milliseconds. */
    record Row(String test, double rps, double avgMs, double minMs, double p50Ms, double p95Ms, double p99Ms,
               double maxMs) {}

    /**
     * What one invocation produced.
     *
     * @param rows    the tests it completed, in order
     * @param failure null when it exited normally; otherwise a short reason ("ERR unknown command")
     */
    record Result(List<Row> rows, String failure) {
        Row row(String test) {
            for (Row r : rows) {
                if (r.test().equals(test)) {
                    return r;
                }
            }
            return null;
        }

        /** Why a test has no row: the invocation's failure, or "not reported" when it exited normally. */
        String whyMissing() {
            return failure != null ? failure : "not reported";
        }
    }

    /** Runs {@code redis-benchmark -h 127.0.0.1 -p port --csv args...} with a bounded wait. */
    static Result run(Binaries bin, int port, List<String> args, long timeoutMillis) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(bin.redisBenchmark(), "-h", "127.0.0.1", "-p",
                Integer.toString(port), "--csv"));
        cmd.addAll(args);
        Path out = Files.createTempFile(bin.scratch(), "redis-benchmark-", ".out");
        Process p = ChildProcesses.start(new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile()));
        boolean finished;
        try {
            finished = p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            ChildProcesses.stop(p);
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        List<Row> rows = parseCsv(text);
        if (!finished) {
            return new Result(rows, "timeout after " + timeoutMillis / 1000 + " s");
        }
        if (p.exitValue() != 0) {
            return new Result(rows, failureReason(text, p.exitValue()));
        }
        return new Result(rows, null);
    }

    /** The test rows of a {@code --csv} report; other lines (header, errors, warnings) are skipped. */
    static List<Row> parseCsv(String text) {
        List<Row> rows = new ArrayList<>();
        for (String line : text.split("\r?\n|\r")) {
            if (!line.startsWith("\"")) {
                continue;
            }
            List<String> f = splitCsvLine(line);
            if (f.size() < 8 || f.get(0).equals("test")) {
                continue;
            }
            try {
                rows.add(new Row(f.get(0), num(f.get(1)), num(f.get(2)), num(f.get(3)), num(f.get(4)),
                        num(f.get(5)), num(f.get(6)), num(f.get(7))));
            } catch (NumberFormatException notARow) {
                // a line that only looks like CSV; skip it
            }
        }
        return rows;
    }

    private static double num(String s) {
        return Double.parseDouble(s.trim());
    }

    /** Splits one CSV line with double-quoted fields ("" inside quotes is a quote). */
    static List<String> splitCsvLine(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        fields.add(cur.toString());
        return fields;
    }

    /**
     * Why redis-benchmark stopped, in a few words: the error reply without its details
     * ("ERR unknown command 'LPUSH', with args ..." gives "ERR unknown command"), or the first
     * line that says what went wrong, or the exit status.
     */
    static String failureReason(String output, int exitStatus) {
        for (String line : output.split("\r?\n|\r")) {
            String marker = "Error from server: ";
            int at = line.indexOf(marker);
            if (at >= 0) {
                return shorten(line.substring(at + marker.length()));
            }
        }
        for (String line : output.split("\r?\n|\r")) {
            if (!line.isBlank() && !line.startsWith("\"")) {
                return shorten(line.trim());
            }
        }
        return "exit status " + exitStatus;
    }

    /** The message up to its first quote, comma or colon (where the details start), at most 60 chars. */
    static String shorten(String message) {
        int end = message.length();
        for (char stop : new char[] {'\'', ',', ':'}) {
            int i = message.indexOf(stop);
            if (i > 0 && i < end) {
                end = i;
            }
        }
        String s = message.substring(0, end).trim();
        return s.length() > 60 ? s.substring(0, 57).trim() + "..." : s;
    }
}
