package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.BinaryComparison;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RDB forms Redis 7.0 no longer writes but still reads (RDB 9 and older: LIST, ZSET with text
 * scores, LIST_ZIPLIST, LIST_QUICKLIST of ziplists, HASH_ZIPLIST, ZSET_ZIPLIST) and the rarer ones
 * it writes (QUICKLIST_2 plain nodes), built here byte by byte, RESTOREd into redis-server 7.0.15
 * and into damselfly: both must accept or refuse alike and hold the same contents and encodings.
 */
class RdbFormsCompatibilityTest extends BinaryComparison {
    // ---- building serialized values --------------------------------------------------------

    private static final class Body {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Body type(int t) {
            out.write(t);
            return this;
        }

        Body length(long n) {
            if (n < 64) {
                out.write((int) n);
            } else if (n < 16384) {
                out.write(0x40 | (int) (n >>> 8));
                out.write((int) n & 0xFF);
            } else {
                out.write(0x80);
                for (int s = 24; s >= 0; s -= 8) {
                    out.write((int) (n >>> s) & 0xFF);
                }
            }
            return this;
        }

        Body string(byte[] s) {
            length(s.length);
            out.writeBytes(s);
            return this;
        }

        Body string(String s) {
            return string(s.getBytes(StandardCharsets.ISO_8859_1));
        }

        Body raw(int... bytes) {
            for (int x : bytes) {
                out.write(x);
            }
            return this;
        }

        /** The old text double: a length byte and the text, or 253/254/255 for nan/inf/-inf. */
        Body textDouble(String d) {
            switch (d) {
                case "nan" -> out.write(253);
                case "inf" -> out.write(254);
                case "-inf" -> out.write(255);
                default -> {
                    out.write(d.length());
                    out.writeBytes(d.getBytes(StandardCharsets.US_ASCII));
                }
            }
            return this;
        }

        byte[] payload() {
            return DumpCommandsTest.framed(out.toByteArray(), 9);
        }
    }

    /** A ziplist of the given elements: strings, or Longs in Redis's integer encodings. */
    static byte[] ziplist(Object... elements) {
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        int prev = 0;
        int tail = 10;
        for (Object e : elements) {
            ByteArrayOutputStream entry = new ByteArrayOutputStream();
            if (prev < 254) {
                entry.write(prev);
            } else {
                entry.write(0xFE);
                le(entry, prev, 4);
            }
            if (e instanceof Long v) {
                if (v >= 0 && v <= 12) {
                    entry.write(0xF1 + v.intValue());
                } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
                    entry.write(0xFE);
                    le(entry, v, 1);
                } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                    entry.write(0xC0);
                    le(entry, v, 2);
                } else if (v >= -(1 << 23) && v < (1 << 23)) {
                    entry.write(0xF0);
                    le(entry, v, 3);
                } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                    entry.write(0xD0);
                    le(entry, v, 4);
                } else {
                    entry.write(0xE0);
                    le(entry, v, 8);
                }
            } else {
                byte[] s = ((String) e).getBytes(StandardCharsets.ISO_8859_1);
                if (s.length < 64) {
                    entry.write(s.length);
                } else if (s.length < 16384) {
                    entry.write(0x40 | (s.length >>> 8));
                    entry.write(s.length & 0xFF);
                } else {
                    entry.write(0x80);
                    for (int sh = 24; sh >= 0; sh -= 8) {
                        entry.write((s.length >>> sh) & 0xFF);
                    }
                }
                entry.writeBytes(s);
            }
            tail = 10 + entries.size();
            prev = entry.size();
            entries.writeBytes(entry.toByteArray());
        }
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        le(z, 10 + entries.size() + 1, 4);
        le(z, tail, 4);
        le(z, elements.length, 2);
        z.writeBytes(entries.toByteArray());
        z.write(0xFF);
        return z.toByteArray();
    }

    private static void le(ByteArrayOutputStream out, long v, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (v >>> (8 * i)) & 0xFF);
        }
    }

    // ---- comparing ---------------------------------------------------------------------------

    /** RESTOREs the payload under "k" into both servers: same reply, and the same contents if accepted. */
    private void restoreBoth(String what, byte[] payload) {
        try (RawClient ref = new RawClient("127.0.0.1", reference.port());
             RawClient us = new RawClient(damselfly.host(), damselfly.port())) {
            String expected = ref.callText("RESTORE", "k", "0", payload, "REPLACE");
            assertEquals(expected, us.callText("RESTORE", "k", "0", payload, "REPLACE"), what);
            if (expected.equals("+OK")) {
                assertEquals(DumpRestoreInteropTest.contents(redis, "k"), DumpRestoreInteropTest.contents(ours, "k"), what);
            }
        }
    }

    @Test
    void plainList_type1() {
        restoreBoth("list", new Body().type(1).length(3).string("a").string("12").string("").payload());
        restoreBoth("empty list", new Body().type(1).length(0).payload());
    }

    @Test
    void listZiplist_type10() {
        restoreBoth("ziplist", new Body().type(10).string(ziplist("a", 5L, -100L, 40000L, 5_000_000L, 3_000_000_000L, Long.MIN_VALUE, "x".repeat(300))).payload());
    }

    @Test
    void quicklistOfZiplists_type14() {
        List<Object> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(i % 2 == 0 ? (Object) (long) i : "e" + i);
        }
        restoreBoth("quicklist", new Body().type(14).length(2)
                .string(ziplist(many.toArray())).string(ziplist("tail", 7L)).payload());
        restoreBoth("quicklist with an empty node", new Body().type(14).length(2)
                .string(ziplist()).string(ziplist("only")).payload());
        restoreBoth("quicklist of empty nodes", new Body().type(14).length(1).string(ziplist()).payload());
    }

    @Test
    void quicklist2_plainAndPackedNodes() {
        // a packed node taken from a real DUMP, then a plain node, then the packed node again
        redis.rpush("src".getBytes(), "p".getBytes(), "1".getBytes());
        byte[] dump = redis.dump("src".getBytes());
        // dump: type 18, node count 1, container 2, then the listpack string
        byte[] node = java.util.Arrays.copyOfRange(dump, 3, dump.length - 10);
        Body body = new Body().type(18).length(3).length(2);
        body.out.writeBytes(node);
        body.length(1).string("plain element");
        body.length(2);
        body.out.writeBytes(node);
        restoreBoth("quicklist 2", body.payload());
        restoreBoth("quicklist 2 bad container", new Body().type(18).length(1).length(3).string("x").payload());
    }

    @Test
    void hashZiplist_type13() {
        restoreBoth("hash ziplist", new Body().type(13).string(ziplist("f1", "v1", "f2", 2L, 3L, "x")).payload());
        restoreBoth("hash ziplist odd", new Body().type(13).string(ziplist("f1", "v1", "f2")).payload());
        List<Object> big = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            big.add("f" + i);
            big.add((long) i);
        }
        restoreBoth("hash ziplist past the listpack limit", new Body().type(13).string(ziplist(big.toArray())).payload());
    }

    @Test
    void zsetTextScores_type3() {
        restoreBoth("zset text", new Body().type(3).length(4).string("a").textDouble("1.5").string("b").textDouble("inf")
                .string("c").textDouble("-inf").string("d").textDouble("-2").payload());
        restoreBoth("zset nan", new Body().type(3).length(1).string("a").textDouble("nan").payload());
    }

    @Test
    void zsetZiplist_type12() {
        restoreBoth("zset ziplist", new Body().type(12).string(ziplist("a", 1L, "b", "2.5", "c", 300000L)).payload());
    }

    @Test
    void setIntset_widths() {
        for (String[] members : new String[][] {{"1", "2", "3"}, {"-70000", "5"}, {"-9223372036854775808", "0", "9223372036854775807"}}) {
            redis.del("src".getBytes());
            byte[][] m = new byte[members.length][];
            for (int i = 0; i < m.length; i++) {
                m[i] = members[i].getBytes();
            }
            redis.sadd("src".getBytes(), m);
            restoreBoth("intset " + String.join(",", members), redis.dump("src".getBytes()));
        }
        // an intset out of order is taken by both (Redis checks no order unless sanitize-dump-payload is on)
        ByteArrayOutputStream is = new ByteArrayOutputStream();
        le(is, 2, 4);
        le(is, 2, 4);
        le(is, 5, 2);
        le(is, 3, 2);
        restoreBoth("intset unordered", new Body().type(11).string(is.toByteArray()).payload());
    }

    @Test
    void stringEncodings() {
        restoreBoth("int8", new Body().type(0).raw(0xC0, 0x85).payload());
        restoreBoth("int16", new Body().type(0).raw(0xC1, 0x00, 0x80).payload());
        restoreBoth("int32", new Body().type(0).raw(0xC2, 0xFF, 0xFF, 0xFF, 0x7F).payload());
        restoreBoth("unknown encoding", new Body().type(0).raw(0xC4, 0x00).payload());
        // LZF: a literal run of 3 then a back reference of 9 bytes, one back: "abc" + "ccccccccc"
        restoreBoth("lzf", new Body().type(0).raw(0xC3, 5, 12, 2, 'a', 'b', 'c', (7 << 5), 2, 0).payload());
        restoreBoth("lzf short", new Body().type(0).raw(0xC3, 5, 13, 2, 'a', 'b', 'c', (7 << 5), 2, 0).payload());
        restoreBoth("unknown type", new Body().type(6).string("x").payload());
        restoreBoth("stream", new Body().type(15).string("x").payload());
    }
}
