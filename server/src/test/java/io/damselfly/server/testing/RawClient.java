package io.damselfly.server.testing;

import io.damselfly.protocol.RespDecoder;
import io.damselfly.protocol.RespValue;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A plain socket speaking RESP, for tests that must see exact bytes: error texts, RESP2 versus
 * RESP3 shapes, protocol errors, half frames. Replies are parsed with the protocol module's
 * client decoder and rendered as compact text by {@link #render(RespValue)}; a test that compares
 * raw reply bytes gives another decoder (a frame splitter) and reads with {@link #readMessage()}.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    /** The decoder (the protocol module's client decoder unless given), fed with what the socket returns. */
    private final EmbeddedChannel decoder;

    public RawClient(String host, int port) {
        this(host, port, new RespDecoder());
    }

    /** A client whose replies {@code decoder} cuts into messages, read with {@link #readMessage()}. */
    public RawClient(String host, int port, ChannelHandler decoder) {
        this(null, host, port, decoder);
    }

    /**
     * A client whose socket is bound to {@code localAddress} first (127.0.0.2: a loopback peer
     * that Redis does not count as local), or to any address when null.
     */
    public RawClient(String localAddress, String host, int port) {
        this(localAddress, host, port, new RespDecoder());
    }

    private RawClient(String localAddress, String host, int port, ChannelHandler decoder) {
        this.decoder = new EmbeddedChannel(decoder);
        try {
            socket = new Socket();
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Encodes a command as a multibulk request. */
    public static byte[] encode(Object... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (Object a : args) {
            byte[] bytes = a instanceof byte[] raw ? raw : String.valueOf(a).getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    /** Encodes commands back to back, as one pipelined write. */
    public static byte[] encodeAll(List<Object[]> commands) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Object[] c : commands) {
            b.writeBytes(encode(c));
        }
        return b.toByteArray();
    }

    public void sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void sendRaw(String text) {
        sendRaw(text.getBytes(StandardCharsets.UTF_8));
    }

    public void send(Object... args) {
        sendRaw(encode(args));
    }

    /** Sends a command and reads its reply. */
    public RespValue call(Object... args) {
        send(args);
        return read();
    }

    /** Sends a command and returns its reply rendered as text (see {@link #render}). */
    public String callText(Object... args) {
        return render(call(args));
    }

    /** Reads the next whole reply, waiting up to the socket timeout. */
    public RespValue read() {
        return (RespValue) readMessage();
    }

    /**
     * Reads the next message the decoder emits (with the default decoder a {@link RespValue}; a
     * reference-counted one is the caller's to release), waiting up to the socket timeout.
     */
    public Object readMessage() {
        try {
            byte[] chunk = new byte[8192];
            while (true) {
                Object v = decoder.readInbound();
                if (v != null) {
                    return v;
                }
                int n = in.read(chunk);
                if (n < 0) {
                    throw new IllegalStateException("connection closed by server");
                }
                decoder.writeInbound(Unpooled.copiedBuffer(chunk, 0, n));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True if the server has closed the connection (reads EOF within the timeout). */
    public boolean isClosedByServer() {
        try {
            socket.setSoTimeout(5_000);
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
            decoder.finishAndReleaseAll();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * Compact text for a reply: "+OK", "-ERR ...", ":1", "$bar" (bulk as UTF-8), "(nil)",
     * "[a, b]" for arrays and sets, "{k=v}" for maps, ",1.5" doubles, "#t" booleans.
     */
    public static String render(RespValue v) {
        return switch (v.kind()) {
            case SIMPLE_STRING -> "+" + ((RespValue.SimpleString) v).value();
            case ERROR -> "-" + ((RespValue.Error) v).message();
            case INTEGER -> ":" + ((RespValue.Integer) v).value();
            case BULK_STRING -> "$" + ((RespValue.BulkString) v).asString();
            case NULL -> "(nil)";
            case ARRAY -> ((RespValue.Array) v).values().stream().map(RawClient::render).collect(Collectors.joining(", ", "[", "]"));
            case SET -> ((RespValue.Set) v).values().stream().map(RawClient::render).collect(Collectors.joining(", ", "~[", "]"));
            case PUSH -> ((RespValue.Push) v).values().stream().map(RawClient::render).collect(Collectors.joining(", ", ">[", "]"));
            case MAP -> ((RespValue.Map) v).entries().stream().map(e -> render(e.key()) + "=" + render(e.value()))
                    .collect(Collectors.joining(", ", "{", "}"));
            case DOUBLE -> "," + ((RespValue.Double) v).value();
            case BOOLEAN -> ((RespValue.Boolean) v).value() ? "#t" : "#f";
            case BIG_NUMBER -> "(" + ((RespValue.BigNumber) v).value();
            case VERBATIM -> "=" + new String(((RespValue.Verbatim) v).text(), StandardCharsets.UTF_8);
        };
    }
}
