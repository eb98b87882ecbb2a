package io.damselfly.server.rdb;

import io.damselfly.server.keyspace.ListpackSizes;
import java.nio.charset.StandardCharsets;

/**
 * Builds a listpack blob (listpack.c) element by element, as Redis encodes them: a string that
 * spells a long exactly (lpStringToInt64) in the smallest integer encoding, any other in the
 * smallest string encoding, each entry followed by its length written backwards.
 */
final class ListpackWriter {
    private final RdbOutput out = new RdbOutput(64);
    private int count;

    ListpackWriter() {
        out.writeLittleEndian(0, 4);
        out.writeLittleEndian(0, 2);
    }

    /** Elements added so far. */
    int count() {
        return count;
    }

    /** Bytes the blob would take if finished now. */
    int bytes() {
        return out.size() + 1;
    }

    void add(byte[] s, int offset, int length) {
        Long v = length <= 20 ? RdbOutput.canonicalLong(s, offset, length) : null;
        int start = out.size();
        if (v != null) {
            addInteger(v);
        } else if (length < 64) {
            out.writeByte(0x80 | length);
            out.writeBytes(s, offset, length);
        } else if (length < 4096) {
            out.writeByte(0xE0 | (length >>> 8));
            out.writeByte(length & 0xFF);
            out.writeBytes(s, offset, length);
        } else {
            out.writeByte(0xF0);
            out.writeLittleEndian(length, 4);
            out.writeBytes(s, offset, length);
        }
        writeBacklen(out.size() - start);
        count++;
    }

    void add(byte[] s) {
        add(s, 0, s.length);
    }

    /** An integer entry, as lpAppendInteger writes it (the narrowest integer encoding). */
    void addLong(long v) {
        int start = out.size();
        addInteger(v);
        writeBacklen(out.size() - start);
        count++;
    }

    /** Appends the entries {@code other} holds so far, as if they had been added here one by one. */
    void addAll(ListpackWriter other) {
        out.writeBytes(other.out.array(), LISTPACK_HEADER, other.out.size() - LISTPACK_HEADER);
        count += other.count;
    }

    /** Total bytes (4) and element count (2) before the first entry. */
    private static final int LISTPACK_HEADER = 6;

    /** A score as Redis's zset listpack holds it: an integral score as an integer, else its text. */
    void addScore(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            add(Long.toString((long) d).getBytes(StandardCharsets.US_ASCII));
        } else if (Double.isInfinite(d)) {
            add((d > 0 ? "inf" : "-inf").getBytes(StandardCharsets.US_ASCII));
        } else {
            // the shortest text that reads back as the same double (strtod accepts Java's exponent form)
            add(Double.toString(d).getBytes(StandardCharsets.US_ASCII));
        }
    }

    private void addInteger(long v) {
        if (v >= 0 && v <= 127) {
            out.writeByte((int) v);
        } else if (v >= -4096 && v <= 4095) {
            int u = (int) v & 0x1FFF;
            out.writeByte(0xC0 | (u >>> 8));
            out.writeByte(u & 0xFF);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            out.writeByte(0xF1);
            out.writeLittleEndian(v, 2);
        } else if (v >= -(1 << 23) && v < (1 << 23)) {
            out.writeByte(0xF2);
            out.writeLittleEndian(v, 3);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.writeByte(0xF3);
            out.writeLittleEndian(v, 4);
        } else {
            out.writeByte(0xF4);
            out.writeLittleEndian(v, 8);
        }
    }

    /** lpEncodeBacklen: the entry's length, 7 bits a byte, the most significant group first. */
    private void writeBacklen(int size) {
        int n = ListpackSizes.backlen(size);
        for (int i = n - 1; i >= 0; i--) {
            int group = (size >>> (7 * i)) & 0x7F;
            // every byte but the first written (the last read backwards) carries the "more" bit
            out.writeByte(i == n - 1 ? group : group | 0x80);
        }
    }

    /** The finished blob: header filled in, end byte added. */
    byte[] finish() {
        out.writeByte(0xFF);
        byte[] blob = out.toByteArray();
        int total = blob.length;
        for (int i = 0; i < 4; i++) {
            blob[i] = (byte) (total >>> (8 * i));
        }
        int c = count < 0xFFFF ? count : 0xFFFF;
        blob[4] = (byte) c;
        blob[5] = (byte) (c >>> 8);
        return blob;
    }
}
