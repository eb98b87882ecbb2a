package io.damselfly.server.upstream;

import static io.damselfly.server.upstream.UpstreamFixture.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.testing.RawClient;
import io.lettuce.core.BitFieldArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bitmap reads (GETBIT, BITCOUNT, BITPOS, BITFIELD_RO) are CACHEABLE: through the sidecar they
 * are answered from the local copy of the key, exactly as the upstream answers them, and a bitmap
 * write straight to the upstream is seen through the sidecar within 100 ms.
 */
class BitmapNearCacheTest {
    private static UpstreamFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new UpstreamFixture(Map.of());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void bitmapReads_servedLocally_andCoherentWithUpstreamWrites() {
        f.flushBoth();
        RedisCommands<String, String> up = f.upstream();
        RedisCommands<String, String> side = f.sidecar();
        up.set("b", "foobar");
        up.setbit("b", 100, 1);
        assertEquals(1L, side.getbit("b", 100));
        long upstreamBefore = f.upstreamCalls("getbit") + f.upstreamCalls("bitcount") + f.upstreamCalls("bitpos")
                + f.upstreamCalls("bitfield_ro");
        long hitsBefore = f.nearcache("hits");
        for (int i = 0; i < 20; i++) {
            assertEquals(up.getbit("b", i), side.getbit("b", i));
            assertEquals(up.bitcount("b", 1, -2), side.bitcount("b", 1, -2));
            assertEquals(up.bitpos("b", i % 2 == 0, 1), side.bitpos("b", i % 2 == 0, 1));
            try (RawClient u = new RawClient("127.0.0.1", f.redisPort); RawClient s = new RawClient("127.0.0.1", f.sidecar.port())) {
                Object[] command = {"BITFIELD_RO", "b", "GET", "i13", Integer.toString(i * 3), "GET", "u5", "#" + i};
                assertEquals(u.callText(command), s.callText(command));
                command = new Object[] {"BITCOUNT", "b", Integer.toString(i), "-1", "BIT"};
                assertEquals(u.callText(command), s.callText(command));
            }
        }
        // the sidecar's own reads never reached the upstream (the straight ones above counted 20 of each)
        long upstreamAfter = f.upstreamCalls("getbit") + f.upstreamCalls("bitcount") + f.upstreamCalls("bitpos")
                + f.upstreamCalls("bitfield_ro");
        assertEquals(upstreamBefore + 20 * 5, upstreamAfter);
        assertTrue(f.nearcache("hits") >= hitsBefore + 100, "local hits " + (f.nearcache("hits") - hitsBefore));

        up.setbit("b", 101, 1);
        assertTrue(within(100, () -> side.getbit("b", 101) == 1), "SETBIT not seen through the sidecar");
        up.bitfield("b", BitFieldArgs.Builder.set(BitFieldArgs.unsigned(8), 0, 0));
        assertTrue(within(100, () -> side.bitcount("b", 0, 0) == 0), "BITFIELD not seen through the sidecar");
        up.bitopNot("b", "b");
        assertTrue(within(100, () -> side.bitpos("b", false) == 9), "BITOP not seen through the sidecar");
        assertEquals(List.of(255L), side.bitfield("b", BitFieldArgs.Builder.get(BitFieldArgs.unsigned(8), 0)));
    }
}
