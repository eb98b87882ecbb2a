package io.damselfly.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.bench.load.LatencyRelay;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting the near-cache workload's servers with a real redis-server: the companions a server
 * closes with it, and the clear failure when damselfly has no --upstream (a stand-in for
 * scripts/run that answers as a damselfly without the sidecar does).
 */
class NearCacheWorkloadStartTest {
    @TempDir
    Path dir;

    private Binaries binaries(String runScript) throws IOException {
        Path run = dir.resolve("run");
        Files.writeString(run, runScript);
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        return new Binaries(run, "redis-server", "redis-benchmark", scratch);
    }

    @Test
    void close_stopsTheServerThenItsCompanionsLastAddedFirst() throws Exception {
        Binaries bin = binaries("#!/bin/sh\nexit 1\n");
        List<String> closed = new ArrayList<>();
        ServerProcess redis = ServerProcess.start(ServerKind.REDIS, ServerSettings.DEFAULT, bin);
        LatencyRelay relay = LatencyRelay.start("127.0.0.1", redis.port(), LatencyRelay.DEFAULT_DELAY);
        int relayPort = relay.port();
        redis.closing(() -> closed.add("first")).closing(relay).closing(() -> closed.add("last"));
        assertEquals(relay, redis.companion(LatencyRelay.class).orElseThrow());
        assertTrue(redis.toString().contains(relay.toString()), redis.toString());
        redis.close();
        assertFalse(redis.isAlive());
        assertEquals(List.of("last", "first"), closed);
        assertThrows(IOException.class, () -> new Socket().connect(new InetSocketAddress("127.0.0.1", relayPort), 1_000),
                "the relay no longer listens");
    }

    @Test
    void start_redisColumn_theUpstreamAlone() throws Exception {
        NearCacheWorkload w = new NearCacheWorkload();
        try (ServerProcess redis = w.start(ServerKind.REDIS, Mode.QUICK, binaries("#!/bin/sh\nexit 1\n"))) {
            assertEquals(ServerKind.REDIS, redis.kind());
            assertTrue(redis.companion(LatencyRelay.class).isEmpty());
        }
    }

    @Test
    void start_damselflyWithoutSidecar_failsWithAClearMessage_thenAtOnce() throws Exception {
        Path args = dir.resolve("args");
        Binaries bin = binaries("#!/bin/sh\necho \"$@\" > '" + args + "'\n"
                + "echo \"damselfly: unknown option 'upstream' (see conf/damselfly.conf for the list)\" >&2\nexit 2\n");
        NearCacheWorkload w = new NearCacheWorkload();
        IOException e = assertThrows(IOException.class, () -> w.start(ServerKind.DAMSELFLY, Mode.QUICK, bin));
        assertEquals(NearCacheWorkload.NO_SIDECAR, e.getMessage());
        String given = Files.readString(args);
        assertTrue(given.matches("(?s).*--upstream redis://127\\.0\\.0\\.1:\\d+\\s*"), given);

        Files.delete(args);
        long t0 = System.nanoTime();
        IOException again = assertThrows(IOException.class, () -> w.start(ServerKind.DAMSELFLY, Mode.QUICK, bin));
        assertEquals(NearCacheWorkload.NO_SIDECAR, again.getMessage());
        assertFalse(Files.exists(args), "nothing started the second time");
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
    }

    @Test
    void start_damselflyFailsOtherwise_thatFailureAsItIs() throws Exception {
        Binaries bin = binaries("#!/bin/sh\necho 'damselfly: cannot bind' >&2\nexit 1\n");
        NearCacheWorkload w = new NearCacheWorkload();
        IOException e = assertThrows(IOException.class, () -> w.start(ServerKind.DAMSELFLY, Mode.QUICK, bin));
        assertTrue(e.getMessage().contains("cannot bind"), e.getMessage());
        // not taken for a missing sidecar: the next round tries again
        IOException again = assertThrows(IOException.class, () -> w.start(ServerKind.DAMSELFLY, Mode.QUICK, bin));
        assertTrue(again.getMessage().contains("cannot bind"), again.getMessage());
    }
}
