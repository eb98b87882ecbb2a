package io.damselfly.server.rdb;

import io.damselfly.server.keyspace.Value;
import io.damselfly.server.keyspace.ValueBuilder;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads an RDB file as Redis 7.0.15's rdbLoadRio does, streaming: versions 1 to 10, and 11
 * (Redis 7.2), whose new types a keyspace here can hold are SET_LISTPACK and STREAM_LISTPACKS_3. Opcodes AUX,
 * SELECTDB, RESIZEDB, EXPIRETIME (seconds), EXPIRETIME_MS, IDLE, FREQ, FUNCTION2 and the
 * pre-release FUNCTION form (translated into a library's code as rdbFunctionLoad does), EOF, then
 * from version 5 on the CRC64 of everything before it (zero: "saved without checksum", not
 * checked, as Redis). MODULE_AUX and module values are refused: damselfly has no modules.
 *
 * <p>What is read goes to a {@link Target}, one call per item, in file order; the reader keeps
 * nothing but one value at a time and a bounded buffer ({@link RdbInput}'s stream form), so a
 * file of any size is read in the memory of its largest value. An empty collection is skipped and
 * counted, as Redis skips it (a bug of old Redis versions could write one). Everything that does
 * not decode ends in a {@link RdbFormatException} whose message says what and where.
 */
public final class RdbFileReader {
    /** The expiry the target is given for a key without one (Redis's -1). */
    public static final long NO_EXPIRY = -1;
    /** The read buffer: large enough that refills are rare, small beside any heap. */
    private static final int BUFFER = 1 << 20;
    /** Keys between two progress calls. */
    private static final int PROGRESS_KEYS = 1024;

    /** Receives what the file holds, in file order. */
    public interface Target {
        /** An AUX field (redis-ver, ctime, used-mem ...; unknown ones are for the target to skip). */
        default void aux(byte[] name, byte[] value) {
        }

        /** A function library's code (FUNCTION LOAD's argument). */
        void function(byte[] code) throws RdbFormatException;

        /**
         * A key of database {@code db} with its value, its expiry ({@link #NO_EXPIRY} or Unix
         * ms, possibly past), and the LRU idle seconds and LFU counter the file gave it (-1 when
         * not given).
         */
        void key(int db, byte[] key, Value value, long expiresAtMs, long idleSeconds, int frequency) throws RdbFormatException;

        /** Called every few thousand keys and at the end: bytes and keys read so far. */
        default void progress(long bytesRead, long keysRead) {
        }
    }

    /** What a read found: the file's version, keys read, empty keys skipped, size, whether a checksum was checked. */
    public record Summary(int version, long keys, long emptyKeysSkipped, long bytes, boolean checksumChecked) {
    }

    private final ValueBuilder builder;
    private final int databases;
    private final int bufferSize;

    /** A reader building values with {@code builder}, for a server of {@code databases} databases. */
    public RdbFileReader(ValueBuilder builder, int databases) {
        this(builder, databases, BUFFER, true);
    }

    /** The same, checking the file's CRC64 only when {@code checksum} (rdbchecksum no skips it, as rdbLoadRio does). */
    public RdbFileReader(ValueBuilder builder, int databases, boolean checksum) {
        this(builder, databases, BUFFER, checksum);
    }

    /** The same with a read buffer of {@code bufferSize} bytes (tests use tiny ones to refill often). */
    RdbFileReader(ValueBuilder builder, int databases, int bufferSize) {
        this(builder, databases, bufferSize, true);
    }

    private RdbFileReader(ValueBuilder builder, int databases, int bufferSize, boolean checksum) {
        this.builder = builder;
        this.databases = databases;
        this.bufferSize = bufferSize;
        this.checksum = checksum;
    }

    private final boolean checksum;

    /** Reads a whole file held in an array (small files, tests). */
    public Summary read(byte[] file, Target target) throws RdbFormatException {
        return read(new ByteArrayInputStream(file), file.length, target);
    }

    /** Reads the {@code length} bytes of a stream (not closed here). */
    public Summary read(InputStream source, long length, Target target) throws RdbFormatException {
        RdbInput in = new RdbInput(source, length, bufferSize);
        try {
            return read(in, length, target);
        } catch (RdbFormatException e) {
            throw new RdbFormatException(e.getMessage() + " (at byte " + in.offset() + " of " + length + ")");
        }
    }

    private Summary read(RdbInput in, long length, Target target) throws RdbFormatException {
        if (in.remaining() < 9) {
            throw new RdbFormatException("unexpected end of data: no RDB header");
        }
        byte[] magic = in.readBytes(9);
        if (!new String(magic, 0, 5, StandardCharsets.ISO_8859_1).equals("REDIS")) {
            throw new RdbFormatException("wrong signature: not an RDB file");
        }
        // Redis reads the version with atoi, so "001x" would be version 1, read without a
        // checksum: four digits are required here, as every writer puts them ("%04d")
        for (int i = 5; i < 9; i++) {
            if (magic[i] < '0' || magic[i] > '9') {
                throw new RdbFormatException("Can't handle RDB format version '"
                        + printable(java.util.Arrays.copyOfRange(magic, 5, 9)) + "'");
            }
        }
        int version = Integer.parseInt(new String(magic, 5, 4, StandardCharsets.US_ASCII));
        if (version < 1 || version > RdbFormat.MAX_FILE_VERSION) {
            throw new RdbFormatException("Can't handle RDB format version " + version);
        }
        RdbValueReader values = new RdbValueReader(builder, true, version);
        int db = 0;
        long expiresAt = NO_EXPIRY;
        long idle = -1;
        int freq = -1;
        long keys = 0;
        long empty = 0;
        while (true) {
            int type = in.readUnsignedByte();
            switch (type) {
                case RdbFormat.OPCODE_EXPIRETIME:
                    // rdbLoadTime: a 32-bit count of seconds, little endian
                    expiresAt = (int) in.readLittleEndian(4) * 1000L;
                    continue;
                case RdbFormat.OPCODE_EXPIRETIME_MS:
                    expiresAt = in.readLittleEndian(8);
                    continue;
                case RdbFormat.OPCODE_FREQ:
                    freq = in.readUnsignedByte();
                    continue;
                case RdbFormat.OPCODE_IDLE:
                    idle = in.readLength();
                    continue;
                case RdbFormat.OPCODE_SELECTDB: {
                    long n = in.readLength();
                    if (n >= databases) {
                        throw new RdbFormatException("the file holds database " + n + " but this server has "
                                + databases + " (raise --databases)");
                    }
                    db = (int) n;
                    continue;
                }
                case RdbFormat.OPCODE_RESIZEDB:
                    in.readLength();
                    in.readLength();
                    continue;
                case RdbFormat.OPCODE_AUX: {
                    byte[] name = in.readString();
                    byte[] value = in.readString();
                    target.aux(name, value);
                    continue;
                }
                case RdbFormat.OPCODE_MODULE_AUX:
                    throw new RdbFormatException("the file holds module AUX data, which damselfly cannot load (no modules)");
                case RdbFormat.OPCODE_FUNCTION2:
                    target.function(in.readString());
                    continue;
                case RdbFormat.OPCODE_FUNCTION:
                    target.function(preReleaseFunction(in));
                    continue;
                case RdbFormat.OPCODE_EOF:
                    break;
                default: {
                    if (type > RdbFormat.TYPE_STREAM_LISTPACKS_3) {
                        throw new RdbFormatException("unknown type or opcode " + type);
                    }
                    byte[] key = in.readString();
                    Value value;
                    try {
                        value = values.read(in, type);
                    } catch (RdbFormatException e) {
                        throw new RdbFormatException(e.getMessage() + " in the value of key '"
                                + printable(key) + "' in DB " + db);
                    }
                    if (value == null) {
                        empty++;
                    } else {
                        target.key(db, key, value, expiresAt, idle, freq);
                        keys++;
                        if (keys % PROGRESS_KEYS == 0) {
                            target.progress(in.offset(), keys);
                        }
                    }
                    expiresAt = NO_EXPIRY;
                    idle = -1;
                    freq = -1;
                    continue;
                }
            }
            break;
        }
        boolean checked = false;
        if (version >= 5) {
            long expected = in.checksum();
            long stored = in.readLittleEndian(8);
            if (stored != 0 && checksum) {
                if (stored != expected) {
                    // Redis's log has "Wrong RDB checksum expected: (%llx) got: (%llx)" and "RDB CRC
                    // error" (what its own tests look for in the log)
                    throw new RdbFormatException(String.format(
                            "RDB CRC error: Wrong RDB checksum expected: (%x) got: (%x)", expected, stored));
                }
                checked = true;
            }
        }
        target.progress(in.offset(), keys);
        return new Summary(version, keys, empty, in.offset(), checked);
    }

    /**
     * The RDB_OPCODE_FUNCTION form of Redis 7.0's release candidates: name, engine, an optional
     * description and the body, turned into a library's code as rdbFunctionLoad does.
     */
    private static byte[] preReleaseFunction(RdbInput in) throws RdbFormatException {
        byte[] name = in.readString();
        byte[] engine = in.readString();
        if (in.readLength() != 0) {
            in.readString();
        }
        byte[] body = in.readString();
        byte[] head = ("#!" + new String(engine, StandardCharsets.ISO_8859_1) + " name="
                + new String(name, StandardCharsets.ISO_8859_1) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] code = new byte[head.length + body.length];
        System.arraycopy(head, 0, code, 0, head.length);
        System.arraycopy(body, 0, code, head.length, body.length);
        return code;
    }

    /** A key for a message: printable ASCII as is, other bytes as \xHH, cut at 128 bytes. */
    static String printable(byte[] key) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(key.length, 128);
        for (int i = 0; i < n; i++) {
            int c = key[i] & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        if (key.length > n) {
            sb.append("...");
        }
        return sb.toString();
    }
}
