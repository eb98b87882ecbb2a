package io.damselfly.bench.load;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * One RESP2 connection over a plain blocking socket, for drivers that pipeline: commands are
 * encoded straight into a write buffer and sent by {@link #flush()}; replies are parsed from a read
 * buffer one at a time and classified, their bodies skipped unless asked for. One thread may write
 * while another reads; neither side is otherwise thread-safe.
 */
final class RespSocket implements AutoCloseable {
    /*
     * Why not Lettuce: a driver must keep the server busy while costing little CPU itself, because
     * the client and the server share a small machine. Lettuce allocates a command object and a
     * future per request and hops threads; here a GET is a few dozen bytes copied into an array and
     * a reply is a type byte and a length, so the client costs a small fraction of the server's
     * time per request. Keys are a prefix and a number, "key:<n>" unless a driver names another
     * prefix ("cw:<n>"), the number written as digits without a String.
     */

    /** What a reply was. */
    enum Reply { STATUS, ERROR, INTEGER, BULK, NIL, ARRAY }

    /** 64 KiB: a write of several hundred small commands per system call; any reply line fits. */
    static final int BUFFER_SIZE = 64 * 1024;
    /** A server that sends nothing for this long mid-run is taken to be hung, not slow. */
    static final int READ_TIMEOUT_MILLIS = 60_000;
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private static final byte[] GET = "*2\r\n$3\r\nGET\r\n".getBytes(US_ASCII);
    private static final byte[] SET = "*3\r\n$3\r\nSET\r\n".getBytes(US_ASCII);
    /** The prefix of the drivers' keys unless they name another: "key:". */
    private static final byte[] KEY_PREFIX = "key:".getBytes(US_ASCII);
    /** What a key frame holds besides its prefix, at most: "$" + 10 length digits + CRLF + 19 digits + CRLF. */
    private static final int KEY_FRAME_OVERHEAD = 34;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] wbuf = new byte[BUFFER_SIZE];
    private int wpos;
    private final byte[] rbuf = new byte[BUFFER_SIZE];
    private int rpos;
    private int rlim;

    private boolean ok;
    private long integer;
    private String error;
    private byte[] bulk;

    private RespSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RespSocket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            return new RespSocket(s);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The key a driver uses for index {@code n}, as a String: "key:n". */
    static String key(long n) {
        return "key:" + n;
    }

    /** A value of {@code size} bytes encoded as a RESP bulk string, ready for {@link #writeSet}. */
    static byte[] bulkValue(int size) {
        byte[] len = Integer.toString(size).getBytes(US_ASCII);
        byte[] b = new byte[1 + len.length + 2 + size + 2];
        b[0] = '$';
        System.arraycopy(len, 0, b, 1, len.length);
        int p = 1 + len.length;
        b[p++] = '\r';
        b[p++] = '\n';
        for (int i = 0; i < size; i++) {
            b[p++] = (byte) ('a' + i % 26); // printable, so a captured stream reads; nobody compresses
        }
        b[p++] = '\r';
        b[p] = '\n';
        return b;
    }

    // ---- writing ---------------------------------------------------------------------------------

    /** Queues GET key:n. */
    void writeGet(long n) throws IOException {
        put(GET);
        putKey(KEY_PREFIX, n);
    }

    /** Queues SET key:n value, the value from {@link #bulkValue}. */
    void writeSet(long n, byte[] bulkValue) throws IOException {
        writeSet(KEY_PREFIX, n, bulkValue);
    }

    /** Queues SET &lt;keyPrefix&gt;n value ("cw:17"), the prefix in ASCII, the value from {@link #bulkValue}. */
    void writeSet(byte[] keyPrefix, long n, byte[] bulkValue) throws IOException {
        put(SET);
        putKey(keyPrefix, n);
        put(bulkValue);
    }

    /** Queues any command given as text arguments. */
    void writeCommand(String... args) throws IOException {
        put(("*" + args.length + "\r\n").getBytes(US_ASCII));
        for (String a : args) {
            byte[] b = a.getBytes(UTF_8);
            put(("$" + b.length + "\r\n").getBytes(US_ASCII));
            put(b);
            put(new byte[] {'\r', '\n'});
        }
    }

    /** Sends everything queued. */
    void flush() throws IOException {
        if (wpos > 0) {
            out.write(wbuf, 0, wpos);
            wpos = 0;
        }
    }

    private void put(byte[] b) throws IOException {
        if (b.length > wbuf.length - wpos) {
            flush();
            if (b.length > wbuf.length) {
                out.write(b); // a value larger than the buffer goes out as it is
                return;
            }
        }
        System.arraycopy(b, 0, wbuf, wpos, b.length);
        wpos += b.length;
    }

    /** "$len\r\n&lt;prefix&gt;n\r\n" with n in decimal, written in place. */
    private void putKey(byte[] prefix, long n) throws IOException {
        int digits = digits(n);
        int keyLength = prefix.length + digits;
        if (wbuf.length - wpos < prefix.length + KEY_FRAME_OVERHEAD) {
            flush();
        }
        wbuf[wpos++] = '$';
        wpos = putDecimal(keyLength, digits(keyLength), wpos);
        wbuf[wpos++] = '\r';
        wbuf[wpos++] = '\n';
        System.arraycopy(prefix, 0, wbuf, wpos, prefix.length);
        wpos += prefix.length;
        wpos = putDecimal(n, digits, wpos);
        wbuf[wpos++] = '\r';
        wbuf[wpos++] = '\n';
    }

    private int putDecimal(long v, int digits, int at) {
        int end = at + digits;
        for (int i = end - 1; i >= at; i--) {
            wbuf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return end;
    }

    private static int digits(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative key index: " + v);
        }
        int d = 1;
        while (v >= 10) {
            v /= 10;
            d++;
        }
        return d;
    }

    // ---- reading ---------------------------------------------------------------------------------

    /** Reads one reply, skipping bulk bodies. */
    Reply read() throws IOException {
        return read(false);
    }

    /** Reads one reply; with {@code keepBulk}, a bulk body is kept for {@link #bulk()}. */
    Reply read(boolean keepBulk) throws IOException {
        byte type = nextByte();
        int end = lineEnd();
        int start = rpos;
        rpos = end + 2;
        switch (type) {
            case '+' -> {
                ok = end - start == 2 && rbuf[start] == 'O' && rbuf[start + 1] == 'K';
                return Reply.STATUS;
            }
            case '-' -> {
                error = new String(rbuf, start, end - start, UTF_8);
                return Reply.ERROR;
            }
            case ':' -> {
                integer = parseLong(start, end);
                return Reply.INTEGER;
            }
            case '$' -> {
                long len = parseLong(start, end);
                if (len < 0) {
                    return Reply.NIL;
                }
                readBody(len, keepBulk);
                return Reply.BULK;
            }
            case '*' -> {
                long count = parseLong(start, end);
                for (long i = 0; i < count; i++) {
                    read(false);
                }
                return count < 0 ? Reply.NIL : Reply.ARRAY;
            }
            case '_' -> {
                return Reply.NIL;
            }
            default -> throw new IOException("protocol error: unexpected reply type byte " + (type & 0xff));
        }
    }

    /** Whether the last STATUS reply was +OK. */
    boolean wasOk() {
        return ok;
    }

    /** The text of the last ERROR reply, without the '-'. */
    String error() {
        return error;
    }

    long integer() {
        return integer;
    }

    /** The body of the last BULK reply read with {@code keepBulk}. */
    byte[] bulk() {
        return bulk;
    }

    /**
     * Waits up to {@code millis} for the start of a reply; false if none came. Only ever waits at
     * a reply boundary, so a timeout never leaves a reply half parsed.
     */
    boolean awaitReply(int millis) throws IOException {
        if (rpos < rlim) {
            return true;
        }
        socket.setSoTimeout(millis);
        try {
            fill();
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        }
    }

    // ---- synchronous calls, for setup and INFO ----------------------------------------------------

    /** Sends a command and returns its bulk reply as text; an error reply throws. */
    String callBulk(String... args) throws IOException {
        return new String(expect(Reply.BULK, args), UTF_8);
    }

    /** Sends a command and returns its integer reply; an error reply throws. */
    long callInteger(String... args) throws IOException {
        expect(Reply.INTEGER, args);
        return integer;
    }

    /** The integer value of {@code field} in INFO {@code section} ("stats", "evicted_keys"); a missing field throws. */
    long infoInteger(String section, String field) throws IOException {
        return infoField(callBulk("INFO", section), field);
    }

    /** The integer value of {@code field} in INFO text ("field:value" lines). */
    private static long infoField(String info, String field) throws IOException {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim());
            }
        }
        throw new IOException("INFO has no field " + field);
    }

    /** Sends a command and checks that it answers +OK; anything else throws. */
    void callOk(String... args) throws IOException {
        expect(Reply.STATUS, args);
        if (!ok) {
            throw new IOException(args[0] + " did not answer +OK");
        }
    }

    private byte[] expect(Reply wanted, String... args) throws IOException {
        writeCommand(args);
        flush();
        Reply r = read(true);
        if (r == Reply.ERROR) {
            throw new IOException(String.join(" ", args) + ": server replied -" + error);
        }
        if (r != wanted) {
            throw new IOException(String.join(" ", args) + ": expected " + wanted + ", got " + r);
        }
        return bulk;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- the read buffer ---------------------------------------------------------------------------

    private byte nextByte() throws IOException {
        if (rpos == rlim) {
            fill();
        }
        return rbuf[rpos++];
    }

    /** The index of the '\r' that ends the line at rpos; the '\n' after it is buffered too. */
    private int lineEnd() throws IOException {
        int off = 0;
        while (true) {
            int i = rpos + off;
            for (; i + 1 < rlim; i++) {
                if (rbuf[i] == '\r') {
                    if (rbuf[i + 1] != '\n') {
                        throw new IOException("protocol error: CR without LF");
                    }
                    return i;
                }
            }
            off = i - rpos; // fill() may move the buffered bytes; offsets from rpos survive it
            fill();
        }
    }

    private void readBody(long len, boolean keep) throws IOException {
        if (len > Integer.MAX_VALUE - 8) {
            throw new IOException("bulk reply too long: " + len);
        }
        byte[] dst = keep ? new byte[(int) len] : null;
        long done = 0;
        while (done < len) {
            if (rpos == rlim) {
                fill();
            }
            int n = (int) Math.min(len - done, rlim - rpos);
            if (keep) {
                System.arraycopy(rbuf, rpos, dst, (int) done, n);
            }
            rpos += n;
            done += n;
        }
        if (nextByte() != '\r' || nextByte() != '\n') {
            throw new IOException("protocol error: bulk reply not followed by CRLF");
        }
        bulk = dst;
    }

    private long parseLong(int from, int to) throws IOException {
        boolean negative = from < to && rbuf[from] == '-';
        int i = negative ? from + 1 : from;
        if (i == to) {
            throw new IOException("protocol error: empty number");
        }
        long v = 0;
        for (; i < to; i++) {
            int d = rbuf[i] - '0';
            if (d < 0 || d > 9) {
                throw new IOException("protocol error: bad number");
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    /** Reads at least one more byte, first moving unread bytes to the front when the end is reached. */
    private void fill() throws IOException {
        if (rpos == rlim) {
            rpos = 0;
            rlim = 0;
        } else if (rlim == rbuf.length) {
            if (rpos == 0) {
                throw new IOException("reply line longer than " + rbuf.length + " bytes");
            }
            System.arraycopy(rbuf, rpos, rbuf, 0, rlim - rpos);
            rlim -= rpos;
            rpos = 0;
        }
        int n = in.read(rbuf, rlim, rbuf.length - rlim);
        if (n < 0) {
            throw new EOFException("the server closed the connection");
        }
        rlim += n;
    }
}
