package io.damselfly.server.migrate;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One connection to a MIGRATE target: splits what the target sends into lines, as Redis reads
 * the replies of AUTH, SELECT and RESTORE (syncReadLine), and hands them to the {@link
 * Migration} that holds the connection. Its handler methods run on the loop that opened it; a
 * migration attaches and detaches on that loop too.
 *
 * <p>Redis reads a reply line into a 1024-byte buffer: a longer line comes back as its first
 * {@link #MAX_LINE} bytes, and the rest as the next line. The same split is kept here so that a
 * target's long error answers exactly as on Redis. Lines that arrive with no migration attached
 * (a late reply) wait for the next one, as they would wait in Redis's socket buffer.
 */
final class MigrateLink extends ChannelInboundHandlerAdapter {
    /** The longest line Redis's 1024-byte reply buffer holds (with its terminating NUL). */
    static final int MAX_LINE = 1023;

    /** "host:port" as MIGRATE spelled them: the cache key. */
    final String name;
    /** Set once connected. */
    Channel channel;
    /** The database the connection last SELECTed successfully, or -1 (Redis's last_dbid). Touched by the lease holder only. */
    long lastDb = -1;
    /** Guarded by the {@link MigrateSockets} monitor. */
    boolean leased;
    boolean cached;
    boolean idleCheckArmed;
    long lastUse;

    /** The rest are touched on the channel's loop only. */
    private Migration user;
    private final ArrayDeque<byte[]> unread = new ArrayDeque<>();
    private final byte[] line = new byte[MAX_LINE];
    private int lineLength;
    private boolean closed;
    private final MigrateSockets owner;

    MigrateLink(String name, MigrateSockets owner) {
        this.name = name;
        this.owner = owner;
    }

    /** Routes the connection's lines and end to {@code m}, first any line that arrived unasked. */
    void attach(Migration m) {
        user = m;
        while (user == m && !unread.isEmpty()) {
            m.line(this, unread.poll());
        }
        if (user == m && closed) {
            m.closed(this);
        }
    }

    /** The oldest line that arrived with no migration attached, or null (tests). */
    byte[] pollUnread() {
        return unread.poll();
    }

    void detach(Migration m) {
        if (user == m) {
            user = null;
        }
    }

    boolean isOpen() {
        return channel != null && channel.isActive() && !closed;
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (user != null) {
                user.progress(this);
            }
            while (in.isReadable()) {
                byte b = in.readByte();
                if (b == '\n') {
                    int n = lineLength;
                    if (n > 0 && line[n - 1] == '\r') {
                        n--;
                    }
                    emit(Arrays.copyOf(line, n));
                } else {
                    line[lineLength++] = b;
                    if (lineLength == MAX_LINE) {
                        emit(line.clone());
                    }
                }
            }
        } finally {
            in.release();
        }
    }

    private void emit(byte[] l) {
        lineLength = 0;
        if (user != null) {
            user.line(this, l);
        } else {
            unread.add(l);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        owner.forget(this);
        if (user != null) {
            user.closed(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset by the target: the read side ends, channelInactive tells the user
        ctx.close();
    }
}
