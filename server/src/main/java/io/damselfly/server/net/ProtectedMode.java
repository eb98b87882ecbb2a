package io.damselfly.server.net;

import io.damselfly.server.client.ClientSession;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * protected-mode, as Redis 7.0's clientAcceptHandler: while it is on and the default user needs no
 * password, a connection from anywhere but the loopback interface gets {@link #DENIED} and is
 * closed. Loopback means exactly 127.0.0.1 or ::1, as islocalClient compares the peer's address
 * text (127.0.0.2 is refused too). 7.0 looks at neither bind nor requirepass beyond what they do
 * to the default user (requirepass takes its nopass away).
 */
public final class ProtectedMode {
    /** Redis's text, byte for byte, sent raw before the connection closes. */
    public static final String DENIED = "-DENIED Redis is running in protected mode because protected "
            + "mode is enabled and no password is set for the default user. "
            + "In this mode connections are only accepted from the loopback interface. "
            + "If you want to connect from external computers to Redis you "
            + "may adopt one of the following solutions: "
            + "1) Just disable protected mode sending the command "
            + "'CONFIG SET protected-mode no' from the loopback interface "
            + "by connecting to Redis from the same host the server is "
            + "running, however MAKE SURE Redis is not publicly accessible "
            + "from internet if you do so. Use CONFIG REWRITE to make this "
            + "change permanent. "
            + "2) Alternatively you can just disable the protected mode by "
            + "editing the Redis configuration file, and setting the protected "
            + "mode option to 'no', and then restarting the server. "
            + "3) If you started the server manually just for testing, restart "
            + "it with the '--protected-mode no' option. "
            + "4) Setup a an authentication password for the default user. "
            + "NOTE: You only need to do one of the above things in order for "
            + "the server to start accepting connections from the outside.\r\n";

    private ProtectedMode() {
    }

    /** Whether a connection from {@code peer} is refused. */
    public static boolean refuses(boolean protectedMode, boolean defaultUserNopass, SocketAddress peer) {
        return protectedMode && defaultUserNopass && !isLoopbackPeer(peer);
    }

    /** islocalClient: the peer's address is 127.0.0.1 or ::1 ({@link ClientSession#isLocalAddress}). */
    static boolean isLoopbackPeer(SocketAddress peer) {
        if (!(peer instanceof InetSocketAddress in) || in.getAddress() == null) {
            // not an IP connection (a unix socket, an embedded channel): local to the machine
            return !(peer instanceof InetSocketAddress);
        }
        return ClientSession.isLocalAddress(in.getAddress());
    }
}
