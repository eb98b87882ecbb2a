package io.damselfly.server.client;

import io.damselfly.server.config.ClientOutputBufferLimits;
import io.damselfly.server.config.ClientOutputBufferLimits.Limit;
import io.damselfly.server.pubsub.Subscriber;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The clients in MONITOR mode, and the feed that shows them every command the server runs, in
 * Redis 7.0.15's line format (replication.c replicationFeedMonitors):
 * {@code +1700000000.123456 [0 127.0.0.1:54321] "SET" "k" "v"}, {@code [0 lua]} for a script's
 * commands, each argument quoted as sdscatrepr quotes it.
 *
 * <p>Design. The command path pays one volatile read when nobody monitors: {@link #active()} is
 * null then, and the executor looks no further. With monitors, the line is rendered once (the
 * same bytes in RESP2 and RESP3: Redis sends it as a status reply to both) and offered to each
 * monitor's inbox, the {@link Subscriber} that Pub/Sub messages use: a lock-free queue drained by
 * one task on the monitor's own event loop, so a command on any loop reaches monitors on every
 * other loop without blocking and without touching their connections. The inbox is bounded by the
 * class a monitor belongs to, which in Redis 7.0 (getClientType) is "normal", not "replica": the
 * normal class of client-output-buffer-limit, and damselfly's output_buffer_limit as the hard
 * limit where that class sets none (Redis's default normal class is unlimited, which would let a
 * monitor that never reads grow the server without bound). Past it the monitor is disconnected.
 *
 * <p>The set of monitors is an immutable array replaced under this object's monitor (MONITOR,
 * RESET and a disconnect are rare); a monitor whose connection is gone is dropped by the next feed
 * that finds it, so nothing else has to tell the registry a connection closed.
 */
public final class Monitors {
    /** What a redacted argument shows (Redis's shared.redacted, quoted like any argument). */
    private static final byte[] REDACTED = "\"(redacted)\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** The monitoring sessions, or null when there is none (the command path reads only this). */
    private volatile ClientSession[] sessions;

    /** The monitoring clients now, or null when there is none. One volatile read. */
    public ClientSession[] active() {
        return sessions;
    }

    /** Clients monitoring now. */
    public int count() {
        ClientSession[] s = sessions;
        return s == null ? 0 : s.length;
    }

    /**
     * Starts feeding {@code client} (MONITOR). The client must have a connection that can take
     * pushed lines ({@link ClientSession#subscriber()} not null). False when it already monitors.
     */
    public synchronized boolean add(ClientSession client) {
        if (client.isMonitor()) {
            return false;
        }
        if (client.subscriber() == null) {
            throw new IllegalStateException("client " + client.id() + " has no connection to feed");
        }
        ClientSession[] s = sessions;
        ClientSession[] next = s == null ? new ClientSession[1] : Arrays.copyOf(s, s.length + 1);
        next[next.length - 1] = client;
        client.setMonitor(true);
        sessions = next;
        return true;
    }

    /** Stops feeding {@code client} (RESET, or its connection gone); false when it did not monitor. */
    public synchronized boolean remove(ClientSession client) {
        ClientSession[] s = sessions;
        if (s == null) {
            return false;
        }
        int at = -1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == client) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            return false;
        }
        client.setMonitor(false);
        if (s.length == 1) {
            sessions = null;
        } else {
            ClientSession[] next = new ClientSession[s.length - 1];
            System.arraycopy(s, 0, next, 0, at);
            System.arraycopy(s, at + 1, next, at, s.length - at - 1);
            sessions = next;
        }
        return true;
    }

    /**
     * The output limit a monitor's inbox is held to: the normal class's, with
     * {@code outputBufferLimit} as the hard limit when the class sets none or a larger one.
     */
    public static Limit limit(ClientOutputBufferLimits classes, long outputBufferLimit) {
        Limit normal = classes.normal();
        long hard = normal.hardBytes() > 0 ? Math.min(normal.hardBytes(), outputBufferLimit) : outputBufferLimit;
        return new Limit(hard, normal.softBytes(), normal.softSeconds());
    }

    /**
     * Shows one command to {@code monitors} (as read from {@link #active()}): {@code client} ran
     * {@code argv} with database {@code db} selected after it; the arguments set in
     * {@code redacted} (may be null) show as "(redacted)". Called on the thread that ran the
     * command; never blocks.
     */
    public void feed(ClientSession[] monitors, ClientSession client, int db, byte[][] argv, BitSet redacted, Limit limit) {
        long nowMicros = epochMicros();
        byte[] frame = line(nowMicros, db, client.isScriptClient() ? null : client.address(), argv, redacted);
        long nowMillis = nowMicros / 1000;
        boolean stale = false;
        for (ClientSession m : monitors) {
            if (!m.isMonitor()) {
                // left since the caller read the array (its own RESET, say): as Redis, which
                // walks its monitors list after the command, it is not shown the command
                continue;
            }
            Subscriber inbox = m.subscriberIfAny();
            if (m.isGone() || inbox == null || inbox.isClosed()) {
                stale = true;
                continue;
            }
            inbox.offer(frame, limit, nowMillis);
        }
        if (stale) {
            for (ClientSession m : monitors) {
                Subscriber inbox = m.subscriberIfAny();
                if (m.isGone() || inbox == null || inbox.isClosed()) {
                    remove(m);
                }
            }
        }
    }

    private static long epochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    /**
     * One monitor line as Redis renders it: {@code +<seconds>.<microseconds> [<db> <peer>] "arg" ...}
     * and CR LF, {@code peer} being the client's "ip:port", or "lua" when {@code address} is null
     * (a script's client). Arguments are quoted as sdscatrepr quotes them: backslash and double
     * quote escaped, \n \r \t \a \b by name, other bytes outside printable ASCII as \xhh.
     */
    static byte[] line(long epochMicros, int db, String address, byte[][] argv, BitSet redacted) {
        int size = 48 + (address == null ? 3 : address.length());
        for (byte[] a : argv) {
            size += a.length + 3;
        }
        Bytes out = new Bytes(size);
        out.ascii("+").ascii(Long.toString(epochMicros / 1_000_000)).ascii(".");
        String micros = Long.toString(epochMicros % 1_000_000);
        for (int i = micros.length(); i < 6; i++) {
            out.put('0');
        }
        out.ascii(micros).ascii(" [").ascii(Integer.toString(db)).put(' ').ascii(address == null ? "lua" : address).ascii("] ");
        for (int i = 0; i < argv.length; i++) {
            if (i > 0) {
                out.put(' ');
            }
            if (redacted != null && redacted.get(i)) {
                out.bytes(REDACTED);
            } else {
                repr(out, argv[i]);
            }
        }
        out.ascii("\r\n");
        return out.toArray();
    }

    /** sdscatrepr: the argument in double quotes, escaped so the line stays one printable line. */
    private static void repr(Bytes out, byte[] a) {
        out.put('"');
        for (byte b : a) {
            switch (b) {
                case '\\', '"' -> out.put('\\').put(b);
                case '\n' -> out.put('\\').put('n');
                case '\r' -> out.put('\\').put('r');
                case '\t' -> out.put('\\').put('t');
                case 7 -> out.put('\\').put('a');
                case '\b' -> out.put('\\').put('b');
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        out.put(b);
                    } else {
                        out.put('\\').put('x').put(HEX[(b >> 4) & 0xf]).put(HEX[b & 0xf]);
                    }
                }
            }
        }
        out.put('"');
    }

    /** A growable byte array for one line. */
    private static final class Bytes {
        private byte[] buf;
        private int len;

        Bytes(int capacity) {
            buf = new byte[capacity];
        }

        Bytes put(int b) {
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2 + 16);
            }
            buf[len++] = (byte) b;
            return this;
        }

        Bytes ascii(String s) {
            for (int i = 0; i < s.length(); i++) {
                put(s.charAt(i));
            }
            return this;
        }

        Bytes bytes(byte[] b) {
            for (byte x : b) {
                put(x);
            }
            return this;
        }

        byte[] toArray() {
            return len == buf.length ? buf : Arrays.copyOf(buf, len);
        }
    }
}
