package io.damselfly.server.keyspace;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE's signatures, equal to Redis 7.0.15's for the same data
 * (debug.c: computeDatasetDigest, xorObjectDigest).
 *
 * <h2>How Redis builds them</h2>
 *
 * <p>Two operations on a 20-byte digest: <em>xor</em> {@code d ^= SHA1(data)}, which is order-free
 * and serves unordered things (a set's members, a hash's fields, the keys of a database), and
 * <em>mix</em> {@code d = SHA1(d ^ SHA1(data))}, which chains and serves ordered things (a
 * list's elements, a stream's entries, the parts of one element). A key-value pair's digest starts
 * at zero and is mixed with the key, the type's number as 4 big-endian bytes (OBJ_STRING 0, LIST 1,
 * SET 2, ZSET 3, HASH 4, STREAM 6), then the value:
 * <ul>
 *   <li>string: mixed with its text (an int-encoded one as its decimal text: the same bytes);</li>
 *   <li>list: each element mixed in, head to tail;</li>
 *   <li>set: each member xored in;</li>
 *   <li>hash: per field, a zero digest mixed with field then value, then xored in (as data: its
 *       SHA-1, like everything xorDigest takes);</li>
 *   <li>sorted set: per member, a zero digest mixed with the member then the score as C's
 *       {@code %.17g} (both encodings end there: a listpack's d2string text is read back to the
 *       double first), xored in;</li>
 *   <li>stream: per live entry in ID order, its ID as {@code ms.seq} (a dot, unsigned decimals)
 *       then each field and value, all mixed in. Redis 7.0.15 digests nothing else of a stream:
 *       not its node layout, counters, groups, PELs or consumers, so two streams with the same
 *       entries match whatever else differs.</li>
 * </ul>
 * Then, if the key has an expiry (whatever its time), {@code "!!expire!!"} is xored in.
 * DIGEST-VALUE answers that digest without the key's mix, per key, zeros for a missing key.
 * DIGEST starts at zero and, per database in index order that holds any key, mixes in the
 * database's index (4 big-endian bytes), then xors in every key-value digest of the database
 * (again hashed first: xorDigest never xors raw bytes).
 *
 * <p>Both read the table as Redis's dict is read: a key whose time has passed but that is not yet
 * deleted is digested, with its expiry.
 *
 * <h2>The walk</h2>
 *
 * <p>A database is spread over the shards, and xor is associative and commutative, so each
 * shard is visited once, under its own lock alone (as KEYS does), adding its keys of every
 * database into that database's sum; the sums are combined in database order at the end:
 * {@code mix(final, j) ^ SHA1(k1) ^ SHA1(k2) ...} is {@code mix(final, j) ^ (SHA1(k1) ^ SHA1(k2)
 * ...)}. The digest is then
 * not one moment's when writes run meanwhile on other loops (Redis's is, being single-threaded);
 * it is for tests, which digest a quiet server.
 */
public final class DatasetDigest {
    /** A SHA-1 digest's length, the size of every digest here. */
    public static final int LENGTH = 20;

    /** Redis's object type numbers (server.h OBJ_*), mixed into each value's digest. */
    private static final int OBJ_STRING = 0;
    private static final int OBJ_LIST = 1;
    private static final int OBJ_SET = 2;
    private static final int OBJ_ZSET = 3;
    private static final int OBJ_HASH = 4;
    private static final int OBJ_STREAM = 6;

    private static final byte[] EXPIRE_MARK = "!!expire!!".getBytes(StandardCharsets.US_ASCII);

    private DatasetDigest() {
    }

    /**
     * DEBUG DIGEST: the digest of every database, taking each shard's lock in turn (never two at
     * once unless the caller, EXEC or a script, holds them already).
     */
    public static byte[] ofDataset(Keyspace keyspace) {
        int databases = keyspace.databases();
        byte[][] sums = new byte[databases][LENGTH];
        long[] counts = new long[databases];
        Hasher h = new Hasher();
        for (int i = 0; i < keyspace.shardCount(); i++) {
            Shard s = keyspace.shard(i);
            s.lock();
            try {
                for (int db = 0; db < databases; db++) {
                    byte[] sum = sums[db];
                    long[] count = {0};
                    s.forEach(db, e -> {
                        byte[] pair = new byte[LENGTH];
                        h.mix(pair, Entries.key(e));
                        h.value(pair, e);
                        h.xor(sum, pair, 0, LENGTH);
                        count[0]++;
                    });
                    counts[db] += count[0];
                }
            } finally {
                s.unlock();
            }
        }
        byte[] result = new byte[LENGTH];
        for (int db = 0; db < databases; db++) {
            if (counts[db] > 0) {
                h.mix(result, bigEndian(db));
                xorInto(result, sums[db]);
            }
        }
        return result;
    }

    /**
     * DEBUG DIGEST-VALUE's answer for one key of {@code db}: its value's digest, or zeros when there
     * is no such key (found even when its time has passed, as dictFind finds it). The caller holds
     * the key's shard lock.
     */
    public static byte[] ofKey(Database db, byte[] key) {
        byte[] digest = new byte[LENGTH];
        Object e = db.peekEvenExpired(key);
        if (e != null) {
            new Hasher().value(digest, e);
        }
        return digest;
    }

    /** The digest as Redis prints it: 40 lower-case hex digits. */
    public static String hex(byte[] digest) {
        StringBuilder sb = new StringBuilder(LENGTH * 2);
        for (byte b : digest) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    private static void xorInto(byte[] digest, byte[] other) {
        for (int j = 0; j < LENGTH; j++) {
            digest[j] ^= other[j];
        }
    }

    private static byte[] bigEndian(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** xorDigest and mixDigest over one SHA-1 engine (MessageDigest is not thread-safe: one per walk). */
    private static final class Hasher {
        private final MessageDigest sha1;

        Hasher() {
            try {
                sha1 = MessageDigest.getInstance("SHA-1");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-1", e);
            }
        }

        /** xorDigest: {@code digest ^= SHA1(data)}. */
        void xor(byte[] digest, byte[] data, int offset, int length) {
            sha1.update(data, offset, length);
            xorInto(digest, sha1.digest());
        }

        /** mixDigest: {@code digest = SHA1(digest ^ SHA1(data))}. */
        void mix(byte[] digest, byte[] data, int offset, int length) {
            xor(digest, data, offset, length);
            System.arraycopy(sha1.digest(digest), 0, digest, 0, LENGTH);
        }

        void mix(byte[] digest, byte[] data) {
            mix(digest, data, 0, data.length);
        }

        /** xorObjectDigest: the entry's type, value and expiry mixed into {@code digest}. */
        void value(byte[] digest, Object entry) {
            mix(digest, bigEndian(typeNumber(Entries.type(entry))));
            KeyOps.visit(entry, new ValueDigest(this, digest));
            if (Entries.hasExpiry(entry)) {
                xor(digest, EXPIRE_MARK, 0, EXPIRE_MARK.length);
            }
        }

        private static int typeNumber(ValueType type) {
            return switch (type) {
                case STRING -> OBJ_STRING;
                case LIST -> OBJ_LIST;
                case SET -> OBJ_SET;
                case ZSET -> OBJ_ZSET;
                case HASH -> OBJ_HASH;
                case STREAM -> OBJ_STREAM;
            };
        }
    }

    /** xorObjectDigest's branches, one per type, as a visitor of the value's contents. */
    private static final class ValueDigest implements ValueVisitor {
        private final Hasher h;
        private final byte[] digest;

        ValueDigest(Hasher h, byte[] digest) {
            this.h = h;
            this.digest = digest;
        }

        @Override
        public void string(byte[] value, int offset, int length) {
            h.mix(digest, value, offset, length);
        }

        @Override
        public void list(int size) {
        }

        @Override
        public void listElement(byte[] element) {
            h.mix(digest, element);
        }

        @Override
        public void set(int size, boolean intset) {
        }

        @Override
        public void setMember(byte[] member) {
            h.xor(digest, member, 0, member.length);
        }

        @Override
        public void hash(int size, boolean compact) {
        }

        @Override
        public void hashField(byte[] field, int fieldOffset, int fieldLength, byte[] value, int valueOffset, int valueLength) {
            byte[] element = new byte[LENGTH];
            h.mix(element, field, fieldOffset, fieldLength);
            h.mix(element, value, valueOffset, valueLength);
            h.xor(digest, element, 0, LENGTH);
        }

        @Override
        public void zset(int size, boolean compact) {
        }

        @Override
        public void zsetEntry(byte[] member, int offset, int length, double score) {
            byte[] element = new byte[LENGTH];
            h.mix(element, member, offset, length);
            h.mix(element, Scores.format(score));
            h.xor(digest, element, 0, LENGTH);
        }

        @Override
        public void stream(int nodes, int groups) {
        }

        @Override
        public void streamNode(long masterMs, long masterSeq, int entries) {
        }

        @Override
        public void streamEntry(long ms, long seq, boolean deleted, byte[][] fieldsAndValues) {
            if (deleted) {
                return; // the stream iterator passes deleted entries by
            }
            // sdscatfmt's %U: unsigned decimals
            h.mix(digest, (Long.toUnsignedString(ms) + "." + Long.toUnsignedString(seq)).getBytes(StandardCharsets.US_ASCII));
            for (byte[] part : fieldsAndValues) {
                h.mix(digest, part);
            }
        }

        @Override
        public void streamMeta(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                               long maxDeletedMs, long maxDeletedSeq, long entriesAdded) {
        }

        @Override
        public void streamGroup(byte[] name, long lastMs, long lastSeq, long entriesRead, int pending, int consumers) {
        }

        @Override
        public void streamPending(long ms, long seq, long deliveryTimeMs, long deliveryCount) {
        }

        @Override
        public void streamConsumer(byte[] name, long seenTimeMs, long activeTimeMs, int pending) {
        }

        @Override
        public void streamConsumerPending(long ms, long seq) {
        }
    }
}
