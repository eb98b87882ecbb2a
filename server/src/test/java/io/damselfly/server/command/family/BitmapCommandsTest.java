package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.keyspace.KeyspaceObserver;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.BitFieldArgs;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bitmap family through a real client (Lettuce, RESP3 and RESP2) and raw transcripts:
 * replies, the write hook's events (a write only when something changes), a string set whole
 * turned raw by its first SETBIT, a lent value left as the reply read it, SETBIT inside MULTI and
 * from a Lua script. Exact error texts and the comparison with redis-server are in
 * BitmapCommandsCompatibilityTest; the keyspace invariants (memory account) are checked after
 * every test by the extension.
 */
@ExtendWith(ServerExtension.class)
class BitmapCommandsTest {

    @Test
    void setbit_getbit_bitcount_bitpos_resp3(RedisCommands<String, String> redis) {
        assertEquals(0L, redis.setbit("b", 7, 1));
        assertEquals(1L, redis.setbit("b", 7, 1));
        assertEquals("\u0001", redis.get("b"));
        assertEquals(1L, redis.getbit("b", 7));
        assertEquals(0L, redis.getbit("b", 6));
        assertEquals(0L, redis.getbit("b", 1_000_000));
        assertEquals(0L, redis.setbit("b", 15, 1));
        assertEquals(2L, redis.strlen("b"));
        assertEquals(2L, redis.bitcount("b"));
        assertEquals(1L, redis.bitcount("b", 1, 1));
        assertEquals(7L, redis.bitpos("b", true));
        assertEquals(0L, redis.bitpos("b", false));
        assertEquals(15L, redis.bitpos("b", true, 1));
        assertEquals(-1L, redis.bitpos("b", true, 2));
        assertEquals(-1L, redis.bitpos("nokey", true));
        assertEquals(0L, redis.bitpos("nokey", false));
        assertEquals(0L, redis.bitcount("nokey"));
        assertEquals("raw", redis.objectEncoding("b"));
    }

    @Test
    void bitcount_bitpos_bitUnits_resp2(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        redis.set("s", "foobar");
        assertEquals(26L, redis.bitcount("s"));
        assertEquals(":17", raw.callText("BITCOUNT", "s", "5", "30", "BIT"));
        assertEquals(":26", raw.callText("BITCOUNT", "s", "0", "-1", "byte"));
        assertEquals(":6", raw.callText("BITCOUNT", "s", "1", "1", "BYTE"));
        assertEquals(":9", raw.callText("BITPOS", "s", "1", "7", "15", "BIT"));
        assertEquals(":-1", raw.callText("BITPOS", "s", "1", "0", "0", "BIT"));
        assertEquals("-ERR syntax error", raw.callText("BITCOUNT", "s", "0", "1", "NIBBLE"));
        assertEquals("-ERR The bit argument must be 1 or 0.", raw.callText("BITPOS", "s", "2"));
    }

    @Test
    void bitop_allOperations_andEmptyResultDeletes(RedisCommands<String, String> redis) {
        redis.set("a", "abc");
        redis.set("b", "A");
        assertEquals(3L, redis.bitopAnd("d", "a", "b"));
        assertEquals("A\u0000\u0000", redis.get("d"));
        assertEquals(3L, redis.bitopOr("d", "a", "b"));
        assertEquals("abc", redis.get("d"));
        assertEquals(3L, redis.bitopXor("d", "a", "b"));
        assertEquals(" bc", redis.get("d"));
        assertEquals(1L, redis.bitopNot("d", "b"));
        assertEquals(List.of(0xBEL), redis.bitfield("d", BitFieldArgs.Builder.get(BitFieldArgs.unsigned(8), 0)));
        redis.expire("d", 100);
        assertEquals(3L, redis.bitopOr("d", "a", "nokey"));
        assertEquals(-1L, redis.ttl("d"));
        assertEquals(0L, redis.bitopAnd("d", "nokey", "nokey2"));
        assertEquals(0L, redis.exists("d"));
        redis.rpush("l", "x");
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class, () -> redis.bitopOr("d", "a", "l"));
        assertEquals("WRONGTYPE Operation against a key holding the wrong kind of value", e.getMessage());
        assertEquals(0L, redis.exists("d"));
    }

    @Test
    void bitfield_overflows_andNilOnFail(RedisCommands<String, String> redis, RawClient raw) {
        BitFieldArgs args = BitFieldArgs.Builder.set(BitFieldArgs.signed(8), 0, 100)
                .get(BitFieldArgs.signed(8), 0)
                .incrBy(BitFieldArgs.signed(8), 0, 100)
                .overflow(BitFieldArgs.OverflowType.SAT).incrBy(BitFieldArgs.signed(8), 0, 100)
                .overflow(BitFieldArgs.OverflowType.FAIL).incrBy(BitFieldArgs.signed(8), 0, 100);
        assertEquals(Arrays.asList(0L, 100L, -56L, 44L, null), redis.bitfield("f", args));
        assertEquals("[:44, :44]", raw.callText("BITFIELD_RO", "f", "GET", "i8", "0", "GET", "i8", "#0"));
        assertEquals("[(nil), :0]", raw.callText("BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u1", "0", "2", "GET", "u1", "0"));
        raw.call("HELLO", "3");
        assertEquals("[(nil), :1, :0]", raw.callText("BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u1", "0", "2",
                "SET", "u1", "2", "0", "GET", "u1", "2"));
        assertEquals("-ERR BITFIELD_RO only supports the GET subcommand", raw.callText("BITFIELD_RO", "f", "SET", "u8", "0", "1"));
    }

    @Test
    void writes_areBookedOnlyWhenSomethingChanges(RedisCommands<String, String> redis, EmbeddedServer server) {
        List<String> events = new CopyOnWriteArrayList<>();
        KeyspaceObserver recorder = (db, key, event) -> {
            String k = new String(key, StandardCharsets.UTF_8);
            if (k.equals("ev") || k.equals("dest")) {
                events.add(k + ":" + event.redisName());
            }
        };
        server.keyspace().addObserver(recorder);
        redis.setbit("ev", 3, 1);
        redis.setbit("ev", 3, 1);
        redis.setbit("ev", 3, 0);
        redis.setbit("ev", 3, 0);
        redis.setbit("ev", 20, 0);
        redis.bitfield("ev", BitFieldArgs.Builder.set(BitFieldArgs.unsigned(4), 0, 0));
        redis.bitfield("ev", BitFieldArgs.Builder.set(BitFieldArgs.unsigned(4), 0, 5));
        redis.bitfield("ev", BitFieldArgs.Builder.get(BitFieldArgs.unsigned(4), 0));
        redis.bitopOr("dest", "ev");
        redis.bitopAnd("dest", "nokey");
        // created, cleared, grown, a field changed: the unchanged bit, the unchanged field and the GET write nothing
        assertEquals(List.of("ev:new", "ev:setbit", "ev:setbit", "ev:setbit", "ev:setbit",
                "dest:new", "dest:set", "dest:del"), events);
    }

    @Test
    void setbit_onALentValue_leavesTheReplyAsItWasRead(RawClient raw) {
        byte[] big = new byte[20_000];
        Arrays.fill(big, (byte) 'a');
        assertEquals("+OK", raw.callText("SET", "big", big));
        // one write: the GET's reply lends the stored array, the SETBIT right behind it changes the value
        raw.sendRaw(RawClient.encodeAll(List.of(new Object[] {"GET", "big"}, new Object[] {"SETBIT", "big", "0", "1"})));
        assertEquals("$" + "a".repeat(20_000), RawClient.render(raw.read()));
        assertEquals(":0", RawClient.render(raw.read()));
        assertEquals(":1", raw.callText("GETBIT", "big", "0"));
        assertEquals("[:1, :1, :0]", raw.callText("BITFIELD_RO", "big", "GET", "u1", "0", "GET", "u1", "1", "GET", "u1", "3"));
    }

    @Test
    void setbit_insideMulti_andFromLua(RedisCommands<String, String> redis) {
        redis.multi();
        redis.setbit("m", 1, 1);
        redis.getbit("m", 1);
        TransactionResult r = redis.exec();
        assertEquals(List.of(0L, 1L), List.of((Long) r.get(0), (Long) r.get(1)));
        assertEquals(1L, (Long) redis.eval("redis.call('SETBIT', KEYS[1], 7, 1) return redis.call('BITCOUNT', KEYS[1])",
                ScriptOutputType.INTEGER, "lua"));
        assertEquals("\u0001", redis.get("lua"));
        assertEquals("@", redis.get("m"));
    }
}
