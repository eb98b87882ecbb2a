package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bitmap family differentially against a live redis-server 7.0.15 (see {@link
 * ReplyComparison}), RESP2 and RESP3: SETBIT/GETBIT, BITCOUNT and BITPOS with negative ranges and
 * BYTE/BIT units, BITOP's four operations (an empty result deleting the destination), BITFIELD's
 * types, #N offsets and three overflow behaviours, BITFIELD_RO, offsets at the 2^32-1 limit,
 * WRONGTYPE, every error text and arity; binary values (bytes 0x00..0xff) and a seeded random
 * walk of well-formed and garbage commands whose every reply, and the keys' values after each,
 * must equal redis-server's.
 */
class BitmapCommandsCompatibilityTest implements DifferentialScripts {

    @AfterEach
    void restoreConfig(EmbeddedServer server, RedisServerProcess redis) {
        ReplyComparison.okOnBoth(redis, server, "CONFIG", "SET", "proto-max-bulk-len", "536870912");
    }

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"setbit-getbit", """
                SETBIT k 7 1
                GET k
                GETBIT k 7
                GETBIT k 0
                GETBIT k 8
                GETBIT k 4294967295
                GETBIT nokey 0
                SETBIT k 7 1
                SETBIT k 7 0
                GET k
                SETBIT k 100 1
                STRLEN k
                GETBIT k 100
                SETBIT k 0 1
                SETBIT k 0 1
                OBJECT ENCODING k
                SET n 1234
                GETBIT n 2
                SETBIT n 7 1
                GET n
                SETBIT new 0 0
                EXISTS new
                STRLEN new
                SET empty _
                GETBIT empty 0
                SETBIT empty 3 1
                GET empty
                SET e abc
                SETBIT e 1 1
                OBJECT ENCODING e
                SET f abc
                BITFIELD f SET u8 0 97
                OBJECT ENCODING f
                SET g abc
                BITFIELD g GET u8 0
                GETBIT g 1
                BITCOUNT g
                OBJECT ENCODING g
                SET h abc
                BITFIELD h OVERFLOW FAIL SET u8 0 256
                OBJECT ENCODING h
                SET i 12
                SETBIT i 2 1
                OBJECT ENCODING i
                """},
        {"setbit-getbit-errors", """
                SETBIT k -1 1
                SETBIT k 4294967296 1
                SETBIT k 18446744073709551616 1
                SETBIT k abc 1
                SETBIT k 1.5 1
                SETBIT k _ 1
                SETBIT k 0 2
                SETBIT k 0 -1
                SETBIT k 0 abc
                SETBIT k 0 _
                SETBIT k 0 01
                SETBIT k +1 1
                GETBIT k -1
                GETBIT k 4294967296
                GETBIT k x
                GETBIT k _
                RPUSH l a
                SETBIT l 0 1
                GETBIT l 0
                SETBIT l -1 1
                GETBIT l x
                SETBIT
                SETBIT k
                SETBIT k 1
                SETBIT k 1 1 1
                GETBIT k
                GETBIT k 1 1
                EXISTS k
                """},
        {"bitcount", """
                SET s foobar
                BITCOUNT s
                BITCOUNT s 0 0
                BITCOUNT s 1 1
                BITCOUNT s 1 -1
                BITCOUNT s -2 -1
                BITCOUNT s -1 -2
                BITCOUNT s -1 -2 garbage
                BITCOUNT s 2 1
                BITCOUNT s -100 100
                BITCOUNT s 5 30 BYTE
                BITCOUNT s 5 30 bit
                BITCOUNT s 0 -1 BIT
                BITCOUNT s 1 1 BIT
                BITCOUNT s 7 13 BIT
                BITCOUNT s -5 -1 BIT
                BITCOUNT s -100 -90 BIT
                BITCOUNT s 3 3 bit
                BITCOUNT s 9223372036854775807 -9223372036854775808
                BITCOUNT s -9223372036854775808 9223372036854775807 BIT
                BITCOUNT s 0
                BITCOUNT s 0 1 nibble
                BITCOUNT s 0 1 BIT x
                BITCOUNT s a 1
                BITCOUNT s 0 b
                BITCOUNT s 0 9223372036854775808
                BITCOUNT nokey
                BITCOUNT nokey 0
                BITCOUNT nokey a b c d
                SET empty _
                BITCOUNT empty
                BITCOUNT empty 0 -1 BIT
                SET num 12345
                BITCOUNT num
                BITCOUNT num 1 2 BIT
                HSET h f v
                BITCOUNT h
                BITCOUNT h 0
                BITCOUNT
                """},
        {"bitpos", """
                SET s foobar
                BITPOS s 1
                BITPOS s 0
                BITPOS s 1 2
                BITPOS s 1 2 -1
                BITPOS s 1 -1
                BITPOS s 0 -1
                BITPOS s 1 7 15 BIT
                BITPOS s 0 7 15 bit
                BITPOS s 1 -3 -1 BIT
                BITPOS s 0 100
                BITPOS s 1 100
                BITPOS s 1 2 1
                BITPOS s 0 0 -1 BYTE
                BITFIELD ones SET u8 0 255 SET u8 8 255 SET u8 16 255
                BITPOS ones 1
                BITPOS ones 0
                BITPOS ones 0 1
                BITPOS ones 0 -1
                BITPOS ones 0 0 -1
                BITPOS ones 0 0 -1 BIT
                BITPOS ones 0 0 2
                BITPOS ones 0 0 23 BIT
                BITPOS ones 0 3 3 BIT
                BITPOS nokey 1
                BITPOS nokey 0
                BITPOS nokey 0 garbage
                BITPOS nokey 2
                BITPOS nokey x
                BITPOS s 2
                BITPOS s -1
                BITPOS s 1.0
                BITPOS s 1 a
                BITPOS s 1 0 b
                BITPOS s 1 0 1 nibble
                BITPOS s 1 0 nibble
                BITPOS s 1 0 1 bit extra
                BITPOS s 1 0 -1 bit extra more
                BITPOS s 0 9223372036854775807
                BITPOS s 1 -9223372036854775808 9223372036854775807 BIT
                SET empty _
                BITPOS empty 0
                BITPOS empty 1
                BITPOS empty 0 0 -1 BIT
                LPUSH l a
                BITPOS l 1
                BITPOS l 1 0 x
                BITPOS
                BITPOS s
                """},
        {"bitop", """
                SET a abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ
                SET b 0123456789
                SET c ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba
                BITOP AND d a b
                GET d
                BITOP and d a b c
                GET d
                BITOP OR d a b c
                GET d
                BITOP XOR d a c b
                GET d
                BITOP XOR d b
                GET d
                BITOP NOT d a
                GET d
                STRLEN d
                BITOP NOT d b
                GET d
                BITOP AND d b nokey
                GET d
                BITOP OR d nokey b
                GET d
                BITOP AND d nokey1 nokey2
                EXISTS d
                SET d x
                BITOP OR d nokey
                EXISTS d
                HSET h f v
                BITOP OR h a
                TYPE h
                GET h
                SET e _
                BITOP OR d e e
                EXISTS d
                BITOP AND a a a
                GET a
                SET d x EX 100
                BITOP OR d a
                TTL d
                RPUSH l x
                BITOP OR d a l
                BITOP OR d l a
                BITOP NOT d a b
                BITOP NOT d
                BITOP NAND d a b
                BITOP
                BITOP AND
                BITOP AND d
                """},
        {"bitfield", """
                BITFIELD bf SET i8 0 100 GET i8 0 INCRBY i8 0 100 GET u8 0
                GET bf
                BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1
                BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1
                BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1
                BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1
                BITFIELD bf OVERFLOW FAIL INCRBY u2 102 1
                BITFIELD bf GET u4 0 GET i4 0 GET u4 4 GET i64 0 GET u63 1 GET i1 0 GET u1 0
                BITFIELD bf SET u8 #1 255 GET u8 #1 GET u8 8 SET i16 #3 -1 GET i16 48 GET u16 #3
                BITFIELD bf GET u8 1000 GET i64 4294967232
                STRLEN bf
                BITFIELD bf SET i64 0 -9223372036854775808 GET i64 0 INCRBY i64 0 -1
                BITFIELD bf OVERFLOW SAT INCRBY i64 0 -1 INCRBY i64 0 9223372036854775807 INCRBY i64 0 1
                BITFIELD bf OVERFLOW FAIL INCRBY i64 0 1 GET i64 0
                BITFIELD bf OVERFLOW WRAP SET u8 0 256 SET u8 0 -1 SET i8 0 128 SET i8 0 -129
                BITFIELD bf OVERFLOW SAT SET u8 0 256 GET u8 0 SET u8 0 -1 GET u8 0 SET i8 0 128 GET i8 0 SET i8 0 -129 GET i8 0
                BITFIELD bf OVERFLOW SAT SET i8 0 -9223372036854775808 GET i8 0 SET u8 0 -9223372036854775808 GET u8 0
                BITFIELD bf OVERFLOW FAIL SET u8 0 256 SET i8 0 -129 SET u8 0 255 GET u8 0
                BITFIELD bf OVERFLOW SAT INCRBY u8 0 -300 INCRBY i8 0 -300 INCRBY i8 0 300 INCRBY u63 3 9223372036854775807
                BITFIELD bf OVERFLOW WRAP INCRBY u8 0 -300 INCRBY i8 0 -300 INCRBY i8 0 300 INCRBY u63 3 9223372036854775807
                BITFIELD bf INCRBY i5 3 30 INCRBY i5 3 30 INCRBY u5 3 30 INCRBY i7 5 -70
                BITFIELD bf SET i64 13 123456789012345 GET i64 13 GET u63 14 GET i33 20
                GET bf
                BITFIELD bf
                BITFIELD bf OVERFLOW SAT
                BITFIELD nokey GET u8 0 GET i8 0
                EXISTS nokey
                BITFIELD fail OVERFLOW FAIL INCRBY u2 0 5
                EXISTS fail
                BITFIELD nokey2 SET u8 0 0
                GET nokey2
                BITFIELD_RO bf GET u8 0 GET i16 #2
                BITFIELD_RO bf
                BITFIELD_RO bf SET u8 0 1
                BITFIELD_RO bf GET u8 0 INCRBY u8 0 1
                BITFIELD_RO bf OVERFLOW FAIL GET u8 0
                BITFIELD_RO nokey GET u8 0
                """},
        {"bitfield-errors", """
                BITFIELD bf GET u64 0
                BITFIELD bf GET i65 0
                BITFIELD bf GET i0 0
                BITFIELD bf GET u0 0
                BITFIELD bf GET U8 0
                BITFIELD bf GET I8 0
                BITFIELD bf GET x8 0
                BITFIELD bf GET i 0
                BITFIELD bf GET _ 0
                BITFIELD bf GET i-1 0
                BITFIELD bf GET i08 0
                BITFIELD bf GET u8 -1
                BITFIELD bf GET u8 #-1
                BITFIELD bf GET u8 #
                BITFIELD bf GET u8 ##1
                BITFIELD bf GET u8 #x
                BITFIELD bf GET u8 4294967296
                BITFIELD bf GET u8 4294967295
                BITFIELD bf GET u8 #536870912
                BITFIELD bf GET u8 #536870911
                BITFIELD bf GET i64 #67108864
                BITFIELD bf GET i64 #1152921504606846976
                BITFIELD bf GET u8 #9223372036854775807
                BITFIELD bf GET u8 x
                BITFIELD bf SET u8 0 x
                BITFIELD bf SET u8 0 1.5
                BITFIELD bf INCRBY u8 0 9223372036854775808
                BITFIELD bf SET u8 0
                BITFIELD bf GET u8
                BITFIELD bf INCRBY u8 0
                BITFIELD bf OVERFLOW
                BITFIELD bf OVERFLOW BOUNCE GET u8 0
                BITFIELD bf OVERFLOW sat GET u8 0
                BITFIELD bf FETCH u8 0
                BITFIELD bf GET u8 0 x
                BITFIELD bf GET u8 0 SET u8 0 1 GET u64 0
                BITFIELD bf SET u8 0 1 GET u8 x
                EXISTS bf
                BITFIELD_RO bf SET u8 0 1 GET u64 0
                BITFIELD_RO bf GET u8 0 SET u8 x 1
                SADD s a
                BITFIELD s GET u8 0
                BITFIELD s SET u8 0 1
                BITFIELD s OVERFLOW FAIL SET u8 0 1000
                BITFIELD_RO s GET u8 0
                BITFIELD_RO s SET u8 0 1
                BITFIELD s GET u64 0
                BITFIELD
                BITFIELD_RO
                """},
        {"watch", """
                SET w abc
                WATCH w
                SETBIT w 1 1
                MULTI
                GET w
                EXEC
                WATCH w
                SETBIT w 0 1
                MULTI
                GET w
                EXEC
                WATCH w
                BITFIELD w OVERFLOW FAIL SET u8 800 1000
                MULTI
                STRLEN w
                EXEC
                WATCH w
                BITFIELD w SET u8 0 225 GET u8 0
                MULTI
                STRLEN w
                EXEC
                WATCH w
                BITFIELD w INCRBY u8 0 1
                MULTI
                STRLEN w
                EXEC
                WATCH w
                BITOP OR w w
                MULTI
                STRLEN w
                EXEC
                WATCH nokey
                BITOP AND nokey nokey1
                MULTI
                PING
                EXEC
                WATCH w
                BITOP AND w nokey1
                MULTI
                PING
                EXEC
                """},
        {"proto-max-bulk-len", """
                CONFIG SET proto-max-bulk-len 1048576
                SETBIT k 8388607 1
                STRLEN k
                SETBIT k 8388608 1
                GETBIT k 8388608
                GETBIT k 8388607
                BITFIELD k GET u8 8388608
                BITFIELD k GET u8 8388600 GET i64 8388600
                BITFIELD k SET u8 8388600 255
                BITFIELD k SET i64 #131071 -1 GET u64 #131071
                BITFIELD k SET i64 #131072 -1
                BITFIELD k SET i64 8388607 -1
                STRLEN k
                APPEND k x
                SETRANGE k 1048575 y
                STRLEN k
                CONFIG SET proto-max-bulk-len 536870912
                """},
        {"large-offset", """
                SETBIT big 4294967295 1
                STRLEN big
                GETBIT big 4294967295
                GETBIT big 4294967294
                BITCOUNT big
                BITCOUNT big -1 -1
                BITCOUNT big -1 -1 BIT
                BITPOS big 1
                BITPOS big 1 -1
                BITPOS big 0 -1
                BITPOS big 1 -8 -1 BIT
                BITFIELD big GET u8 4294967288 GET i8 #536870911 SET u4 4294967292 15 GET u8 4294967288
                BITFIELD big SET u8 4294967290 1
                BITFIELD big OVERFLOW FAIL INCRBY u8 4294967288 1000
                STRLEN big
                DEL big
                """},
    };

    /** The keyspace notifications of the bitmap writes, and of the ones that change nothing. */
    @Test
    void notifications_sameEventsAsRedis(RedisServerProcess redis, EmbeddedServer damselfly) {
        String script = """
                SETBIT k 3 1
                SETBIT k 3 1
                SETBIT k 3 0
                SETBIT k 30 0
                GETBIT k 3
                BITFIELD k SET u4 0 0
                BITFIELD k SET u4 0 5 INCRBY u4 0 1
                BITFIELD k OVERFLOW FAIL INCRBY u4 0 100
                BITFIELD k OVERFLOW FAIL INCRBY u4 100 100
                BITFIELD k GET u4 0
                BITFIELD_RO k GET u4 0
                BITCOUNT k
                BITPOS k 1
                BITOP OR d k
                BITOP NOT d k
                BITOP AND d nokey
                BITOP AND d nokey
                BITFIELD b SET i8 #1 -1
                """;
        for (String classes : new String[] {"KEA", "E$g", "Kg"}) {
            List<String> expected = KeyspaceNotificationsTest.run(classes, script, "127.0.0.1", redis.port());
            List<String> actual = KeyspaceNotificationsTest.run(classes, script, damselfly.host(), damselfly.port());
            assertEquals(String.join("\n", expected), String.join("\n", actual), classes);
        }
    }

    /**
     * Bytes no script line can carry (0x00, 0x80..0xff): BITPOS through runs of ones and zeros of
     * every alignment, BITCOUNT of every range of a string longer than a word, BITOP over strings of
     * different lengths.
     */
    @Test
    void binaryValues_sameRepliesAsRedis(RedisServerProcess redis, EmbeddedServer damselfly) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            for (RawClient c : List.of(ref, ours)) {
                assertEquals("+OK", c.callText("FLUSHALL"));
            }
            Random random = new Random(7);
            for (int round = 0; round < 40; round++) {
                byte[] value = new byte[1 + random.nextInt(70)];
                int kind = round % 4;
                for (int i = 0; i < value.length; i++) {
                    value[i] = (byte) (kind == 0 ? 0xFF : kind == 1 ? 0 : kind == 2 ? random.nextInt(256) : (i % 9 == 0 ? 0x80 : 0xFF));
                }
                if (random.nextBoolean()) {
                    value[random.nextInt(value.length)] ^= (byte) (1 << random.nextInt(8));
                }
                List<Object[]> commands = new ArrayList<>();
                commands.add(new Object[] {"SET", "v", value});
                commands.add(new Object[] {"SET", "w", java.util.Arrays.copyOf(value, random.nextInt(value.length + 10))});
                commands.add(new Object[] {"BITPOS", "v", "0"});
                commands.add(new Object[] {"BITPOS", "v", "1"});
                for (int i = 0; i < 12; i++) {
                    String a = Integer.toString(random.nextInt(value.length * 10) - value.length * 5);
                    String b = Integer.toString(random.nextInt(value.length * 10) - value.length * 5);
                    String bit = Integer.toString(random.nextInt(2));
                    commands.add(new Object[] {"BITPOS", "v", bit, a});
                    commands.add(new Object[] {"BITPOS", "v", bit, a, b});
                    commands.add(new Object[] {"BITPOS", "v", bit, a, b, "BIT"});
                    commands.add(new Object[] {"BITCOUNT", "v", a, b});
                    commands.add(new Object[] {"BITCOUNT", "v", a, b, "BIT"});
                    commands.add(new Object[] {"BITFIELD", "v", "GET", (random.nextBoolean() ? "i" : "u") + (1 + random.nextInt(63)), Integer.toString(random.nextInt(value.length * 8 + 16))});
                }
                for (String op : new String[] {"AND", "OR", "XOR"}) {
                    commands.add(new Object[] {"BITOP", op, "d", "v", "w"});
                    commands.add(new Object[] {"GET", "d"});
                    commands.add(new Object[] {"BITOP", op, "d", "w", "v", "nokey"});
                    commands.add(new Object[] {"GET", "d"});
                }
                commands.add(new Object[] {"BITOP", "NOT", "d", "v"});
                commands.add(new Object[] {"GET", "d"});
                commands.add(new Object[] {"BITCOUNT", "v"});
                for (Object[] command : commands) {
                    assertEquals(RawClient.render(ref.call(command)), RawClient.render(ours.call(command)),
                            "round " + round + ": " + java.util.Arrays.toString(command));
                }
            }
        }
    }

    /**
     * A seeded random walk of bitmap commands, well formed and garbage alike (wrong words, numbers
     * out of range, missing and extra arguments, keys of other types), both servers sent the same
     * commands: every reply must match, and every key's value after each command.
     */
    @ParameterizedTest(name = "seed {0} RESP{1}")
    @CsvSource({"1, 2", "2, 3", "3, 2", "4, 3"})
    void randomWalk_sameRepliesAndValuesAsRedis(long seed, int protocol, RedisServerProcess redis, EmbeddedServer damselfly) {
        Random random = new Random(seed);
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            ReplyComparison.startFresh(protocol, ref, ours);
            for (RawClient c : List.of(ref, ours)) {
                c.call("RPUSH", "list", "x");
            }
            List<String> history = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                Object[] command = randomCommand(random);
                history.add(String.join(" ", java.util.Arrays.stream(command).map(Object::toString).toList()));
                String context = "seed " + seed + ", after: " + String.join(" | ", history.subList(Math.max(0, history.size() - 5), history.size()));
                assertEquals(RawClient.render(ref.call(command)), RawClient.render(ours.call(command)), context);
                for (String k : KEYS) {
                    assertEquals(RawClient.render(ref.call("GET", k)), RawClient.render(ours.call("GET", k)), context + " GET " + k);
                }
            }
        }
    }

    private static final String[] KEYS = {"b1", "b2", "b3"};
    private static final String[] NUMBERS = {"0", "1", "2", "7", "8", "9", "15", "16", "63", "64", "100", "-1", "-2", "-8",
        "-9", "-100", "x", "", "1.5", "01", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "4294967296"};
    private static final String[] TYPES = {"i1", "u1", "i8", "u8", "i5", "u7", "i16", "u16", "i63", "u63", "i64", "u64",
        "i65", "i0", "x8", "U8", "i", ""};
    private static final String[] OFFSETS = {"0", "1", "3", "7", "8", "13", "31", "64", "100", "#0", "#1", "#3", "#-1",
        "-1", "x", "", "4294967296", "#"};

    private static Object[] randomCommand(Random r) {
        String k = pick(r, "b1", "b2", "b3", "b1", "b2", "nokey", "list");
        List<String> c = new ArrayList<>();
        switch (r.nextInt(12)) {
            case 0, 1 -> c.addAll(List.of("SETBIT", k, r.nextInt(8) == 0 ? pick(r, NUMBERS) : Integer.toString(r.nextInt(200)),
                    r.nextInt(8) == 0 ? pick(r, NUMBERS) : Integer.toString(r.nextInt(2))));
            case 2 -> c.addAll(List.of("GETBIT", k, r.nextInt(4) == 0 ? pick(r, NUMBERS) : Integer.toString(r.nextInt(200))));
            case 3 -> {
                c.addAll(List.of("BITCOUNT", k));
                int n = r.nextInt(5);
                for (int j = 0; j < n; j++) {
                    c.add(j == 2 ? pick(r, "BIT", "BYTE", "bit", "x") : pick(r, NUMBERS));
                }
            }
            case 4 -> {
                c.addAll(List.of("BITPOS", k, pick(r, "0", "1", "1", "0", "2", "x")));
                int n = r.nextInt(5);
                for (int j = 0; j < n; j++) {
                    c.add(j == 2 ? pick(r, "BIT", "BYTE", "bit", "x") : pick(r, NUMBERS));
                }
            }
            case 5 -> {
                c.addAll(List.of("BITOP", pick(r, "AND", "OR", "XOR", "NOT", "not", "NAND"), pick(r, "b1", "b2", "b3", "list")));
                int n = 1 + (r.nextInt(3) == 0 ? r.nextInt(3) : 0);
                for (int j = 0; j < n; j++) {
                    c.add(pick(r, "b1", "b2", "b3", "nokey", "list"));
                }
            }
            case 6 -> c.addAll(List.of("SET", pick(r, "b1", "b2", "b3"), pick(r, "", "a", "foobar", "12345", "\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f")));
            default -> {
                c.addAll(List.of(pick(r, "BITFIELD", "BITFIELD", "BITFIELD", "BITFIELD_RO"), k));
                int n = r.nextInt(4);
                for (int j = 0; j < n; j++) {
                    boolean garbage = r.nextInt(10) == 0;
                    switch (r.nextInt(4)) {
                        case 0 -> c.addAll(List.of("GET", garbage ? pick(r, TYPES) : good(r, TYPES), garbage ? pick(r, OFFSETS) : good(r, OFFSETS)));
                        case 1 -> c.addAll(List.of("SET", garbage ? pick(r, TYPES) : good(r, TYPES), garbage ? pick(r, OFFSETS) : good(r, OFFSETS), pick(r, NUMBERS)));
                        case 2 -> c.addAll(List.of("INCRBY", garbage ? pick(r, TYPES) : good(r, TYPES), garbage ? pick(r, OFFSETS) : good(r, OFFSETS), pick(r, NUMBERS)));
                        default -> c.addAll(List.of("OVERFLOW", pick(r, "WRAP", "SAT", "FAIL", "fail", "x")));
                    }
                    if (garbage && r.nextBoolean()) {
                        c.remove(c.size() - 1);
                    }
                }
            }
        }
        return c.toArray();
    }

    /** One of the well-formed entries (the first ones) of TYPES or OFFSETS. */
    private static String good(Random r, String[] values) {
        return values[r.nextInt(values == TYPES ? 11 : 12)];
    }

    private static String pick(Random r, String... values) {
        return values[r.nextInt(values.length)];
    }
}
