package io.damselfly.server.net;

import io.damselfly.server.client.ClientConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.unix.UnixChannel;
import java.net.SocketAddress;

/** A client session's transport when it is a Netty channel (a client's connection, a replica's link to its primary). */
public final class ChannelConnection implements ClientConnection {
    private final Channel channel;
    /** Run before the channel is closed by {@link #close} (a replica's link gives itself up first), or null. */
    private final Runnable beforeClose;

    public ChannelConnection(Channel channel) {
        this(channel, null);
    }

    public ChannelConnection(Channel channel, Runnable beforeClose) {
        this.channel = channel;
        this.beforeClose = beforeClose;
    }

    @Override
    public SocketAddress remoteAddress() {
        // a unix-socket client's own address is unnamed: Redis shows the server's socket path for both
        return channel instanceof io.netty.channel.unix.DomainSocketChannel ? localAddress() : channel.remoteAddress();
    }

    @Override
    public SocketAddress localAddress() {
        SocketAddress a = channel.localAddress();
        // the JDK's type, so that the client package needs no Netty to tell a unix socket
        return a instanceof io.netty.channel.unix.DomainSocketAddress d ? java.net.UnixDomainSocketAddress.of(d.path()) : a;
    }

    @Override
    public int fd() {
        // the epoll transport exposes the descriptor; NIO does not, and Redis reports -1 then
        return channel instanceof UnixChannel uc ? uc.fd().intValue() : -1;
    }

    @Override
    public long pendingOutputBytes() {
        ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        return ob == null ? 0 : ob.totalPendingWriteBytes();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Closes the channel as a task of its loop, behind the tasks already queued there, from any
     * thread: a killer that just resolved the client's blocked command (REPLICAOF's UNBLOCKED
     * error) queued the reply's writing first, and on the same loop a direct close would run
     * before it and drop the error.
     */
    @Override
    public void close() {
        if (beforeClose != null) {
            beforeClose.run();
        }
        try {
            channel.eventLoop().execute(() -> channel.close());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the loop is shutting down: it closes its channels itself
            channel.close();
        }
    }
}
