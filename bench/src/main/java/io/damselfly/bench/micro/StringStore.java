package io.damselfly.bench.micro;

import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Shard;
import io.damselfly.server.keyspace.StringView;
import java.util.concurrent.locks.ReentrantLock;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * One layout of string keys under test in {@link EntryLayoutBenchmark}: SET and GET of whole
 * values, each one command's worth of work on the server's side of the decoder and short of the
 * reply. Single-threaded: each call is one command of one connection.
 */
interface StringStore extends AutoCloseable {
    /**
     * SET key value over any old value, without expiry. The store may keep both arrays: callers
     * hand over fresh ones per call, as the RESP decoder hands the executor fresh arrays per
     * command.
     */
    void set(byte[] key, byte[] value);

    /**
     * GET: copies the value into {@code reply} (long enough for any stored value) and returns its
     * length, or -1 when the key is absent. The copy stands for writing the value into the reply
     * buffer, which each layout does once: from a heap array, or from off-heap memory.
     */
    int get(byte[] key, byte[] reply);

    long size();

    /** Bytes held outside the Java heap (0 for the heap layouts). */
    long offHeapBytes();

    /** The layout's own account of its memory, or -1 when it keeps none. */
    long accountedBytes();

    /** Checks the store's structure and books; null when sound. */
    String checkInvariants();

    /** Releases what the store holds outside the heap. */
    @Override
    void close();

    /**
     * The old layout ({@link ChainedStringTable}) with what the old server wrapped around it per
     * command: one SipHash of the key folded to 32 bits (the old {@code Keyspace.hash}) and the
     * shard lock taken and released, as for {@link Segmented}.
     */
    final class Chained implements StringStore {
        private final ChainedStringTable table = new ChainedStringTable();
        private final ReentrantLock lock = new ReentrantLock();
        private final long now;

        Chained(long now) {
            this.now = now;
        }

        private static int hash(byte[] key) {
            long h = Keyspace.hash(key);
            return (int) (h ^ (h >>> 32));
        }

        @Override
        public void set(byte[] key, byte[] value) {
            int h = hash(key);
            lock.lock();
            try {
                table.set(key, h, value, now);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int get(byte[] key, byte[] reply) {
            int h = hash(key);
            lock.lock();
            try {
                ChainedStringTable.Value v = table.get(key, h, now);
                if (v == null) {
                    return -1;
                }
                System.arraycopy(v.buf, 0, reply, 0, v.length);
                return v.length;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public long size() {
            return table.size();
        }

        @Override
        public long offHeapBytes() {
            return 0;
        }

        @Override
        public long accountedBytes() {
            return table.usedMemory();
        }

        @Override
        public String checkInvariants() {
            return table.checkInvariants();
        }

        @Override
        public void close() {
        }
    }

    /**
     * The current keyspace through the API the command executor uses, with one shard (layouts, not
     * lock striping) and Redis's 16 databases: per command, bind the connection's database view,
     * route the key to its shard (the one SipHash, memoised for the operation that follows), lock,
     * operate, unlock.
     */
    final class Segmented implements StringStore {
        static final int DATABASES = 16;

        final Keyspace keyspace = new Keyspace(1, DATABASES);
        private final Database db;
        private final long now;

        Segmented(long now) {
            this.now = now;
            this.db = keyspace.database(0, now);
        }

        private static final byte[] SET = {'S', 'E', 'T'};
        private static final byte[] GET = {'G', 'E', 'T'};

        @Override
        public void set(byte[] key, byte[] value) {
            // the arguments as the decoder hands them over, so the key is hashed once (memoised)
            db.bind(0, now, new byte[][] {SET, key, value});
            Shard s = keyspace.shard(db.shardIndex(key));
            s.lock();
            try {
                db.strings().set(key, value);
            } finally {
                s.unlock();
            }
        }

        @Override
        public int get(byte[] key, byte[] reply) {
            db.bind(0, now, new byte[][] {GET, key});
            Shard s = keyspace.shard(db.shardIndex(key));
            s.lock();
            try {
                StringView v = db.strings().get(key);
                if (v == null) {
                    return -1;
                }
                v.copyTo(reply, 0);
                return v.length();
            } finally {
                s.unlock();
            }
        }

        @Override
        public long size() {
            return keyspace.size(0);
        }

        @Override
        public long offHeapBytes() {
            return 0;
        }

        @Override
        public long accountedBytes() {
            return keyspace.usedMemory();
        }

        @Override
        public String checkInvariants() {
            return keyspace.checkInvariants();
        }

        @Override
        public void close() {
        }
    }

    /**
     * Chronicle Map as an off-heap store: a {@code ChronicleMap<byte[], byte[]>} created in memory
     * (no file) for the number of keys, with the average key and value sizes set, and its default
     * segment count and hashing. Its calls are its zero-garbage ones, the faster of the
     * alternatives in a quick check: SET through a query context (update lock, then replace the
     * entry's value or insert the entry), not {@code put}, which returns the old value in a new
     * array; GET through {@code getUsing} with the reply array, which Chronicle reads the value
     * into when the lengths match (the benchmark's case; otherwise it allocates and the store
     * copies), about 40% faster than reading the value through a query context. Its segment locks
     * are its own, so no lock is added.
     */
    final class Chronicle implements StringStore {
        /** Chronicle's switch for its usage reporting; read when its analytics first load. */
        static final String ANALYTICS_OFF = "chronicle.analytics.disable";

        static {
            System.setProperty(ANALYTICS_OFF, "true");
        }

        private final ChronicleMap<byte[], byte[]> map;

        Chronicle(long entries, double averageKeySize, double averageValueSize) {
            map = ChronicleMap.of(byte[].class, byte[].class)
                    .name("entry-layout")
                    .entries(entries)
                    .averageKeySize(averageKeySize)
                    .averageValueSize(averageValueSize)
                    .create();
        }

        @Override
        public void set(byte[] key, byte[] value) {
            try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(key)) {
                c.updateLock().lock();
                MapEntry<byte[], byte[]> e = c.entry();
                Data<byte[]> data = c.wrapValueAsData(value);
                if (e != null) {
                    e.doReplaceValue(data);
                } else {
                    c.absentEntry().doInsert(data);
                }
            }
        }

        @Override
        public int get(byte[] key, byte[] reply) {
            byte[] v = map.getUsing(key, reply);
            if (v == null) {
                return -1;
            }
            if (v != reply) {
                System.arraycopy(v, 0, reply, 0, v.length);
            }
            return v.length;
        }

        @Override
        public long size() {
            return map.longSize();
        }

        @Override
        public long offHeapBytes() {
            return map.offHeapMemoryUsed();
        }

        @Override
        public long accountedBytes() {
            return -1;
        }

        @Override
        public String checkInvariants() {
            return null;
        }

        @Override
        public void close() {
            map.close();
        }
    }
}
