package io.damselfly.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Every reading of a run, grouped by workload and figure, reduced to the median per server and
 * the damselfly/redis ratio (oriented by {@link Better}, so above 1 favours damselfly), and
 * rendered as a plain-text table (stdout), Markdown and CSV (bench/results/).
 *
 * <p>The ratio is the median of the rounds' own ratios, each round's damselfly figure over the
 * same round's redis figure, measured back to back, rather than the ratio of the two medians:
 * this shared machine's speed drifts by more than the differences measured, and a pair taken
 * seconds apart sees the same machine (a paired comparison). Where no round has both sides, the
 * ratio of the medians stands.
 *
 * <p>Rows keep the order in which figures first appear. A figure a server never produced in any
 * round shows the reason ("n/a (ERR unknown command)"); one produced in only some rounds shows
 * the median of those and how many there were.
 */
final class ResultTable {
    private final Map<String, Map<String, Figure>> workloads = new LinkedHashMap<>();

    /** All readings of one figure, per server. */
    private static final class Figure {
        final Better better;
        /** Per server, the reading of each round (by round number). */
        final Map<ServerKind, Map<Integer, Reading>> readings = new EnumMap<>(ServerKind.class);

        Figure(Better better) {
            this.better = better;
        }
    }

    /** Adds the readings of one run (or one part of it) in round {@code round}. */
    void add(String workload, ServerKind kind, int round, List<Reading> readings) {
        Map<String, Figure> figures = workloads.computeIfAbsent(workload, w -> new LinkedHashMap<>());
        for (Reading r : readings) {
            figures.computeIfAbsent(r.figure(), f -> new Figure(r.better()))
                    .readings.computeIfAbsent(kind, k -> new TreeMap<>()).put(round, r);
        }
    }

    /** One server's side of a row: the values measured in each round, or why there were none. */
    record Side(double[] values, int runs, String missing) {
        static Side of(Collection<Reading> readings) {
            if (readings == null || readings.isEmpty()) {
                return new Side(new double[0], 0, "not run");
            }
            double[] values = readings.stream().filter(Reading::present).mapToDouble(Reading::value).toArray();
            String missing = readings.stream().filter(r -> !r.present()).map(Reading::missing).findFirst().orElse(null);
            return new Side(values, readings.size(), missing);
        }

        double median() {
            return values.length == 0 ? Double.NaN : ResultTable.median(values);
        }

        String text() {
            if (values.length == 0) {
                return "n/a (" + missing + ")";
            }
            String m = formatValue(median());
            return values.length < runs ? m + " (" + values.length + "/" + runs + " runs)" : m;
        }

        String roundsCsv() {
            return Arrays.stream(values).mapToObj(ResultTable::plain).collect(Collectors.joining(";"));
        }
    }

    /** One line of the table; {@code ratio} as the class comment says. */
    record Row(String workload, String figure, Better better, Side redis, Side damselfly, double ratio) {
        String ratioText() {
            return formatRatio(ratio());
        }
    }

    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        workloads.forEach((w, figures) -> figures.forEach((name, f) -> {
            Map<Integer, Reading> redis = f.readings.getOrDefault(ServerKind.REDIS, Map.of());
            Map<Integer, Reading> damselfly = f.readings.getOrDefault(ServerKind.DAMSELFLY, Map.of());
            Side r = Side.of(redis.values());
            Side d = Side.of(damselfly.values());
            rows.add(new Row(w, name, f.better, r, d, pairedRatio(f.better, redis, damselfly, r, d)));
        }));
        return rows;
    }

    /** The median of the ratios of the rounds both servers have a value for, else the ratio of the medians. */
    private static double pairedRatio(Better better, Map<Integer, Reading> redis, Map<Integer, Reading> damselfly,
            Side r, Side d) {
        List<Double> ratios = new ArrayList<>();
        redis.forEach((round, a) -> {
            Reading b = damselfly.get(round);
            if (a.present() && b != null && b.present()) {
                double ratio = better.ratio(a.value(), b.value());
                if (!Double.isNaN(ratio)) {
                    ratios.add(ratio);
                }
            }
        });
        if (ratios.isEmpty()) {
            return better.ratio(r.median(), d.median());
        }
        return median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The median of {@code values} (the mean of the middle two for an even count). */
    static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("median of nothing");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /** A figure for people: thousands grouped without decimals from 1000 up, else 4 significant digits. */
    static String formatValue(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v == 0) {
            return "0";
        }
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /** "1.23x", or "n/a" when either side is missing. */
    static String formatRatio(double ratio) {
        return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2fx", ratio);
    }

    /** A figure for machines: no grouping, at most 6 decimals. */
    static String plain(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return new BigDecimal(v).setScale(6, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }

    private static final String[] COLUMNS = {"workload", "figure", "redis", "damselfly", "ratio"};

    private List<String[]> cells() {
        List<String[]> cells = new ArrayList<>();
        for (Row r : rows()) {
            cells.add(new String[] {r.workload(), r.figure(), r.redis().text(), r.damselfly().text(), r.ratioText()});
        }
        return cells;
    }

    /** Aligned columns for a terminal; text left-aligned, figures right-aligned. */
    String renderText() {
        List<String[]> cells = cells();
        int[] width = new int[COLUMNS.length];
        for (int i = 0; i < COLUMNS.length; i++) {
            width[i] = COLUMNS[i].length();
        }
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                width[i] = Math.max(width[i], c[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendTextLine(sb, COLUMNS, width);
        String[] rule = new String[COLUMNS.length];
        for (int i = 0; i < rule.length; i++) {
            rule[i] = "-".repeat(width[i]);
        }
        appendTextLine(sb, rule, width);
        for (String[] c : cells) {
            appendTextLine(sb, c, width);
        }
        return sb.toString();
    }

    private static void appendTextLine(StringBuilder sb, String[] c, int[] width) {
        for (int i = 0; i < c.length; i++) {
            String pad = " ".repeat(width[i] - c[i].length());
            sb.append(i < 2 ? c[i] + pad : pad + c[i]);
            sb.append(i + 1 < c.length ? " | " : "\n");
        }
    }

    /** The table as GitHub Markdown (figures right-aligned). */
    String renderMarkdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", COLUMNS)).append(" |\n");
        sb.append("|---|---|---:|---:|---:|\n");
        for (String[] c : cells()) {
            sb.append("| ");
            for (int i = 0; i < c.length; i++) {
                sb.append(c[i].replace("|", "\\|")).append(i + 1 < c.length ? " | " : " |\n");
            }
        }
        return sb.toString();
    }

    /**
     * The table as CSV, after {@code # key: value} comment lines: medians as plain numbers (or the
     * n/a text), the direction, and every round's value.
     */
    String renderCsv(Map<String, String> header) {
        StringBuilder sb = new StringBuilder();
        header.forEach((k, v) -> sb.append("# ").append(k).append(": ").append(v.replace('\n', ' ')).append('\n'));
        sb.append("workload,figure,better,redis,damselfly,ratio,redis_runs,damselfly_runs\n");
        for (Row r : rows()) {
            double ratio = r.ratio();
            sb.append(String.join(",", csv(r.workload()), csv(r.figure()), r.better().name().toLowerCase(Locale.ROOT),
                    csv(csvSide(r.redis())), csv(csvSide(r.damselfly())), Double.isNaN(ratio) ? "" : plain(ratio),
                    csv(r.redis().roundsCsv()), csv(r.damselfly().roundsCsv()))).append('\n');
        }
        return sb.toString();
    }

    private static String csvSide(Side s) {
        return s.values().length == 0 ? "n/a (" + s.missing() + ")" : plain(s.median());
    }

    /** Quotes a CSV field when it needs it. */
    static String csv(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
