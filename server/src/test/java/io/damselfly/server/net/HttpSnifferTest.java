package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.metrics.Health;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The first-line decision, with every input split at every byte, in an EmbeddedChannel. */
class HttpSnifferTest {

    /** Stands for the RESP handlers: records activation and every byte that reaches it. */
    private static final class RespStandIn extends ChannelInboundHandlerAdapter {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int activations;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            activations++;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            bytes.writeBytes(a);
            b.release();
        }
    }

    private static AdminHttp serving() {
        Health health = new Health();
        health.serving();
        return new AdminHttp(null, health);
    }

    @Test
    void http_splitAtEveryByte_answered() {
        byte[] request = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        AdminHttp http = serving();
        for (int cut = 1; cut < request.length; cut++) {
            RespStandIn resp = new RespStandIn();
            EmbeddedChannel ch = new EmbeddedChannel(new HttpSniffer(http, true, p -> p.addLast(resp)));
            ch.writeInbound(Unpooled.wrappedBuffer(request, 0, cut));
            assertNull(ch.readOutbound(), "answered before the request was whole, cut at " + cut);
            ch.writeInbound(Unpooled.wrappedBuffer(request, cut, request.length - cut));
            String out = outbound(ch);
            assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n") && out.endsWith("\r\n\r\nOK\n"), "cut at " + cut + ": " + out);
            assertEquals(0, resp.activations);
            assertNull(ch.pipeline().get(HttpSniffer.class));
            ch.finishAndReleaseAll();
        }
        http.close();
    }

    @Test
    void resp_splitAtEveryByte_passedOnWhole() {
        AdminHttp http = serving();
        for (String input : new String[] {"*1\r\n$4\r\nPING\r\n", "GET key\r\n", "GET a HTTP/1.2\r\n", "HEAD\r\n",
                "POST / HTTP/1.1 x\r\n", "GET  HTTP/1.1\r\n", "G\r\n"}) {
            byte[] bytes = input.getBytes(StandardCharsets.US_ASCII);
            for (int cut = 1; cut < bytes.length; cut++) {
                RespStandIn resp = new RespStandIn();
                EmbeddedChannel ch = new EmbeddedChannel(new HttpSniffer(http, true, p -> p.addLast(resp)));
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, cut));
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
                assertEquals(input, resp.bytes.toString(StandardCharsets.US_ASCII), "cut at " + cut);
                assertEquals(1, resp.activations, input);
                assertNull(ch.readOutbound());
                assertNull(ch.pipeline().get(HttpSniffer.class));
                ch.finishAndReleaseAll();
            }
        }
        http.close();
    }

    @Test
    void resp_aFirstLineThatNeverEnds_isRespAfterTheLimit() {
        RespStandIn resp = new RespStandIn();
        AdminHttp http = serving();
        EmbeddedChannel ch = new EmbeddedChannel(new HttpSniffer(http, true, p -> p.addLast(resp)));
        ch.writeInbound(Unpooled.wrappedBuffer(("G" + "x".repeat(HttpSniffer.MAX_FIRST_LINE - 2)).getBytes(StandardCharsets.US_ASCII)));
        assertEquals(0, resp.activations);
        ch.writeInbound(Unpooled.wrappedBuffer("yy".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(1, resp.activations);
        assertEquals(HttpSniffer.MAX_FIRST_LINE + 1, resp.bytes.size());
        ch.finishAndReleaseAll();
        http.close();
    }

    @Test
    void isRequestLine() {
        assertTrue(HttpSniffer.isRequestLine("GET /metrics HTTP/1.1"));
        assertTrue(HttpSniffer.isRequestLine("HEAD / HTTP/1.0"));
        assertTrue(HttpSniffer.isRequestLine("DELETE /x?y=1 HTTP/1.1"));
        assertFalse(HttpSniffer.isRequestLine("GET /metrics HTTP/2"));
        assertFalse(HttpSniffer.isRequestLine("GET /a b HTTP/1.1"));
        assertFalse(HttpSniffer.isRequestLine("get /metrics HTTP/1.1"));
        assertFalse(HttpSniffer.isRequestLine("SET k HTTP/1.1"));
        assertFalse(HttpSniffer.isRequestLine("GET HTTP/1.1"));
        assertFalse(HttpSniffer.isRequestLine(""));
    }

    private static String outbound(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }
}
