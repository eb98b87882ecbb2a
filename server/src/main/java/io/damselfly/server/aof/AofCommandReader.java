package io.damselfly.server.aof;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the commands of an AOF's command part one at a time, as loadSingleAppendOnlyFile reads
 * them: {@code *<argc>\r\n}, then for each argument {@code $<len>\r\n<len bytes>\r\n}.
 *
 * <p>Design: a pull parser over an InputStream with a buffer of its own ({@link #BUFFER_SIZE});
 * it never holds more than the command being read. It reads lines as Redis does, with fgets into
 * a {@link #LINE_MAX}-byte buffer (AOF_ANNOTATION_LINE_MAX_LEN), so a damaged file fails where
 * Redis's loader fails: a line is at most 1023 bytes (a longer one is read in pieces), it is a C
 * string (a NUL ends it), numbers are read with atoi/strtol (garbage after the digits is ignored,
 * no digits is 0), and the two bytes after an argument are skipped unchecked. Where a command may
 * begin, a line starting with '#' is an annotation (Redis's {@code #TS:} timestamps) and skipped;
 * anything but '*' there is a format error, as are an argument count below 1 and an argument line
 * not starting with '$'. End of file between commands is the clean end; inside one, a short read.
 *
 * <p>Bounds, where Redis has none: Redis allocates {@code argc} pointers and each argument's
 * {@code len} bytes before reading them, so a damaged count or length makes it allocate up to
 * gigabytes or abort. Here nothing is allocated ahead of the bytes that arrive: the argument list
 * grows as arguments are read and an argument's buffer grows (doubling, from at most
 * {@link #FIRST_CHUNK}) as its bytes arrive, so memory stays within a small multiple of the bytes
 * actually in the file, whatever the counts say. An argument length above {@code maxBulkLength}
 * (proto-max-bulk-len, 512 MB by default: a client could not have sent a longer argument, so no
 * AOF written by Redis or damselfly holds one) or negative is a format error; Redis would try
 * the allocation instead. Java arrays stop just short of 2 GiB, so the bound is at most that.
 */
public final class AofCommandReader {
    /** How a read ended. */
    public enum End {
        /** End of file between two commands (or before the first). */
        OK,
        /** End of file inside a command: {@link #validUpTo} is where the last whole one ended. */
        SHORT_READ,
        /** Bytes that are not the command format, or past a bound: {@link #problem} says what. */
        FORMAT_ERROR,
        /** What Redis takes for an I/O error without end of file (a NUL right after '*'). */
        READ_ERROR
    }

    /** AOF_ANNOTATION_LINE_MAX_LEN: Redis's line buffer, so a line holds at most 1023 bytes. */
    public static final int LINE_MAX = 1024;

    /** proto-max-bulk-len's default: 512 MB. */
    public static final long DEFAULT_MAX_BULK_LENGTH = 512L * 1024 * 1024;

    /** The largest Java byte array (some VMs reserve header words). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** The read buffer: 64 KiB, the size RdbLoader reads an RDB file through. */
    static final int BUFFER_SIZE = 1 << 16;

    /** The first allocation for an argument whose bytes have not arrived yet; it doubles as they do. */
    static final int FIRST_CHUNK = 1 << 20;

    private final InputStream in;
    private final long maxBulkLength;
    private final byte[] buf = new byte[BUFFER_SIZE];
    private int pos;
    private int limit;
    private boolean eof;
    private long offset;
    private long validUpTo;
    private End end;
    private String problem;
    private final byte[] line = new byte[LINE_MAX];
    private int lineLength;

    /**
     * A reader of {@code in} whose first byte is at file offset {@code startOffset} (after an
     * RDB preamble, its length); arguments longer than {@code maxBulkLength} are a format error.
     * The stream is not closed here.
     */
    public AofCommandReader(InputStream in, long startOffset, long maxBulkLength) {
        if (maxBulkLength < 0 || maxBulkLength > MAX_ARRAY) {
            throw new IllegalArgumentException("maxBulkLength " + maxBulkLength + " out of 0.." + MAX_ARRAY);
        }
        this.in = in;
        this.maxBulkLength = maxBulkLength;
        this.offset = startOffset;
        this.validUpTo = startOffset;
    }

    /**
     * The next command's arguments, or null at the end, when {@link #end} says how it ended. An
     * IOException from the stream is thrown as is (Redis: "Unrecoverable error reading ...").
     */
    public byte[][] next() throws IOException {
        if (end != null) {
            return null;
        }
        int argc;
        while (true) {
            if (!readLine()) {
                return finish(End.OK, null);
            }
            if (lineLength > 0 && line[0] == '#') {
                continue; // an annotation
            }
            int c = cLength();
            if (c == 0 || line[0] != '*') {
                return finish(End.FORMAT_ERROR, "expected '*' at the start of a command");
            }
            if (c == 1) {
                // buf[1] == '\0': Redis goes to readerr, a short read if fgets met the end of file, else an
                // "error" whose errno is whatever was left: redis-server 7.0.15 says ENOENT's text there
                return eof ? finish(End.SHORT_READ, null) : finish(End.READ_ERROR, "No such file or directory");
            }
            argc = CNumbers.atoi(line, 1, c);
            if (argc < 1) {
                return finish(End.FORMAT_ERROR, "argument count " + argc + " below 1");
            }
            break;
        }
        List<byte[]> argv = new ArrayList<>(Math.min(argc, 16));
        for (int j = 0; j < argc; j++) {
            if (!readLine()) {
                return finish(End.SHORT_READ, null);
            }
            int c = cLength();
            if (c == 0 || line[0] != '$') {
                return finish(End.FORMAT_ERROR, "expected '$' at the start of argument " + (j + 1) + " of " + argc);
            }
            long len = CNumbers.strtol(line, 1, c);
            if (len < 0 || len > maxBulkLength) {
                return finish(End.FORMAT_ERROR, "argument length " + len + " out of 0.." + maxBulkLength
                        + " (proto-max-bulk-len)");
            }
            byte[] arg = readBytes((int) len);
            if (arg == null || !skip(2)) {
                return finish(End.SHORT_READ, null);
            }
            argv.add(arg);
        }
        validUpTo = offset;
        return argv.toArray(new byte[0][]);
    }

    /** How the read ended; null while commands may follow. */
    public End end() {
        return end;
    }

    /** For FORMAT_ERROR and READ_ERROR, what was wrong (not a Redis text: Redis says only "Bad file format"); else null. */
    public String problem() {
        return problem;
    }

    /** The file offset just after the last whole command read (the start offset before any). */
    public long validUpTo() {
        return validUpTo;
    }

    /** The file offset of the next byte this reader would read. */
    public long offset() {
        return offset;
    }

    private byte[][] finish(End how, String why) {
        end = how;
        problem = why;
        return null;
    }

    /** The length of the line as a C string: up to its first NUL. */
    private int cLength() {
        for (int i = 0; i < lineLength; i++) {
            if (line[i] == 0) {
                return i;
            }
        }
        return lineLength;
    }

    /** fgets(line, LINE_MAX): up to LINE_MAX - 1 bytes or through '\n'; false at end of file with nothing read. */
    private boolean readLine() throws IOException {
        lineLength = 0;
        while (lineLength < LINE_MAX - 1) {
            if (pos == limit && !fill()) {
                break;
            }
            byte b = buf[pos++];
            offset++;
            line[lineLength++] = b;
            if (b == '\n') {
                break;
            }
        }
        return lineLength > 0;
    }

    /** Reads exactly {@code len} bytes, or null at end of file before them. */
    private byte[] readBytes(int len) throws IOException {
        byte[] out = new byte[Math.min(len, FIRST_CHUNK)];
        int have = 0;
        while (have < len) {
            if (pos == limit && !fill()) {
                return null;
            }
            if (have == out.length) {
                out = Arrays.copyOf(out, (int) Math.min(len, 2L * out.length));
            }
            int n = Math.min(limit - pos, out.length - have);
            System.arraycopy(buf, pos, out, have, n);
            pos += n;
            have += n;
            offset += n;
        }
        return out;
    }

    /** Skips {@code n} bytes (fread of the CRLF), false at end of file before them. */
    private boolean skip(int n) throws IOException {
        while (n > 0) {
            if (pos == limit && !fill()) {
                return false;
            }
            int k = Math.min(n, limit - pos);
            pos += k;
            offset += k;
            n -= k;
        }
        return true;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }
}
