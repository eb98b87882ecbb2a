package io.damselfly.bench;

import io.damselfly.bench.load.CollectionFill;
import io.damselfly.bench.load.Figures;
import java.time.Duration;
import java.util.List;

/**
 * {@code hash-memory} and {@code zset-memory}: what an element of a small collection costs each
 * server ({@link CollectionFill}): 1M hashes of 10 fields, 100k sorted sets of 100 members (a
 * fifth of each in quick mode), loaded into a freshly started server; growth of RSS and of
 * used_memory per element.
 */
final class CollectionMemoryWorkload implements Workload {
    private static final List<DriverReadings.Shown> SHOWN = List.of(
            new DriverReadings.Shown("bytes/element (RSS)", Better.LOWER),
            new DriverReadings.Shown("bytes/element (RSS at rest)", Better.LOWER),
            new DriverReadings.Shown("bytes/element (used_memory)", Better.LOWER),
            new DriverReadings.Shown("bytes/key (RSS)", Better.LOWER),
            new DriverReadings.Shown("load elements/s", Better.HIGHER));

    private final CollectionFill.Type type;
    private final int fullKeys;
    private final int elements;

    private CollectionMemoryWorkload(CollectionFill.Type type, int fullKeys, int elements) {
        this.type = type;
        this.fullKeys = fullKeys;
        this.elements = elements;
    }

    static CollectionMemoryWorkload hashes() {
        return new CollectionMemoryWorkload(CollectionFill.Type.HASH, 1_000_000, 10);
    }

    static CollectionMemoryWorkload sortedSets() {
        return new CollectionMemoryWorkload(CollectionFill.Type.ZSET, 100_000, 100);
    }

    @Override
    public String name() {
        return type == CollectionFill.Type.HASH ? "hash-memory" : "zset-memory";
    }

    private int keys(Mode mode) {
        return (int) mode.pick(fullKeys / 5, fullKeys);
    }

    @Override
    public String describe(Mode mode) {
        String shape = type == CollectionFill.Type.HASH
                ? "hashes `h:n` of " + elements + " fields (`field:i` -> `value:i`), one HSET each"
                : "sorted sets `z:n` of " + elements + " members (`member:i` scored i), one ZADD each";
        return "CollectionFill: " + String.format("%,d", keys(mode)) + " " + shape
                + ", pipelined into a freshly started server; growth of VmRSS and of INFO used_memory per element,"
                + " read after a 1 s settle, and RSS again 6 s after the load (at rest)";
    }

    @Override
    public boolean freshServersEachRound() {
        return true;
    }

    @Override
    public void warmUp(ServerProcess server, Mode mode, Binaries bin) {
        // none: the RSS baseline is the server as started
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        int keys = keys(mode);
        Figures f = CollectionFill.run(new CollectionFill.Params("127.0.0.1", server.port(), server.pid(), type, keys,
                elements, Duration.ofSeconds(1)));
        return DriverReadings.ofLoad(f, keys, SHOWN);
    }
}
