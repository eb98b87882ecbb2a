package io.damselfly.server.upstream;

import io.damselfly.protocol.RespFrameSplitter;
import io.damselfly.server.testing.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * A socket that sends commands and reads whole reply frames as raw bytes, for byte comparisons: a
 * {@link RawClient} whose decoder is the protocol module's frame splitter.
 */
final class FrameClient implements AutoCloseable {
    private final RawClient raw;

    FrameClient(int port) {
        raw = new RawClient("127.0.0.1", port, new RespFrameSplitter());
    }

    /** Sends every command at once (one write: a pipeline), then reads as many frames. */
    List<byte[]> pipeline(List<Object[]> commands) {
        raw.sendRaw(RawClient.encodeAll(commands));
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
        raw.send(args);
    }

    /** The next whole frame. */
    byte[] read() {
        ByteBuf f = (ByteBuf) raw.readMessage();
        try {
            return ByteBufUtil.getBytes(f);
        } finally {
            f.release();
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
        raw.close();
    }
}
