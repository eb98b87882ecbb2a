package io.damselfly.server.pubsub;

import java.nio.charset.StandardCharsets;

/**
 * The RESP bytes of a Pub/Sub message, rendered once per protocol for all its receivers: an array
 * ({@code *3}/{@code *4}) for RESP2 clients, a push ({@code >3}/{@code >4}) for RESP3 ones, as
 * pubsub.c's addReplyPubsubMessage and addReplyPubsubPatMessage write them.
 */
public final class Frames {
    static final byte[] MESSAGE = "message".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PMESSAGE = "pmessage".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SMESSAGE = "smessage".getBytes(StandardCharsets.US_ASCII);

    private Frames() {
    }

    /** {@code kind [pattern] channel payload}; {@code pattern} null for a channel message. */
    public static byte[] render(boolean resp3, byte[] kind, byte[] pattern, byte[] channel, byte[] payload) {
        int parts = pattern == null ? 3 : 4;
        int size = 4 + bulkSize(kind) + bulkSize(channel) + bulkSize(payload) + (pattern == null ? 0 : bulkSize(pattern));
        byte[] out = new byte[size];
        int p = 0;
        out[p++] = (byte) (resp3 ? '>' : '*');
        out[p++] = (byte) ('0' + parts);
        out[p++] = '\r';
        out[p++] = '\n';
        p = bulk(out, p, kind);
        if (pattern != null) {
            p = bulk(out, p, pattern);
        }
        p = bulk(out, p, channel);
        bulk(out, p, payload);
        return out;
    }

    /** A (un)subscription confirmation: {@code kind name count}, a null name when {@code name} is null. */
    public static byte[] confirmation(boolean resp3, byte[] kind, byte[] name, long count) {
        byte[] nil = (resp3 ? "_\r\n" : "$-1\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] number = (":" + count + "\r\n").getBytes(StandardCharsets.US_ASCII);
        int size = 4 + bulkSize(kind) + (name == null ? nil.length : bulkSize(name)) + number.length;
        byte[] out = new byte[size];
        int p = 0;
        out[p++] = (byte) (resp3 ? '>' : '*');
        out[p++] = '3';
        out[p++] = '\r';
        out[p++] = '\n';
        p = bulk(out, p, kind);
        if (name == null) {
            System.arraycopy(nil, 0, out, p, nil.length);
            p += nil.length;
        } else {
            p = bulk(out, p, name);
        }
        System.arraycopy(number, 0, out, p, number.length);
        return out;
    }

    private static int bulkSize(byte[] b) {
        return 1 + digits(b.length) + 2 + b.length + 2;
    }

    private static int bulk(byte[] out, int p, byte[] b) {
        out[p++] = '$';
        byte[] len = Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(len, 0, out, p, len.length);
        p += len.length;
        out[p++] = '\r';
        out[p++] = '\n';
        System.arraycopy(b, 0, out, p, b.length);
        p += b.length;
        out[p++] = '\r';
        out[p++] = '\n';
        return p;
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }
}
