package io.damselfly.server.client;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The server-side state of one client connection: identity (id, name, library), the selected
 * database, protocol version, authentication, and what CLIENT LIST reports. Owned by the
 * connection's event loop; other threads (CLIENT LIST/KILL from another connection) only read
 * the volatile fields or close the channel, which Netty hands to the owning loop.
 */
public final class ClientSession {
    private final long id;
    private final Channel channel;
    private final long createdMillis;
    private volatile String name = "";
    private volatile String libName = "";
    private volatile String libVersion = "";
    private volatile int db;
    private volatile int protocol = 2;
    private volatile boolean authenticated;
    private volatile long lastInteractionMillis;
    private volatile String lastCommand = "NULL";
    private volatile boolean closeAfterReply;

    public ClientSession(long id, Channel channel, boolean authenticated, long nowMillis) {
        this.id = id;
        this.channel = channel;
        this.authenticated = authenticated;
        this.createdMillis = nowMillis;
        this.lastInteractionMillis = nowMillis;
    }

    public long id() {
        return id;
    }

    public Channel channel() {
        return channel;
    }

    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String libName() {
        return libName;
    }

    public void setLibName(String libName) {
        this.libName = libName;
    }

    public String libVersion() {
        return libVersion;
    }

    public void setLibVersion(String libVersion) {
        this.libVersion = libVersion;
    }

    public int db() {
        return db;
    }

    public void setDb(int db) {
        this.db = db;
    }

    public int protocol() {
        return protocol;
    }

    public void setProtocol(int protocol) {
        this.protocol = protocol;
    }

    public boolean isAuthenticated() {
        return authenticated;
    }

    public void setAuthenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    public long createdMillis() {
        return createdMillis;
    }

    public long lastInteractionMillis() {
        return lastInteractionMillis;
    }

    public String lastCommand() {
        return lastCommand;
    }

    /** Records the command just run, for CLIENT LIST's idle and cmd fields. */
    public void recordCommand(String fullName, long nowMillis) {
        this.lastCommand = fullName;
        this.lastInteractionMillis = nowMillis;
    }

    /** Asks the connection to close once the current reply has been flushed (QUIT, KILL self). */
    public void closeAfterReply() {
        this.closeAfterReply = true;
    }

    public boolean isClosingAfterReply() {
        return closeAfterReply;
    }

    public String address() {
        return format(channel.remoteAddress());
    }

    public String localAddress() {
        return format(channel.localAddress());
    }

    private static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress in) {
            String host = in.getAddress() != null ? in.getAddress().getHostAddress() : in.getHostString();
            return host + ":" + in.getPort();
        }
        return String.valueOf(a);
    }

    /** Bytes queued for this client but not yet written to the socket (CLIENT LIST omem). */
    public long pendingOutputBytes() {
        var ob = channel.unsafe().outboundBuffer();
        return ob == null ? 0 : ob.totalPendingWriteBytes();
    }

    /** The CLIENT LIST / CLIENT INFO line, in Redis 7.2's field order. */
    public String describe(long nowMillis) {
        long omem = pendingOutputBytes();
        return "id=" + id
                + " addr=" + address()
                + " laddr=" + localAddress()
                + " fd=" + fd()
                + " name=" + name
                + " age=" + (nowMillis - createdMillis) / 1000
                + " idle=" + (nowMillis - lastInteractionMillis) / 1000
                + " flags=N"
                + " db=" + db
                + " sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0"
                + " obl=0 oll=0 omem=" + omem
                + " tot-mem=" + omem
                + " events=r"
                + " cmd=" + lastCommand
                + " user=default redir=-1"
                + " resp=" + protocol
                + " lib-name=" + libName
                + " lib-ver=" + libVersion;
    }

    private int fd() {
        // the epoll transport exposes the descriptor; NIO does not, and Redis reports -1 then
        if (channel instanceof io.netty.channel.unix.UnixChannel uc) {
            return uc.fd().intValue();
        }
        return -1;
    }
}
