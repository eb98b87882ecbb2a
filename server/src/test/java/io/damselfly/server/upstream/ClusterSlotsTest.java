package io.damselfly.server.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.damselfly.protocol.RespValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The cluster slot map alone: CRC16 and hash tags against values redis-server 7.0.15's CLUSTER
 * KEYSLOT gives, CLUSTER SLOTS replies installed (and garbage refused with nothing installed), and
 * the merging of fanned-out replies.
 */
class ClusterSlotsTest {
    private static final UpstreamUrl SEED = new UpstreamUrl(false, "127.0.0.1", 7000, null, "pw", 0);

    private static int slot(String key) {
        return ClusterSlots.slot(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void slot_isRedisKeyslot() {
        // CRC16/XMODEM's check value, and CLUSTER KEYSLOT of redis-server 7.0.15
        assertEquals(0x31C3, ClusterSlots.crc16("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9));
        assertEquals(12182, slot("foo"));
        assertEquals(4015, slot("foo{{bar}}zap"));
        assertEquals(slot("{bar"), slot("foo{{bar}}zap"));
        assertEquals(8363, slot("foo{}{bar}"));
        assertEquals(slot("user1000"), slot("{user1000}.following"));
        assertEquals(slot("{user1000}.followers"), slot("{user1000}.following"));
        assertEquals(0, slot(""));
        Random r = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            byte[] key = new byte[r.nextInt(20)];
            r.nextBytes(key);
            int s = ClusterSlots.slot(key);
            assertEquals(true, s >= 0 && s < ClusterSlots.SLOTS);
        }
    }

    private static RespValue range(long from, long to, String host, long port) {
        return new RespValue.Array(List.of(new RespValue.Integer(from), new RespValue.Integer(to),
                new RespValue.Array(List.of(new RespValue.BulkString(host.getBytes(StandardCharsets.UTF_8)), new RespValue.Integer(port),
                        new RespValue.BulkString("id".getBytes(StandardCharsets.UTF_8))))));
    }

    @Test
    void install_clusterSlots_mapsEverySlotToItsMaster() {
        ClusterSlots slots = new ClusterSlots(List.of(SEED), 100);
        List<UpstreamUrl> told = new ArrayList<>();
        slots.onNode(told::add);
        slots.install(new RespValue.Array(List.of(range(0, 5460, "10.0.0.1", 7000), range(5461, 10922, "", 7001),
                range(10923, 16383, "10.0.0.3", 7002))), SEED);
        assertEquals("10.0.0.1:7000", slots.owner(0).address());
        assertEquals("10.0.0.1:7000", slots.owner(5460).address());
        // an empty endpoint: the address the map was read from
        assertEquals("127.0.0.1:7001", slots.owner(5461).address());
        assertEquals("10.0.0.3:7002", slots.owner(16383).address());
        assertEquals("pw", slots.owner(16383).password());
        assertEquals(3, slots.nodes().size());
        assertEquals(3, told.size());
        assertSame(slots.owner(0), slots.anyNode());
        // a MOVED moves one slot, to a node learnt then
        slots.moved(100, "10.0.0.9", 7009);
        assertEquals("10.0.0.9:7009", slots.owner(100).address());
        assertEquals("10.0.0.1:7000", slots.owner(101).address());
        assertEquals(4, told.size());
        slots.moved(-1, "10.0.0.8", 1);
        slots.moved(16384, "10.0.0.8", 1);
        assertEquals(4, told.size());
        // a later map without the 10.0.0.3 master: it leaves the known masters
        slots.install(new RespValue.Array(List.of(range(0, 16383, "10.0.0.1", 7000))), SEED);
        assertEquals(1, slots.nodes().size());
        assertEquals("10.0.0.1:7000", slots.owner(16383).address());
        slots.close();
    }

    @Test
    void install_garbage_isRefusedAndChangesNothing() {
        ClusterSlots slots = new ClusterSlots(List.of(SEED), 100);
        slots.install(new RespValue.Array(List.of(range(0, 16383, "10.0.0.1", 7000))), SEED);
        List<RespValue> bad = List.of(new RespValue.Error("ERR This instance has cluster support disabled"), new RespValue.Null(),
                new RespValue.Array(List.of()), new RespValue.Array(List.of(new RespValue.Integer(1))),
                new RespValue.Array(List.of(new RespValue.Array(List.of(new RespValue.Integer(0), new RespValue.Integer(5))))),
                new RespValue.Array(List.of(new RespValue.Array(List.of(new RespValue.Integer(0), new RespValue.Integer(5),
                        new RespValue.Array(List.of(new RespValue.BulkString("h".getBytes(StandardCharsets.UTF_8)),
                                new RespValue.BulkString("port".getBytes(StandardCharsets.UTF_8)))))))));
        for (RespValue b : bad) {
            assertThrows(IllegalStateException.class, () -> slots.install(b, SEED), b.toString());
            assertEquals("10.0.0.1:7000", slots.owner(42).address());
        }
        Random r = new Random(2);
        for (int i = 0; i < 2000; i++) {
            RespValue v = randomValue(r, 3);
            try {
                slots.install(v, SEED);
            } catch (IllegalStateException refused) {
                // only this: never another exception
            }
        }
        // a map naming no usable master is refused too
        assertThrows(IllegalStateException.class, () -> slots.install(new RespValue.Array(List.of(range(0, 16383, "?", 1))), SEED));
        assertEquals("10.0.0.1:7000", slots.owner(42).address());
        // an unknown endpoint ('?') leaves its slots unserved
        slots.install(new RespValue.Array(List.of(range(0, 100, "?", 7000), range(101, 16383, "10.0.0.1", 7000))), SEED);
        assertNull(slots.owner(50));
        slots.close();
    }

    private static RespValue randomValue(Random r, int depth) {
        switch (r.nextInt(depth <= 0 ? 4 : 6)) {
            case 0 -> {
                return new RespValue.Integer(r.nextInt(40000) - 20000);
            }
            case 1 -> {
                return new RespValue.BulkString(Integer.toString(r.nextInt(100)).getBytes(StandardCharsets.UTF_8));
            }
            case 2 -> {
                return new RespValue.Null();
            }
            case 3 -> {
                return new RespValue.Error("ERR x");
            }
            default -> {
                List<RespValue> items = new ArrayList<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    items.add(randomValue(r, depth - 1));
                }
                return new RespValue.Array(items);
            }
        }
    }

    private static byte[][] frames(String... texts) {
        byte[][] out = new byte[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            out[i] = texts[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    @Test
    void merge_fannedOutReplies() {
        assertArrayEquals(":7\r\n".getBytes(StandardCharsets.UTF_8), UpstreamRouter.merge("dbsize", frames(":3\r\n", ":0\r\n", ":4\r\n")));
        assertArrayEquals("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n".getBytes(StandardCharsets.UTF_8),
                UpstreamRouter.merge("keys", frames("*1\r\n$1\r\na\r\n", "*0\r\n", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n")));
        assertArrayEquals("-ERR down\r\n".getBytes(StandardCharsets.UTF_8),
                UpstreamRouter.merge("flushall", frames("+OK\r\n", "-ERR down\r\n", "+OK\r\n")));
        assertArrayEquals("+OK\r\n".getBytes(StandardCharsets.UTF_8), UpstreamRouter.merge("config|set", frames("+OK\r\n", "+OK\r\n")));
        // shapes that cannot be merged are answered as they came
        assertArrayEquals("$3\r\nabc\r\n".getBytes(StandardCharsets.UTF_8), UpstreamRouter.merge("dbsize", frames(":1\r\n", "$3\r\nabc\r\n")));
        assertArrayEquals("+x\r\n".getBytes(StandardCharsets.UTF_8), UpstreamRouter.merge("keys", frames("*0\r\n", "+x\r\n")));
        assertArrayEquals(new byte[0], UpstreamRouter.merge("dbsize", new byte[][] {new byte[0]}));
        assertArrayEquals(":x\r\n".getBytes(StandardCharsets.UTF_8), UpstreamRouter.merge("dbsize", frames(":x\r\n", ":1\r\n")));
        assertArrayEquals(":\r".getBytes(StandardCharsets.UTF_8), UpstreamRouter.merge("dbsize", frames(":\r", ":1\r\n")));
        assertArrayEquals("*z\r\n".getBytes(StandardCharsets.UTF_8), UpstreamRouter.merge("keys", frames("*z\r\n", "*0\r\n")));
        assertArrayEquals("*".getBytes(StandardCharsets.UTF_8), UpstreamRouter.merge("keys", frames("*", "*0\r\n")));
    }
}
