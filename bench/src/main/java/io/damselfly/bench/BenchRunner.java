package io.damselfly.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The side-by-side runner behind {@code scripts/bench}: damselfly against a reference
 * redis-server, workload by workload, and a table of medians and ratios.
 *
 * <pre>
 *   java -cp bench/target/damselfly-bench.jar io.damselfly.bench.BenchRunner [quick|full] [workload...]
 *        [--rounds N] [--results DIR] [--command "how this was started"]
 * </pre>
 *
 * <p>How a workload is run. Both servers get the workload's settings (same maxmemory and
 * eviction policy). Each round runs the workload against both servers in turn, redis-server first
 * in odd rounds and damselfly first in even ones, so slow drift of the machine (thermal, other
 * load) and whatever the order favours fall on both alike. A workload either shares one pair of
 * servers across its rounds, emptied with FLUSHALL before each run, or starts a fresh pair per
 * round: when state would carry over (memory, eviction history), or where a process's placement
 * on the cores sets its speed for its whole life (get-set, the suite). A run may come in parts
 * ({@link Workload#parts}: get-set's pipeline depths, the suite's tests), each measured on both
 * servers before the next, so a figure's two sides are seconds apart. Every freshly started
 * server is warmed up the same way before it is measured (JIT compilation matters for damselfly;
 * redis gets the same treatment so neither is favoured). The table shows the median of each
 * figure over the rounds and the median of the rounds' ratios (ResultTable); the CSV keeps every
 * round's value.
 *
 * <p>Run from the project root (scripts/bench does): it reads server/target/damselfly.jar and
 * writes bench/results/DATE-COMMIT-MODE.md and .csv (-2, -3... when those exist). Progress goes
 * to stderr, the table to stdout, followed by a line per goal of the workloads run
 * ({@link Workload#goals}). The exit status is 1 when a server could not be started for some
 * workload (its column in the table says why).
 */
public final class BenchRunner {
    /** Every workload, in the order a run without names runs them. */
    static List<Workload> allWorkloads() {
        return List.of(new GetSetWorkload(), GetSetWorkload.oneIoThread(), GetSetWorkload.roundRobin(), GetSetWorkload.withoutStatistics(), GetSetWorkload.scraped(), new SuiteWorkload(), new MemoryWorkload(), new HitRatioWorkload(), HitRatioWorkload.scanPolluted(),
                new LatencyWorkload(), new CacheWriteWorkload(), new SaveUnderLoadWorkload(), new AofWorkload(), new LargeReplyWorkload(), CollectionMemoryWorkload.hashes(),
                CollectionMemoryWorkload.sortedSets(), new NearCacheWorkload());
    }

    private final Mode mode;
    private final int rounds;
    private final Binaries bin;
    private final ResultTable table = new ResultTable();
    private final Map<String, String> workloadNotes = new LinkedHashMap<>();
    private final long startNanos = System.nanoTime();
    private final PrintStream progress = System.err;
    /** JVM options of the first damselfly started without maxmemory, as it really ran. */
    private String damselflyJvm;
    /** JVM options of damselfly as it ran for each workload that sets maxmemory (scripts/run sizes the heap from it). */
    private final Map<String, String> limitedDamselflyJvm = new LinkedHashMap<>();
    /** "workload (server)" -> why it could not be started, the first reason of each: the run exits with status 1. */
    private final Map<String, String> startFailures = new LinkedHashMap<>();
    /** The workloads run, in order: their goals are checked after the table. */
    private final List<Workload> ran = new ArrayList<>();

    private BenchRunner(Mode mode, int rounds, Binaries bin) {
        this.mode = mode;
        this.rounds = rounds;
        this.bin = bin;
    }

    public static void main(String[] args) throws Exception {
        Mode mode = Mode.QUICK;
        List<Workload> chosen = new ArrayList<>();
        Integer rounds = null;
        Path resultsDir = Path.of("bench", "results");
        String command = null;
        Map<String, Workload> known = new LinkedHashMap<>();
        for (Workload w : allWorkloads()) {
            known.put(w.name(), w);
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "quick", "full" -> mode = Mode.parse(a);
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i, a));
                case "--results" -> resultsDir = Path.of(value(args, ++i, a));
                case "--command" -> command = value(args, ++i, a);
                case "-h", "--help" -> {
                    usage(known, System.out);
                    return;
                }
                default -> {
                    Workload w = known.get(a);
                    if (w == null) {
                        System.err.println("unknown workload or option '" + a + "'");
                        usage(known, System.err);
                        System.exit(2);
                    }
                    if (!chosen.contains(w)) {
                        chosen.add(w);
                    }
                }
            }
        }
        if (chosen.isEmpty()) {
            chosen.addAll(known.values());
        }
        if (rounds == null) {
            rounds = mode.rounds;
        } else if (rounds < 1) {
            System.err.println("--rounds must be at least 1");
            System.exit(2);
        }
        if (command == null) {
            command = "java -cp bench/target/damselfly-bench.jar " + BenchRunner.class.getName() + " "
                    + String.join(" ", args);
        }

        Binaries bin = Binaries.fromProjectRoot();
        ChildProcesses.atExit(() -> deleteTree(bin.scratch()));
        BenchRunner runner = new BenchRunner(mode, rounds, bin);
        try {
            runner.runAll(chosen);
            runner.report(command.trim(), resultsDir);
        } finally {
            ChildProcesses.stopAll();
        }
        if (!runner.startFailures.isEmpty()) {
            // the table shows them too; the status lets a script see that a column is missing
            System.err.println("a server could not be started for " + runner.startFailures.size() + " workload(s):");
            runner.startFailures.forEach((what, why) -> System.err.println("  " + what + ": " + why));
            System.exit(1);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println(option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    private static void usage(Map<String, Workload> known, PrintStream out) {
        out.println("usage: scripts/bench [quick|full] [workload...] [--rounds N] [--results DIR]");
        out.println("       scripts/bench jmh [regex]");
        out.println("workloads (default: all; sizes as in quick, full runs larger ones):");
        for (Workload w : known.values()) {
            out.println("  " + w.name() + ": " + w.describe(Mode.QUICK));
        }
    }

    private void runAll(List<Workload> workloads) throws IOException {
        log("%s run: %s; %d rounds each, redis and damselfly in turn", mode.label(),
                String.join(", ", workloads.stream().map(Workload::name).toList()), rounds);
        for (Workload w : workloads) {
            long t0 = System.nanoTime();
            ran.add(w);
            runWorkload(w);
            String took = seconds(System.nanoTime() - t0);
            workloadNotes.put(w.name(), w.describe(mode) + "; " + w.settings(mode).describe() + "; "
                    + (w.freshServersEachRound() ? "fresh servers each round" : "one pair of servers, FLUSHALL before each run")
                    + (limitedDamselflyJvm.containsKey(w.name())
                            ? "; damselfly's JVM options `" + limitedDamselflyJvm.get(w.name()) + "`" : "")
                    + "; took " + took);
            log("%s done in %s", w.name(), took);
        }
    }

    /**
     * The rounds of one workload. The server that goes first alternates by round (redis-server in
     * odd rounds), so whatever the order itself favours falls on both alike. A workload with fresh
     * servers each round and a run in one piece runs whole on one server, started for it, then on
     * the other; otherwise both servers of the round are up (started and warmed once for every
     * round, or anew each round) and each part is measured on both in turn.
     */
    private void runWorkload(Workload w) throws IOException {
        Map<ServerKind, ServerProcess> up = new EnumMap<>(ServerKind.class);
        int parts = w.parts(mode);
        try {
            for (int round = 1; round <= rounds; round++) {
                List<ServerKind> order = round % 2 == 1
                        ? List.of(ServerKind.REDIS, ServerKind.DAMSELFLY)
                        : List.of(ServerKind.DAMSELFLY, ServerKind.REDIS);
                if (w.freshServersEachRound() && parts == 1) {
                    for (ServerKind kind : order) {
                        ServerProcess server = startOrRecord(w, kind, round);
                        if (server != null) {
                            try {
                                measure(w, kind, server, round, 0, 1);
                            } finally {
                                server.close();
                            }
                        }
                    }
                    continue;
                }
                for (ServerKind kind : order) {
                    ServerProcess server = up.get(kind);
                    if (server != null && !server.isAlive()) {
                        log("%s: %s is gone, starting another: %s", w.name(), kind.label, server.logTail());
                    }
                    if (server == null || !server.isAlive() || w.freshServersEachRound()) {
                        if (server != null) {
                            server.close();
                            up.remove(kind);
                        }
                        server = startOrRecord(w, kind, round);
                        if (server != null) {
                            up.put(kind, server);
                        }
                    }
                }
                for (int part = 0; part < parts; part++) {
                    for (ServerKind kind : order) {
                        ServerProcess server = up.get(kind);
                        if (server != null) {
                            measure(w, kind, server, round, part, parts);
                        }
                    }
                }
            }
        } finally {
            up.values().forEach(ServerProcess::close);
        }
    }

    /** A warmed-up server of {@code kind}, or null with the failure recorded for this round. */
    private ServerProcess startOrRecord(Workload w, ServerKind kind, int round) {
        try {
            return startWarm(w, kind);
        } catch (IOException e) {
            log("%s round %d: could not start %s: %s", w.name(), round, kind.label, e.getMessage());
            startFailures.putIfAbsent(w.name() + " (" + kind.label + ")", e.getMessage());
            table.add(w.tableLabel(), kind, round, List.of(Reading.missing("run", Better.HIGHER,
                    "server did not start: " + e.getMessage())));
            return null;
        }
    }

    /** One part of a round on one server (emptied before the first part), its readings into the table. */
    private void measure(Workload w, ServerKind kind, ServerProcess server, int round, int part, int parts) {
        log("%s round %d/%d%s: %s", w.name(), round, rounds, parts > 1 ? " part " + (part + 1) + "/" + parts : "", server);
        List<Reading> readings;
        try {
            if (part == 0) {
                server.flushAll();
            }
            readings = w.runPart(part, server, mode, bin);
        } catch (Exception e) {
            log("%s round %d failed on %s: %s", w.name(), round, kind.label, e);
            readings = List.of(Reading.missing("run", Better.HIGHER, "failed: " + e.getMessage()));
        }
        table.add(w.tableLabel(), kind, round, readings);
    }

    private ServerProcess startWarm(Workload w, ServerKind kind) throws IOException {
        ServerProcess server = w.start(kind, mode, bin);
        if (kind == ServerKind.DAMSELFLY && damselflyJvm == null && w.settings(mode).maxmemory() == null) {
            damselflyJvm = String.join(" ", server.jvmOptions());
        }
        if (kind == ServerKind.DAMSELFLY && w.settings(mode).maxmemory() != null) {
            limitedDamselflyJvm.putIfAbsent(w.name(), String.join(" ", server.jvmOptions()));
        }
        try {
            w.warmUp(server, mode, bin);
        } catch (Exception e) {
            server.close();
            throw new IOException("warm-up of " + kind.label + " failed: " + e, e);
        }
        return server;
    }

    private void report(String command, Path resultsDir) throws IOException {
        String commit = Machine.commit();
        OffsetDateTime now = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS);
        Map<String, String> header = new LinkedHashMap<>();
        header.put("run", mode.label() + ": " + rounds + " rounds per workload, each round redis-server and damselfly in turn"
                + " (redis-server first in odd rounds, damselfly in even ones; get-set's pipeline depths and the suite's tests"
                + " one at a time on both); each figure is the median over the rounds");
        header.put("ratio", "above 1 means damselfly is better: damselfly/redis for ops/s and hit ratio,"
                + " redis/damselfly for latency, bytes/key and RSS; the median of the rounds' ratios (each round's two"
                + " figures measured back to back), not the ratio of the two medians");
        header.put("command", command);
        header.put("date", now.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        header.put("commit", commit == null ? "unknown" : commit);
        header.put("machine", Machine.hardware());
        header.put("os", Machine.os());
        header.put("jdk", Machine.jdk());
        header.put("redis-server", Machine.redisServerVersion(bin.redisServer())
                + ", started with --save '' --appendonly no (where a workload's note gives both servers config directives,"
                + " such as aof's appendonly yes, with those too)");
        header.put("redis-benchmark", Machine.redisBenchmarkVersion(bin.redisBenchmark()));
        header.put("damselfly", "server/target/damselfly.jar started by scripts/run --port P --bind 127.0.0.1"
                + " (plus --maxmemory=M --cache_mode=true --maxmemory_policy=allkeys-lru where a workload sets a limit);"
                + " JVM options " + (damselflyJvm == null ? "unknown" : "`" + damselflyJvm + "`")
                + (damselflyJvm != null && damselflyJvm.contains("MaxRAMPercentage")
                        ? " (scripts/run's -Xmx is maxmemory + maxmemory/8 + 96m where a workload sets maxmemory)" : ""));
        workloadNotes.forEach((name, note) -> header.put("workload " + name, note));
        header.put("duration", seconds(System.nanoTime() - startNanos));

        String goals = goalLines();
        String text = table.renderText() + (goals.isEmpty() ? "" : "\n" + goals);
        System.out.print(text);
        System.out.flush();

        Files.createDirectories(resultsDir);
        String base = LocalDate.now() + "-" + (commit == null ? "nocommit" : commit) + "-" + mode.label();
        Path md = resultsDir.resolve(base + ".md");
        Path csv = resultsDir.resolve(base + ".csv");
        // a second run of one commit on one day keeps the first's files: -2, -3...
        for (int n = 2; Files.exists(md) || Files.exists(csv); n++) {
            md = resultsDir.resolve(base + "-" + n + ".md");
            csv = resultsDir.resolve(base + "-" + n + ".csv");
        }
        Files.writeString(md, markdown(header), StandardCharsets.UTF_8);
        Files.writeString(csv, table.renderCsv(header), StandardCharsets.UTF_8);
        log("wrote %s and %s", md, csv);
    }

    private String markdown(Map<String, String> header) {
        StringBuilder sb = new StringBuilder();
        sb.append("# damselfly vs redis-server (").append(mode.label()).append(")\n\n");
        header.forEach((k, v) -> {
            String shown = k.equals("command") ? "`" + v + "`" : v;
            sb.append("- **").append(k).append("**: ").append(shown).append('\n');
        });
        sb.append('\n').append(table.renderMarkdown());
        String goals = goalLines();
        if (!goals.isEmpty()) {
            sb.append('\n');
            goals.lines().forEach(l -> sb.append("- ").append(l).append('\n'));
        }
        return sb.toString();
    }

    /**
     * One line per goal of the workloads run ({@link Workload#goals}): the figure's ratio in the
     * table against the bound, "met", "NOT met" or "not measured"; empty when no workload has one.
     */
    private String goalLines() {
        return goalLines(ran, table);
    }

    static String goalLines(List<Workload> workloads, ResultTable table) {
        StringBuilder sb = new StringBuilder();
        for (Workload w : workloads) {
            for (Workload.Goal g : w.goals()) {
                ResultTable.Row row = table.rows().stream()
                        .filter(r -> r.workload().equals(w.tableLabel()) && r.figure().equals(g.figure()))
                        .findFirst().orElse(null);
                double ratio = row == null ? Double.NaN : row.ratio();
                String verdict = Double.isNaN(ratio) || Double.isInfinite(ratio) ? "not measured"
                        : ratio >= g.minRatio() ? "met" : "NOT met";
                sb.append("goal ").append(w.name()).append(": ").append(g.meaning()).append(" (")
                        .append(g.figure()).append(" ratio at least ").append(ResultTable.formatRatio(g.minRatio()))
                        .append("): ").append(ResultTable.formatRatio(ratio)).append(", ").append(verdict).append('\n');
            }
        }
        return sb.toString();
    }

    private void log(String format, Object... args) {
        long s = (System.nanoTime() - startNanos) / 1_000_000_000;
        progress.printf("[%3d:%02d] %s%n", s / 60, s % 60, String.format(format, args));
        progress.flush();
    }

    static String seconds(long nanos) {
        Duration d = Duration.ofNanos(nanos);
        long s = d.toSeconds();
        return s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }

    /** Removes {@code root} and everything under it, best effort (the bench's tests use it too). */
    public static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
