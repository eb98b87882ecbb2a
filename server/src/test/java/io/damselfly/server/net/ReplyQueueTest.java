package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.client.ClientConnection;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.command.LentBytes;
import io.damselfly.server.command.Reply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reply order of one connection with a slot that does not block its client (a near-cache
 * miss): replies after the slot wait for it, it is resolved from another thread, and everything
 * leaves in request order. Lent values leave in chunks, in order.
 */
class ReplyQueueTest {
    private final List<DeferredReply> resolved = new ArrayList<>();
    private final ChannelInboundHandlerAdapter head = new ChannelInboundHandlerAdapter();
    private final EmbeddedChannel channel = new EmbeddedChannel(head);
    private final ChannelHandlerContext ctx = channel.pipeline().context(head);
    private final ReplyQueue queue = new ReplyQueue();
    private final Reply render = new Reply(new ClientSession(0, ClientConnection.NONE, true, 0), channel.alloc()::ioBuffer);
    private final DeferredReply.Owner owner = new DeferredReply.Owner() {
        @Override
        public EventExecutor executor() {
            return channel.eventLoop();
        }

        @Override
        public void resolved(DeferredReply slot) {
            resolved.add(slot);
            queue.pump(ctx, render);
            ctx.flush();
        }
    };

    @Test
    void repliesAfterAnOpenSlot_waitForIt_thenLeaveInOrder() throws Exception {
        DeferredReply slot = new DeferredReply(owner, false);
        queue.add(ctx, text("+first\r\n"));
        queue.add(ctx, slot);
        queue.add(ctx, text("+third\r\n"));
        queue.add(ctx, text("+fourth\r\n"));
        queue.pump(ctx, render);
        ctx.flush();
        assertEquals("+first\r\n", written());
        assertNull(channel.readOutbound(), "nothing may pass the open slot");

        Thread completer = new Thread(() -> slot.complete(r -> r.simple("second")));
        completer.start();
        completer.join();
        assertTrue(resolved.isEmpty(), "resolution runs on the connection's loop, not the completer's thread");
        channel.runPendingTasks();
        assertEquals(List.of(slot), resolved);
        assertEquals("+second\r\n+third\r\n+fourth\r\n", written() + written() + written());
        assertTrue(queue.isEmpty());
        assertFalse(slot.complete(r -> r.simple("again")), "a slot is resolved once");
    }

    @Test
    void aCancelledSlot_isSkipped_andItsCancelActionRuns() {
        DeferredReply slot = new DeferredReply(owner, true);
        boolean[] cancelled = {false};
        slot.onCancel(() -> cancelled[0] = true);
        queue.add(ctx, slot);
        queue.add(ctx, text("+later\r\n"));
        queue.discard();
        assertTrue(cancelled[0]);
        assertFalse(slot.complete(r -> r.simple("too late")));
        assertTrue(queue.isEmpty());
    }

    @Test
    void aLentValue_leavesInChunks_inOrder() {
        byte[] value = new byte[ReplyQueue.CHUNK * 2 + 10];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        queue.add(ctx, text("$" + value.length + "\r\n"));
        queue.add(ctx, new LentBytes(value, 0, value.length));
        queue.add(ctx, text("\r\n"));
        assertEquals(value.length + 2, queue.backlog());
        assertEquals(2, queue.copiedBacklog(), "lent bytes are not the client's copies");
        ByteBuf all = Unpooled.buffer();
        for (int round = 0; !queue.isEmpty(); round++) {
            // a chunk at a time: each makes the channel unwritable until the client reads it
            assertTrue(round < 10, "the queue does not drain");
            queue.pump(ctx, render);
            ctx.flush();
            for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
                all.writeBytes(b);
                b.release();
            }
        }
        byte[] expectedHeader = ("$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] got = new byte[all.readableBytes()];
        all.readBytes(got);
        assertEquals(expectedHeader.length + value.length + 2, got.length);
        for (int i = 0; i < value.length; i++) {
            assertEquals(value[i], got[expectedHeader.length + i]);
        }
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.backlog());
    }

    private ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private String written() {
        ByteBuf b = channel.readOutbound();
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }
}
