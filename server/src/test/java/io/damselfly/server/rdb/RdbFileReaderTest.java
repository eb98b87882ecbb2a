package io.damselfly.server.rdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.KeyOps;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Shard;
import io.damselfly.server.keyspace.Value;
import io.damselfly.server.keyspace.ValueBuilder;
import io.damselfly.server.keyspace.ValueVisitor;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file layer alone (no client): files written by {@link RdbFileWriter} read back by {@link
 * RdbFileReader} and {@link RdbLoader}, through a buffer small enough to refill inside every
 * item; then damaged files: every prefix, every flipped byte, garbage, wrong magic and versions,
 * corrupt lengths, duplicate keys, unsupported contents. Each must end in a {@link
 * RdbLoadException} that says what is wrong, never another exception and never a silent load.
 */
class RdbFileReaderTest {
    private static final long FUTURE = System.currentTimeMillis() + 3_600_000;
    private static byte[] small;
    private static byte[] large;
    private static String smallContents;
    private static String largeContents;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Puts a value under a key as the loader does (KeyOps.restore under the shard's lock). */
    private static void put(Keyspace ks, int db, String key, Value v, long expiresAt) {
        Database d = ks.database(db, System.currentTimeMillis());
        Shard shard = ks.shard(d.shardIndex(b(key)));
        shard.lock();
        try {
            d.keys().restore(b(key), v, expiresAt, -1, -1);
        } finally {
            shard.unlock();
        }
    }

    private static Keyspace smallKeyspace() {
        Keyspace ks = new Keyspace(4, 16);
        ValueBuilder vb = new ValueBuilder(ks);
        put(ks, 0, "str", vb.string(b("hello")), Database.NO_EXPIRY);
        put(ks, 0, "int", vb.string(b("-12345")), Database.NO_EXPIRY);
        put(ks, 0, "long", vb.string(b("abc".repeat(20))), FUTURE);
        Value list = vb.list();
        for (int i = 0; i < 5; i++) {
            vb.listAppend(list, b("e" + i));
        }
        put(ks, 0, "list", list, Database.NO_EXPIRY);
        Value set = vb.set(b("1"));
        vb.setAdd(set, b("1"));
        vb.setAdd(set, b("-70000"));
        put(ks, 1, "intset", set, Database.NO_EXPIRY);
        Value hash = vb.hash();
        vb.hashPut(hash, b("f"), b("v"));
        vb.hashPut(hash, b("n"), b("7"));
        put(ks, 2, "hash", hash, FUTURE);
        Value zset = vb.zset();
        vb.zsetAdd(zset, b("a"), 1.5);
        vb.zsetAdd(zset, b("b"), -2);
        put(ks, 15, "zset", zset, Database.NO_EXPIRY);
        return ks;
    }

    private static Keyspace largeKeyspace() {
        Keyspace ks = new Keyspace(8, 16);
        ValueBuilder vb = new ValueBuilder(ks);
        Random r = new Random(3);
        for (int i = 0; i < 3000; i++) {
            byte[] v = new byte[r.nextInt(200)];
            r.nextBytes(v);
            put(ks, i % 3, "k" + i, vb.string(v), i % 5 == 0 ? FUTURE + i : Database.NO_EXPIRY);
        }
        Value list = vb.list();
        for (int i = 0; i < 10_000; i++) {
            vb.listAppend(list, b("item:" + i));
        }
        put(ks, 0, "biglist", list, Database.NO_EXPIRY);
        Value hash = vb.hash();
        Value set = vb.set(b("m0"));
        Value zset = vb.zset();
        for (int i = 0; i < 1000; i++) {
            vb.hashPut(hash, b("f" + i), b("v" + i));
            vb.setAdd(set, b("m" + i));
            vb.zsetAdd(zset, b("z" + i), i / 7.0);
        }
        put(ks, 0, "bighash", hash, Database.NO_EXPIRY);
        put(ks, 0, "bigset", set, Database.NO_EXPIRY);
        put(ks, 0, "bigzset", zset, FUTURE);
        put(ks, 0, "bigstring", vb.string(b("0123456789".repeat(100_000))), Database.NO_EXPIRY);
        byte[] noise = new byte[800_000];
        r.nextBytes(noise);
        put(ks, 4, "noise", vb.string(noise), Database.NO_EXPIRY);
        return ks;
    }

    @BeforeAll
    static void files() throws Exception {
        Keyspace s = smallKeyspace();
        small = RdbFiles.write(s, null);
        smallContents = contents(s);
        Keyspace l = largeKeyspace();
        large = RdbFiles.write(l, null);
        largeContents = contents(l);
        assertTrue(large.length > 1_000_000, "large file of " + large.length + " bytes");
    }

    /** Every key of every database: type, elements (sorted where unordered), expiry. */
    static String contents(Keyspace ks) {
        TreeMap<String, String> all = new TreeMap<>();
        long now = System.currentTimeMillis();
        for (int db = 0; db < ks.databases(); db++) {
            List<byte[]> keys = new ArrayList<>();
            ks.forEachKey(db, now, (k, t) -> keys.add(k));
            Database d = ks.database(db, now);
            for (byte[] k : keys) {
                Shard shard = ks.shard(d.shardIndex(k));
                shard.lock();
                try {
                    Canon c = new Canon();
                    d.keys().dump(k, c);
                    all.put(db + "/" + s(k), c.text() + " exp=" + d.keys().expiryOf(k));
                } finally {
                    shard.unlock();
                }
            }
        }
        return all.toString();
    }

    /** A value as text: the kind, then the elements in order (lists, sorted sets) or sorted (sets, hashes). */
    private static final class Canon implements ValueVisitor {
        private String kind;
        private final List<String> items = new ArrayList<>();
        private boolean sort;

        String text() {
            if (sort) {
                Collections.sort(items);
            }
            return kind + items;
        }

        @Override
        public void string(byte[] value, int offset, int length) {
            kind = "string";
            items.add(new String(value, offset, length, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void list(int size) {
            kind = "list";
        }

        @Override
        public void listElement(byte[] element) {
            items.add(s(element));
        }

        @Override
        public void set(int size, boolean intset) {
            kind = "set" + (intset ? "/intset" : "");
            sort = true;
        }

        @Override
        public void setMember(byte[] member) {
            items.add(s(member));
        }

        @Override
        public void hash(int size, boolean compact) {
            kind = "hash" + (compact ? "/listpack" : "");
            sort = true;
        }

        @Override
        public void hashField(byte[] field, int fo, int fl, byte[] value, int vo, int vl) {
            items.add(new String(field, fo, fl, StandardCharsets.ISO_8859_1) + "=" + new String(value, vo, vl, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void zset(int size, boolean compact) {
            kind = "zset" + (compact ? "/listpack" : "");
        }

        @Override
        public void zsetEntry(byte[] member, int offset, int length, double score) {
            items.add(new String(member, offset, length, StandardCharsets.ISO_8859_1) + "=" + score);
        }
    }

    /** Loads a file image into a fresh keyspace; libraries go to {@code libraries}. */
    private static Keyspace load(byte[] file, List<String> libraries) {
        Keyspace ks = new Keyspace(4, 16);
        new RdbLoader(ks, code -> libraries.add(s(code))).load(new ByteArrayInputStream(file), file.length, "test.rdb");
        return ks;
    }

    private static Keyspace load(byte[] file) {
        return load(file, new ArrayList<>());
    }

    /** The loader's refusal of a file: its message. */
    private static String refusal(byte[] file) {
        Keyspace ks = new Keyspace(2, 16);
        try {
            new RdbLoader(ks, code -> { }).load(new ByteArrayInputStream(file), file.length, "test.rdb");
        } catch (RdbLoadException e) {
            assertTrue(e.getMessage().startsWith("cannot load the RDB file test.rdb: "), e.getMessage());
            return e.getMessage();
        } catch (RuntimeException | Error e) {
            throw new AssertionError("not a clean refusal", e);
        }
        return fail("loaded a damaged file");
    }

    // ---- good files ---------------------------------------------------------------------------

    @Test
    void smallAndLargeFiles_readBackWhole() {
        assertEquals(smallContents, contents(load(small)));
        assertEquals(largeContents, contents(load(large)));
    }

    @Test
    void tinyReadBuffer_refillsInsideEveryItem() throws Exception {
        for (byte[] file : List.of(small, large)) {
            Keyspace ks = new Keyspace(4, 16);
            ValueBuilder vb = new ValueBuilder(ks);
            long[] progress = {0, 0};
            RdbFileReader.Summary sum = new RdbFileReader(vb, 16, 16).read(new Trickle(file), file.length, new RdbFileReader.Target() {
                @Override
                public void function(byte[] code) {
                    fail("no libraries in this file");
                }

                @Override
                public void key(int db, byte[] key, Value value, long expiresAtMs, long idle, int freq) {
                    put(ks, db, s(key), value, expiresAtMs == RdbFileReader.NO_EXPIRY ? Database.NO_EXPIRY : expiresAtMs);
                }

                @Override
                public void progress(long bytes, long keys) {
                    assertTrue(bytes >= progress[0] && keys >= progress[1]);
                    progress[0] = bytes;
                    progress[1] = keys;
                }
            });
            assertEquals(file.length, sum.bytes());
            assertEquals(file.length, progress[0]);
            assertEquals(sum.keys(), progress[1]);
            assertTrue(sum.checksumChecked());
            assertEquals(10, sum.version());
            assertEquals(file == small ? smallContents : largeContents, contents(ks));
        }
    }

    /** A stream that answers at most 3 bytes per read, as a pipe or a slow disk may. */
    private static final class Trickle extends ByteArrayInputStream {
        Trickle(byte[] b) {
            super(b);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 3));
        }
    }

    /** A damaged file through a 16-byte buffer and a trickling stream: only a format error. */
    private static void refusedStreaming(byte[] file) {
        try {
            new RdbFileReader(new ValueBuilder(new Keyspace(1, 16)), 16, 16).read(new Trickle(file), file.length, new RdbFileReader.Target() {
                @Override
                public void function(byte[] code) {
                }

                @Override
                public void key(int db, byte[] key, Value value, long e, long i, int f) {
                }
            });
        } catch (RdbFormatException expected) {
            return;
        }
        fail("read a damaged file");
    }

    @Test
    void zipmap_goodAndGarbage() throws Exception {
        // count 2; "a" -> "1" with 2 free bytes; a 300-byte field (BIGLEN) -> ""
        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
        z.write(2);
        z.write(1);
        z.write('a');
        z.write(1);
        z.write(2);
        z.write('1');
        z.write(0);
        z.write(0);
        z.write(254);
        z.write(new byte[] {44, 1, 0, 0});
        z.write(b("f".repeat(300)));
        z.write(0);
        z.write(0);
        z.write(255);
        byte[] good = z.toByteArray();
        List<byte[]> items = CompactEncodings.zipmap(good);
        assertEquals(4, items.size());
        assertEquals("a", s(items.get(0)));
        assertEquals("1", s(items.get(1)));
        assertEquals(300, items.get(2).length);
        assertEquals(0, items.get(3).length);
        for (int n = 0; n < good.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(good, n);
            assertThrows(RdbFormatException.class, () -> CompactEncodings.zipmap(cut), "prefix " + n);
        }
        byte[] wrongCount = good.clone();
        wrongCount[0] = 3;
        assertThrows(RdbFormatException.class, () -> CompactEncodings.zipmap(wrongCount));
        assertThrows(RdbFormatException.class, () -> CompactEncodings.zipmap(new byte[] {0, (byte) 255}));
        Random r = new Random(9);
        for (int i = 0; i < 5000; i++) {
            byte[] g = new byte[1 + r.nextInt(40)];
            r.nextBytes(g);
            g[g.length - 1] = (byte) 255;
            try {
                CompactEncodings.zipmap(g);
            } catch (RdbFormatException expected) {
                // garbage may decode or not; it must never throw anything else
            }
        }
    }

    @Test
    void header_isRedis7015s() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        RdbFileWriter w = new RdbFileWriter(out);
        w.header(1_700_000_000L, 123456);
        w.finish();
        List<String> aux = new ArrayList<>();
        new RdbFileReader(new ValueBuilder(new Keyspace(1, 1)), 1).read(out.toByteArray(), new RdbFileReader.Target() {
            @Override
            public void aux(byte[] name, byte[] value) {
                aux.add(s(name) + "=" + s(value));
            }

            @Override
            public void function(byte[] code) {
            }

            @Override
            public void key(int db, byte[] key, Value value, long e, long i, int f) {
            }
        });
        assertEquals(List.of("redis-ver=7.0.15", "redis-bits=64", "ctime=1700000000", "used-mem=123456", "aof-base=0"), aux);
        assertEquals("REDIS0010", s(java.util.Arrays.copyOf(out.toByteArray(), 9)));
    }

    @Test
    void expiredKeys_droppedAtLoad() throws Exception {
        RdbEntryEncoder enc = new RdbEntryEncoder(16);
        enc.selectDb(0);
        enc.entry(b("past"), System.currentTimeMillis() - 1000).string(b("x"), 0, 1);
        enc.entry(b("epoch"), 1).string(b("x"), 0, 1);
        enc.entry(b("future"), FUTURE).string(b("x"), 0, 1);
        Keyspace ks = new Keyspace(2, 16);
        RdbLoader.Result r = new RdbLoader(ks, c -> { }).load(new ByteArrayInputStream(file(enc)), file(enc).length, "t");
        assertEquals(1, r.keys());
        assertEquals(2, r.expired());
        assertEquals(1, ks.size(0));
    }

    /** A whole file around one encoder's chunk. */
    private static byte[] file(RdbEntryEncoder enc) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        RdbFileWriter w = new RdbFileWriter(out);
        w.header(0, 0);
        w.chunk(enc.array(), 0, enc.size());
        w.finish();
        return out.toByteArray();
    }

    /**
     * A version 9 file as Redis 6 could write it, by hand: seconds and ms expiries, IDLE and FREQ,
     * the old plain LIST, SET, ZSET (text scores) and HASH forms, RESIZEDB, an unknown AUX field,
     * and a zero checksum ("not computed").
     */
    @Test
    void version9_handBuilt() throws Exception {
        RdbOutput o = new RdbOutput(64);
        o.writeBytes(b("REDIS0009"), 0, 9);
        aux(o, "redis-ver", "6.2.14");
        aux(o, "%note", "hello");
        aux(o, "unknown-field", "ignored");
        o.writeByte(RdbFormat.OPCODE_SELECTDB);
        o.writeLength(3);
        o.writeByte(RdbFormat.OPCODE_RESIZEDB);
        o.writeLength(5);
        o.writeLength(2);
        long secs = FUTURE / 1000;
        o.writeByte(RdbFormat.OPCODE_EXPIRETIME);
        o.writeLittleEndian(secs, 4);
        o.writeByte(RdbFormat.OPCODE_IDLE);
        o.writeLength(100);
        o.writeByte(RdbFormat.TYPE_STRING);
        str(o, "s");
        str(o, "v");
        o.writeByte(RdbFormat.OPCODE_EXPIRETIME_MS);
        o.writeLittleEndian(FUTURE, 8);
        o.writeByte(RdbFormat.OPCODE_FREQ);
        o.writeByte(7);
        o.writeByte(RdbFormat.TYPE_LIST);
        str(o, "l");
        o.writeLength(3);
        str(o, "a");
        str(o, "12");
        str(o, "c");
        o.writeByte(RdbFormat.TYPE_SET);
        str(o, "set");
        o.writeLength(2);
        str(o, "x");
        str(o, "y");
        o.writeByte(RdbFormat.TYPE_ZSET);
        str(o, "z");
        o.writeLength(3);
        str(o, "m1");
        o.writeByte(3);
        o.writeBytes(b("1.5"), 0, 3);
        str(o, "m2");
        o.writeByte(254);
        str(o, "m3");
        o.writeByte(255);
        o.writeByte(RdbFormat.TYPE_HASH);
        str(o, "h");
        o.writeLength(1);
        str(o, "f");
        str(o, "v");
        o.writeByte(RdbFormat.OPCODE_EOF);
        o.writeLittleEndian(0, 8);
        Keyspace ks = load(o.toByteArray());
        String c = contents(ks);
        assertEquals("{3/h=hash/listpack[f=v] exp=-1, 3/l=list[a, 12, c] exp=" + FUTURE + ", 3/s=string[v] exp=" + secs * 1000
                + ", 3/set=set[x, y] exp=-1, 3/z=zset/listpack[m3=-Infinity, m1=1.5, m2=Infinity] exp=-1}", c);
    }

    /** Version 3 has no checksum after EOF: the file ends there. */
    @Test
    void version3_noChecksum() {
        RdbOutput o = new RdbOutput(64);
        o.writeBytes(b("REDIS0003"), 0, 9);
        o.writeByte(RdbFormat.OPCODE_SELECTDB);
        o.writeLength(0);
        o.writeByte(RdbFormat.TYPE_STRING);
        str(o, "k");
        str(o, "v");
        o.writeByte(RdbFormat.OPCODE_EOF);
        assertEquals("{0/k=string[v] exp=-1}", contents(load(o.toByteArray())));
    }

    private static void aux(RdbOutput o, String k, String v) {
        o.writeByte(RdbFormat.OPCODE_AUX);
        str(o, k);
        str(o, v);
    }

    private static void str(RdbOutput o, String s) {
        o.writeString(b(s), 0, s.length());
    }

    /** A minimal file: header, {@code body}, EOF and the right checksum. */
    private static byte[] withBody(String version, RdbOutput body) {
        RdbOutput o = new RdbOutput(64);
        o.writeBytes(b("REDIS" + version), 0, 9);
        o.writeBytes(body.array(), 0, body.size());
        o.writeByte(RdbFormat.OPCODE_EOF);
        o.writeLittleEndian(Crc64.of(o.array(), 0, o.size()), 8);
        return o.toByteArray();
    }

    @Test
    void functions_bothOpcodes() throws Exception {
        RdbOutput body = new RdbOutput(64);
        body.writeByte(RdbFormat.OPCODE_FUNCTION2);
        str(body, "#!lua name=new\nredis.register_function('f1', function() return 1 end)");
        body.writeByte(RdbFormat.OPCODE_FUNCTION);
        str(body, "old");
        str(body, "LUA");
        body.writeLength(1);
        str(body, "a description");
        str(body, "redis.register_function('f2', function() return 2 end)");
        List<String> libs = new ArrayList<>();
        load(withBody("0010", body), libs);
        assertEquals(List.of("#!lua name=new\nredis.register_function('f1', function() return 1 end)",
                "#!LUA name=old\nredis.register_function('f2', function() return 2 end)"), libs);
        // a library the sink refuses (as FUNCTION LOAD would) stops the load with its text
        Keyspace ks = new Keyspace(1, 16);
        RdbLoadException e = assertThrows(RdbLoadException.class, () -> new RdbLoader(ks, c -> {
            throw new IllegalStateException("ERR Library 'new' already exists");
        }).load(new ByteArrayInputStream(withBody("0010", body)), withBody("0010", body).length, "f.rdb"));
        assertTrue(e.getMessage().contains("Failed loading library, ERR Library 'new' already exists"), e.getMessage());
    }

    @Test
    void version11_setListpack() {
        RdbOutput body = new RdbOutput(64);
        ListpackWriter lp = new ListpackWriter();
        lp.add(b("a"), 0, 1);
        lp.add(b("7"), 0, 1);
        byte[] blob = lp.finish();
        body.writeByte(RdbFormat.TYPE_SET_LISTPACK);
        str(body, "s");
        body.writeString(blob, 0, blob.length);
        assertEquals("{0/s=set[7, a] exp=-1}", contents(load(withBody("0011", body))));
        // the same type in a version 10 file is refused, as Redis 7.0 refuses it
        assertTrue(refusal(withBody("0010", body)).contains("unsupported value type 20"));
    }

    @Test
    void emptyCollection_skippedAsRedisDoes() {
        RdbOutput body = new RdbOutput(64);
        body.writeByte(RdbFormat.TYPE_LIST);
        str(body, "empty");
        body.writeLength(0);
        body.writeByte(RdbFormat.TYPE_STRING);
        str(body, "k");
        str(body, "v");
        Keyspace ks = new Keyspace(1, 16);
        RdbLoader.Result r = new RdbLoader(ks, c -> { }).load(new ByteArrayInputStream(withBody("0010", body)), withBody("0010", body).length, "e");
        assertEquals(1, r.keys());
        assertEquals(1, r.emptySkipped());
    }

    @Test
    void sameDatabaseSelectedTwice_andSameKeyInTwoDatabases() throws Exception {
        RdbEntryEncoder enc = new RdbEntryEncoder(16);
        enc.selectDb(0);
        enc.entry(b("k"), Database.NO_EXPIRY).string(b("0"), 0, 1);
        enc.selectDb(1);
        enc.entry(b("k"), Database.NO_EXPIRY).string(b("1"), 0, 1);
        enc.selectDb(0);
        enc.entry(b("j"), Database.NO_EXPIRY).string(b("0"), 0, 1);
        assertEquals("{0/j=string[0] exp=-1, 0/k=string[0] exp=-1, 1/k=string[1] exp=-1}", contents(load(file(enc))));
    }

    // ---- damaged files ------------------------------------------------------------------------

    @Test
    void duplicateKey_refused() throws Exception {
        RdbEntryEncoder enc = new RdbEntryEncoder(16);
        enc.selectDb(2);
        enc.entry(b("dup"), Database.NO_EXPIRY).string(b("a"), 0, 1);
        enc.selectDb(0);
        enc.entry(b("other"), Database.NO_EXPIRY).string(b("a"), 0, 1);
        enc.selectDb(2);
        ValueVisitor list = enc.entry(b("dup"), FUTURE);
        list.list(1);
        list.listElement(b("x"));
        assertTrue(refusal(file(enc)).contains("Duplicate key 'dup' in DB 2 in the RDB file"));
    }

    @Test
    void duplicateKey_evenWhenTheFirstIsAnEmptyCollection_isNotADuplicate() throws Exception {
        RdbOutput body = new RdbOutput(64);
        body.writeByte(RdbFormat.TYPE_SET);
        str(body, "k");
        body.writeLength(0);
        body.writeByte(RdbFormat.TYPE_STRING);
        str(body, "k");
        str(body, "v");
        assertEquals("{0/k=string[v] exp=-1}", contents(load(withBody("0010", body))));
    }

    @Test
    void everyPrefix_refused() {
        for (int n = 0; n < small.length; n++) {
            String m = refusal(java.util.Arrays.copyOf(small, n));
            assertTrue(m.contains("unexpected end of data"), n + ": " + m);
            refusedStreaming(java.util.Arrays.copyOf(small, n));
        }
        Random r = new Random(11);
        for (int i = 0; i < 60; i++) {
            int n = i < 10 ? large.length - 1 - i : r.nextInt(large.length);
            String m = refusal(java.util.Arrays.copyOf(large, n));
            assertTrue(m.contains("unexpected end of data"), n + ": " + m);
        }
    }

    @Test
    void flippedByte_anywhere_refused() {
        for (int i = 0; i < small.length; i++) {
            for (int bit : new int[] {0x01, 0x80, 0xFF}) {
                byte[] f = small.clone();
                f[i] ^= (byte) bit;
                try {
                    refusal(f);
                    refusedStreaming(f);
                } catch (AssertionError e) {
                    throw new AssertionError("byte " + i + " of " + f.length + " ^ " + bit, e);
                }
            }
        }
        Random r = new Random(5);
        for (int k = 0; k < 40; k++) {
            byte[] f = large.clone();
            f[r.nextInt(f.length)] ^= (byte) (1 + r.nextInt(255));
            refusal(f);
        }
    }

    @Test
    void wrongChecksum_saysSo() {
        byte[] f = small.clone();
        f[f.length - 1] ^= 1;
        assertTrue(refusal(f).contains("RDB CRC error: Wrong RDB checksum expected: ("));
    }

    @Test
    void zeroChecksum_meansNotComputed() {
        byte[] f = small.clone();
        java.util.Arrays.fill(f, f.length - 8, f.length, (byte) 0);
        assertEquals(smallContents, contents(load(f)));
    }

    @Test
    void emptyFile_garbage_wrongMagicAndVersions() {
        assertTrue(refusal(new byte[0]).contains("no RDB header"));
        assertTrue(refusal(b("REDIS001")).contains("no RDB header"));
        assertTrue(refusal(b("NOTREDIS0010\u00ff")).contains("wrong signature"));
        assertTrue(refusal(b("REDIS0012\u00ff")).contains("Can't handle RDB format version 12"));
        assertTrue(refusal(b("REDIS0000\u00ff")).contains("Can't handle RDB format version 0"));
        assertTrue(refusal(b("REDISabcd\u00ff")).contains("Can't handle RDB format version 'abcd'"));
        assertTrue(refusal(b("REDIS001\u00b0\u00ff")).contains("Can't handle RDB format version '001\\xb0'"));
        Random r = new Random(1);
        for (int i = 0; i < 2000; i++) {
            byte[] g = new byte[r.nextInt(300)];
            r.nextBytes(g);
            if (i % 2 == 0 && g.length >= 9) {
                System.arraycopy(b("REDIS0010"), 0, g, 0, 9);
            }
            refusal(g);
        }
    }

    @Test
    void corruptLengths_noHugeAllocation() {
        RdbOutput body = new RdbOutput(64);
        body.writeByte(RdbFormat.TYPE_STRING);
        body.writeByte(RdbFormat.LEN_64BIT);
        body.writeLittleEndian(Long.reverseBytes(1L << 40), 8);
        assertTrue(refusal(withBody("0010", body)).contains("unexpected end of data"));
        RdbOutput list = new RdbOutput(64);
        list.writeByte(RdbFormat.TYPE_LIST);
        str(list, "k");
        list.writeLength(2_000_000_000L);
        assertTrue(refusal(withBody("0010", list)).contains("larger than what is left"));
        RdbOutput lzf = new RdbOutput(64);
        lzf.writeByte(RdbFormat.TYPE_STRING);
        str(lzf, "k");
        lzf.writeByte((RdbFormat.ENCVAL << 6) | RdbFormat.ENC_LZF);
        lzf.writeLength(4);
        lzf.writeLength(1L << 31);
        lzf.writeLittleEndian(0, 4);
        assertTrue(refusal(withBody("0010", lzf)).contains("LZF string too long"));
    }

    @Test
    void unsupportedContents_refusedClearly() {
        RdbOutput module = new RdbOutput(8);
        module.writeByte(RdbFormat.OPCODE_MODULE_AUX);
        module.writeLength(12345);
        assertTrue(refusal(withBody("0010", module)).contains("module AUX data"));
        RdbOutput moduleValue = new RdbOutput(8);
        moduleValue.writeByte(RdbFormat.TYPE_MODULE_2);
        str(moduleValue, "mymodulekey");
        moduleValue.writeLength(0);
        assertTrue(refusal(withBody("0010", moduleValue)).contains("unsupported value type 7 (module) in the value of key 'mymodulekey' in DB 0"));
        RdbOutput opcode = new RdbOutput(8);
        opcode.writeByte(200);
        assertTrue(refusal(withBody("0010", opcode)).contains("unknown type or opcode 200"));
        RdbOutput db = new RdbOutput(8);
        db.writeByte(RdbFormat.OPCODE_SELECTDB);
        db.writeLength(16);
        assertTrue(refusal(withBody("0010", db)).contains("the file holds database 16 but this server has 16"));
    }

    // ---- at start -----------------------------------------------------------------------------

    @Test
    void start_loadsTheFile_refusesADamagedOne_startsEmptyWithoutOne(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("good.rdb"), small);
        try (EmbeddedServer s = EmbeddedServer.builder().option("dir", dir.toString()).option("dbfilename", "good.rdb").start()) {
            assertEquals(smallContents, contents(s.keyspace()));
            assertNull(s.keyspace().checkInvariants());
        }
        try (EmbeddedServer s = EmbeddedServer.builder().option("dir", dir.toString()).option("dbfilename", "missing.rdb").start()) {
            assertEquals(0, s.keyspace().size(0));
        }
        Files.write(dir.resolve("cut.rdb"), java.util.Arrays.copyOf(large, large.length / 2));
        RdbLoadException e = assertThrows(RdbLoadException.class,
                () -> EmbeddedServer.builder().option("dir", dir.toString()).option("dbfilename", "cut.rdb").start());
        assertTrue(e.getMessage().contains("cut.rdb") && e.getMessage().contains("unexpected end of data"), e.getMessage());
        byte[] flipped = small.clone();
        flipped[flipped.length - 3] ^= 0x10;
        Files.write(dir.resolve("flipped.rdb"), flipped);
        e = assertThrows(RdbLoadException.class,
                () -> EmbeddedServer.builder().option("dir", dir.toString()).option("dbfilename", "flipped.rdb").start());
        assertTrue(e.getMessage().contains("RDB CRC error: Wrong RDB checksum expected: ("), e.getMessage());
        Files.createDirectory(dir.resolve("adir.rdb"));
        e = assertThrows(RdbLoadException.class,
                () -> EmbeddedServer.builder().option("dir", dir.toString()).option("dbfilename", "adir.rdb").start());
        assertTrue(e.getMessage().contains("adir.rdb"), e.getMessage());
    }

    @Test
    void idleAndFreq_setTheAccessClock(@TempDir Path dir) throws Exception {
        RdbEntryEncoder enc = new RdbEntryEncoder(16);
        enc.selectDb(0);
        enc.entry(b("idle"), Database.NO_EXPIRY, 1000, -1).string(b("x"), 0, 1);
        enc.entry(b("freq"), Database.NO_EXPIRY, -1, 42).string(b("x"), 0, 1);
        Files.write(dir.resolve("a.rdb"), file(enc));
        try (EmbeddedServer s = EmbeddedServer.builder().option("dir", dir.toString()).option("dbfilename", "a.rdb")
                .option("maxmemory-policy", "allkeys-lru").start();
                RawClient c = new RawClient(s.host(), s.port())) {
            long idle = Long.parseLong(c.callText("OBJECT", "IDLETIME", "idle").substring(1));
            assertTrue(idle >= 1000 && idle < 1010, "idle " + idle);
        }
        try (EmbeddedServer s = EmbeddedServer.builder().option("dir", dir.toString()).option("dbfilename", "a.rdb")
                .option("maxmemory-policy", "allkeys-lfu").start();
                RawClient c = new RawClient(s.host(), s.port())) {
            assertEquals(":42", c.callText("OBJECT", "FREQ", "freq"));
        }
    }

    @Test
    void start_loadsLibrariesOfBothOpcodes_refusesABrokenOne(@TempDir Path dir) throws Exception {
        RdbOutput body = new RdbOutput(64);
        body.writeByte(RdbFormat.OPCODE_FUNCTION2);
        str(body, "#!lua name=new\nredis.register_function('f1', function() return 1 end)");
        body.writeByte(RdbFormat.OPCODE_FUNCTION);
        str(body, "old");
        str(body, "LUA");
        body.writeLength(0);
        str(body, "redis.register_function('f2', function() return 2 end)");
        RdbOutput broken = new RdbOutput(64);
        broken.writeByte(RdbFormat.OPCODE_FUNCTION2);
        str(broken, "#!lua name=bad\nthis is not lua");
        Files.write(dir.resolve("f.rdb"), withBody("0010", body));
        try (EmbeddedServer s = EmbeddedServer.builder().option("dir", dir.toString()).option("dbfilename", "f.rdb").start();
                RawClient c = new RawClient(s.host(), s.port())) {
            assertEquals(":1", c.callText("FCALL", "f1", "0"));
            assertEquals(":2", c.callText("FCALL", "f2", "0"));
        }
        Files.write(dir.resolve("bad.rdb"), withBody("0010", broken));
        RdbLoadException e = assertThrows(RdbLoadException.class,
                () -> EmbeddedServer.builder().option("dir", dir.toString()).option("dbfilename", "bad.rdb").start());
        assertTrue(e.getMessage().contains("Failed loading library, ERR Error compiling function"), e.getMessage());
    }

    @Test
    void allowDuplicates_replaces() throws Exception {
        RdbEntryEncoder enc = new RdbEntryEncoder(16);
        enc.selectDb(0);
        enc.entry(b("k"), Database.NO_EXPIRY).string(b("first"), 0, 5);
        enc.entry(b("k"), Database.NO_EXPIRY).string(b("second"), 0, 6);
        Keyspace ks = new Keyspace(2, 16);
        byte[] f = file(enc);
        new RdbLoader(ks, c -> { }, true).load(new ByteArrayInputStream(f), f.length, "d");
        assertEquals("{0/k=string[second] exp=-1}", contents(ks));
    }

    @Test
    void entryFromDump_matchesEntryFromTheVisitor() throws Exception {
        Keyspace ks = smallKeyspace();
        Database d = ks.database(0, System.currentTimeMillis());
        byte[] key = b("list");
        Shard shard = ks.shard(d.shardIndex(key));
        shard.lock();
        try {
            RdbEntryEncoder a = new RdbEntryEncoder(16);
            d.keys().dump(key, a.entry(key, FUTURE));
            RdbEntryEncoder c = new RdbEntryEncoder(16);
            c.entryFromDump(key, FUTURE, DumpPayload.create(v -> d.keys().dump(key, v)));
            assertArrayEquals(java.util.Arrays.copyOf(a.array(), a.size()), java.util.Arrays.copyOf(c.array(), c.size()));
            assertTrue(d.keys().expiryOf(key) == KeyOps.PERSISTENT);
        } finally {
            shard.unlock();
        }
    }
}
