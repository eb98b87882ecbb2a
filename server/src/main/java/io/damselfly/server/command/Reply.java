package io.damselfly.server.command;

import io.damselfly.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Where a command writes its reply: RESP written straight into the connection's outbound buffer,
 * shaped for the connection's protocol version (RESP2 or RESP3: maps, sets, doubles, booleans and
 * nulls differ). One instance per connection, rebound to a fresh buffer per read batch.
 */
public final class Reply {
    private ByteBuf out;
    private int protocol = 2;
    private int errors;
    private String lastErrorPrefix;

    public void bind(ByteBuf out) {
        this.out = out;
    }

    public ByteBuf buffer() {
        return out;
    }

    public void setProtocol(int protocol) {
        this.protocol = protocol;
    }

    public int protocol() {
        return protocol;
    }

    public boolean isResp3() {
        return protocol >= 3;
    }

    /** Error replies written since the last {@link #takeErrorCount()}. */
    public int takeErrorCount() {
        int n = errors;
        errors = 0;
        return n;
    }

    public String lastErrorPrefix() {
        return lastErrorPrefix;
    }

    public void ok() {
        RespWriter.writeSimpleString(out, "OK");
    }

    public void simple(String s) {
        RespWriter.writeSimpleString(out, s);
    }

    /** An error reply; {@code text} starts with its code, e.g. "ERR syntax error". */
    public void error(String text) {
        errors++;
        int space = text.indexOf(' ');
        lastErrorPrefix = space < 0 ? text : text.substring(0, space);
        RespWriter.writeError(out, text);
    }

    public void integer(long v) {
        RespWriter.writeInteger(out, v);
    }

    public void bulk(byte[] b) {
        RespWriter.writeBulk(out, b);
    }

    public void bulk(byte[] b, int offset, int length) {
        RespWriter.writeBulk(out, b, offset, length);
    }

    public void bulk(String s) {
        RespWriter.writeBulkString(out, s);
    }

    /** A bulk string, or the null bulk when {@code b} is null. */
    public void bulkOrNull(byte[] b) {
        if (b == null) {
            nullBulk();
        } else {
            bulk(b);
        }
    }

    public void nullBulk() {
        RespWriter.writeNullBulk(out, protocol);
    }

    public void nullArray() {
        RespWriter.writeNullArray(out, protocol);
    }

    public void array(int n) {
        RespWriter.writeArrayHeader(out, n);
    }

    public void emptyArray() {
        RespWriter.writeArrayHeader(out, 0);
    }

    /** A map of {@code pairs} key/value pairs (RESP3 map; RESP2 flat array of 2n). */
    public void map(int pairs) {
        RespWriter.writeMapHeader(out, pairs, protocol);
    }

    /** A set of n elements (RESP3 set; RESP2 array). */
    public void set(int n) {
        RespWriter.writeSetHeader(out, n, protocol);
    }

    public void push(int n) {
        RespWriter.writePushHeader(out, n, protocol);
    }

    public void dbl(double d) {
        RespWriter.writeDouble(out, d, protocol);
    }

    public void bool(boolean b) {
        RespWriter.writeBoolean(out, b, protocol);
    }

    /** Text for humans (INFO, CLIENT INFO...): RESP3 verbatim "txt", RESP2 bulk. */
    public void verbatim(String text) {
        RespWriter.writeVerbatim(out, "txt", text.getBytes(StandardCharsets.UTF_8), protocol);
    }

    /** An array of bulk strings. */
    public void bulkArray(Collection<byte[]> items) {
        array(items.size());
        for (byte[] b : items) {
            bulk(b);
        }
    }

    /** An array of bulk strings from Java strings. */
    public void stringArray(Collection<String> items) {
        array(items.size());
        for (String s : items) {
            bulk(s);
        }
    }
}
