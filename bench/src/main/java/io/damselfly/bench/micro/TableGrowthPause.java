package io.damselfly.bench.micro;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How long one SET can stall while a table grows: N distinct keys are inserted into one shard of
 * each layout (the old chained table, which doubles by rehashing everything at once, and the
 * segmented table, which grows one segment at a time), each insert timed alone, and the slowest
 * inserts are reported. Inserts during which the JVM stopped every thread (a safepoint: a garbage
 * collection's pause, a deoptimisation...) are left out of the percentiles and counted, since they
 * measure the JVM, not the table; the largest of all inserts is shown too (a rehash that allocates
 * a large array may itself start a collection). Safepoints are counted through HotSpot's internal
 * runtime bean, which needs the export below; without it only garbage collections are counted.
 *
 * <pre>
 * java -Xms8g -Xmx8g -XX:+AlwaysPreTouch --add-exports java.management/sun.management=ALL-UNNAMED \
 *     -cp bench/target/damselfly-bench.jar io.damselfly.bench.micro.TableGrowthPause 10000000
 * </pre>
 *
 * <p>Prints, per layout: keys, the largest insert time without and with collections, the 99.99th
 * percentile, and how many inserts took over 100 microseconds and over 1 millisecond. A plain main rather than JMH: the figure is a
 * worst case over one long growth, not a mean over repeated operations.
 */
public final class TableGrowthPause {
    /** Small values: the figure is about the table, not about copying values. */
    private static final int VALUE_SIZE = 16;
    private static final long[] THRESHOLDS_NS = {100_000, 1_000_000};

    private TableGrowthPause() {
    }

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        long now = System.currentTimeMillis();
        for (String layout : List.of("CHAINED", "SEGMENTED")) {
            try (StringStore store = layout.equals("CHAINED") ? new StringStore.Chained(now) : new StringStore.Segmented(now)) {
                System.out.println(measure(layout, store, keys));
            }
            System.gc();
        }
    }

    static String measure(String layout, StringStore store, int keys) {
        java.util.function.LongSupplier stops = stopCounter();
        // a histogram of insert times in microseconds, up to one second
        long[] micros = new long[1_000_001];
        long max = 0;
        long maxAll = 0;
        int duringGc = 0;
        long[] over = new long[THRESHOLDS_NS.length];
        byte[] value = new byte[VALUE_SIZE];
        for (int i = 0; i < keys; i++) {
            byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
            long stopsBefore = stops.getAsLong();
            long start = System.nanoTime();
            store.set(key, value.clone());
            long took = System.nanoTime() - start;
            maxAll = Math.max(maxAll, took);
            if (stops.getAsLong() != stopsBefore) {
                duringGc++;
                continue;
            }
            max = Math.max(max, took);
            micros[(int) Math.min(took / 1000, micros.length - 1)]++;
            for (int t = 0; t < THRESHOLDS_NS.length; t++) {
                if (took > THRESHOLDS_NS[t]) {
                    over[t]++;
                }
            }
        }
        long timed = keys - duringGc;
        long rank = (long) Math.ceil(timed * 0.9999);
        long seen = 0;
        int p9999 = 0;
        for (; p9999 < micros.length; p9999++) {
            seen += micros[p9999];
            if (seen >= rank) {
                break;
            }
        }
        return String.format("layout=%s keys=%d maxInsertMicros=%.1f p99.99Micros<=%d over100us=%d over1ms=%d"
                        + " leftOutAtSafepoints=%d maxInsertOverallMicros=%.1f size=%d",
                layout, keys, max / 1000.0, p9999 + 1, over[0], over[1], duringGc, maxAll / 1000.0, store.size());
    }

    /** Counts the JVM's safepoints where HotSpot lets us, else its garbage collections. */
    private static java.util.function.LongSupplier stopCounter() {
        try {
            Object runtime = Class.forName("sun.management.ManagementFactoryHelper").getMethod("getHotspotRuntimeMBean").invoke(null);
            java.lang.reflect.Method count = Class.forName("sun.management.HotspotRuntimeMBean").getMethod("getSafepointCount");
            count.invoke(runtime);
            System.out.println("leaving out inserts that overlap a safepoint");
            return () -> {
                try {
                    return (Long) count.invoke(runtime);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            };
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.out.println("leaving out inserts that overlap a garbage collection (safepoints not visible: " + e + ")");
            List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
            return () -> {
                long n = 0;
                for (GarbageCollectorMXBean c : collectors) {
                    n += c.getCollectionCount();
                }
                return n;
            };
        }
    }
}
