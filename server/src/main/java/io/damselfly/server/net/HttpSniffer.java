package io.damselfly.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tells an HTTP connection from a RESP one by its first line, and sets the pipeline up for it.
 *
 * <p>How. A RESP client's first byte is '*' (a multibulk request) or the first letter of an
 * inline command; an HTTP client's first line is a request line, {@code METHOD SP target SP
 * HTTP/1.x CRLF}. A first byte that no HTTP method starts with decides RESP at once, so a normal
 * client costs one byte comparison and this handler leaves the pipeline on the first read.
 * Otherwise the bytes wait here until the first line ends (an inline command ends its line too,
 * so nothing waits that RESP would not) or {@link #MAX_FIRST_LINE} bytes came without one, then
 * RESP. Dragonfly decides the same way (dragonfly_connection.cc CheckForHttpProto: the first line,
 * at most 1 KiB, "GET " ... "HTTP/1.1"); here any method is recognised so that POST is answered
 * 405 rather than run as an inline command, and HTTP/1.0 too. The only inline command such a
 * line could have been is "GET x HTTP/1.1", which Redis refuses for its arity anyway.
 *
 * <p>Two pipelines. On the main port the RESP handlers are in place from the connection's start
 * (the client is registered, counted against maxclients and shown by CLIENT LIST at once, as in
 * Redis); HTTP removes them, which takes the client out of the registry again. On the admin port
 * nothing is in place until the first line decides: HTTP never counts as a client there, so
 * /metrics answers even when maxclients is reached; RESP gets its handlers then.
 */
final class HttpSniffer extends ByteToMessageDecoder {
    /**
     * Bytes looked at for the end of the first line: a request line for our few short paths is
     * far shorter (the HTTP codec itself allows 4 KiB, {@link AdminHttpHandler#MAX_INITIAL_LINE}).
     */
    static final int MAX_FIRST_LINE = 4096;
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"};

    /** Adds the RESP handlers behind this one; null when they are already in place (main port). */
    private final Consumer<ChannelPipeline> installResp;
    private final AdminHttp http;
    private final boolean adminPort;

    HttpSniffer(AdminHttp http, boolean adminPort, Consumer<ChannelPipeline> installResp) {
        this.http = http;
        this.adminPort = adminPort;
        this.installResp = installResp;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length = in.readableBytes();
        if (length == 0) {
            return;
        }
        int start = in.readerIndex();
        if (!mayStartMethod(in.getByte(start))) {
            resp(ctx);
            return;
        }
        int eol = in.indexOf(start, start + Math.min(length, MAX_FIRST_LINE), (byte) '\n');
        if (eol < 0) {
            if (length >= MAX_FIRST_LINE) {
                resp(ctx);
            }
            return;
        }
        int end = eol > start && in.getByte(eol - 1) == '\r' ? eol - 1 : eol;
        if (isRequestLine(in.toString(start, end - start, StandardCharsets.ISO_8859_1))) {
            http(ctx);
        } else {
            resp(ctx);
        }
    }

    /** Whether {@code line} is an HTTP/1.0 or 1.1 request line with a known method. */
    static boolean isRequestLine(String line) {
        int sp1 = line.indexOf(' ');
        int sp2 = line.lastIndexOf(' ');
        if (sp1 <= 0 || sp2 <= sp1 + 1) {
            return false;
        }
        String version = line.substring(sp2 + 1);
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            return false;
        }
        String method = line.substring(0, sp1);
        for (String m : METHODS) {
            if (m.equals(method)) {
                return line.substring(sp1 + 1, sp2).indexOf(' ') < 0;
            }
        }
        return false;
    }

    private static boolean mayStartMethod(byte b) {
        for (String m : METHODS) {
            if (m.charAt(0) == b) {
                return true;
            }
        }
        return false;
    }

    /** RESP: the handlers behind take over; the bytes read so far go to them as this leaves. */
    private void resp(ChannelHandlerContext ctx) {
        if (installResp != null) {
            installResp.accept(ctx.pipeline());
            // the RESP handlers were not there when the connection became active
            ctx.fireChannelActive();
        }
        ctx.pipeline().remove(this);
    }

    /** HTTP: the RESP handlers go (if there), the HTTP codec and endpoints come in their place. */
    private void http(ChannelHandlerContext ctx) {
        ChannelPipeline p = ctx.pipeline();
        for (String name : NetServer.RESP_HANDLERS) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        http.install(p, adminPort);
        ctx.pipeline().remove(this);
    }
}
