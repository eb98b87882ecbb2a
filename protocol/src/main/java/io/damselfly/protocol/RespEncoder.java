package io.damselfly.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.util.List;

/**
 * Encodes {@link RespValue}s: a Netty encoder for pipelines, and {@link #encode(RespValue, ByteBuf,
 * int)} for direct use.
 *
 * <p>RESP3 writes every type natively, so decoding gives back an equal value. RESP2 downgrades as
 * Redis does: map to a flat array, set and push to arrays, double and big number to bulk strings,
 * boolean to integer, verbatim to a bulk string, null to {@code $-1}. Errors are always written as
 * simple errors ({@code -text}); a CR or LF in the text becomes a space.
 */
public final class RespEncoder extends MessageToByteEncoder<RespValue> {

    private volatile int protover;

    /** An encoder writing RESP3, the form that keeps every {@link RespValue} type. */
    public RespEncoder() {
        this(3);
    }

    /** An encoder writing {@code protover} (2 or 3). */
    public RespEncoder(int protover) {
        super(RespValue.class);
        setProtocolVersion(protover);
    }

    /** Switches the protocol version for later messages (after {@code HELLO}). */
    public void setProtocolVersion(int protover) {
        if (protover != 2 && protover != 3) {
            throw new IllegalArgumentException("protocol version must be 2 or 3: " + protover);
        }
        this.protover = protover;
    }

    /** The protocol version being written. */
    public int protocolVersion() {
        return protover;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RespValue msg, ByteBuf out) {
        encode(msg, out, protover);
    }

    /** Appends the encoding of {@code value} in {@code protover} to {@code out}. */
    public static void encode(RespValue value, ByteBuf out, int protover) {
        write(value, out, protover);
    }

    /**
     * A switch expression rather than a statement so that javac rejects a {@link RespValue.Kind}
     * left unhandled (Java 17 cannot switch on the sealed type itself without preview features).
     */
    private static ByteBuf write(RespValue value, ByteBuf out, int protover) {
        return switch (value.kind()) {
            case SIMPLE_STRING -> {
                RespWriter.writeSimpleString(out, ((RespValue.SimpleString) value).value());
                yield out;
            }
            case ERROR -> {
                // a RespValue's text is Unicode, as RespDecoder decodes it: UTF-8 both ways
                RespWriter.writeLine(out, (byte) '-', ((RespValue.Error) value).message());
                yield out;
            }
            case INTEGER -> {
                RespWriter.writeInteger(out, ((RespValue.Integer) value).value());
                yield out;
            }
            case BULK_STRING -> {
                RespWriter.writeBulk(out, ((RespValue.BulkString) value).value());
                yield out;
            }
            case ARRAY -> {
                List<RespValue> values = ((RespValue.Array) value).values();
                RespWriter.writeArrayHeader(out, values.size());
                yield writeAll(values, out, protover);
            }
            case NULL -> {
                RespWriter.writeNullBulk(out, protover);
                yield out;
            }
            case MAP -> {
                List<RespValue.Map.Entry> entries = ((RespValue.Map) value).entries();
                RespWriter.writeMapHeader(out, entries.size(), protover);
                for (RespValue.Map.Entry e : entries) {
                    write(e.key(), out, protover);
                    write(e.value(), out, protover);
                }
                yield out;
            }
            case SET -> {
                List<RespValue> values = ((RespValue.Set) value).values();
                RespWriter.writeSetHeader(out, values.size(), protover);
                yield writeAll(values, out, protover);
            }
            case DOUBLE -> {
                RespWriter.writeDouble(out, ((RespValue.Double) value).value(), protover);
                yield out;
            }
            case BOOLEAN -> {
                RespWriter.writeBoolean(out, ((RespValue.Boolean) value).value(), protover);
                yield out;
            }
            case BIG_NUMBER -> {
                RespWriter.writeBigNumber(out, ((RespValue.BigNumber) value).value(), protover);
                yield out;
            }
            case PUSH -> {
                List<RespValue> values = ((RespValue.Push) value).values();
                RespWriter.writePushHeader(out, values.size(), protover);
                yield writeAll(values, out, protover);
            }
            case VERBATIM -> {
                RespValue.Verbatim v = (RespValue.Verbatim) value;
                RespWriter.writeVerbatim(out, v.format(), v.text(), protover);
                yield out;
            }
        };
    }

    private static ByteBuf writeAll(List<RespValue> values, ByteBuf out, int protover) {
        for (RespValue v : values) {
            write(v, out, protover);
        }
        return out;
    }
}
