package io.damselfly.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A malformed request, emitted by {@link RespRequestDecoder} in place of a request.
 *
 * <p>The server answers {@code -ERR <message>} and closes the connection, as Redis does; the
 * decoder discards everything the client sends after it. The message never contains CR or LF.
 *
 * <p>One message quotes a client byte ({@code "Protocol error: expected '$', got 'X'"}); that byte
 * is held as the char of the same value (ISO-8859-1), and {@link RespWriter#writeError} writes
 * error texts one byte per char, so the raw byte goes back exactly as Redis sends it.
 *
 * @param message the text after {@code "-ERR "}, e.g. {@code "Protocol error: invalid bulk length"}
 */
public record RespProtocolError(String message) {

    public RespProtocolError {
        Objects.requireNonNull(message, "message");
    }

    /** The whole error text, without the leading {@code '-'}: {@code "ERR " + message}. */
    public String errorText() {
        return "ERR " + message;
    }

    /** Writes the reply Redis sends for this error: {@code -ERR <message>\r\n}, one byte per char. */
    public void writeTo(ByteBuf out) {
        RespWriter.writeError(out, errorText());
    }
}
