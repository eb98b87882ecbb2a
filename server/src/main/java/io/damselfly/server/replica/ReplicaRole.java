package io.damselfly.server.replica;

import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.ObeyedClient;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.config.Option;
import io.damselfly.server.net.ChannelConnection;
import io.damselfly.server.rdb.RdbFileWriter;
import io.damselfly.server.rdb.RdbLoader;
import io.damselfly.server.replication.ReplicationStream;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
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
import java.util.concurrent.locks.Lock;
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
 * selected database is kept. A primary that cannot continue sends a full synchronisation. The
 * server's replication stream is the primary's while it is a replica: each command applied goes
 * on to its own replicas as it came (chained replicas), under the keyspace's moment guard. A
 * primary made a replica asks the new primary to continue its own history (Redis's cached master
 * from itself), which a promoted replica of its own holds as its second id (PSYNC2).
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
    private volatile long generation;
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
     * link may ask to continue (Redis's cached master): from a completed synchronisation, or from
     * becoming a replica (the server's own history), until a full one begins or it is a primary again.
     */
    private volatile boolean continuable;
    /**
     * The database the primary's stream is in when this server continues its own history as a
     * replica (no link has selected one): 0, or the one its RDB file recorded at start.
     */
    private volatile int cachedDb;
    /** The primary's link as a client (CLIENT LIST, CLIENT KILL); listed while the link is up. */
    private ClientSession masterSession;
    private volatile long lastIoMillis;
    private volatile long lastAckMillis;
    /**
     * Stream bytes run but not applied yet: an open transaction's, passed on with its EXEC. Used by
     * the links' thread only.
     */
    private final ByteBuf unapplied = Unpooled.buffer(256);
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
    public String replicate(String host, int port) {
        return replicate(host, port, 0);
    }

    /**
     * At start: a replica of {@code host}:{@code port} whose RDB file was at {@code file} in that
     * primary's stream, which it asks to continue from there (the database the stream was in
     * included), as Redis's replica does after a restart.
     */
    public synchronized void replicateFrom(String host, int port, RdbFileWriter.ReplicationInfo file) {
        server.propagation().stream().restoreFollowing(file);
        replicate(host, port, file.streamDb());
    }

    /** REPLICAOF; {@code cachedDb}: the database the stream is in, for a primary made a replica. */
    private synchronized String replicate(String host, int port, int cachedDb) {
        if (masterHost != null && masterHost.equalsIgnoreCase(host) && masterPort == port) {
            log.info("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
            return "OK Already connected to specified master";
        }
        boolean wasPrimary = masterHost == null;
        closeLink();
        disconnectBlockedClients();
        if (wasPrimary) {
            ReplicationStream stream = server.propagation().stream();
            stream.becomeReplica();
            // replicationCacheMasterUsingMyself: this server's own history is what it may continue
            // with the new primary (one of its replicas, promoted, holds it as its second id)
            log.info("Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.");
            masterReplId = stream.replId();
            reploff = stream.offset();
            offset = reploff;
            this.cachedDb = cachedDb;
            continuable = true;
        }
        // a replica given another primary keeps its cached one: it asks the new primary to continue
        // the history it follows, which a promoted sibling can
        masterHost = host;
        masterPort = port;
        // CONFIG GET replicaof and CONFIG REWRITE show the role in force, as Redis's do
        server.config().set(Option.REPLICAOF, host + " " + port);
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
        // between two commands of the primary's stream, as Redis runs REPLICAOF between them: the
        // history's second id must end after the last command applied, which the link's thread
        // may be finishing (a REPLCONF GETACK is acknowledged before it counts as applied).
        // Not when this thread holds a shard (REPLICAOF inside EXEC): the link may wait for it
        Lock guard = server.keyspace().holdsAnyShard() ? null : server.keyspace().momentGuard();
        if (guard != null) {
            guard.lock();
        }
        try {
            closeLink();
            continuable = false;
            // a later REPLICAOF continues in its cached database, not this link's (the primary it
            // then follows starts its stream with a SELECT, as a promoted one does)
            masterSession = null;
            masterHost = null;
            server.config().set(Option.REPLICAOF, "");
            state = LinkState.CONNECT;
            server.propagation().stream().becomePrimary();
            // an AOF a failed synchronisation left off starts again (replicationUnsetMaster)
            server.restartAofAfterSync();
            roleListener.run();
        } finally {
            if (guard != null) {
                guard.unlock();
            }
        }
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
        // what an earlier link read of a transaction it broke in the middle of comes again whole
        // from the primary (the continuation starts at the applied offset): not passed on twice
        unapplied.clear();
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
                .handler(new MasterLink(guarded(gen), auth, listeningPort(),
                        server.config().getString(Option.REPLICA_ANNOUNCE_IP), temp, this::psyncRequest));
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
     * PSYNC's arguments for a new link: the primary's id and the offset after what was applied
     * (Redis's cached master), or "? -1" for a full synchronisation, then FAILOVER when this server,
     * a primary handing over, asks its replica to take over. Asked on the links' thread, the one
     * that applies the stream, so the offset is read after the last command of an earlier link
     * was applied.
     */
    private String[] psyncRequest() {
        String[] request = continuable ? new String[] {masterReplId, Long.toString(reploff + 1)} : new String[] {"?", "-1"};
        if (continuable) {
            log.info("Trying a partial resynchronization (request {}:{}).", request[0], request[1]);
        }
        if (server.failover().handingOver()) {
            return new String[] {request[0], request[1], "FAILOVER"};
        }
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
                    // a failover's target took over, with a full synchronisation (not the usual way)
                    server.failover().targetAnswered(true);
                    ReplicaRole.this.fullResync(replId, at);
                }
            }

            @Override
            public void continued(String newReplId) {
                if (current(gen)) {
                    server.failover().targetAnswered(true);
                    ReplicaRole.this.continued(newReplId);
                }
            }

            @Override
            public void psyncRefused(String reply) {
                if (current(gen)) {
                    // without this role's lock: the failover's is taken first (Failover.tick)
                    server.failover().targetAnswered(false);
                }
            }

            @Override
            public void snapshotReceived(Path file) throws IOException {
                if (current(gen)) {
                    ReplicaRole.this.snapshotReceived(file, gen);
                }
            }

            @Override
            public void command(byte[][] argv, ByteBuf frame) {
                // nothing of a killed link is applied after the kill. No lock: a command takes
                // shard locks, which EXEC may hold while it calls into this role (REPLICAOF)
                if (killedGeneration != gen && current(gen)) {
                    ReplicaRole.this.command(argv, frame, gen);
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
        // the history this server followed ends here: its backlog and replicas go (replicationAttachToNewMaster)
        server.propagation().stream().replaceHistory();
        int[] streamDb = {0};
        // other clients answer LOADING until the snapshot is in, as Redis's startLoading there
        server.whileLoading(() -> {
            log.info("MASTER <-> REPLICA sync: Flushing old data");
            server.keyspace().flushAll();
            server.scripts().functions().flush();
            log.info("MASTER <-> REPLICA sync: Loading DB in memory");
            // a newline to the primary each second of a long load, as replicationSendNewlineToMaster,
            // so it does not time this replica out (written at once: this is the link's own thread)
            Channel link = channel;
            RdbLoader.Result loaded = server.persistence().load(code -> server.scripts().functions().load(code, true), true,
                    () -> {
                        if (link != null && link.isActive()) {
                            link.writeAndFlush(link.alloc().buffer(1).writeByte('\n'));
                        }
                    });
            // the stream goes on in the database it was in at the snapshot's moment (a primary
            // that is itself a replica passes its primary's stream on, with no SELECT of its own)
            if (loaded != null && loaded.replication() != null && loaded.replication().streamDb() >= 0
                    && loaded.replication().streamDb() < server.keyspace().databases()) {
                streamDb[0] = loaded.replication().streamDb();
            }
        });
        server.restartAofAfterSync();
        synchronized (this) {
            if (!current(gen)) {
                // a REPLICAOF while it loaded: the data is this link's, the role no longer is
                return;
            }
            newMasterClient(streamDb[0]);
            // the primary's history from here: its id and offset, a new backlog (replicationCreateMasterClient's caller)
            server.propagation().stream().followFrom(masterReplId, reploff);
            continuable = true;
            state = LinkState.CONNECTED;
        }
        lastIoMillis = System.currentTimeMillis();
        log.info("MASTER <-> REPLICA sync: Finished with success");
        sendAck();
    }

    private void continued(String newReplId) {
        log.info("Successful partial resynchronization with master.");
        if (newReplId != null) {
            masterReplId = newReplId;
        }
        // a new id: the old becomes the second and this server's replicas learn it (they reconnect)
        server.propagation().stream().continuedWith(masterReplId);
        // what was read past the last applied offset (an open transaction) comes again
        offset = reploff;
        newMasterClient(masterSession != null ? masterSession.db() : cachedDb);
        synchronized (this) {
            state = LinkState.CONNECTED;
        }
        lastIoMillis = System.currentTimeMillis();
        log.info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
        sendAck();
    }

    /**
     * One command of the primary's stream: run as the primary's client, then passed on as it came
     * (into the backlog and to this server's own replicas) once applied, under the keyspace's
     * moment guard, so a snapshot for a replica of this one holds exactly what was passed on.
     */
    private void command(byte[][] argv, ByteBuf frame, long gen) {
        lastIoMillis = System.currentTimeMillis();
        Lock guard = server.keyspace().momentGuard();
        guard.lock();
        try {
            if (killedGeneration == gen || gen != generation || masterHost == null) {
                // the link ended (REPLICAOF, a kill) while this command waited for the guard
                return;
            }
            if (argv.length >= 2 && ascii(argv[0]).equalsIgnoreCase("replconf") && ascii(argv[1]).equalsIgnoreCase("getack")) {
                // answered with the offset before this command, as replicationSendAck inside it
                sendAck();
                applied(frame);
                return;
            }
            String error = masterClient.execute(argv);
            if (error != null) {
                // as Redis's "== CRITICAL ==" log: the primary's write failed here, the data may differ
                log.warn("== CRITICAL == This replica failed to apply a command of its master: {} -> {}", ascii(argv[0]), error);
            }
            applied(frame);
        } finally {
            guard.unlock();
        }
    }

    /**
     * A command's {@code frame} has run: the read offset moves on, and outside a transaction the
     * applied one too, passing on everything applied since the last time (a transaction's
     * MULTI and queued commands go with its EXEC, as Redis's replicationFeedStreamFromMasterStream
     * passes on only what its master client applied).
     */
    private void applied(ByteBuf frame) {
        offset += frame.readableBytes();
        if (masterClient.transaction().isOpen()) {
            unapplied.writeBytes(frame);
            return;
        }
        reploff = offset;
        byte[] bytes;
        if (unapplied.isReadable()) {
            unapplied.writeBytes(frame);
            bytes = ByteBufUtil.getBytes(unapplied);
            unapplied.clear();
            if (unapplied.capacity() > 1 << 20) {
                unapplied.capacity(256);
            }
        } else {
            bytes = ByteBufUtil.getBytes(frame);
        }
        server.propagation().stream().proxy(bytes);
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

    /**
     * The database the primary's stream is in (a snapshot's repl-stream-db, taken at its moment
     * under the keyspace's moment guard, so between two commands of the stream).
     */
    public int streamDb() {
        ClientSession s = masterSession;
        return s != null ? s.db() : 0;
    }

    /** Whether the link with the primary is up (a replica of this one may synchronise). */
    public boolean linkUp() {
        return state == LinkState.CONNECTED;
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
