package io.damselfly.server.replication;

import io.damselfly.server.client.ClientSession;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.persist.Persistence;
import io.damselfly.server.pubsub.Subscriber;
import io.damselfly.server.rdb.RdbFileWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's full synchronisation, in Redis's two ways.
 *
 * <p><b>Diskless</b> (repl-diskless-sync, Redis 7's default, for a replica that announced {@code
 * capa eof}): the replica waits repl-diskless-sync-delay seconds from the first such request, or
 * until repl-diskless-sync-max-replicas are waiting, for others to share one snapshot (keep-alive
 * newlines meanwhile); then one snapshot goes to all of them as it is made, through {@link
 * Transfer}, framed as {@code $EOF:<40 random characters>\r\n}, the image, and the same 40
 * characters, never touching the disk; the stream since the moment follows each replica's first
 * acknowledgement (Redis's rdbSaveToSlavesSockets and repl_start_cmd_stream_on_ack). A replica
 * that stops reading for repl-timeout seconds is dropped; the transfer goes on for the others.
 *
 * <p><b>On disk</b> (otherwise): a snapshot saved to the RDB file
 * (SYNC or PSYNC waits for a running save to end, as Redis waits for a BGSAVE it cannot attach
 * to), the replica attached to the stream at the snapshot's moment, then the file sent as one bulk
 * ({@code $<length>\r\n} and the bytes), then the stream written since the moment. The file is
 * opened by the save's own thread, so a save that renames a newer snapshot over it before the
 * sender starts cannot make a replica load a later moment than the one it was attached at; a
 * server without persistence removes it once open (see {@link #openForSending}).
 *
 * <p>The file is read on a thread of its own, never an event loop, and handed to the replica's
 * connection through its inbox a chunk at a time, at most {@link #IN_FLIGHT} bytes ahead of the
 * socket, so a replica of a large dataset costs that much memory while it reads.
 */
public final class FullSync {
    private static final Logger log = LoggerFactory.getLogger(FullSync.class);
    private static final int CHUNK = 64 * 1024;
    private static final long IN_FLIGHT = 1 << 20;

    private final ReplicationStream stream;
    private final Persistence persistence;
    private final Keyspace keyspace;
    /** FUNCTION DUMP's payload of the libraries now. */
    private final Supplier<byte[]> functions;
    /** Whether no persistence is configured (no save points or schedule, appendonly no). */
    private final BooleanSupplier persistenceDisabled;
    private final ServerConfig config;
    /** Replicas waiting for the next diskless transfer, oldest first (Redis's WAIT_BGSAVE_START). Under this. */
    private final List<Waiter> waiting = new ArrayList<>();
    private final ExecutorService sender = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "damselfly-repl-send");
        t.setDaemon(true);
        return t;
    });

    public FullSync(ReplicationStream stream, Persistence persistence, Keyspace keyspace,
            Supplier<byte[]> functions, BooleanSupplier persistenceDisabled, ServerConfig config) {
        this.config = config;
        this.stream = stream;
        this.persistence = persistence;
        this.keyspace = keyspace;
        this.functions = functions;
        this.persistenceDisabled = persistenceDisabled;
    }

    /** Starts synchronising {@code client}, which sent SYNC (or PSYNC, which is told +FULLRESYNC first). */
    public void start(ClientSession client, boolean psync) {
        Subscriber inbox = client.subscriber();
        Object[] link = new Object[1];
        log.info("Replica {} asks for synchronization", client.address());
        if (client.rdbFilter() != ClientSession.RdbFilter.ALL) {
            startFiltered(client, inbox, psync);
            return;
        }
        stream.awaitsMoment(client, inbox);
        if (client.replicaTakesEof() && config.getBool(Option.REPL_DISKLESS_SYNC)) {
            waitForTransfer(new Waiter(client, inbox, psync, System.currentTimeMillis()));
            return;
        }
        persistence.saveForReplica(() -> link[0] = stream.attachAtMoment(client, inbox, psync), this::openForSending)
                .whenComplete((file, error) -> {
                    if (link[0] == null || file == null) {
                        if (file != null) {
                            closeQuietly(file);
                        }
                        log.warn("Replica {}: the snapshot for its synchronization failed", client.address());
                        if (link[0] != null) {
                            stream.failed(link[0]);
                        } else {
                            client.connection().close();
                        }
                        return;
                    }
                    sender.execute(() -> send(file, link[0], client, inbox));
                });
    }

    /** A replica waiting for a diskless transfer to begin. */
    private record Waiter(ClientSession client, Subscriber inbox, boolean psync, long sinceMillis) {
        boolean isGone() {
            return ReplicaLink.gone(client, inbox);
        }
    }

    private synchronized void waitForTransfer(Waiter w) {
        waiting.add(w);
        if (config.getInt(Option.REPL_DISKLESS_SYNC_DELAY) > 0) {
            log.info("Delay next BGSAVE for diskless SYNC");
        }
        startTransferIfDue(w.sinceMillis());
    }

    /**
     * Once a cron tick (replicationCron): the transfer starts once it is due. (The waiting
     * replicas' keep-alive newlines are the stream's: ReplicationStream.tick.)
     */
    public synchronized void tick(long nowMillis) {
        waiting.removeIf(Waiter::isGone);
        startTransferIfDue(nowMillis);
    }

    /**
     * shouldStartChildForReplication: no save or rewrite running, and the oldest waiter has
     * waited repl-diskless-sync-delay seconds or repl-diskless-sync-max-replicas (if not 0) wait.
     */
    private void startTransferIfDue(long nowMillis) {
        if (waiting.isEmpty() || persistence.busy()) {
            return;
        }
        long delayMillis = config.getInt(Option.REPL_DISKLESS_SYNC_DELAY) * 1000L;
        int enough = config.getInt(Option.REPL_DISKLESS_SYNC_MAX_REPLICAS);
        boolean waitedLongEnough = nowMillis - waiting.get(0).sinceMillis() >= delayMillis;
        if (!waitedLongEnough && (enough == 0 || waiting.size() < enough)) {
            return;
        }
        Transfer transfer = new Transfer(List.copyOf(waiting));
        CompletableFuture<Boolean> done = persistence.startTransfer(transfer::attachAtMoment, transfer);
        if (done == null) {
            return; // a save began meanwhile: the next tick tries again
        }
        waiting.clear();
        log.info("Starting BGSAVE for SYNC with target: replicas sockets");
        done.whenComplete((ok, error) -> transfer.finish(ok != null && ok));
    }

    /**
     * One diskless transfer: the output stream a save writes its image to, which passes each
     * piece to every replica still taking it, at most {@link #IN_FLIGHT} bytes ahead of each one's
     * socket. Used by the save thread alone (its moment, its writes and, after its end, {@link
     * #finish}); a replica gone or silent for repl-timeout seconds is dropped, and the save fails
     * (the transfer ends) when none is left, as Redis's parent kills a child with no reader.
     */
    private final class Transfer extends OutputStream {
        private final List<Waiter> replicas;
        /** Each replica's link once attached at the moment; null before, or once dropped. */
        private final Object[] links;
        private final byte[] mark;
        private boolean attached;

        Transfer(List<Waiter> replicas) {
            this.replicas = replicas;
            this.links = new Object[replicas.size()];
            this.mark = ReplicationStream.randomHexId().getBytes(StandardCharsets.US_ASCII);
        }

        /** At the snapshot's moment, every shard locked: each replica joins the stream, and its image begins. */
        void attachAtMoment() {
            attached = true;
            for (int i = 0; i < links.length; i++) {
                Waiter w = replicas.get(i);
                links[i] = w.isGone() ? null : stream.attachAtMoment(w.client(), w.inbox(), w.psync());
                if (links[i] == null) {
                    w.client().connection().close();
                    continue;
                }
                stream.streaming(links[i]);
                w.inbox().push(("$EOF:" + new String(mark, StandardCharsets.US_ASCII) + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            byte[] piece = Arrays.copyOfRange(b, off, off + len);
            boolean anyone = false;
            for (int i = 0; i < links.length; i++) {
                if (links[i] != null && roomFor(i)) {
                    replicas.get(i).inbox().push(piece);
                    anyone = true;
                }
            }
            if (!anyone) {
                log.warn("Diskless rdb transfer, last replica dropped, killing fork child.");
                throw new IOException("every replica of the transfer dropped");
            }
        }

        /** Waits until replica {@code i} has room; false once it was dropped (gone, or silent too long). */
        private boolean roomFor(int i) {
            Waiter w = replicas.get(i);
            Room room = awaitRoom(w.client(), w.inbox(), config.getLong(Option.REPL_TIMEOUT) * 1000);
            if (room == Room.READY && w.isGone()) {
                room = Room.GONE;
            }
            if (room == Room.STALLED) {
                log.warn("Disconnecting timedout replica (full sync): {}", w.client().address());
            }
            if (room != Room.READY) {
                drop(i);
                return false;
            }
            return true;
        }

        private void drop(int i) {
            stream.failed(links[i]);
            links[i] = null;
        }

        /**
         * After the save: each replica still here gets the end mark and goes online at its first
         * acknowledgement; after a failed save every one is dropped (they synchronise again).
         */
        void finish(boolean ok) {
            if (ok) {
                long stillUp = java.util.stream.IntStream.range(0, links.length)
                        .filter(i -> links[i] != null && !replicas.get(i).isGone()).count();
                log.warn("Diskless rdb transfer, done reading from pipe, {} replicas still up.", stillUp);
            }
            for (int i = 0; i < links.length; i++) {
                Waiter w = replicas.get(i);
                if (!attached) {
                    // the save failed before its moment: nobody joined the stream
                    w.client().connection().close();
                } else if (links[i] != null && (!ok || w.isGone())) {
                    drop(i);
                } else if (links[i] != null) {
                    w.inbox().push(mark);
                    stream.onlineAtAcknowledgement(links[i]);
                    log.info("Streamed RDB transfer with replica {} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming",
                            w.client().address());
                }
            }
        }
    }

    /**
     * A snapshot without the data (REPLCONF rdb-filter-only, redis-cli --functions-rdb): the
     * header and, when asked, the function libraries, made in memory at the moment the replica is
     * attached, never in the RDB file other replicas and restarts use.
     */
    private void startFiltered(ClientSession client, Subscriber inbox, boolean psync) {
        Object link;
        byte[] libraries;
        keyspace.lockAll();
        try {
            link = stream.attachAtMoment(client, inbox, psync);
            libraries = client.rdbFilter() == ClientSession.RdbFilter.FUNCTIONS ? functions.get() : null;
        } finally {
            keyspace.unlockAll();
        }
        if (link == null) {
            client.connection().close();
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            RdbFileWriter writer = new RdbFileWriter(out);
            writer.header(System.currentTimeMillis() / 1000, keyspace.usedMemory());
            if (libraries != null) {
                writer.functions(libraries);
            }
            writer.finish();
        } catch (IOException e) {
            // a stream in memory does not fail
            throw new UncheckedIOException(e);
        }
        byte[] file = out.toByteArray();
        sender.execute(() -> {
            stream.sending(link);
            inbox.push(("$" + file.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            inbox.push(file);
            stream.online(link);
            log.info("Synchronization with replica {} succeeded", client.address());
        });
    }

    /**
     * Opens the snapshot just saved for sending, on the save thread before another save may
     * replace the file. Without persistence (no save points or schedule, no AOF) the file is
     * removed at once, the open channel still reading it: it was made only to feed the replica, as
     * Redis's rdb-del-sync-files removes it, and what Redis 7's default diskless sync never writes;
     * left in place, a restart would load that old snapshot.
     */
    private FileChannel openForSending(Path file) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            if (persistenceDisabled.getAsBoolean()) {
                log.info("Removing the RDB file used to feed replicas in a persistence-less instance");
                Files.deleteIfExists(file);
            }
            return channel;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was written through it
        }
    }

    /** What {@link #awaitRoom} found. */
    private enum Room { READY, GONE, STALLED }

    /**
     * Waits while more than {@link #IN_FLIGHT} bytes of a replica's snapshot wait for its socket
     * (in its inbox and its connection's outbound buffer): READY once they do not, GONE if its
     * connection closes meanwhile, STALLED once they have not gone down for {@code stallMillis}
     * (0: never). On the sending thread, never an event loop.
     */
    private static Room awaitRoom(ClientSession client, Subscriber inbox, long stallMillis) {
        long since = System.currentTimeMillis();
        long lowest = Long.MAX_VALUE;
        long pending;
        while ((pending = inbox.queuedBytes() + client.connection().pendingOutputBytes()) > IN_FLIGHT) {
            if (ReplicaLink.gone(client, inbox)) {
                return Room.GONE;
            }
            long now = System.currentTimeMillis();
            if (pending < lowest) {
                lowest = pending;
                since = now;
            } else if (stallMillis > 0 && now - since > stallMillis) {
                return Room.STALLED;
            }
            LockSupport.parkNanos(200_000);
        }
        return Room.READY;
    }

    private void send(FileChannel file, Object link, ClientSession client, Subscriber inbox) {
        stream.sending(link);
        try (FileChannel channel = file) {
            long size = channel.size();
            inbox.push(("$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
            long sent = 0;
            while (sent < size) {
                if (awaitRoom(client, inbox, 0) == Room.GONE) {
                    return;
                }
                ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, size - sent));
                while (chunk.hasRemaining()) {
                    if (channel.read(chunk, sent + chunk.position()) < 0) {
                        throw new IOException("the snapshot file ended early");
                    }
                }
                inbox.push(chunk.array());
                sent += chunk.capacity();
            }
            stream.online(link);
            log.info("Synchronization with replica {} succeeded", client.address());
        } catch (IOException e) {
            log.warn("Replica {}: sending the snapshot failed: {}", client.address(), e.toString());
            stream.failed(link);
        }
    }
}
