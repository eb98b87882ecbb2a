package io.damselfly.server.upstream;

import io.damselfly.protocol.RespFrameSplitter;
import io.damselfly.server.testing.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** A socket that sends commands and reads whole reply frames as raw bytes, for byte comparisons. */
final class FrameClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final EmbeddedChannel splitter = new EmbeddedChannel(new RespFrameSplitter());

    FrameClient(int port) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends every command at once (one write: a pipeline), then reads as many frames. */
    List<byte[]> pipeline(List<Object[]> commands) {
        try {
            out.write(RawClient.encodeAll(commands));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            frames.add(read());
        }
        return frames;
    }

    /** Sends one command and reads one frame. */
    byte[] call(Object... args) {
        return pipeline(List.<Object[]>of(args)).get(0);
    }

    void send(Object... args) {
        try {
            out.write(RawClient.encode(args));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next whole frame. */
    byte[] read() {
        try {
            byte[] chunk = new byte[16384];
            while (true) {
                ByteBuf f = splitter.readInbound();
                if (f != null) {
                    byte[] b = ByteBufUtil.getBytes(f);
                    f.release();
                    return b;
                }
                int n = in.read(chunk);
                if (n < 0) {
                    throw new IllegalStateException("connection closed by server");
                }
                splitter.writeInbound(Unpooled.copiedBuffer(chunk, 0, n));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes shown with control characters escaped, for assertion messages. */
    static String show(byte[] frame) {
        StringBuilder sb = new StringBuilder();
        for (byte b : frame) {
            int c = b & 0xFF;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 32 || c > 126) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        splitter.finishAndReleaseAll();
    }
}
