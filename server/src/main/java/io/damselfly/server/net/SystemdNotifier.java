package io.damselfly.server.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * supervised systemd (or auto with NOTIFY_SOCKET set), as Redis's redisCommunicateSystemd: the
 * sd_notify protocol, one datagram per message ("READY=1\n", "STATUS=...\n", "STOPPING=1\n") to the
 * unix datagram socket systemd names in NOTIFY_SOCKET, so a Type=notify unit (Debian's
 * redis-server.service) sees the server ready. Sent through Netty's epoll domain datagram channel
 * (the JDK has no unix datagram sockets); without epoll, or with an abstract-namespace socket
 * ("@..."), it logs why and the server runs unsupervised. Upstart supervision (SIGSTOP) is not
 * done: it is logged.
 */
public final class SystemdNotifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);

    private final EventLoopGroup group;
    private final Channel channel;

    private SystemdNotifier(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * The notifier the supervised mode and environment ask for, having sent "STATUS=Redis is
     * loading...", or null when the server is not supervised by systemd (or cannot tell it).
     */
    public static SystemdNotifier open(String mode, Map<String, String> env) {
        String socket = env.get("NOTIFY_SOCKET");
        if (mode.equals("auto")) {
            if (env.get("UPSTART_JOB") != null) {
                mode = "upstart";
            } else if (socket != null) {
                mode = "systemd";
            }
        }
        if (mode.equals("upstart")) {
            log.warn("upstart supervision requested or detected: not supported, running unsupervised");
            return null;
        }
        if (!mode.equals("systemd")) {
            return null;
        }
        if (socket == null || socket.isEmpty()) {
            log.warn("systemd supervision requested, but NOTIFY_SOCKET not found");
            return null;
        }
        if (socket.startsWith("@") || !Epoll.isAvailable()) {
            log.warn("systemd supervision requested, but {} cannot be reached from here (abstract socket or no native epoll)", socket);
            return null;
        }
        EventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("damselfly-sd-notify", true));
        try {
            // connected, as sd_notify sends: Netty's unconnected domain datagram channel is not active
            Channel ch = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect(new DomainSocketAddress(socket)).sync().channel();
            SystemdNotifier n = new SystemdNotifier(group, ch);
            if (!n.send("STATUS=Redis is loading...\n")) {
                n.close();
                return null;
            }
            log.info("Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit.");
            return n;
        } catch (Exception e) {
            log.warn("systemd supervision: cannot open a datagram socket: {}", e.toString());
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            return null;
        }
    }

    /** Sends one sd_notify message; false (logged) when it cannot be sent. */
    public boolean send(String message) {
        io.netty.channel.ChannelFuture f =
                channel.writeAndFlush(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            log.warn("Can't send notification to systemd: {}", f.cause().toString());
        }
        return f.isSuccess();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
