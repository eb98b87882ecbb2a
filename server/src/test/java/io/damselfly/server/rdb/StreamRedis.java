package io.damselfly.server.rdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.testing.RawClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams built in a real redis-server for the stream codec tests, and the helpers that move
 * their DUMP payloads around: varied field sets (SAMEFIELDS and full entries mixed, integer
 * fields and values, strings of every listpack length encoding), XDEL inside nodes and of whole
 * nodes, exact trims, negative seq differences, IDs at 2^64-1, XSETID with ENTRIESADDED and
 * MAXDELETEDID, groups with PELs, several consumers, NOACK reads, XCLAIM, XACK, a pending entry
 * whose entry was deleted, a node of tombstones only. Test support only.
 */
final class StreamRedis {
    private StreamRedis() {
    }

    /** The keys {@link #populate} makes. */
    static final List<String> KEYS = List.of("s:mixed", "s:setid", "s:empty", "s:huge", "s:large", "s:groups", "s:tombs");

    static RespValue call(RawClient c, Object... args) {
        RespValue v = c.call(args);
        if (v instanceof RespValue.Error e) {
            throw new AssertionError(String.join(" ", List.of(args).stream().map(String::valueOf).toList()) + ": " + e.message());
        }
        return v;
    }

    static byte[] dump(RawClient c, String key) {
        return assertInstanceOf(RespValue.BulkString.class, call(c, "DUMP", key)).value();
    }

    static void restore(RawClient c, String key, byte[] payload) {
        call(c, "DEL", key);
        assertEquals("+OK", RawClient.render(call(c, "RESTORE", key, "0", payload)), key);
    }

    /** The IDs of an XRANGE / XREADGROUP entry list. */
    static List<String> ids(RespValue entries) {
        List<String> out = new ArrayList<>();
        for (RespValue e : ((RespValue.Array) entries).values()) {
            out.add(((RespValue.BulkString) ((RespValue.Array) e).values().get(0)).asString());
        }
        return out;
    }

    /** The IDs XREADGROUP answered for its one stream. */
    static List<String> readGroup(RawClient c, Object... args) {
        RespValue v = call(c, args);
        RespValue stream = ((RespValue.Array) v).values().get(0);
        return ids(((RespValue.Array) stream).values().get(1));
    }

    static void populate(RawClient c) {
        call(c, "FLUSHALL");
        call(c, "CONFIG", "SET", "sanitize-dump-payload", "no");
        call(c, "CONFIG", "SET", "stream-node-max-entries", "10");
        mixed(c);
        call(c, "XADD", "s:setid", "5-1", "f", "v");
        call(c, "XADD", "s:setid", "5-2", "f", "w");
        call(c, "XSETID", "s:setid", "10-0", "ENTRIESADDED", "100", "MAXDELETEDID", "7-0");
        call(c, "XGROUP", "CREATE", "s:setid", "g", "0", "ENTRIESREAD", "3");

        call(c, "XADD", "s:empty", "1-1", "f", "v");
        call(c, "XDEL", "s:empty", "1-1");
        call(c, "XGROUP", "CREATE", "s:empty", "g", "$");

        // an exact MINID trim that stops at a tombstone leaves a node of tombstones only (length 0, one node)
        call(c, "XADD", "s:tombs", "1-0", "a", "1");
        call(c, "XADD", "s:tombs", "2-0", "a", "2");
        call(c, "XDEL", "s:tombs", "2-0");
        call(c, "XTRIM", "s:tombs", "MINID", "2");
        call(c, "XGROUP", "CREATE", "s:tombs", "g", "0");

        call(c, "XADD", "s:huge", "18446744073709551614-18446744073709551615", "f", "v");
        call(c, "XADD", "s:huge", "18446744073709551615-0", "f", "w");
        call(c, "XADD", "s:huge", "18446744073709551615-18446744073709551614", "g", "x");
        call(c, "XGROUP", "CREATE", "s:huge", "g", "0");
        readGroup(c, "XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s:huge", ">");

        call(c, "CONFIG", "SET", "stream-node-max-entries", "100");
        for (int i = 0; i < 3000; i++) {
            call(c, "XADD", "s:large", "*", "n", Integer.toString(i), "t", "text-" + i);
        }
        List<String> all = ids(call(c, "XRANGE", "s:large", "-", "+"));
        call(c, "XTRIM", "s:large", "MINID", all.get(250));
        call(c, "XGROUP", "CREATE", "s:large", "readers", "0");
        readGroup(c, "XREADGROUP", "GROUP", "readers", "r1", "COUNT", "500", "STREAMS", "s:large", ">");
        readGroup(c, "XREADGROUP", "GROUP", "readers", "r2", "COUNT", "300", "STREAMS", "s:large", ">");
        call(c, "XACK", "s:large", "readers", all.get(300), all.get(301), all.get(302));

        groups(c);
        call(c, "CONFIG", "SET", "stream-node-max-entries", "100");
    }

    /** 200 entries, nodes of 10, every field-set and value encoding, XDEL and an exact trim, groups. */
    private static void mixed(RawClient c) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // three entries per millisecond: a node's master often has a larger seq than later entries
            String id = (1000 + i / 3) + "-" + (i % 3);
            ids.add(id);
            List<Object> args = new ArrayList<>(List.of("XADD", "s:mixed", id));
            String v = value(i);
            if (i % 11 == 0) {
                args.addAll(List.of("1", v, "-20", "x" + i));
            } else if (i % 7 == 3) {
                args.addAll(List.of("a", v, "b", "2", "c", "3"));
            } else if (i % 7 == 5) {
                args.addAll(List.of("x", v));
            } else {
                args.addAll(List.of("a", v, "b", Integer.toString(i)));
            }
            call(c, args.toArray());
        }
        // a node's first entry, entries inside nodes, then a whole node (40..49)
        call(c, "XDEL", "s:mixed", ids.get(10), ids.get(15), ids.get(33), ids.get(34), ids.get(35));
        for (int i = 40; i < 50; i++) {
            call(c, "XDEL", "s:mixed", ids.get(i));
        }
        // an exact trim flags the partial node's first entries deleted
        call(c, "XTRIM", "s:mixed", "MAXLEN", "170");

        call(c, "XGROUP", "CREATE", "s:mixed", "g1", "0");
        List<String> alice = readGroup(c, "XREADGROUP", "GROUP", "g1", "alice", "COUNT", "10", "STREAMS", "s:mixed", ">");
        List<String> bob = readGroup(c, "XREADGROUP", "GROUP", "g1", "bob", "COUNT", "7", "STREAMS", "s:mixed", ">");
        call(c, "XGROUP", "CREATECONSUMER", "s:mixed", "g1", "dave");
        call(c, "XCLAIM", "s:mixed", "g1", "carol", "0", alice.get(3), alice.get(4));
        call(c, "XCLAIM", "s:mixed", "g1", "alice", "0", alice.get(0));
        call(c, "XACK", "s:mixed", "g1", bob.get(1));
        // a pending entry whose entry is then deleted stays in the PEL
        call(c, "XDEL", "s:mixed", bob.get(2));
        call(c, "XGROUP", "CREATE", "s:mixed", "g2", "$", "ENTRIESREAD", "3");
        call(c, "XGROUP", "CREATE", "s:mixed", "noack", "0");
        readGroup(c, "XREADGROUP", "GROUP", "noack", "erin", "COUNT", "20", "NOACK", "STREAMS", "s:mixed", ">");
        // integer-like names go in RDB's integer string encodings
        call(c, "XGROUP", "CREATE", "s:mixed", "123", "0");
        readGroup(c, "XREADGROUP", "GROUP", "123", "42", "COUNT", "3", "STREAMS", "s:mixed", ">");
    }

    /** Every listpack encoding for values: small and large integers, 6-bit, 12-bit and 32-bit strings, empty. */
    private static String value(int i) {
        if (i % 17 == 0) {
            return "";
        } else if (i % 13 == 0) {
            return "Z".repeat(5000 + i);
        } else if (i % 19 == 0) {
            return i % 2 == 0 ? "9223372036854775807" : "-9223372036854775808";
        } else if (i % 23 == 0) {
            return "007";
        }
        return switch (i % 4) {
            case 0 -> Integer.toString(i * 1000 - 50_000);
            case 1 -> "v" + i;
            case 2 -> "L".repeat(70 + i);
            default -> Long.toString(i * 98_765_432_101L);
        };
    }

    /** Groups at every position the type-15 estimate distinguishes: before, at the first entry, middle, last, future. */
    private static void groups(RawClient c) {
        call(c, "CONFIG", "SET", "stream-node-max-entries", "4");
        for (int i = 1; i <= 20; i++) {
            call(c, "XADD", "s:groups", i + "-0", "k", "v" + i);
        }
        call(c, "XTRIM", "s:groups", "MAXLEN", "15");
        call(c, "XGROUP", "CREATE", "s:groups", "zero", "0");
        call(c, "XGROUP", "CREATE", "s:groups", "first", "6-0");
        call(c, "XGROUP", "CREATE", "s:groups", "before", "3-0");
        call(c, "XGROUP", "CREATE", "s:groups", "middle", "12-0");
        call(c, "XGROUP", "CREATE", "s:groups", "last", "$");
        call(c, "XGROUP", "CREATE", "s:groups", "future", "99-0");
        readGroup(c, "XREADGROUP", "GROUP", "zero", "z1", "COUNT", "3", "STREAMS", "s:groups", ">");
    }
}
