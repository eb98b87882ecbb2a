package io.damselfly.server.aof;

import io.damselfly.protocol.RespWriter;
import io.damselfly.server.keyspace.KeyOps;
import io.damselfly.server.keyspace.Numbers;
import io.damselfly.server.keyspace.Scores;
import io.damselfly.server.keyspace.StreamId;
import io.damselfly.server.keyspace.Value;
import io.damselfly.server.keyspace.ValueBuilder;
import io.damselfly.server.keyspace.ValueVisitor;
import io.damselfly.server.rdb.RdbFileReader;
import io.damselfly.server.rdb.RdbFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes the command form of an RDB image, as Redis 7.0.15's rewriteAppendOnlyFileRio writes an
 * AOF base file when aof-use-rdb-preamble is no.
 *
 * <p>Design. damselfly takes every snapshot as an RDB file (persist/Persistence), so an AOF rewrite
 * in command form is that RDB file translated: {@link RdbFileReader} streams it, handing over the
 * function libraries and then one key at a time (never the whole dataset), and each key's value is
 * walked through {@link KeyOps#visit(Value, ValueVisitor)}, as DUMP walks one, into the commands
 * that rebuild it. What comes out is what aof.c writes, command for command:
 * <ol>
 *   <li>{@code #TS:<unix seconds>} when aof-timestamp-enabled (genAofTimestampAnnotationIfNeeded(1));
 *   <li>{@code FUNCTION LOAD <code>} per library (rewriteFunctions), before any SELECT;
 *   <li>per database that holds keys {@code SELECT <db>}, then per key: a string as {@code SET};
 *       a list as {@code RPUSH}, a set as {@code SADD}, a sorted set as {@code ZADD key score
 *       member ...} (scores by rioWriteBulkDouble: C's {@code %.17g}, {@code inf}/{@code -inf}),
 *       a hash as {@code HMSET}, each in commands of at most {@link #ITEMS_PER_COMMAND} items; a
 *       stream as rewriteStreamObject (below); then {@code PEXPIREAT key ms} when the key has an
 *       expiry, already past or not, as Redis writes expired keys too.
 * </ol>
 * A stream: {@code XADD key id field value ...} per live entry in ID order, or for a stream of no
 * live entries {@code XADD key MAXLEN 0 0-1 x y} (which makes the key and leaves it empty); then
 * {@code XSETID key last-id ENTRIESADDED n MAXDELETEDID id}; then per group, in name order,
 * {@code XGROUP CREATE key group last-id ENTRIESREAD n}, and per consumer in name order either
 * {@code XGROUP CREATECONSUMER key group consumer} (no pending entries) or, per entry it owns in
 * ID order, {@code XCLAIM key group consumer 0 id TIME delivery-ms RETRYCOUNT count JUSTID FORCE}.
 * Redis decides between the two XADD forms by the stream's length, known before its entries; in
 * the RDB order the length comes after the entries, so the writer decides by whether it wrote an
 * entry, which is the same for every consistent file.
 *
 * <p>Commands are RESP arrays of bulk strings, as a client sends them (the protocol's {@link
 * RespWriter}), gathered in a buffer written out every {@link #FLUSH_BYTES}; a value of {@link
 * #DIRECT_BYTES} or more goes to the stream without passing through the buffer, so memory stays
 * that of the largest value the reader holds, whatever the file's size. A file that does not
 * decode ends in the reader's {@link RdbFormatException}; what was written to {@code out} until
 * then is the caller's to throw away (Redis's rewrite unlinks its temp file).
 */
public final class CommandFormWriter {
    /** Redis's AOF_REWRITE_ITEMS_PER_CMD: elements (or pairs) per RPUSH, SADD, ZADD, HMSET. */
    public static final int ITEMS_PER_COMMAND = 64;
    /** Buffered bytes that trigger a write to the stream: few system calls, little memory. */
    private static final int FLUSH_BYTES = 64 * 1024;
    /** A bulk string this long is written straight to the stream rather than copied into the buffer. */
    private static final int DIRECT_BYTES = 64 * 1024;

    private static final byte[] SELECT = ascii("SELECT");
    private static final byte[] FUNCTION = ascii("FUNCTION");
    private static final byte[] LOAD = ascii("LOAD");
    private static final byte[] SET = ascii("SET");
    private static final byte[] RPUSH = ascii("RPUSH");
    private static final byte[] SADD = ascii("SADD");
    private static final byte[] ZADD = ascii("ZADD");
    private static final byte[] HMSET = ascii("HMSET");
    private static final byte[] PEXPIREAT = ascii("PEXPIREAT");
    private static final byte[] XADD = ascii("XADD");
    private static final byte[] MAXLEN = ascii("MAXLEN");
    private static final byte[] ZERO = ascii("0");
    /** The ID and the field and value of the XADD that makes an empty stream (it is trimmed at once). */
    private static final byte[] EMPTY_STREAM_ID = ascii("0-1");
    private static final byte[] EMPTY_STREAM_FIELD = ascii("x");
    private static final byte[] EMPTY_STREAM_VALUE = ascii("y");
    private static final byte[] XSETID = ascii("XSETID");
    private static final byte[] ENTRIESADDED = ascii("ENTRIESADDED");
    private static final byte[] MAXDELETEDID = ascii("MAXDELETEDID");
    private static final byte[] XGROUP = ascii("XGROUP");
    private static final byte[] CREATE = ascii("CREATE");
    private static final byte[] ENTRIESREAD = ascii("ENTRIESREAD");
    private static final byte[] CREATECONSUMER = ascii("CREATECONSUMER");
    private static final byte[] XCLAIM = ascii("XCLAIM");
    private static final byte[] TIME = ascii("TIME");
    private static final byte[] RETRYCOUNT = ascii("RETRYCOUNT");
    private static final byte[] JUSTID = ascii("JUSTID");
    private static final byte[] FORCE = ascii("FORCE");

    private final ValueBuilder builder;
    private final int databases;
    private final boolean checksum;

    /**
     * A writer reading RDB files with {@code builder}'s value types, for a server of {@code
     * databases} databases, checking the file's CRC64 when {@code checksum}.
     */
    public CommandFormWriter(ValueBuilder builder, int databases, boolean checksum) {
        this.builder = builder;
        this.databases = databases;
        this.checksum = checksum;
    }

    /**
     * Reads the RDB image ({@code length} bytes of {@code rdb}) and writes its command form to
     * {@code out}, preceded by a {@code #TS:} annotation of the current time when {@code
     * timestampAnnotation}; answers the number of keys written. Neither stream is closed.
     */
    public long write(InputStream rdb, long length, OutputStream out, boolean timestampAnnotation)
            throws IOException, RdbFormatException {
        return write(rdb, length, out, timestampAnnotation ? Instant.now().getEpochSecond() : -1);
    }

    /** The same with the annotation's time given: {@code timestampSeconds} negative writes none. */
    long write(InputStream rdb, long length, OutputStream out, long timestampSeconds) throws IOException, RdbFormatException {
        Emitter emitter = new Emitter(out);
        try {
            if (timestampSeconds >= 0) {
                emitter.buf.writeBytes(ascii("#TS:" + timestampSeconds + "\r\n"));
            }
            new RdbFileReader(builder, databases, checksum).read(rdb, length, emitter);
            emitter.flush();
            return emitter.keys;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            emitter.buf.release();
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The translation of one file: the RDB reader's target (functions, keys) and the visitor of
     * the key being written. Visitor methods cannot throw IOException; a failed write travels as
     * an UncheckedIOException and is unwrapped by {@link #write}.
     */
    private static final class Emitter implements RdbFileReader.Target, ValueVisitor {
        final ByteBuf buf = Unpooled.buffer(FLUSH_BYTES + FLUSH_BYTES / 4);
        private final OutputStream out;
        long keys;
        /** The database of the last SELECT written, -1 before the first. */
        private int selectedDb = -1;
        /** The key being written. */
        private byte[] key;

        // ---- the batched collections: RPUSH, SADD, ZADD, HMSET ----
        /** Items of the value not yet written, for the size of each batch's array. */
        private long remaining;
        /** Items written in the open batch; 0 means the next item opens one. */
        private int inBatch;

        // ---- the stream being written ----
        private boolean streamEntryWritten;
        private byte[] group;
        /** The open group's PEL: delivery time and count by ID, for the XCLAIMs of its consumers. */
        private final Map<StreamId, long[]> groupPending = new HashMap<>();
        private byte[] consumer;

        Emitter(OutputStream out) {
            this.out = out;
        }

        // ---- target ---------------------------------------------------------------------------

        @Override
        public void function(byte[] code) throws RdbFormatException {
            if (selectedDb >= 0) {
                // rdbSaveRio writes the libraries before the databases; a base file must load
                // them first too, so a file that does otherwise is refused rather than reordered
                throw new RdbFormatException("a function library follows keys: not a snapshot's order");
            }
            RespWriter.writeArrayHeader(buf, 3);
            bulk(FUNCTION);
            bulk(LOAD);
            bulk(code);
            maybeFlush();
        }

        @Override
        public void key(int db, byte[] key, Value value, long expiresAtMs, long idleSeconds, int frequency) {
            if (db != selectedDb) {
                RespWriter.writeArrayHeader(buf, 2);
                bulk(SELECT);
                bulk(Numbers.toBytes(db));
                selectedDb = db;
            }
            this.key = key;
            KeyOps.visit(value, this);
            if (expiresAtMs != RdbFileReader.NO_EXPIRY) {
                RespWriter.writeArrayHeader(buf, 3);
                bulk(PEXPIREAT);
                bulk(key);
                bulk(Numbers.toBytes(expiresAtMs));
            }
            keys++;
            this.key = null;
            maybeFlush();
        }

        // ---- strings and the batched collections ---------------------------------------------

        @Override
        public void string(byte[] value, int offset, int length) {
            RespWriter.writeArrayHeader(buf, 3);
            bulk(SET);
            bulk(key);
            bulk(value, offset, length);
        }

        @Override
        public void list(int size) {
            open(size);
        }

        @Override
        public void listElement(byte[] element) {
            item(RPUSH, 1);
            bulk(element);
            closeItem();
        }

        @Override
        public void set(int size, boolean intset) {
            open(size);
        }

        @Override
        public void setMember(byte[] member) {
            item(SADD, 1);
            bulk(member);
            closeItem();
        }

        @Override
        public void hash(int size, boolean compact) {
            open(size);
        }

        @Override
        public void hashField(byte[] field, int fieldOffset, int fieldLength, byte[] value, int valueOffset, int valueLength) {
            item(HMSET, 2);
            bulk(field, fieldOffset, fieldLength);
            bulk(value, valueOffset, valueLength);
            closeItem();
        }

        @Override
        public void zset(int size, boolean compact) {
            open(size);
        }

        @Override
        public void zsetEntry(byte[] member, int offset, int length, double score) {
            item(ZADD, 2);
            // rioWriteBulkDouble: "%.17g", whose inf and -inf Scores.format spells as glibc does
            bulk(Scores.format(score));
            bulk(member, offset, length);
            closeItem();
        }

        private void open(int size) {
            remaining = size;
            inBatch = 0;
        }

        /** Opens a batch when none is open: {@code command key}, sized for the items left (at most 64). */
        private void item(byte[] command, int argsPerItem) {
            if (inBatch == 0) {
                long items = Math.min(remaining, ITEMS_PER_COMMAND);
                RespWriter.writeArrayHeader(buf, 2 + items * argsPerItem);
                bulk(command);
                bulk(key);
            }
        }

        private void closeItem() {
            remaining--;
            if (++inBatch == ITEMS_PER_COMMAND) {
                inBatch = 0;
            }
            maybeFlush();
        }

        // ---- streams ----------------------------------------------------------------------------

        @Override
        public void stream(int nodes, int groups) {
            streamEntryWritten = false;
        }

        @Override
        public void streamNode(long masterMs, long masterSeq, int entries) {
        }

        @Override
        public void streamEntry(long ms, long seq, boolean deleted, byte[][] fieldsAndValues) {
            if (deleted) {
                return;
            }
            RespWriter.writeArrayHeader(buf, 3 + fieldsAndValues.length);
            bulk(XADD);
            bulk(key);
            bulk(id(ms, seq));
            for (byte[] b : fieldsAndValues) {
                bulk(b);
            }
            streamEntryWritten = true;
            maybeFlush();
        }

        @Override
        public void streamMeta(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                long maxDeletedMs, long maxDeletedSeq, long entriesAdded) {
            if (!streamEntryWritten) {
                RespWriter.writeArrayHeader(buf, 7);
                bulk(XADD);
                bulk(key);
                bulk(MAXLEN);
                bulk(ZERO);
                bulk(EMPTY_STREAM_ID);
                bulk(EMPTY_STREAM_FIELD);
                bulk(EMPTY_STREAM_VALUE);
            }
            // after the entries, so an XDEL'd tail's last ID and the counters come back
            RespWriter.writeArrayHeader(buf, 7);
            bulk(XSETID);
            bulk(key);
            bulk(id(lastMs, lastSeq));
            bulk(ENTRIESADDED);
            bulk(Numbers.toBytes(entriesAdded));
            bulk(MAXDELETEDID);
            bulk(id(maxDeletedMs, maxDeletedSeq));
        }

        @Override
        public void streamGroup(byte[] name, long lastMs, long lastSeq, long entriesRead, int pending, int consumers) {
            group = name;
            groupPending.clear();
            RespWriter.writeArrayHeader(buf, 7);
            bulk(XGROUP);
            bulk(CREATE);
            bulk(key);
            bulk(name);
            bulk(id(lastMs, lastSeq));
            bulk(ENTRIESREAD);
            bulk(Numbers.toBytes(entriesRead));
            maybeFlush();
        }

        @Override
        public void streamPending(long ms, long seq, long deliveryTimeMs, long deliveryCount) {
            groupPending.put(new StreamId(ms, seq), new long[] {deliveryTimeMs, deliveryCount});
        }

        @Override
        public void streamConsumer(byte[] name, long seenTimeMs, long activeTimeMs, int pending) {
            consumer = name;
            if (pending == 0) {
                RespWriter.writeArrayHeader(buf, 5);
                bulk(XGROUP);
                bulk(CREATECONSUMER);
                bulk(key);
                bulk(group);
                bulk(name);
                maybeFlush();
            }
        }

        @Override
        public void streamConsumerPending(long ms, long seq) {
            // the builder refuses a consumer's ID that is not in its group's PEL, so it is here
            long[] nack = groupPending.get(new StreamId(ms, seq));
            RespWriter.writeArrayHeader(buf, 12);
            bulk(XCLAIM);
            bulk(key);
            bulk(group);
            bulk(consumer);
            bulk(ZERO);
            bulk(id(ms, seq));
            bulk(TIME);
            bulk(Numbers.toBytes(nack[0]));
            bulk(RETRYCOUNT);
            bulk(Numbers.toBytes(nack[1]));
            bulk(JUSTID);
            bulk(FORCE);
            maybeFlush();
        }

        /** rioWriteBulkStreamID's "%U-%U". */
        private static byte[] id(long ms, long seq) {
            return new StreamId(ms, seq).toBytes();
        }

        // ---- output -----------------------------------------------------------------------------

        private void bulk(byte[] b) {
            bulk(b, 0, b.length);
        }

        private void bulk(byte[] b, int off, int len) {
            if (len < DIRECT_BYTES) {
                RespWriter.writeBulk(buf, b, off, len);
                return;
            }
            RespWriter.writeBulkHeader(buf, len);
            flush();
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            RespWriter.writeCrlf(buf);
        }

        private void maybeFlush() {
            if (buf.readableBytes() >= FLUSH_BYTES) {
                flush();
            }
        }

        void flush() {
            try {
                buf.readBytes(out, buf.readableBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            buf.clear();
        }
    }
}
