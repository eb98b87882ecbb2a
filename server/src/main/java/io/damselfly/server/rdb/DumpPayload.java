package io.damselfly.server.rdb;

import io.damselfly.server.keyspace.Value;
import io.damselfly.server.keyspace.ValueBuilder;
import io.damselfly.server.keyspace.ValueVisitor;
import java.util.function.Predicate;

/**
 * DUMP's payload, as Redis's createDumpPayload makes it: the serialized value (type byte and
 * object), the RDB version as two bytes little endian, then the CRC64 of everything before it as
 * eight bytes little endian. RESTORE checks the footer ({@link #verify}: version not above ours,
 * checksum right) before it decodes anything ({@link #decode}).
 */
public final class DumpPayload {
    /** The version (2 bytes) and CRC64 (8 bytes) after a payload's body. */
    public static final int FOOTER_BYTES = 10;

    private DumpPayload() {
    }

    /**
     * The payload of the value {@code walk} feeds to the visitor it is given, or null when the
     * walk answers false (no value: a missing key).
     */
    public static byte[] create(Predicate<ValueVisitor> walk) {
        RdbOutput out = new RdbOutput(64);
        if (!walk.test(new RdbValueWriter(out))) {
            return null;
        }
        return seal(out);
    }

    /**
     * The payload of a body written into {@code out} (a value, or FUNCTION DUMP's libraries): the
     * body, then the RDB version and the CRC64 of both.
     */
    public static byte[] seal(RdbOutput out) {
        out.writeLittleEndian(RdbFormat.VERSION, 2);
        long crc = Crc64.of(out.array(), 0, out.size());
        out.writeLittleEndian(crc, 8);
        return out.toByteArray();
    }

    /** verifyDumpPayload: long enough, an RDB version we read, and a matching checksum. */
    public static boolean verify(byte[] payload) {
        return verify(payload, false);
    }

    /**
     * {@link #verify(byte[])}, checking only the version when {@code skipChecksum} (DEBUG
     * SET-SKIP-CHECKSUM-VALIDATION 1, as Redis's verifyDumpPayload: its tests feed corrupt
     * payloads past the checksum to the value reader, which must refuse them, never fail).
     */
    public static boolean verify(byte[] payload, boolean skipChecksum) {
        int n = payload.length;
        if (n < FOOTER_BYTES) {
            return false;
        }
        int version = (payload[n - FOOTER_BYTES] & 0xFF) | (payload[n - FOOTER_BYTES + 1] & 0xFF) << 8;
        if (version > RdbFormat.VERSION) {
            return false;
        }
        if (skipChecksum) {
            return true;
        }
        long crc = 0;
        for (int i = 7; i >= 0; i--) {
            crc = (crc << 8) | (payload[n - 8 + i] & 0xFF);
        }
        return Crc64.of(payload, 0, n - 8) == crc;
    }

    /** The value of a verified payload, built by {@code builder}. */
    public static Value decode(byte[] payload, ValueBuilder builder) throws RdbFormatException {
        if (payload.length < FOOTER_BYTES) {
            throw new RdbFormatException("payload too short");
        }
        // Redis reads the value from the whole payload, footer included (restoreCommand's rio
        // buffer), so a damaged value that runs into the footer still loads there: so it does here
        return new RdbValueReader(builder).read(new RdbInput(payload, 0, payload.length));
    }
}
