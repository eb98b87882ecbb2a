package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.ReplyComparison;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hash family differentially against a live redis-server 7.0.15 (see {@link ReplyComparison}),
 * RESP2 and RESP3: exact replies where they do not depend on chance or table layout; for
 * HRANDFIELD the shapes and sizes; for HSCAN of a hash table the union of a full walk.
 */
class HashCommandsCompatibilityTest implements DifferentialScripts {
    @AfterEach
    void restoreConfig(EmbeddedServer server, RedisServerProcess redis) {
        ReplyComparison.okOnBoth(redis, server, "CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "64");
    }

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"command-info", """
                COMMAND INFO hset hmset hsetnx hget hmget hgetall hkeys hvals hdel
                COMMAND INFO hexists hlen hstrlen hincrby hincrbyfloat hrandfield hscan
                COMMAND DOCS hset hrandfield hscan
                """},
        {"set-get", """
                HSET h a 1 b 2 c 3
                HSET h a 10 d 4
                HGET h a
                HGET h nosuch
                HGET nokey a
                HMGET h a b nosuch d
                HMGET nokey a b
                HGETALL h
                HKEYS h
                HVALS h
                HLEN h
                HLEN nokey
                HGETALL nokey
                HKEYS nokey
                HVALS nokey
                HEXISTS h a
                HEXISTS h nosuch
                HEXISTS nokey a
                HSTRLEN h a
                HSTRLEN h nosuch
                HSTRLEN nokey a
                HMSET h e 5 f 6
                HSETNX h a 99
                HSETNX h g 7
                HSETNX newkey f v
                HGETALL h
                HGETALL newkey
                TYPE h
                OBJECT ENCODING h
                HSET h _ _
                HGET h _
                HSTRLEN h _
                HGETALL h
                """},
        {"delete-and-removal", """
                HSET h a 1 b 2 c 3
                HDEL h nosuch
                HDEL h a a nosuch
                HDEL h b c d
                EXISTS h
                HDEL h a
                HDEL nokey a
                HSET h a 1 b 2
                EXPIRE h 100
                HDEL h a
                TTL h
                HSET h z 26
                TTL h
                HDEL h b z
                TTL h
                EXISTS h
                """},
        {"arity-and-garbage", """
                HSET
                HSET h
                HSET h a
                HSET h a 1 b
                HMSET h a
                HMSET h a 1 b
                HSETNX h a
                HSETNX h a 1 2
                HGET h
                HGET h a b
                HMGET h
                HGETALL
                HGETALL h h
                HDEL h
                HLEN
                HEXISTS h
                HSTRLEN h a b
                HKEYS
                HVALS h x
                HINCRBY h a
                HINCRBY h a 1 2
                HINCRBYFLOAT h a
                HRANDFIELD
                HSCAN h
                EXISTS h
                """},
        {"wrongtype", """
                SET s v
                HSET s a 1
                HMSET s a 1
                HSETNX s a 1
                HGET s a
                HMGET s a
                HGETALL s
                HKEYS s
                HVALS s
                HDEL s a
                HEXISTS s a
                HLEN s
                HSTRLEN s a
                HINCRBY s a 1
                HINCRBYFLOAT s a 1
                HRANDFIELD s
                HRANDFIELD s 2
                HRANDFIELD s -2 WITHVALUES
                HSCAN s 0
                HSET h a 1
                GET h
                INCR h
                APPEND h x
                STRLEN h
                SET h v
                HGET h a
                GET h
                """},
        {"hincrby", """
                HINCRBY h a 5
                HINCRBY h a -7
                HINCRBY h a abc
                HINCRBY h a 1.5
                HINCRBY h a _
                HINCRBY h a 9223372036854775808
                HSET h n 9223372036854775800 s foo f 1.5 sp _ lz 01 pl +1
                HINCRBY h n 7
                HINCRBY h n 1
                HINCRBY h n -9223372036854775807
                HSET h m -9223372036854775800
                HINCRBY h m -8
                HINCRBY h m -1
                HINCRBY h s 1
                HINCRBY h f 1
                HINCRBY h sp 1
                HINCRBY h lz 1
                HINCRBY h pl 1
                HINCRBY nokey a -3
                HGETALL nokey
                HINCRBY h a 9223372036854775807
                HINCRBY h a 1
                OBJECT ENCODING h
                """},
        {"hincrbyfloat", """
                HINCRBYFLOAT h a 1.5
                HINCRBYFLOAT h a 0.1
                HINCRBYFLOAT h a -5.0e3
                HINCRBYFLOAT h a 1e3
                HINCRBYFLOAT h a abc
                HINCRBYFLOAT h a _
                HINCRBYFLOAT h a inf
                HINCRBYFLOAT h a -inf
                HINCRBYFLOAT h a nan
                HINCRBYFLOAT h a 0x10
                HINCRBYFLOAT h a 1e5000
                HSET h i 10 s foo big 1.5e4000 e _ spc 1 neg -0
                HINCRBYFLOAT h i 0.5
                HINCRBYFLOAT h s 1
                HINCRBYFLOAT h e 1
                HINCRBYFLOAT h big 1e4000
                HINCRBYFLOAT h big 1.1e4932
                HINCRBYFLOAT h neg 0
                HSET h f 1000000.1
                HINCRBYFLOAT h f 0.1
                HSET h g 10.50
                HINCRBYFLOAT h g -5.0e3
                HINCRBYFLOAT nokey x 3.0
                HGETALL nokey
                ~HGETALL h
                """},
        {"hrandfield-deterministic", """
                HRANDFIELD nokey
                HRANDFIELD nokey 5
                HRANDFIELD nokey -5 WITHVALUES
                HRANDFIELD nokey 0
                HSET h a 1
                HRANDFIELD h
                HRANDFIELD h 1
                HRANDFIELD h -3
                HRANDFIELD h -3 WITHVALUES
                HRANDFIELD h 0
                HRANDFIELD h 0 WITHVALUES
                HRANDFIELD h 5 WITHVALUES
                HRANDFIELD h 1 WITHVALUE
                HRANDFIELD h 1 WITHVALUES x
                HRANDFIELD h x
                HRANDFIELD h 1.5
                HRANDFIELD h -9223372036854775808
                HRANDFIELD h 9223372036854775807 WITHVALUES
                HRANDFIELD h -4611686018427387904 WITHVALUES
                HRANDFIELD h 4611686018427387903 WITHVALUES
                HRANDFIELD h 9223372036854775807
                HRANDFIELD nokey 9223372036854775807 WITHVALUES
                HSET h b 2 c 3
                ~HRANDFIELD h 3
                ~HRANDFIELD h 10 WITHVALUES
                """},
        {"hscan-listpack", """
                HSCAN nokey 0
                HSCAN nokey 0 COUNT 0
                HSCAN nokey x
                HSET h a 1 b 2 c 3 ab 4 _ 5
                HSCAN h 0
                HSCAN h 12345
                HSCAN h 0 COUNT 1
                HSCAN h 0 MATCH a*
                HSCAN h 0 MATCH *
                HSCAN h 0 MATCH nomatch
                HSCAN h 0 COUNT 0
                HSCAN h 0 COUNT -1
                HSCAN h 0 COUNT x
                HSCAN h 0 MATCH
                HSCAN h 0 TYPE string
                HSCAN h 0 NOVALUES
                HSCAN h -1
                HSCAN h 18446744073709551616
                HSCAN h 1x
                HSCAN h _
                """},
        {"encoding-conversions", """
                HSET h a 1
                OBJECT ENCODING h
                CONFIG SET hash-max-listpack-entries 3
                CONFIG GET hash-max-listpack-entries
                CONFIG GET hash-max-ziplist-entries
                HSET h b 2 c 3
                OBJECT ENCODING h
                HSET h d 4
                OBJECT ENCODING h
                HDEL h a b c
                OBJECT ENCODING h
                HLEN h
                CONFIG SET hash-max-ziplist-entries 512
                CONFIG SET hash-max-ziplist-value 4
                CONFIG GET hash-max-listpack-value
                HSET v a 1234
                OBJECT ENCODING v
                HSET v a 12345
                OBJECT ENCODING v
                HSET w 12345 1
                OBJECT ENCODING w
                HSETNX x a 1
                HSETNX x b 12345
                OBJECT ENCODING x
                HSET y a 1
                HSETNX y a 123456789
                OBJECT ENCODING y
                HSET z a 1
                HINCRBY z a 99999
                OBJECT ENCODING z
                HSET z2 a 1
                HINCRBY z2 longfield 1
                OBJECT ENCODING z2
                HSET z3 a 1
                HINCRBYFLOAT z3 a 0.25
                OBJECT ENCODING z3
                HSET z4 a 1
                HSET z4 a 1 b 123456789
                OBJECT ENCODING z4
                HSET z5 a 1
                HMSET z5 a 123456789
                HDEL z5 a
                EXISTS z5
                CONFIG SET hash-max-listpack-value 0
                HSET e _ _
                OBJECT ENCODING e
                HSET e a _
                OBJECT ENCODING e
                CONFIG SET hash-max-listpack-entries 0
                HSET n a 1
                OBJECT ENCODING n
                COPY h hcopy
                OBJECT ENCODING hcopy
                HGETALL hcopy
                COPY y ycopy
                OBJECT ENCODING ycopy
                RENAME y y2
                OBJECT ENCODING y2
                HGETALL y2
                """},
        {"config", """
                ~CONFIG GET hash-max-*
                ~CONFIG GET hash*ziplist-entries
                CONFIG SET hash-max-listpack-entries -1
                CONFIG SET hash-max-listpack-entries x
                CONFIG SET hash-max-ziplist-value -1
                CONFIG SET hash-max-ziplist-value 1k
                CONFIG GET hash-max-listpack-value
                CONFIG SET hash-max-listpack-value 1kb
                CONFIG GET hash-max-ziplist-value
                """},
        {"memory-usage", """
                MEMORY USAGE nokey
                MEMORY USAGE nokey SAMPLES -1
                SET s v
                MEMORY USAGE s SAMPLES -1
                MEMORY USAGE s SAMPLES x
                MEMORY USAGE s foo
                MEMORY USAGE s SAMPLES
                MEMORY USAGE
                """},
        {"copy-move-expire", """
                HSET h a 1 b 2
                COPY h h2
                HSET h2 c 3
                HGETALL h
                HGETALL h2
                MOVE h2 1
                EXISTS h2
                SELECT 1
                HGETALL h2
                SELECT 0
                RENAME h h3
                HGETALL h3
                PEXPIRE h3 100000
                HSET h3 d 4
                TTL h3
                DEL h3
                EXISTS h3
                """},
    };

    /** HRANDFIELD's random replies: the same shape and size as Redis's, drawn from the hash. */
    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void hrandfield_sameShapesAndSizes(int protocol, RedisServerProcess redis, EmbeddedServer damselfly) {
        for (String entries : List.of("512", "2")) {
            try (RawClient ref = new RawClient("127.0.0.1", redis.port());
                 RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
                for (RawClient c : List.of(ref, ours)) {
                    c.call("FLUSHALL");
                    c.call("HELLO", Integer.toString(protocol));
                    c.call("CONFIG", "SET", "hash-max-listpack-entries", entries);
                    List<Object> args = new ArrayList<>(List.of("HSET", "h"));
                    for (int i = 0; i < 20; i++) {
                        args.add("f" + i);
                        args.add("v" + i);
                    }
                    c.call(args.toArray());
                }
                assertEquals(ref.callText("OBJECT", "ENCODING", "h"), ours.callText("OBJECT", "ENCODING", "h"));
                for (String[] call : new String[][] {{"5"}, {"15"}, {"19"}, {"20"}, {"30"}, {"-5"}, {"-50"},
                        {"5", "WITHVALUES"}, {"15", "WITHVALUES"}, {"-30", "WITHVALUES"}, {"25", "WITHVALUES"}}) {
                    Object[] args = Stream.concat(Stream.of("HRANDFIELD", "h"), Stream.of(call)).toArray();
                    RespValue expected = ref.call(args);
                    RespValue actual = ours.call(args);
                    assertEquals(shape(expected), shape(actual), String.join(" ", call));
                    assertPicksFromHash(actual, call.length == 2, protocol, Long.parseLong(call[0]) > 0);
                }
            }
        }
    }

    /** An array reply's shape: its length and, for nested pairs, each element's length. */
    private static String shape(RespValue v) {
        if (v instanceof RespValue.Array a) {
            StringBuilder s = new StringBuilder("[" + a.values().size());
            for (RespValue x : a.values()) {
                if (x instanceof RespValue.Array inner) {
                    s.append(' ').append(inner.values().size());
                }
            }
            return s.append(']').toString();
        }
        return RawClient.render(v);
    }

    private static void assertPicksFromHash(RespValue reply, boolean withValues, int protocol, boolean unique) {
        List<RespValue> items = ((RespValue.Array) reply).values();
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String f;
            String v = null;
            if (withValues && protocol == 3) {
                List<RespValue> pair = ((RespValue.Array) items.get(i)).values();
                f = RawClient.render(pair.get(0));
                v = RawClient.render(pair.get(1));
            } else {
                f = RawClient.render(items.get(i));
                if (withValues) {
                    v = RawClient.render(items.get(++i));
                }
            }
            assertTrue(f.matches("\\$f\\d+"), f);
            if (v != null) {
                assertEquals(f.replace("$f", "$v"), v);
            }
            fields.add(f);
        }
        if (unique) {
            assertEquals(fields.size(), new TreeSet<>(fields).size(), "distinct fields: " + fields);
        }
    }

    /** HSCAN of a hash table walked to the end returns every pair, as Redis's does; COUNT bounds each call. */
    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void hscan_hashtableWalk_sameUnion(int protocol, RedisServerProcess redis, EmbeddedServer damselfly) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            for (RawClient c : List.of(ref, ours)) {
                c.call("FLUSHALL");
                c.call("HELLO", Integer.toString(protocol));
                List<Object> args = new ArrayList<>(List.of("HSET", "h"));
                for (int i = 0; i < 1000; i++) {
                    args.add("field:" + i);
                    args.add("value:" + i);
                }
                c.call(args.toArray());
            }
            assertEquals("$hashtable", ours.callText("OBJECT", "ENCODING", "h"));
            for (String match : new String[] {null, "field:1*", "*9"}) {
                assertEquals(walk(ref, match), walk(ours, match), "MATCH " + match);
            }
        }
    }

    private static TreeSet<String> walk(RawClient c, String match) {
        TreeSet<String> seen = new TreeSet<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<Object> args = new ArrayList<>(List.of("HSCAN", "h", cursor, "COUNT", "20"));
            if (match != null) {
                args.add("MATCH");
                args.add(match);
            }
            List<RespValue> reply = ((RespValue.Array) c.call(args.toArray())).values();
            cursor = RawClient.render(reply.get(0)).substring(1);
            List<RespValue> items = ((RespValue.Array) reply.get(1)).values();
            assertTrue(items.size() <= 2 * 20 * 3, "one call returns about COUNT pairs, got " + items.size() / 2);
            for (int i = 0; i < items.size(); i += 2) {
                seen.add(RawClient.render(items.get(i)) + "=" + RawClient.render(items.get(i + 1)));
            }
            calls++;
        } while (!cursor.equals("0"));
        assertTrue(calls > 1, "a hash table is walked in several calls");
        return seen;
    }
}
