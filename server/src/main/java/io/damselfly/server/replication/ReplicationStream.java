package io.damselfly.server.replication;

import io.damselfly.protocol.RespWriter;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.config.ClientOutputBufferLimits;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.pubsub.Subscriber;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication stream of this server as a primary: every write, in the form Redis propagates
 * it (see {@link Propagation}), as RESP commands with a SELECT wherever the database changes, with
 * Redis's offsets (master_repl_offset), kept in a {@link Backlog} and sent to every replica.
 *
 * <p>Design. One lock orders the stream. A command's writes are appended while the command still
 * holds the locks of the shards it changed, so two writes of one key reach the stream in the order
 * they ran, and a unit of several commands (a transaction, a script, a command with side effects)
 * is appended whole, MULTI/EXEC around it, under one hold of this lock, so units of commands on
 * different event loops never interleave. The stream is {@link #active} only once a replica has
 * attached (Redis creates its backlog then); before that, propagation costs the command path one
 * volatile read. A new replica is attached at its snapshot's moment, under every shard's lock
 * ({@link #attachAtMoment}), so the snapshot holds exactly the writes before its offset and the
 * stream exactly those after.
 *
 * <p>PSYNC2, as Redis 4.0 and later: the stream has a second id ({@code replId2}), valid up to
 * {@code secondReplOffset}, so a replica of a primary that failed over continues with the promoted
 * one from its backlog. While this server is itself a replica, the stream is its primary's: its
 * id, offsets and backlog are the primary's, fed with exactly the bytes the replica applied
 * ({@link #proxy}), and its own replicas receive those bytes (chained replication, Redis's
 * replicationFeedStreamFromMasterStream); nothing of its own clients' goes down it.
 */
public final class ReplicationStream {
    private static final Logger log = LoggerFactory.getLogger(ReplicationStream.class);

    private final ServerConfig config;
    private volatile String replId;
    /** The id this stream had before its last change of history (PSYNC2's replid2), or 40 zeros. */
    private String replId2 = NO_REPL_ID;
    /** The first offset {@link #replId2} is not valid for (second_repl_offset), or -1. */
    private long secondReplOffset = -1;
    /**
     * Whether writes are propagated: while replicas are fed ({@link #replicating}) or an AOF is
     * ({@link #aof}); changed only with every shard held; read by every write command.
     */
    private volatile boolean active;
    /** Replicas are fed: set when the first replica attaches, cleared while this server is itself a replica. */
    private boolean replicating;
    /** The append-only file fed with every unit, or null while it is off. */
    private UnitTarget aof;
    /** This server replicates a primary: its own stream takes nothing (REPLICAOF). */
    private boolean replicaMode;
    private Backlog backlog;
    /** master_repl_offset before the backlog exists. */
    private long offset;
    /** The database the stream last selected (Redis's slaveseldb); -1 forces a SELECT. */
    private int selectedDb = -1;
    private final CopyOnWriteArrayList<ReplicaLink> links = new CopyOnWriteArrayList<>();
    /**
     * Replicas that sent SYNC or PSYNC and wait for their snapshot's moment (Redis's
     * WAIT_BGSAVE_START: a diskless transfer's delay, or a save running): Redis lists a replica from
     * its SYNC on, so INFO counts and shows these as wait_bgsave. Under the lock.
     */
    private final List<Awaiting> awaitingMoment = new ArrayList<>();

    /** A replica waiting for its moment: its session and the inbox its snapshot will go to. */
    private record Awaiting(ClientSession client, Subscriber inbox) {
        boolean isGone() {
            return ReplicaLink.gone(client, inbox);
        }
    }
    /** WAIT's clients waiting for acknowledgements. */
    private final List<AckWaiter> ackWaiters = new ArrayList<>();
    private long lastPingMillis = System.currentTimeMillis();
    /** When waiting replicas last got their keep-alive newline. Under the lock. */
    private long lastKeepAliveMillis;
    /** Since when no replica is attached (Unix ms), for repl-backlog-ttl; 0 while one is. */
    private long noReplicasSince = System.currentTimeMillis();
    /** INFO stats sync_full, sync_partial_ok, sync_partial_err. Under the lock. */
    private long syncFull;
    private long syncPartialOk;
    private long syncPartialErr;

    public ReplicationStream(ServerConfig config, String replId) {
        this.config = config;
        this.replId = replId;
        config.watch(Option.REPL_BACKLOG_SIZE, v -> resizeBacklog());
    }

    /** Whether writes are propagated: a replica has attached since start. One volatile read. */
    public boolean active() {
        return active;
    }

    public String replId() {
        return replId;
    }

    /** master_repl_offset. */
    public synchronized long offset() {
        return backlog != null ? backlog.end() : offset;
    }

    // ---- appending ----------------------------------------------------------------------

    /**
     * Appends one unit: its commands, MULTI/EXEC around them when there are several and {@code
     * wrap}, as Redis's propagatePendingCommands. Answers the stream's offset after it.
     */
    long append(List<Op> ops, boolean wrap) {
        synchronized (this) {
            boolean multi = wrap && ops.size() > 1;
            if (aof != null) {
                aof.append(ops, multi);
            }
            if (!replicating) {
                return -1;
            }
            ByteBuf out = Unpooled.buffer(64);
            if (multi) {
                // MULTI carries the first command's database, so its SELECT comes before it; MULTI
                // and EXEC go to both targets whatever each holds (propagatePendingCommands)
                encode(out, ops.get(0).db(), MULTI);
            }
            for (Op op : ops) {
                if (op.toReplicas()) {
                    select(out, op.db());
                    out.writeBytes(op.command());
                }
            }
            if (multi) {
                encode(out, ops.get(ops.size() - 1).db(), EXEC);
            }
            if (!out.isReadable()) {
                // every op was for the AOF only (redis.set_repl(redis.REPL_AOF))
                return -1;
            }
            return write(ByteBufUtil.getBytes(out));
        }
    }

    /**
     * DEBUG REPLICATE: {@code argv} to the replicas as it is, in whatever database the stream
     * selected last, as Redis's replicationFeedSlaves (its tests send a command a replica cannot run).
     */
    public void feedReplicas(byte[][] argv) {
        appendToReplicas(argv);
    }

    /**
     * Sends {@code argv} to the replicas only, in no database (PING, REPLCONF GETACK: Redis writes
     * them with replicationFeedSlaves, never to the AOF).
     */
    private void appendToReplicas(byte[][] argv) {
        ByteBuf out = Unpooled.buffer(64);
        synchronized (this) {
            if (!replicating) {
                return;
            }
            writeCommand(out, argv);
            write(ByteBufUtil.getBytes(out));
        }
    }

    /**
     * Where units go besides the replicas: the append-only file. Called under the stream's lock,
     * in stream order, with every op of the unit ({@link Op#toAof} says which are for it) and
     * whether the unit is wrapped in MULTI/EXEC.
     */
    public interface UnitTarget {
        void append(List<Op> ops, boolean multi);
    }

    /**
     * Feeds {@code target} with every unit from now on, or stops (null). Call with every shard
     * locked, so that a command sees propagation on or off for all its writes.
     */
    public synchronized void feedAof(UnitTarget target) {
        aof = target;
        active = replicating || aof != null;
    }

    private static final byte[][] MULTI = {"MULTI".getBytes(StandardCharsets.US_ASCII)};
    private static final byte[][] EXEC = {"EXEC".getBytes(StandardCharsets.US_ASCII)};
    private static final byte[] SELECT = "SELECT".getBytes(StandardCharsets.US_ASCII);

    /** RESP of {@code argv}, after a SELECT when {@code db} is not the stream's (-1: any). Under the lock. */
    private void encode(ByteBuf out, int db, byte[][] argv) {
        select(out, db);
        writeCommand(out, argv);
    }

    /** A SELECT when {@code db} is not the stream's database (-1: any). Under the lock. */
    private void select(ByteBuf out, int db) {
        if (db >= 0 && db != selectedDb) {
            writeCommand(out, new byte[][] {SELECT, Integer.toString(db).getBytes(StandardCharsets.US_ASCII)});
            selectedDb = db;
        }
    }

    /** The RESP of one command, as a unit keeps it until it is appended. */
    static byte[] encoded(byte[][] argv) {
        ByteBuf out = Unpooled.buffer(64);
        writeCommand(out, argv);
        return ByteBufUtil.getBytes(out);
    }

    /** A command as a client sends it: an array of bulk strings. */
    private static void writeCommand(ByteBuf out, byte[][] argv) {
        RespWriter.writeArrayHeader(out, argv.length);
        RespWriter.writeBulks(out, argv, 0, argv.length);
    }

    /** Adds bytes to the backlog and to every replica. Under the lock. */
    private long write(byte[] bytes) {
        if (bytes.length == 0) {
            return offset();
        }
        if (backlog == null) {
            offset += bytes.length;
            return offset;
        }
        backlog.write(bytes, 0, bytes.length);
        ClientOutputBufferLimits.Limit limit = replicaLimit();
        long now = System.currentTimeMillis();
        for (ReplicaLink link : links) {
            if (link.isGone()) {
                links.remove(link);
            } else {
                link.offer(bytes, limit, now);
            }
        }
        return backlog.end();
    }

    private ClientOutputBufferLimits.Limit replicaLimit() {
        return ((ClientOutputBufferLimits) config.get(Option.CLIENT_OUTPUT_BUFFER_LIMIT)).replica();
    }

    private synchronized void resizeBacklog() {
        if (backlog != null) {
            backlog.resize(backlogSize());
        }
    }

    private int backlogSize() {
        return (int) Math.min(Integer.MAX_VALUE - 8, config.getLong(Option.REPL_BACKLOG_SIZE));
    }

    // ---- replicas -----------------------------------------------------------------------

    /**
     * A replica's full synchronisation begins: called at its snapshot's moment with every shard
     * locked, so no write runs meanwhile. From here the stream is active and the replica collects
     * it; {@code fullResync} (PSYNC's "+FULLRESYNC replid offset", or null for SYNC) is the first
     * thing it is sent. Answers the link, which {@link #online} later releases.
     */
    public synchronized Object attachAtMoment(ClientSession client, Subscriber inbox, boolean psync) {
        if (replicaMode) {
            if (backlog == null) {
                // this replica's own synchronisation began since the SYNC was accepted: dropped
                return null;
            }
            // chained: the replica passes its primary's stream on (proxy); its own writes stay here
        } else {
            if (backlog == null) {
                // as createReplicationBacklog: the backlog starts at the stream's current offset
                backlog = new Backlog(backlogSize(), offset);
            }
            replicating = true;
            active = true;
        }
        // as Redis's syncCommand: a new replica's stream starts with a SELECT
        selectedDb = -1;
        awaitingMoment.removeIf(a -> a.client() == client);
        ReplicaLink link = new ReplicaLink(client, inbox, psync);
        if (psync) {
            inbox.push(("+FULLRESYNC " + replId + " " + backlog.end() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        attach(link);
        return link;
    }

    /** The link's snapshot file is going out (INFO shows send_bulk). */
    public synchronized void sending(Object link) {
        ((ReplicaLink) link).state = ReplicaLink.State.SEND_BULK;
    }

    /** The link's file is out: the stream since its moment follows, and the replica is online. */
    public synchronized void online(Object link) {
        ((ReplicaLink) link).goOnline();
    }

    /**
     * The link's snapshot goes to its connection as it is made, marked at its end instead of
     * sized (diskless sync): no keep-alive newline may go into it meanwhile.
     */
    public synchronized void streaming(Object link) {
        ((ReplicaLink) link).streamed = true;
    }

    /**
     * A streamed snapshot is out: the stream since its moment follows the replica's first
     * acknowledgement, as Redis's repl_start_cmd_stream_on_ack has it, since a replica can tell
     * where a marked snapshot ends only when nothing follows it in the same read.
     */
    public synchronized void onlineAtAcknowledgement(Object link) {
        ReplicaLink l = (ReplicaLink) link;
        // online for INFO and its timeout from now, as replicaPutOnline, the stream still held
        l.onlineAtAck = true;
        l.ackMillis = System.currentTimeMillis();
        l.state = ReplicaLink.State.ONLINE;
    }

    /** The link's synchronisation failed (its save failed): the replica is dropped. */
    public void failed(Object link) {
        ReplicaLink l = (ReplicaLink) link;
        links.remove(l);
        l.client.connection().close();
    }

    /**
     * PSYNC with this stream's id from an offset the backlog still holds: the replica continues
     * from there (+CONTINUE) and is online at once. False when it cannot, and a full
     * synchronisation is needed.
     */
    public synchronized boolean continueFrom(ClientSession client, Subscriber inbox, String id, long from) {
        // two ids may continue: this history's, and the one before it up to where they parted
        // (masterTryPartialResynchronization)
        boolean second = id.equalsIgnoreCase(replId2) && from <= secondReplOffset;
        if (!id.equalsIgnoreCase(replId) && !second) {
            if (id.equals("?")) {
                // "?" asks for a full synchronisation on purpose
                log.info("Full resync requested by replica {}", client.address());
            } else {
                syncPartialErr++;
                if (id.equalsIgnoreCase(replId2)) {
                    log.info("Partial resynchronization not accepted: Requested offset for second ID was {}, but I can reply up to {}",
                            from, secondReplOffset);
                } else {
                    log.info("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{}', my replication IDs are '{}' and '{}')",
                            id, replId, replId2);
                }
            }
            return false;
        }
        if (backlog == null || !backlog.holdsFrom(from)) {
            syncPartialErr++;
            log.info("Unable to partial resync with replica {} for lack of backlog (Replica request was: {}).", client.address(), from);
            if (from > offset()) {
                log.warn("Warning: replica {} tried to PSYNC with an offset that is greater than the master replication offset.",
                        client.address());
            }
            return false;
        }
        ReplicaLink link = new ReplicaLink(client, inbox, true);
        inbox.push(("+CONTINUE " + replId + "\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] missed = backlog.copyFrom(from);
        if (missed.length > 0) {
            inbox.push(missed);
        }
        link.goOnline();
        attach(link);
        syncPartialOk++;
        log.info("Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting from offset {}.",
                client.address(), missed.length, from);
        return true;
    }

    /** Replica ids not had: Redis's replid2 before any failover (40 zeros, as INFO shows it). */
    private static final String NO_REPL_ID = "0".repeat(40);

    /** A full synchronisation begins (SYNC, or PSYNC that cannot continue): INFO sync_full. */
    public synchronized void countFullSync() {
        syncFull++;
    }

    /** CONFIG RESETSTAT: the synchronisation counts start again from 0 (resetServerStats). */
    public synchronized void resetSyncCounts() {
        syncFull = 0;
        syncPartialOk = 0;
        syncPartialErr = 0;
    }

    /** INFO stats' sync_full, sync_partial_ok, sync_partial_err. */
    public synchronized void describeSyncs(BiConsumer<String, Object> field) {
        field.accept("sync_full", syncFull);
        field.accept("sync_partial_ok", syncPartialOk);
        field.accept("sync_partial_err", syncPartialErr);
    }

    /**
     * {@code client} asked for a full synchronisation whose moment is still to come: from now it is
     * a replica (CLIENT LIST's flag S) and INFO shows it waiting, as Redis's syncCommand adds it to
     * its replicas at once.
     */
    public synchronized void awaitsMoment(ClientSession client, Subscriber inbox) {
        client.markReplica();
        awaitingMoment.add(new Awaiting(client, inbox));
    }

    /** Under the lock. */
    private void attach(ReplicaLink link) {
        link.client.markReplica();
        links.add(link);
        noReplicasSince = 0;
    }

    /**
     * This server became a replica (REPLICAOF host port): nothing of its own is appended from here;
     * its backlog and attached replicas stay, as Redis keeps them, so that both may continue if the
     * new primary continues this history (a replica of this server promoted); otherwise they go
     * when the new primary's history replaces this one ({@link #replaceHistory}, {@link #continuedWith}).
     */
    public synchronized void becomeReplica() {
        replicaMode = true;
        replicating = false;
        active = aof != null;
    }

    /**
     * A primary again (REPLICAOF NO ONE, a failover): this history goes on under a new id, the
     * old one kept as the second up to here (Redis's shiftReplicationId), so the replicas of the
     * primary it followed continue with it from the backlog; the attached replicas are
     * disconnected to learn the new id, as Redis's replicationUnsetMaster. With a backlog, writes
     * propagate into it from here, replicas or not.
     */
    public synchronized void becomePrimary() {
        replicaMode = false;
        replId2 = replId;
        secondReplOffset = offset() + 1;
        replId = randomHexId();
        log.warn("Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
                replId2, secondReplOffset, replId);
        disconnectReplicas();
        // the first unit after this starts with a SELECT (no full synchronisation forces one now)
        selectedDb = -1;
        noReplicasSince = System.currentTimeMillis();
        if (backlog != null) {
            replicating = true;
            active = true;
        }
    }

    /**
     * A replica's full synchronisation replaces the data set (Redis's replicationAttachToNewMaster,
     * when the snapshot begins to load): this history ends, the backlog goes, and attached replicas
     * are disconnected to synchronise again once the new one is in.
     */
    public synchronized void replaceHistory() {
        backlog = null;
        disconnectReplicas();
    }

    /**
     * A replica loaded its primary's snapshot taken at {@code at}: the stream is the primary's
     * from here, {@code primaryId} its id, with a new backlog (a replica keeps one, with or
     * without replicas of its own, so that it can serve its former siblings if it is promoted).
     */
    public synchronized void followFrom(String primaryId, long at) {
        replId = primaryId;
        replId2 = NO_REPL_ID;
        secondReplOffset = -1;
        offset = at;
        backlog = new Backlog(backlogSize(), at);
    }

    /**
     * A replica continued with its primary (+CONTINUE), which gave {@code primaryId}: a new id
     * means the primary's history went on under it (it was promoted, or it follows a promoted
     * one): the old id becomes the second, up to here, and the attached replicas are disconnected
     * to learn it (they continue at once). A replica without a backlog starts one here.
     */
    public synchronized void continuedWith(String primaryId) {
        if (!primaryId.equalsIgnoreCase(replId)) {
            replId2 = replId;
            secondReplOffset = offset() + 1;
            replId = primaryId;
            log.warn("Master replication ID changed to {}", primaryId);
            disconnectReplicas();
        }
        if (backlog == null) {
            backlog = new Backlog(backlogSize(), offset);
        }
    }

    /**
     * Bytes of the primary's stream that this replica applied (whole commands, a transaction's only
     * once its EXEC ran): into the backlog and to the attached replicas, unchanged, so their offsets
     * are the primary's. Called by the one thread applying the stream, while no snapshot's moment
     * can fall between the apply and this ({@code Keyspace.momentGuard}).
     */
    public synchronized void proxy(byte[] bytes) {
        write(bytes);
    }

    /**
     * At start, before a primary loads its RDB file: a backlog from offset 0 for the DELs of the
     * keys the load drops as expired ({@link #expiredAtLoad}), as loadDataFromDisk creates one.
     */
    public synchronized void beginLoad() {
        backlog = new Backlog(backlogSize(), 0);
        selectedDb = -1;
    }

    /** A key the start's load dropped as expired: its DEL (UNLINK when {@code lazy}) into the backlog. */
    public synchronized void expiredAtLoad(int db, byte[] key, boolean lazy) {
        ByteBuf out = Unpooled.buffer(32 + key.length);
        encode(out, db, Propagation.deletion(key, lazy));
        write(ByteBufUtil.getBytes(out));
    }

    /**
     * The start's load ended. A file with its place in a stream ({@code file} not null): that
     * history goes on here as the second id, up to the file's offset, after which the DELs
     * written meanwhile now stand, so the replicas of this primary before its restart continue
     * from the backlog. Without one the backlog goes (no replica could continue from it).
     */
    public synchronized void endLoad(io.damselfly.server.rdb.RdbFileWriter.ReplicationInfo file) {
        if (backlog == null) {
            return;
        }
        if (file == null) {
            offset = backlog.end();
            backlog = null;
            return;
        }
        replId2 = file.replId();
        secondReplOffset = file.offset() + 1;
        backlog.rebase(file.offset());
        replicating = true;
        active = true;
        noReplicasSince = System.currentTimeMillis();
    }

    /**
     * At start, a replica whose RDB file holds its place in its primary's stream: this server's
     * history is that one, which it asks its primary to continue (loadDataFromDisk's cached master).
     */
    public synchronized void restoreFollowing(io.damselfly.server.rdb.RdbFileWriter.ReplicationInfo file) {
        replId = file.replId();
        offset = file.offset();
        backlog = null;
    }

    /** Under the lock: every attached replica's connection closed; they connect again by themselves. */
    private void disconnectReplicas() {
        for (ReplicaLink l : links) {
            l.client.connection().close();
        }
        links.clear();
    }

    /** {@code client}, a replica, sent something: it is alive (repl-timeout counts from here). */
    public void heardFrom(ClientSession client) {
        ReplicaLink link = linkOf(client);
        if (link != null) {
            link.ackMillis = System.currentTimeMillis();
        }
    }

    /** REPLCONF ACK from {@code client}: it has applied the stream up to {@code ackOffset}. */
    public void acknowledged(ClientSession client, long ackOffset) {
        ReplicaLink link = linkOf(client);
        if (link == null) {
            return;
        }
        link.ackOffset = Math.max(link.ackOffset, ackOffset);
        link.ackMillis = System.currentTimeMillis();
        if (link.onlineAtAck) {
            synchronized (this) {
                if (link.onlineAtAck) {
                    link.goOnline();
                    log.info("Synchronization with replica {} succeeded", link.client.address());
                }
            }
        }
        List<Runnable> done = new ArrayList<>();
        synchronized (ackWaiters) {
            ackWaiters.removeIf(w -> {
                int n = acknowledgedAtLeast(w.offset);
                if (n >= w.wanted) {
                    done.add(() -> w.done.accept(n));
                    return true;
                }
                return false;
            });
        }
        done.forEach(Runnable::run);
    }

    /** Whether {@code client} is an attached replica. */
    public boolean isReplica(ClientSession client) {
        return linkOf(client) != null;
    }

    private ReplicaLink linkOf(ClientSession client) {
        for (ReplicaLink l : links) {
            if (l.client == client) {
                return l;
            }
        }
        return null;
    }

    /** Online replicas that acknowledged at least {@code offset}. */
    public int acknowledgedAtLeast(long offset) {
        int n = 0;
        for (ReplicaLink l : links) {
            if (!l.isGone() && l.state == ReplicaLink.State.ONLINE && l.ackOffset >= offset) {
                n++;
            }
        }
        return n;
    }

    /**
     * WAIT: calls {@code done} with the count once {@code wanted} replicas acknowledged {@code
     * offset} (from the thread that receives the last acknowledgement), after asking every replica
     * for one (REPLCONF GETACK *, as Redis's beforeSleep sends). Answers a handle for {@link
     * #stopWaiting}.
     */
    public Object awaitAcknowledgements(long offset, int wanted, IntConsumer done) {
        AckWaiter w = new AckWaiter(offset, wanted, done);
        synchronized (ackWaiters) {
            ackWaiters.add(w);
        }
        askForAcknowledgements();
        return w;
    }

    /** REPLCONF GETACK * to every replica: each answers with its offset (sendGetackToReplicas). */
    public void askForAcknowledgements() {
        appendToReplicas(new byte[][] {bytes("REPLCONF"), bytes("GETACK"), bytes("*")});
    }

    /**
     * Whether every attached replica acknowledged this primary's whole stream (isReadyToShutdown):
     * true without replicas; false while one is still being synchronised.
     */
    public boolean replicasInSync() {
        long end = offset();
        for (ReplicaLink l : links) {
            if (!l.isGone() && l.ackOffset != end) {
                return false;
            }
        }
        return true;
    }

    /**
     * finishShutdown's report: each replica behind this primary's offset, then how many of how
     * many are in sync (nothing without replicas).
     */
    public synchronized void logReplicasAtShutdown() {
        long end = offset();
        long now = System.currentTimeMillis();
        int replicas = 0;
        int lagging = 0;
        for (ReplicaLink l : links) {
            if (l.isGone()) {
                continue;
            }
            replicas++;
            if (l.ackOffset != end) {
                lagging++;
                long lag = l.state == ReplicaLink.State.ONLINE ? (now - l.ackMillis) / 1000 : 0;
                log.warn("Lagging replica {}:{} reported offset {} behind master, lag={}, state={}.",
                        replicaIp(l), replicaPort(l), end - l.ackOffset, lag, l.state.infoName);
            }
        }
        if (replicas > 0) {
            log.info("{} of {} replicas are in sync when shutting down.", replicas - lagging, replicas);
        }
    }

    public void stopWaiting(Object handle) {
        synchronized (ackWaiters) {
            ackWaiters.remove(handle);
        }
    }

    private record AckWaiter(long offset, int wanted, IntConsumer done) {
    }

    /**
     * The attached replica announced at {@code host}:{@code port} (its REPLCONF ip-address, or its
     * connection's address, and its listening port: Redis's findReplica), or null.
     */
    public synchronized ReplicaState replicaAt(String host, int port) {
        for (ReplicaLink l : links) {
            if (!l.isGone() && replicaPort(l) == port && replicaIp(l).equalsIgnoreCase(host)) {
                return describe(l);
            }
        }
        return null;
    }

    /** The first attached replica that acknowledged this whole stream, or null. */
    public synchronized ReplicaState caughtUpReplica() {
        long end = offset();
        for (ReplicaLink l : links) {
            if (!l.isGone() && l.ackOffset == end) {
                return describe(l);
            }
        }
        return null;
    }

    private static ReplicaState describe(ReplicaLink l) {
        return new ReplicaState(replicaIp(l), replicaPort(l), l.state == ReplicaLink.State.ONLINE, l.ackOffset);
    }

    /** A replica as its primary knows it: where it listens, whether it is online, what it acknowledged. */
    public record ReplicaState(String ip, int port, boolean online, long ackOffset) {
    }

    /** Replicas attached or waiting for their moment, and not gone (INFO connected_slaves). */
    public synchronized int replicaCount() {
        int n = 0;
        for (ReplicaLink l : links) {
            if (!l.isGone()) {
                n++;
            }
        }
        for (Awaiting a : awaitingMoment) {
            if (!a.isGone()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Online replicas whose last acknowledgement is at most {@code maxLagSeconds} old (Redis's
     * repl_good_slaves_count, for min-replicas-to-write).
     */
    public int goodReplicas(long maxLagSeconds) {
        long now = System.currentTimeMillis();
        int n = 0;
        for (ReplicaLink l : links) {
            if (!l.isGone() && l.state == ReplicaLink.State.ONLINE && (now - l.ackMillis) / 1000 <= maxLagSeconds) {
                n++;
            }
        }
        return n;
    }

    /**
     * Once a cron tick: PING into the stream every repl-ping-replica-period seconds while replicas
     * are attached, as replicationCron, so replicas see the primary alive; gone links are dropped;
     * the backlog is freed after repl-backlog-ttl seconds without replicas.
     */
    public void tick(long nowMillis) {
        links.removeIf(ReplicaLink::isGone);
        synchronized (this) {
            awaitingMoment.removeIf(Awaiting::isGone);
            keepWaitingReplicasAlive(nowMillis);
        }
        if (links.isEmpty()) {
            expireBacklog(nowMillis);
            return;
        }
        long timeout = config.getLong(Option.REPL_TIMEOUT);
        for (ReplicaLink l : links) {
            if (l.state == ReplicaLink.State.ONLINE && l.acknowledges && (nowMillis - l.ackMillis) / 1000 > timeout) {
                log.warn("Disconnecting timedout replica (streaming sync): {}:{}", replicaIp(l), replicaPort(l));
                l.client.connection().close();
            }
        }
        long period = config.getLong(Option.REPL_PING_REPLICA_PERIOD) * 1000;
        if (nowMillis - lastPingMillis >= period) {
            lastPingMillis = nowMillis;
            // in no database, so no SELECT goes with it; none while this server is itself a replica
            appendToReplicas(new byte[][] {bytes("PING")});
        }
    }

    /**
     * replicationCron's keep-alive: a newline a second to every replica waiting for its snapshot,
     * so that none times out on a long save or a diskless transfer's delay: those waiting for the
     * snapshot's moment (Redis's WAIT_BGSAVE_START: the delay, or a save of someone else's still
     * running) and those whose file is being saved (WAIT_BGSAVE_END, on disk). None goes into a
     * streamed snapshot. Under the lock, as the changes that precede a snapshot's first bytes are
     * ({@link #attachAtMoment}, {@link #sending}, {@link #streaming}): a newline is never pushed
     * after a header.
     */
    private void keepWaitingReplicasAlive(long nowMillis) {
        if (nowMillis - lastKeepAliveMillis < 1000) {
            return;
        }
        lastKeepAliveMillis = nowMillis;
        for (Awaiting a : awaitingMoment) {
            a.inbox().push(NEWLINE);
        }
        for (ReplicaLink l : links) {
            if (l.state == ReplicaLink.State.WAIT_BGSAVE && !l.streamed) {
                l.inbox.push(NEWLINE);
            }
        }
    }

    /**
     * replicationCron: a primary with no replica for repl-backlog-ttl seconds (0: never) frees its
     * backlog and takes a new replication id, so no replica can continue a stream it no longer
     * feeds. Writes stop being propagated until a replica attaches again (the AOF's go on).
     */
    private synchronized void expireBacklog(long nowMillis) {
        if (!links.isEmpty()) {
            return;
        }
        if (noReplicasSince == 0) {
            noReplicasSince = nowMillis;
        }
        long ttl = config.getLong(Option.REPL_BACKLOG_TTL);
        if (backlog == null || replicaMode || ttl == 0 || (nowMillis - noReplicasSince) / 1000 <= ttl) {
            return;
        }
        offset = backlog.end();
        backlog = null;
        replicating = false;
        // without every shard held, unlike the other changes of active: a command that sees it
        // flip mid-way appends some writes to no one (nobody is fed) and the AOF's flag is unchanged
        active = aof != null;
        replId = randomHexId();
        log.info("Replication backlog freed after {} seconds without connected replicas.", ttl);
    }

    /**
     * 40 random hex characters (Redis's getRandomHexChars of CONFIG_RUN_ID_SIZE): a replication
     * id, or a diskless transfer's end mark.
     */
    static String randomHexId() {
        byte[] id = new byte[20];
        new java.security.SecureRandom().nextBytes(id);
        return java.util.HexFormat.of().formatHex(id);
    }

    /** A keep-alive for a replica waiting for its snapshot (replicationCron's newline). */
    private static final byte[] NEWLINE = {'\n'};

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ---- INFO and ROLE ------------------------------------------------------------------

    /** INFO replication's fields after connected_slaves' line, in Redis 7.0's order. */
    public synchronized void describeReplicas(BiConsumer<String, Object> field) {
        int i = 0;
        long now = System.currentTimeMillis();
        for (ReplicaLink l : links) {
            if (l.isGone()) {
                continue;
            }
            long lag = l.state == ReplicaLink.State.ONLINE ? (now - l.ackMillis) / 1000 : 0;
            field.accept("slave" + i++, replicaInfo(l.client, l.state, l.ackOffset, lag));
        }
        for (Awaiting a : awaitingMoment) {
            if (!a.isGone()) {
                // after the attached ones, as they asked later; ROLE leaves them out, as Redis's does
                field.accept("slave" + i++, replicaInfo(a.client(), ReplicaLink.State.WAIT_BGSAVE, 0, 0));
            }
        }
    }

    /** One replica's {@code slaveN} value in INFO replication. */
    private static String replicaInfo(ClientSession c, ReplicaLink.State state, long offset, long lag) {
        return "ip=" + replicaIp(c) + ",port=" + c.replicaListeningPort() + ",state=" + state.infoName
                + ",offset=" + offset + ",lag=" + lag;
    }

    /**
     * Bytes of the stream held for replicas (INFO memory's replication buffers): what the backlog
     * holds, then per replica what waits for its snapshot to go out, in its inbox, and unwritten
     * to its socket. Index 0: the backlog; 1: the replicas' part.
     */
    public synchronized long[] bufferedBytes() {
        long replicas = 0;
        for (ReplicaLink l : links) {
            if (!l.isGone()) {
                replicas += l.heldBytes() + l.inbox.queuedBytes() + l.client.connection().pendingOutputBytes();
            }
        }
        return new long[] {backlog != null ? backlog.held() : 0, replicas};
    }

    /**
     * A snapshot's place in this stream (Redis's rdbPopulateSaveInfo), asked at its moment: the
     * database the stream is in ({@code primaryLinkDb}, the primary link's, on a replica; a
     * primary's next unit selects its own), its id and offset; null without a backlog (no
     * replication chain: a replica attaching starts a new one).
     */
    public synchronized io.damselfly.server.rdb.RdbFileWriter.ReplicationInfo replicationInfo(int primaryLinkDb) {
        if (backlog == null) {
            return null;
        }
        int db = replicaMode ? primaryLinkDb : Math.max(0, selectedDb);
        return new io.damselfly.server.rdb.RdbFileWriter.ReplicationInfo(db, replId, offset());
    }

    /** PSYNC2's second id (INFO master_replid2): the history before the last promotion, or 40 zeros. */
    public synchronized String replId2() {
        return replId2;
    }

    /** INFO replication's offsets and backlog fields. */
    public synchronized void describeBacklog(BiConsumer<String, Object> field) {
        field.accept("master_repl_offset", offset());
        field.accept("second_repl_offset", secondReplOffset);
        field.accept("repl_backlog_active", backlog != null ? 1 : 0);
        field.accept("repl_backlog_size", backlog != null ? backlog.size() : backlogSize());
        field.accept("repl_backlog_first_byte_offset", backlog != null ? backlog.firstByte() : 0);
        field.accept("repl_backlog_histlen", backlog != null ? backlog.held() : 0);
    }

    /** ROLE's replica entries: the online replicas. */
    public synchronized List<ReplicaState> onlineReplicas() {
        List<ReplicaState> out = new ArrayList<>();
        for (ReplicaLink l : links) {
            if (!l.isGone() && l.state == ReplicaLink.State.ONLINE) {
                out.add(describe(l));
            }
        }
        return out;
    }

    private static String replicaIp(ReplicaLink l) {
        return replicaIp(l.client);
    }

    /** Where a replica says it is (REPLCONF ip-address), or its connection's address. */
    private static String replicaIp(ClientSession client) {
        String ip = client.replicaAnnouncedIp();
        if (ip != null) {
            return ip;
        }
        String addr = client.address();
        int colon = addr.lastIndexOf(':');
        return colon > 0 ? addr.substring(0, colon) : addr;
    }

    private static int replicaPort(ReplicaLink l) {
        return l.client.replicaListeningPort();
    }

    /**
     * One propagated command: its database (-1: none) and its RESP, encoded when it was
     * propagated, so a later command of the same unit that changes a stored value in place (a
     * large string is the request's own array) cannot change what this one sends; {@code toAof}
     * false for what goes to replicas only (PUBLISH, as Redis's PROPAGATE_REPL), {@code
     * toReplicas} false for what goes to the AOF only (a script's call after
     * redis.set_repl(redis.REPL_AOF)).
     */
    public record Op(int db, byte[] command, boolean toAof, boolean toReplicas) {
    }
}
