package io.damselfly.server.client;

import io.damselfly.server.acl.User;
import io.damselfly.server.pubsub.Subscriber;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server-side state of one client: identity (id, name), the selected database,
 * protocol version, authentication, and what CLIENT LIST reports. The one owner of that state:
 * the decoder, the reply writer and the command handlers read it here. A session does not need
 * a socket: its transport is a {@link ClientConnection}, {@link ClientConnection#NONE} for a
 * client without one. Owned by the thread that runs its commands (a connection's event loop);
 * other threads (CLIENT LIST/KILL from another connection) only read the volatile fields or
 * close the connection, which Netty hands to the owning loop.
 *
 * <p>Killing. CLIENT KILL from another connection runs on that connection's event loop, so it
 * cannot free this session the way Redis's single thread frees a client at once. It marks the
 * session killed (exactly once, so two killers count it once) and asks Netty to close the channel;
 * the owning loop closes it after the batch it may be running and then removes the session from
 * the registry. Between the two, CLIENT LIST and CLIENT KILL skip killed sessions, so to every
 * other client the kill looks immediate, as in Redis. A client killing itself instead sets
 * close-after-reply, so it still receives the reply to its CLIENT KILL.
 */
public final class ClientSession {
    /** Client types, as CLIENT LIST TYPE and CLIENT KILL TYPE name them. */
    public enum Type {
        NORMAL, REPLICA, PUBSUB, MASTER;

        /** The type named by a CLIENT LIST/KILL argument (Redis also accepts "slave"), or null. */
        public static Type byName(String name) {
            return switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "normal" -> NORMAL;
                case "slave", "replica" -> REPLICA;
                case "pubsub" -> PUBSUB;
                case "master" -> MASTER;
                default -> null;
            };
        }
    }

    /** The user every connection starts as, as in Redis. */
    public static final String DEFAULT_USER = "default";

    private final long id;
    private final ClientConnection connection;
    private final long createdMillis;
    private volatile String name = "";
    private volatile int db;
    private volatile int replicaListeningPort;
    private volatile String replicaAnnouncedIp;
    private volatile long replicationOffset;
    private volatile int protocol = 2;
    private volatile boolean authenticated;
    private volatile User aclUser;
    private volatile long lastInteractionMillis;
    private volatile String lastCommand = "NULL";
    private volatile boolean closeAfterReply;
    private final AtomicBoolean killed = new AtomicBoolean();
    /** What the client is blocked in, for CLIENT UNBLOCK from another connection. */
    private volatile Blocking blocking;
    /** The arguments' bytes of the command the client is blocked in. */
    private volatile long blockedArgvMemory;
    /** Commands queued in an open MULTI, or -1 outside one (CLIENT LIST multi=, flag x). */
    private volatile int multiQueued = -1;
    /** What the open MULTI's queue holds, as Redis counts it (CLIENT LIST multi-mem). */
    private volatile long multiMemory;
    private boolean scriptClient;
    /** The client a replica runs its primary's stream as (Redis's CLIENT_MASTER). */
    private boolean primaryLink;
    /** A replica attached to this server by SYNC or PSYNC (Redis's CLIENT_SLAVE). */
    private volatile boolean replica;
    /**
     * CLIENT NO-EVICT ON (CLIENT LIST flag e). Redis exempts such a client from client eviction
     * (maxmemory-clients), which damselfly does not have: the flag is kept and shown only.
     */
    private volatile boolean noEvict;
    /** In MONITOR mode (CLIENT LIST flag O); set by {@link Monitors}. */
    private volatile boolean monitor;
    private volatile int channelSubscriptions;
    private volatile int patternSubscriptions;
    private volatile int shardSubscriptions;
    /** Where this client's Pub/Sub messages go; null for a session that cannot subscribe. */
    private Subscriber.Outlet pushOutlet;
    /** Created on the first subscription or CLIENT TRACKING ON (or by a tracker redirecting here). */
    private volatile Subscriber subscriber;
    /** CLIENT TRACKING's mode while on, else null; set on the session's thread ({@link ClientTracking}). */
    private volatile TrackingState tracking;

    public ClientSession(long id, ClientConnection connection, boolean authenticated, long nowMillis) {
        this.id = id;
        this.connection = connection;
        this.authenticated = authenticated;
        this.createdMillis = nowMillis;
        this.lastInteractionMillis = nowMillis;
    }

    public long id() {
        return id;
    }

    public ClientConnection connection() {
        return connection;
    }

    public String name() {
        return name;
    }

    /** Sets the name; the empty string removes it. Callers validate with {@link #isValidAttribute}. */
    public void setName(String name) {
        this.name = name;
    }

    /**
     * What a replica said of itself before SYNC (REPLCONF listening-port and ip-address), shown
     * by INFO replication and ROLE once it is attached.
     */
    public void setReplicaAnnouncement(int listeningPort, String ip) {
        if (listeningPort >= 0) {
            this.replicaListeningPort = listeningPort;
        }
        if (ip != null) {
            this.replicaAnnouncedIp = ip;
        }
    }

    public int replicaListeningPort() {
        return replicaListeningPort;
    }

    /** What of the snapshot a replica asked for (REPLCONF rdb-filter-only), as Redis's slave_req. */
    public enum RdbFilter {
        /** Everything (no filter asked for). */
        ALL,
        /** The function libraries only ("functions"). */
        FUNCTIONS,
        /** Neither data nor functions (an empty filter). */
        NOTHING
    }

    private volatile RdbFilter rdbFilter = RdbFilter.ALL;
    /** REPLCONF capa eof: the replica takes a snapshot of unknown length (Redis's SLAVE_CAPA_EOF). */
    private volatile boolean replicaTakesEof;

    public RdbFilter rdbFilter() {
        return rdbFilter;
    }

    public void setRdbFilter(RdbFilter filter) {
        this.rdbFilter = filter;
    }

    public boolean replicaTakesEof() {
        return replicaTakesEof;
    }

    public void setReplicaTakesEof() {
        this.replicaTakesEof = true;
    }

    /** The replica's REPLCONF ip-address, or null for its connection's address. */
    public String replicaAnnouncedIp() {
        return replicaAnnouncedIp;
    }

    /**
     * The replication stream's offset after this client's last propagated write (Redis's woff):
     * what WAIT waits for replicas to acknowledge.
     */
    public long replicationOffset() {
        return replicationOffset;
    }

    public void setReplicationOffset(long offset) {
        this.replicationOffset = offset;
    }

    /**
     * Whether a client name may be shown in CLIENT LIST: printable ASCII without
     * spaces ('!' to '~'), so the list always splits on spaces. The empty value is valid (it unsets).
     */
    public static boolean isValidAttribute(byte[] value) {
        for (byte b : value) {
            if (b < '!' || b > '~') {
                return false;
            }
        }
        return true;
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

    /** The name of the user the connection acts as (CLIENT LIST user=, ACL WHOAMI). */
    public String user() {
        User u = aclUser;
        return u == null ? DEFAULT_USER : u.name();
    }

    /**
     * The ACL user whose permissions the connection's commands are checked against; null for a
     * session with no user (allowed everything, as Redis's clients without one).
     */
    public User aclUser() {
        return aclUser;
    }

    /** Binds the connection to {@code user} (at connect, AUTH, HELLO AUTH, RESET). */
    public void setAclUser(User user) {
        this.aclUser = user;
    }

    /**
     * Records the connection's Pub/Sub subscription counts (channels, patterns, shard channels), for
     * CLIENT LIST and for the commands that behave differently while subscribed (PING in RESP2).
     */
    public void setSubscriptions(int channels, int patterns, int shardChannels) {
        this.channelSubscriptions = channels;
        this.patternSubscriptions = patterns;
        this.shardSubscriptions = shardChannels;
    }

    /** Lets the session subscribe, its messages going to {@code outlet} (its connection). */
    public void bindPushOutlet(Subscriber.Outlet outlet) {
        this.pushOutlet = outlet;
    }

    /**
     * This client's Pub/Sub side, created on first use; null when the session has no connection to
     * deliver messages to (a script's client).
     */
    public Subscriber subscriber() {
        Subscriber s = subscriber;
        if (s == null && pushOutlet != null) {
            // another thread may make it too: a tracking client redirecting its invalidations here
            synchronized (this) {
                s = subscriber;
                if (s == null) {
                    s = new Subscriber(id, pushOutlet, this::protocol);
                    subscriber = s;
                }
            }
        }
        return s;
    }

    /** CLIENT TRACKING's state while tracking is on, else null (one volatile read). */
    public TrackingState tracking() {
        return tracking;
    }

    void setTracking(TrackingState t) {
        tracking = t;
    }

    /** The Pub/Sub side if the client ever subscribed, else null (no allocation). */
    public Subscriber subscriberIfAny() {
        return subscriber;
    }

    /** Whether the connection has any Pub/Sub subscription (Redis's CLIENT_PUBSUB flag). */
    public boolean isSubscribed() {
        return channelSubscriptions + patternSubscriptions + shardSubscriptions > 0;
    }

    /** The client's type for CLIENT LIST/KILL TYPE, as Redis's getClientType. */
    public Type type() {
        if (primaryLink) {
            return Type.MASTER;
        }
        if (replica && !monitor) {
            return Type.REPLICA;
        }
        return isSubscribed() ? Type.PUBSUB : Type.NORMAL;
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

    // ---- CLIENT REPLY: fields touched only by the thread that runs this client's commands ----

    /** CLIENT REPLY OFF: no reply until ON. */
    private boolean replyOff;
    /** CLIENT REPLY SKIP ran: the next command's reply is dropped. */
    private boolean replySkipNext;
    /** The command running now has its reply dropped (it follows a SKIP). */
    private boolean replySkip;

    /** CLIENT REPLY ON: replies flow again (this one's OK included), any SKIP forgotten. */
    public void repliesOn() {
        replyOff = false;
        replySkip = false;
    }

    /** CLIENT REPLY OFF. */
    public void repliesOff() {
        replyOff = true;
    }

    /** CLIENT REPLY SKIP: drops the next command's reply (nothing to skip while OFF). */
    public void skipNextReply() {
        if (!replyOff) {
            replySkipNext = true;
        }
    }

    /** Whether what the running command writes is to be dropped, as Redis's prepareClientToWrite decides. */
    public boolean repliesSuppressed() {
        return replyOff || replySkip;
    }

    /** A command finished: a SKIP given by it applies to the next one (Redis's commandProcessed). */
    public void commandDone() {
        replySkip = replySkipNext;
        replySkipNext = false;
    }

    /** Asks the connection to close once the current reply has been flushed (QUIT, KILL self). */
    public void closeAfterReply() {
        this.closeAfterReply = true;
    }

    public boolean isClosingAfterReply() {
        return closeAfterReply;
    }

    /**
     * Kills the connection from another client (CLIENT KILL): closes the channel on its own event
     * loop. Returns false if it was already killed, so each kill is counted once.
     */
    public boolean kill() {
        if (!killed.compareAndSet(false, true)) {
            return false;
        }
        connection.close();
        return true;
    }

    /** Whether this is the client a script's redis.call runs as (Redis's CLIENT_SCRIPT). */
    public boolean isScriptClient() {
        return scriptClient;
    }

    /** Marks the session as a script's client, once, when the script engine makes it. */
    public void markScriptClient() {
        scriptClient = true;
    }

    /**
     * Whether this is the client a replica runs its primary's stream as: Redis's mustObeyClient,
     * which trusts what the primary sends (XADD's exact trim with LIMIT, writes on a read-only
     * replica).
     */
    public boolean isPrimaryLink() {
        return primaryLink;
    }

    public void markPrimaryLink() {
        primaryLink = true;
    }

    /** Whether this client is a replica of this server (it sent SYNC or PSYNC). */
    public boolean isReplica() {
        return replica;
    }

    /** This client is a replica of this server from now on (it sent SYNC or PSYNC). */
    public void markReplica() {
        replica = true;
    }

    /** CLIENT NO-EVICT ON or OFF. */
    public void setNoEvict(boolean noEvict) {
        this.noEvict = noEvict;
    }

    public boolean isNoEvict() {
        return noEvict;
    }

    /** Whether the client is in MONITOR mode (Redis's CLIENT_MONITOR). */
    public boolean isMonitor() {
        return monitor;
    }

    void setMonitor(boolean monitor) {
        this.monitor = monitor;
    }

    /**
     * Commands queued in the client's open MULTI, or -1 outside one, and their memory as Redis
     * counts it; set by its executor.
     */
    public void setMultiQueued(int queued, long memory) {
        multiMemory = memory;
        multiQueued = queued;
    }

    /** What the client is blocked in, or null (set and cleared by its connection's loop). */
    public void setBlocking(Blocking b) {
        blocking = b;
    }

    /**
     * The client blocks in {@code b}, running {@code argv}, whose bytes it holds meanwhile (CLIENT
     * LIST argv-mem, as Redis keeps a blocked client's arguments).
     */
    public void setBlocking(Blocking b, byte[][] argv) {
        long bytes = 0;
        for (byte[] a : argv) {
            bytes += a.length;
        }
        blockedArgvMemory = bytes;
        blocking = b;
    }

    /** Whether the client waits in a blocking command (Redis's CLIENT_BLOCKED). */
    public boolean isBlocked() {
        return blocking != null;
    }

    /** CLIENT UNBLOCK: ends this client's wait, from any thread; false when it is not blocked. */
    public boolean unblock(boolean asError) {
        Blocking b = blocking;
        return b != null && b.unblock(asError);
    }

    /** Ends this client's wait with {@code error}, from any thread; false when it is not blocked. */
    public boolean abortBlocking(String error) {
        Blocking b = blocking;
        return b != null && b.abort(error);
    }

    /** Whether the connection was killed or has closed: it no longer counts as connected. */
    public boolean isGone() {
        return killed.get() || !connection.isOpen();
    }

    public String address() {
        return format(connection.remoteAddress());
    }

    /**
     * Whether the client counts as local for options set to "local" (enable-debug-command,
     * enable-module-command, enable-protected-configs): Redis's islocalClient, a Unix socket or a
     * peer at {@link #isLocalAddress exactly 127.0.0.1 or ::1}.
     */
    public boolean isLocal() {
        return isUnixSocket() || connection.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                && isLocalAddress(a.getAddress());
    }

    /**
     * islocalClient's test of a TCP peer: its address is 127.0.0.1 or ::1. Redis compares the
     * address's text, so the rest of 127.0.0.0/8 (loopback too, on Linux) is not local; an
     * IPv4-mapped ::ffff:127.0.0.1 reaches Java as 127.0.0.1, as Redis's IPv6-only sockets leave
     * such a client to its IPv4 one.
     */
    public static boolean isLocalAddress(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return b[0] == 127 && b[1] == 0 && b[2] == 0 && b[3] == 1;
        }
        for (int i = 0; i < 15; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[15] == 1;
    }

    /** Whether the client came through the unix socket (Redis's CLIENT_UNIX_SOCKET, flag U). */
    public boolean isUnixSocket() {
        return connection.localAddress() instanceof java.net.UnixDomainSocketAddress;
    }

    public String localAddress() {
        return format(connection.localAddress());
    }

    /** "ip:port" as Redis prints it: "127.0.0.1:6379", or "[::1]:6379" for IPv6. */
    static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress in) {
            InetAddress ip = in.getAddress();
            if (ip instanceof Inet6Address v6) {
                return "[" + compress(v6) + "]:" + in.getPort();
            }
            String host = ip != null ? ip.getHostAddress() : in.getHostString();
            return host + ":" + in.getPort();
        }
        if (a instanceof java.net.UnixDomainSocketAddress u) {
            return u.getPath() + ":0";
        }
        return String.valueOf(a);
    }

    /**
     * An IPv6 address in the shortest form inet_ntop (and so Redis) prints: lower-case hex groups
     * without leading zeros, the longest run of two or more zero groups as "::" (the first such
     * run on a tie), no scope. Java's getHostAddress prints all eight groups instead.
     */
    static String compress(Inet6Address a) {
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    /** Bytes queued for this client but not yet written to the socket (CLIENT LIST omem). */
    public long pendingOutputBytes() {
        Subscriber s = subscriber;
        return connection.pendingOutputBytes() + (s == null ? 0 : s.queuedBytes());
    }

    /**
     * The CLIENT LIST / CLIENT INFO line, in Redis 7.0.15's fields and order (networking.c
     * catClientInfoString). {@code runningArgv} is the request this client is running (the CLIENT
     * LIST or INFO itself, for the client that asks), or null for the others: as in Redis, the
     * asker's query buffer (qbuf) holds that request as it came on the wire and argv-mem its
     * arguments' bytes, and every other client shows an empty query buffer (its requests are
     * decoded as they arrive).
     *
     * <p>Fields and their damselfly meaning: flags in Redis's order, O (monitor), P (subscribed), x
     * (in MULTI), b (blocked, or postponed by CLIENT PAUSE), c (closing after the reply), e (CLIENT
     * NO-EVICT on), or N; multi-mem the MULTI queue's
     * argument bytes plus 8 per argument, as Redis counts it; omem the reply bytes waiting for the
     * socket (Netty's outbound buffer, plus Pub/Sub messages and MONITOR lines queued for the
     * connection); tot-mem qbuf + argv-mem + multi-mem + omem; events "r", and "w" while output
     * waits, as Redis installs its write handler. Redis's reply buffers have no counterpart (a
     * reply is written into a buffer per read batch, not per client): qbuf-free, rbs, rbp, obl and
     * oll are 0, as Redis shows them for a client whose buffers were released. No 'd' flag (a
     * WATCH is checked at EXEC, not marked when touched), t R B for tracking (on, redirect broken,
     * broadcast) and redir the redirect client while tracking (else -1), no U (no unix socket).
     */
    /**
     * Bytes this client holds outside the keyspace now, as CLIENT LIST's tot-mem counts them for a
     * client other than the asker: a blocked request's arguments, the MULTI queue, the output
     * waiting for its socket (INFO mem_clients_normal sums them).
     */
    public long heldMemory() {
        return (blocking != null ? blockedArgvMemory : 0) + (multiQueued >= 0 ? multiMemory : 0) + pendingOutputBytes();
    }

    public String describe(long nowMillis, byte[][] runningArgv) {
        long qbuf = 0;
        long argvMem = 0;
        if (runningArgv != null) {
            qbuf = wireLength(runningArgv.length);
            for (byte[] a : runningArgv) {
                qbuf += wireLength(a.length) + a.length + 2;
                argvMem += a.length;
            }
        } else if (blocking != null) {
            argvMem = blockedArgvMemory;
        }
        long omem = pendingOutputBytes();
        int queued = multiQueued;
        long multiMem = queued >= 0 ? multiMemory : 0;
        // Redis's order: O (monitor) or S (replica), M (primary), P (pubsub), x (in MULTI), b (blocked),
        // t R B (tracking), c (close after reply), U (unix socket), e (no-evict)
        String flags = monitor ? "O" : replica ? "S" : "";
        if (primaryLink) {
            flags += "M";
        }
        if (isSubscribed()) {
            flags += "P";
        }
        if (queued >= 0) {
            flags += "x";
        }
        if (blocking != null) {
            flags += "b";
        }
        TrackingState t = tracking;
        if (t != null) {
            flags += "t";
            if (t.brokenRedirect) {
                flags += "R";
            }
            if (t.bcast) {
                flags += "B";
            }
        }
        if (closeAfterReply) {
            flags += "c";
        }
        if (isUnixSocket()) {
            flags += "U";
        }
        if (noEvict) {
            flags += "e";
        }
        return "id=" + id
                + " addr=" + address()
                + " laddr=" + localAddress()
                + " fd=" + connection.fd()
                + " name=" + name
                + " age=" + (nowMillis - createdMillis) / 1000
                + " idle=" + (nowMillis - lastInteractionMillis) / 1000
                + " flags=" + (flags.isEmpty() ? "N" : flags)
                + " db=" + db
                + " sub=" + channelSubscriptions
                + " psub=" + patternSubscriptions
                + " ssub=" + shardSubscriptions
                + " multi=" + queued
                + " qbuf=" + qbuf
                + " qbuf-free=0"
                + " argv-mem=" + argvMem
                + " multi-mem=" + multiMem
                + " rbs=0 rbp=0 obl=0 oll=0"
                + " omem=" + omem
                + " tot-mem=" + (qbuf + argvMem + multiMem + omem)
                + " events=" + (omem > 0 ? "rw" : "r")
                + " cmd=" + lastCommand
                + " user=" + user()
                + " redir=" + (t != null ? t.redirect : -1)
                + " resp=" + protocol
                + (listExtra == null ? "" : " " + listExtra.get());
    }

    /** Fields a mode adds to this client's CLIENT LIST line (the near-cache's), or null for none. */
    private volatile java.util.function.Supplier<String> listExtra;

    /** Adds {@code extra}'s fields (e.g. "nc-hits=3 nc-misses=1") to this client's CLIENT LIST line. */
    public void setListExtra(java.util.function.Supplier<String> extra) {
        this.listExtra = extra;
    }

    /** Bytes of a {@code *n} or {@code $n} line: prefix, digits, CR LF. */
    private static int wireLength(int n) {
        return Integer.toString(n).length() + 3;
    }
}
