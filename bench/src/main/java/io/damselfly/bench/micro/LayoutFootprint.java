package io.damselfly.bench.micro;

import io.damselfly.bench.micro.EntryLayoutBenchmark.Layout;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Bytes per key of each {@link Layout}, without JMH: loads {@code keys} keys {@code key:0} ..
 * {@code key:(keys-1)} with {@code valueSize}-byte values into each layout in turn (a fresh store
 * each, collected before the next) and prints one line per layout (see {@link Loaded#summary()}).
 * {@link EntryLayoutBenchmark} prints the same line from its setup.
 *
 * <p>Chronicle Map needs the JVM flags of {@link EntryLayoutBenchmark#CHRONICLE_JVM_ARGS} on the
 * command line (JMH's forks get them from the benchmark's {@code @Fork}); the analytics switch is
 * set here too before Chronicle loads, and its analytics library is not in the jar anyway:
 *
 * <pre>
 * java --add-opens=java.base/java.lang=ALL-UNNAMED \
 *      --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
 *      --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
 *      --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
 *      --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
 *      -Dchronicle.analytics.disable=true \
 *      -cp bench/target/damselfly-bench.jar io.damselfly.bench.micro.LayoutFootprint 1000000 100
 * </pre>
 *
 * <p>Arguments: keys (default 1000000), value size (default 100), and optionally the layouts to
 * load (default all, e.g. {@code CHAINED SEGMENTED}).
 */
public final class LayoutFootprint {
    static {
        System.setProperty(StringStore.Chronicle.ANALYTICS_OFF, "true");
    }

    private LayoutFootprint() {
    }

    public static void main(String[] args) {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int valueSize = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Layout[] layouts = Layout.values();
        if (args.length > 2) {
            layouts = new Layout[args.length - 2];
            for (int i = 2; i < args.length; i++) {
                layouts[i - 2] = Layout.valueOf(args[i].toUpperCase(Locale.ROOT));
            }
        }
        byte[][] stored = keys(keys);
        long now = System.currentTimeMillis();
        for (Layout layout : layouts) {
            Loaded loaded = load(layout, stored, valueSize, now);
            System.out.println(loaded.summary());
            loaded.store().close();
        }
    }

    /** What a layout holds after loading, and what it cost. */
    record Loaded(Layout layout, StringStore store, int keys, int valueSize, long heapBytes, long offHeapBytes,
            long accountedBytes) {
        /**
         * One line: heap growth, off-heap size ({@code offHeapMemoryUsed()}, what Chronicle
         * allocated for the entries it was sized for) and the layout's own account ("-" for none),
         * each per key; {@code totalBytesPerKey} is heap plus off-heap.
         */
        String summary() {
            return String.format(Locale.ROOT,
                    "layout=%s keys=%d valueSize=%d heapBytesPerKey=%.1f offHeapBytesPerKey=%.1f totalBytesPerKey=%.1f"
                            + " accountedBytesPerKey=%s",
                    layout, keys, valueSize, perKey(heapBytes), perKey(offHeapBytes), perKey(heapBytes + offHeapBytes),
                    accountedBytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f", perKey(accountedBytes)));
        }

        private double perKey(long bytes) {
            return (double) bytes / keys;
        }
    }

    /**
     * Opens a store of {@code layout} and SETs every key once, measuring the used heap after full
     * collections before and after. Each key is handed over as a fresh copy (as the decoder hands
     * them), so a layout that keeps the caller's key array is charged for it; the caller's {@code
     * keys} themselves are in the baseline.
     */
    static Loaded load(Layout layout, byte[][] keys, int valueSize, long now) {
        long heapBefore = usedHeapAfterGc();
        StringStore store = layout.open(keys.length, averageLength(keys), valueSize, now);
        for (int i = 0; i < keys.length; i++) {
            store.set(keys[i].clone(), value(i, valueSize, 0));
        }
        long heapAfter = usedHeapAfterGc();
        if (store.size() != keys.length) {
            throw new IllegalStateException(layout + " holds " + store.size() + " keys, not " + keys.length);
        }
        return new Loaded(layout, store, keys.length, valueSize, heapAfter - heapBefore, store.offHeapBytes(),
                store.accountedBytes());
    }

    /** The memory workload's keys: {@code key:0} .. {@code key:(n-1)}, in ASCII. */
    static byte[][] keys(int n) {
        byte[][] keys = new byte[n][];
        for (int i = 0; i < n; i++) {
            keys[i] = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
        }
        return keys;
    }

    static double averageLength(byte[][] arrays) {
        long total = 0;
        for (byte[] a : arrays) {
            total += a.length;
        }
        return arrays.length == 0 ? 1 : (double) total / arrays.length;
    }

    /** A value of {@code size} bytes that differs by key and by generation. */
    static byte[] value(int key, int size, int generation) {
        byte[] v = new byte[size];
        int x = key * 31 + generation * 7;
        for (int i = 0; i < size; i++) {
            v[i] = (byte) ('a' + Math.floorMod(x + i, 26));
        }
        if (size >= 4) {
            // the key's low bytes up front, so that values of keys 26 apart differ too
            v[0] = (byte) key;
            v[1] = (byte) (key >>> 8);
            v[2] = (byte) (key >>> 16);
            v[3] = (byte) generation;
        }
        return v;
    }

    /** Used heap after three full collections: what is reachable. */
    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
