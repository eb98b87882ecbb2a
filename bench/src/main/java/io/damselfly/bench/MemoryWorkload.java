package io.damselfly.bench;

import io.damselfly.bench.load.Figures;
import io.damselfly.bench.load.MemoryFill;
import java.util.List;

/**
 * {@code memory}: what a key costs each server. {@link MemoryFill} loads N keys with 100-byte
 * values into a freshly started, empty server and reports the growth of the process's RSS and of
 * INFO used_memory per key. Fresh servers every round and no warm-up, so the baseline is a server
 * that has held nothing yet; load ops/s is therefore a cold figure for damselfly's JIT.
 */
final class MemoryWorkload implements Workload {
    static final int VALUE_SIZE = 100;

    private static final List<DriverReadings.Shown> SHOWN = List.of(
            new DriverReadings.Shown("bytes/key (RSS)", Better.LOWER),
            new DriverReadings.Shown("bytes/key (RSS at rest)", Better.LOWER),
            new DriverReadings.Shown("bytes/key (used_memory)", Better.LOWER),
            new DriverReadings.Shown("load ops/s", Better.HIGHER));

    @Override
    public String name() {
        return "memory";
    }

    private static int keys(Mode mode) {
        return (int) mode.pick(200_000, 1_000_000);
    }

    @Override
    public String describe(Mode mode) {
        return "MemoryFill: " + String.format("%,d", keys(mode)) + " keys `key:0`.. with " + VALUE_SIZE
                + "-byte values SET over one pipelined connection into a freshly started server;"
                + " growth of VmRSS and of INFO used_memory per key, read after a 1 s settle, and RSS again 6 s after the load (at rest)";
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
        Figures f = MemoryFill.run(MemoryFill.Params.defaults("127.0.0.1", server.port(), server.pid())
                .withKeys(keys).withValueSize(VALUE_SIZE));
        return DriverReadings.ofLoad(f, keys, SHOWN);
    }
}
