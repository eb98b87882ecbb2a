package io.damselfly.server.replica;

import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.ObeyedClient;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.config.Option;
import io.damselfly.server.net.ChannelConnection;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server as a replica (REPLICAOF host port, SLAVEOF): the link to the primary, the dataset
 * replaced by the primary's snapshot and then changed only by the primary's stream, writes of
 * other clients refused with READONLY while replica-read-only is on. REPLICAOF NO ONE makes it a
 * primary again, keeping the data.
 *
 * <p>Design. The link runs on a thread of its own (one Netty loop, made on first use), which
 * receives the snapshot into {@code <dir>/temp-replica-<port>.rdb}, puts it in place of the RDB
 * file and loads it as at start ({@code Persistence.load}: key-load-delay, the load figures;
 * every database and the function libraries emptied first), as Redis's full sync does, then runs the stream's
 * commands as the primary's client (Redis's CLIENT_MASTER: never refused as read-only, replies
 * dropped), listed among the clients while the link is up (CLIENT LIST flag M, CLIENT KILL TYPE
 * master). Two offsets count the stream's bytes, as Redis's master client does: what was read, and
 * what was applied outside a transaction (reploff), which REPLCONF ACK reports once a second and
 * on REPLCONF GETACK. A lost link is connected again by the next cron tick, asking the primary to
 * continue from the applied offset (PSYNC id offset+1, Redis's cached master): a transaction the
 * link broke in the middle of is dropped and comes again from the primary's backlog; the
 * selected database is kept. A primary that cannot continue sends a full synchronisation. A
 * replica sends nothing down its own replication stream; its replicas keep their link, with no
 * new writes, until it is a primary again, when they are disconnected to resynchronise, as Redis.
 *
 * <p>Not as Redis: after REPLICAOF NO ONE and back, or from a primary to a replica, the first
 * synchronisation is a full one (Redis's PSYNC2 continues with the former id, replid2).
 */
public final class ReplicaRole {
    private static final Logger log = LoggerFactory.getLogger(ReplicaRole.class);
    public static final String READONLY = "READONLY You can't write against a read only replica.";
    public static final String MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

    /** Redis's repl_state names as ROLE shows them. */
    private enum LinkState {
        CONNECT("connect"), CONNECTING("connecting"), HANDSHAKE("handshake"), SYNC("sync"), CONNECTED("connected");

        final String roleName;

        LinkState(String roleName) {
            this.roleName = roleName;
        }
    }

    private final ServerContext server;
    private volatile String masterHost;
    private volatile int masterPort;
    private volatile LinkState state = LinkState.CONNECT;
    /** Bumped by every REPLICAOF and every connection made: events of an older link are ignored. */
    private long generation;
    private EventLoopGroup loop;
    private Channel channel;
    private volatile String masterReplId = "?";
    /** Stream bytes read and run (slave_read_repl_offset). */
    private volatile long offset;
    /**
     * Stream bytes applied, not counting a transaction still open (Redis's master reploff): what
     * acknowledgements report and where a partial resynchronisation continues.
     */
    private volatile long reploff;
    /**
     * Whether {@link #masterReplId} and {@link #reploff} describe data this replica holds, so a new
     * link may ask to continue (Redis's cached master): from a completed synchronisation until a
     * full one begins or the primary changes.
     */
    private volatile boolean continuable;
    /** The primary's link as a client (CLIENT LIST, CLIENT KILL); listed while the link is up. */
    private ClientSession masterSession;
    private volatile long lastIoMillis;
    private volatile long lastAckMillis;
    /** Runs the primary's stream (Redis's CLIENT_MASTER); a new one per synchronisation. */
    private ObeyedClient masterClient;

    public ReplicaRole(ServerContext server) {
        this.server = server;
    }

    /**
     * Told when this server becomes a replica or a primary again, before a new link connects
     * (the keyspace's expiry then follows the primary; oom-score-adj's class).
     */
    private volatile Runnable roleListener = () -> { };

    public void onRoleChange(Runnable listener) {
        this.roleListener = listener;
    }

    /** Whether this server replicates a primary now (one volatile read). */
    public boolean isReplica() {
        return masterHost != null;
    }

    /**
     * Whether commands without the "stale" flag are refused with {@link #MASTERDOWN}: a replica
     * whose link is not up, with replica-serve-stale-data no.
     */
    public boolean servesNoStaleData() {
        return masterHost != null && state != LinkState.CONNECTED && !server.config().getBool(Option.REPLICA_SERVE_STALE_DATA);
    }

    /** Whether {@code client}'s write commands are refused with {@link #READONLY} now. */
    public boolean refusesWritesOf(ClientSession client) {
        return masterHost != null && !client.isPrimaryLink() && server.config().getBool(Option.REPLICA_READ_ONLY);
    }

    /**
     * REPLICAOF host port: answers what the command replies (+OK, or Redis's "+OK Already
     * connected to specified master" when it replicates that primary already).
     */
    public synchronized String replicate(String host, int port) {
        if (masterHost != null && masterHost.equalsIgnoreCase(host) && masterPort == port) {
            log.info("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
            return "OK Already connected to specified master";
        }
        boolean wasPrimary = masterHost == null;
        closeLink();
        continuable = false;
        disconnectBlockedClients();
        if (wasPrimary) {
            server.propagation().stream().becomeReplica();
        }
        masterHost = host;
        masterPort = port;
        roleListener.run();
        state = LinkState.CONNECT;
        log.info("Connecting to MASTER {}:{}", host, port);
        connect();
        return "OK";
    }

    /**
     * Redis's disconnectAllBlockedClients: a client blocked while this server took writes (a
     * BLPOP on a primary) must not take what the new primary's stream brings, or the two would
     * differ: each gets an error and is closed after it.
     */
    private void disconnectBlockedClients() {
        for (ClientSession s : server.clients().snapshot()) {
            if (s.abortBlocking(UNBLOCKED_ROLE_CHANGE)) {
                // the close runs on the client's loop after the error is written
                s.kill();
            }
        }
    }

    /**
     * The link of {@code gen} is given up (its client was killed): nothing more of it is applied
     * from here, though its close (and the link's end, {@link #failed}) comes on its own thread.
     * No lock: the killer may be a command inside EXEC, holding every shard, and the role's lock
     * may be held by a thread waiting for one.
     */
    private void dropLink(long gen) {
        killedGeneration = gen;
    }

    /** The generation whose link was killed ({@link #dropLink}): its commands are not applied. */
    private volatile long killedGeneration = -1;

    /** Ends the current link: its events are dropped from here, and the next tick connects a new one. */
    private void giveUpLink() {
        if (state == LinkState.CONNECTED) {
            log.info("Caching the disconnected master state.");
        }
        closeLink();
        state = LinkState.CONNECT;
    }

    static final String UNBLOCKED_ROLE_CHANGE =
            "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";

    /** REPLICAOF NO ONE: a primary again, with the data it has. */
    public synchronized void stop() {
        if (masterHost == null) {
            return;
        }
        closeLink();
        continuable = false;
        masterHost = null;
        state = LinkState.CONNECT;
        server.propagation().stream().becomePrimary();
        // an AOF a failed synchronisation left off starts again (replicationUnsetMaster)
        server.restartAofAfterSync();
        roleListener.run();
        log.info("MASTER MODE enabled");
    }

    private void closeLink() {
        generation++;
        unlistMasterSession();
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private void unlistMasterSession() {
        if (masterSession != null) {
            server.clients().removeUnadmitted(masterSession);
        }
    }

    /**
     * The client the primary's stream runs as from now, on the current link, in database {@code
     * db}; listed among the clients. Keeps its id across partial resynchronisations, as Redis's
     * resurrected cached master does.
     */
    private synchronized void newMasterClient(int db) {
        unlistMasterSession();
        long id = masterSession != null ? masterSession.id() : server.clients().nextId();
        // killing the client stops the stream at once, as Redis frees its master client, rather
        // than when the link's thread next gets to the close (it may be applying the stream, which
        // would go on after the kill was answered)
        long gen = generation;
        masterSession = new ClientSession(id, new ChannelConnection(channel, () -> dropLink(gen)), true, System.currentTimeMillis());
        masterSession.setDb(db);
        if (masterClient != null) {
            masterClient.release();
        }
        masterClient = new ObeyedClient(server, masterSession);
        server.clients().addUnadmitted(masterSession);
    }

    /**
     * Once a cron tick: connects a lost link again, acknowledges the offset once a second, and
     * gives up a link silent for repl-timeout seconds (replicationCron's three timeouts: while
     * connecting or in the handshake, while the file arrives, and once connected, which then
     * continues with a partial resynchronisation).
     */
    public synchronized void tick(long nowMillis) {
        if (masterHost == null) {
            return;
        }
        long silent = nowMillis - lastIoMillis;
        // not while the snapshot loads: the link's thread loads it, and reads nothing meanwhile
        if (state != LinkState.CONNECT && !server.loading() && silent / 1000 > server.config().getLong(Option.REPL_TIMEOUT)) {
            switch (state) {
                case CONNECTING, HANDSHAKE -> log.warn("Timeout connecting to the MASTER...");
                case SYNC -> log.warn("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
                default -> log.warn("MASTER timeout: no data nor PING received...");
            }
            giveUpLink();
            return;
        }
        if (state == LinkState.CONNECT && (channel == null || !channel.isActive())) {
            connect();
        } else if (state == LinkState.CONNECTED && nowMillis - lastAckMillis >= 1000) {
            lastAckMillis = nowMillis;
            sendAck();
        }
    }

    private void connect() {
        if (loop == null) {
            loop = new NioEventLoopGroup(1, new DefaultThreadFactory("damselfly-replica", true));
        }
        // each connection its own generation: a late event of an earlier one (its close, after a
        // new one started) cannot touch the new one's state or channel
        long gen = ++generation;
        state = LinkState.CONNECTING;
        lastIoMillis = System.currentTimeMillis();
        String[] auth = auth();
        Path temp = Path.of(server.config().getString(Option.DIR)).resolve("temp-replica-" + server.port() + ".rdb");
        Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new MasterLink(guarded(gen), auth, listeningPort(), temp, this::psyncRequest));
        String source = server.config().getString(Option.BIND_SOURCE_ADDR);
        // bind-source-addr: the link leaves from that address, as connectWithMaster binds it
        ChannelFuture f = source.isEmpty() ? b.connect(masterHost, masterPort)
                : b.connect(new java.net.InetSocketAddress(masterHost, masterPort), new java.net.InetSocketAddress(source, 0));
        channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                synchronized (ReplicaRole.this) {
                    if (gen == generation) {
                        log.warn("Error condition on socket for SYNC: {}", done.cause().getMessage());
                        state = LinkState.CONNECT;
                    }
                }
            }
        });
    }

    private String[] auth() {
        String pass = server.config().getString(Option.MASTERAUTH);
        if (pass.isEmpty()) {
            return null;
        }
        String user = server.config().getString(Option.MASTERUSER);
        return user.isEmpty() ? new String[] {pass} : new String[] {user, pass};
    }

    private int listeningPort() {
        int announced = server.config().getInt(Option.REPLICA_ANNOUNCE_PORT);
        return announced != 0 ? announced : server.port();
    }

    /**
     * PSYNC's arguments for a new link: the primary's id and the offset after what was applied,
     * or null for a full synchronisation. Asked on the links' thread, the one that applies the
     * stream, so the offset is read after the last command of an earlier link was applied.
     */
    private String[] psyncRequest() {
        if (!continuable) {
            return null;
        }
        String[] request = {masterReplId, Long.toString(reploff + 1)};
        log.info("Trying a partial resynchronization (request {}:{}).", request[0], request[1]);
        return request;
    }

    /** This role's events, dropped once a newer REPLICAOF replaced the link they come from. */
    private MasterLink.Events guarded(long gen) {
        return new MasterLink.Events() {
            @Override
            public void connected() {
                synchronized (ReplicaRole.this) {
                    if (current(gen) && state == LinkState.CONNECTING) {
                        state = LinkState.HANDSHAKE;
                    }
                }
            }

            @Override
            public void received() {
                lastIoMillis = System.currentTimeMillis();
            }

            @Override
            public void fullResync(String replId, long at) {
                if (current(gen)) {
                    ReplicaRole.this.fullResync(replId, at);
                }
            }

            @Override
            public void continued(String newReplId) {
                if (current(gen)) {
                    ReplicaRole.this.continued(newReplId);
                }
            }

            @Override
            public void snapshotReceived(Path file) throws IOException {
                if (current(gen)) {
                    ReplicaRole.this.snapshotReceived(file, gen);
                }
            }

            @Override
            public void command(byte[][] argv, int bytes) {
                // nothing of a killed link is applied after the kill. No lock: a command takes
                // shard locks, which EXEC may hold while it calls into this role (REPLICAOF)
                if (killedGeneration != gen && current(gen)) {
                    ReplicaRole.this.command(argv, bytes);
                }
            }

            @Override
            public void failed(String why) {
                if (current(gen)) {
                    ReplicaRole.this.failed(why);
                }
            }
        };
    }

    private synchronized boolean current(long gen) {
        return gen == generation && masterHost != null;
    }

    private void fullResync(String replId, long at) {
        log.info("Full resync from master: {}:{}", replId, at);
        // the data is replaced from here: nothing to continue from until the snapshot is in
        continuable = false;
        masterReplId = replId;
        offset = at;
        reploff = at;
        state = LinkState.SYNC;
        lastIoMillis = System.currentTimeMillis();
    }

    private void snapshotReceived(Path file, long gen) throws IOException {
        // as readSyncBulkPayload: the received file becomes the RDB file, then loads as one at start
        Path rdb = Path.of(server.config().getString(Option.DIR)).resolve(server.config().getString(Option.DBFILENAME));
        Files.move(file, rdb, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // the AOF off while the data set is replaced, then on again from a rewrite of what loaded
        // (stopAppendOnly, restartAOFAfterSYNC): it does not log the flush and the load, so kept on
        // it would bring the old data set back at the next start instead of this one
        server.stopAofForSync();
        // other clients answer LOADING until the snapshot is in, as Redis's startLoading there
        server.whileLoading(() -> {
            log.info("MASTER <-> REPLICA sync: Flushing old data");
            server.keyspace().flushAll();
            server.scripts().functions().flush();
            log.info("MASTER <-> REPLICA sync: Loading DB in memory");
            // a newline to the primary each second of a long load, as replicationSendNewlineToMaster,
            // so it does not time this replica out (written at once: this is the link's own thread)
            Channel link = channel;
            server.persistence().load(code -> server.scripts().functions().load(code, true), true,
                    () -> {
                        if (link != null && link.isActive()) {
                            link.writeAndFlush(link.alloc().buffer(1).writeByte('\n'));
                        }
                    });
        });
        server.restartAofAfterSync();
        synchronized (this) {
            if (!current(gen)) {
                // a REPLICAOF while it loaded: the data is this link's, the role no longer is
                return;
            }
            newMasterClient(0);
            continuable = true;
            state = LinkState.CONNECTED;
        }
        lastIoMillis = System.currentTimeMillis();
        log.info("MASTER <-> REPLICA sync: Finished with success");
        sendAck();
    }

    private void continued(String newReplId) {
        log.info("Successful partial resynchronization with master.");
        if (newReplId != null && !newReplId.equals(masterReplId)) {
            log.info("Master replication ID changed to {}", newReplId);
            masterReplId = newReplId;
        }
        // what was read past the last applied offset (an open transaction) comes again
        offset = reploff;
        newMasterClient(masterSession != null ? masterSession.db() : 0);
        synchronized (this) {
            state = LinkState.CONNECTED;
        }
        lastIoMillis = System.currentTimeMillis();
        log.info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
        sendAck();
    }

    private void command(byte[][] argv, int bytes) {
        lastIoMillis = System.currentTimeMillis();
        if (argv.length >= 2 && ascii(argv[0]).equalsIgnoreCase("replconf") && ascii(argv[1]).equalsIgnoreCase("getack")) {
            // answered with the offset before this command, as replicationSendAck inside it
            sendAck();
            applied(bytes);
            return;
        }
        String error = masterClient.execute(argv);
        if (error != null) {
            // as Redis's "== CRITICAL ==" log: the primary's write failed here, the data may differ
            log.warn("== CRITICAL == This replica failed to apply a command of its master: {} -> {}", ascii(argv[0]), error);
        }
        applied(bytes);
    }

    /** A command of {@code bytes} has run: read offset on, applied offset too outside a transaction. */
    private void applied(int bytes) {
        offset += bytes;
        if (!masterClient.transaction().isOpen()) {
            reploff = offset;
        }
    }

    private synchronized void failed(String why) {
        if (state != LinkState.CONNECT) {
            log.warn("Connection with master lost ({})", why);
        }
        giveUpLink();
    }

    private void sendAck() {
        Channel c = channel;
        if (c != null && c.isActive()) {
            MasterLink.send(c, "REPLCONF", "ACK", Long.toString(reploff));
        }
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** ROLE as a replica: ["slave", host, port, state, offset]. */
    public Object[] role() {
        return new Object[] {"slave", masterHost, (long) masterPort, state.roleName, state == LinkState.CONNECTED ? reploff : -1L};
    }

    /** INFO replication's fields as a replica, in Redis 7.0's order, up to connected_slaves. */
    public void describe(BiConsumer<String, Object> field) {
        boolean up = state == LinkState.CONNECTED;
        field.accept("role", "slave");
        field.accept("master_host", masterHost);
        field.accept("master_port", masterPort);
        field.accept("master_link_status", up ? "up" : "down");
        field.accept("master_last_io_seconds_ago", up ? (System.currentTimeMillis() - lastIoMillis) / 1000 : -1);
        field.accept("master_sync_in_progress", state == LinkState.SYNC ? 1 : 0);
        field.accept("slave_read_repl_offset", offset);
        field.accept("slave_repl_offset", reploff);
        if (!up) {
            field.accept("master_link_down_since_seconds", -1);
        }
        field.accept("slave_priority", server.config().getLong(Option.REPLICA_PRIORITY));
        field.accept("slave_read_only", server.config().getBool(Option.REPLICA_READ_ONLY) ? 1 : 0);
        field.accept("replica_announced", server.config().getBool(Option.REPLICA_ANNOUNCED) ? 1 : 0);
    }

    /** The primary's replication id this replica follows. */
    public String masterReplId() {
        return masterReplId;
    }

    /** The replica's offset in the primary's stream (its master_repl_offset): what it applied. */
    public long offset() {
        return reploff;
    }

    /** Stops the link (server shutdown). */
    public synchronized void close() {
        closeLink();
        if (loop != null) {
            loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
