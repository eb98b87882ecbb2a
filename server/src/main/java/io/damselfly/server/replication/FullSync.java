package io.damselfly.server.replication;

import io.damselfly.server.client.ClientSession;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.persist.Persistence;
import io.damselfly.server.pubsub.Subscriber;
import io.damselfly.server.rdb.RdbFileWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's full synchronisation, as Redis's disk-based sync: a snapshot saved to the RDB file
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
    private final ExecutorService sender = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "damselfly-repl-send");
        t.setDaemon(true);
        return t;
    });

    public FullSync(ReplicationStream stream, Persistence persistence, Keyspace keyspace,
            Supplier<byte[]> functions, BooleanSupplier persistenceDisabled) {
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

    private void send(FileChannel file, Object link, ClientSession client, Subscriber inbox) {
        stream.sending(link);
        try (FileChannel channel = file) {
            long size = channel.size();
            inbox.push(("$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
            long sent = 0;
            while (sent < size) {
                while (inbox.queuedBytes() + client.connection().pendingOutputBytes() > IN_FLIGHT) {
                    if (inbox.isClosed() || !client.connection().isOpen()) {
                        return;
                    }
                    LockSupport.parkNanos(200_000);
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
