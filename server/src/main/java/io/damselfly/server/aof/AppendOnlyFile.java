package io.damselfly.server.aof;

import io.damselfly.protocol.RespWriter;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.persist.Persistence;
import io.damselfly.server.replication.ReplicationStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only file, as Redis 7.0's multi-part AOF: every write, in the form it is propagated
 * to replicas, appended to the last incr file of {@code <dir>/<appenddirname>}, which a manifest
 * lists after a base file (the keyspace at the last rewrite's moment); at start, and by DEBUG
 * LOADAOF, the base and incr files are replayed. The one owner of the AOF's state: on/off, the
 * files, the buffer, fsync, rewrites (BGREWRITEAOF, the automatic ones, CONFIG SET appendonly
 * yes) and INFO persistence's aof_ fields.
 *
 * <p>Design. Units reach {@link #append} from the replication stream, under its lock and in its
 * order, so the file holds the writes as they ran across event loops, MULTI/EXEC around
 * transactions and scripts, a SELECT wherever the database changes (its own, as Redis's
 * aof_selected_db). They wait in a buffer (Redis's aof_buf) that is written to the file before
 * the replies of the writes go out: each event loop, at the end of its pass, writes what is
 * buffered before it flushes its connections ({@link #writeBuffered}), as Redis's beforeSleep
 * runs flushAppendOnlyFile before handleClientsWithPendingWrites; under appendfsync always it
 * also fsyncs there, which blocks that loop for the fsync as it blocks Redis. Under everysec a
 * thread of this class fsyncs once a second (Redis's bio job), and a loop does not write while
 * that fsync runs (write(2) would wait for it), up to two seconds, as Redis postpones its write.
 * A write that fails leaves the
 * buffer to be written again and refuses writes with MISCONF until one succeeds.
 *
 * <p>A rewrite is a snapshot ({@link Persistence#startRewrite}, the save machinery's moment
 * without a fork): at its moment, every shard locked, the AOF switches to a new incr file, so
 * the snapshot (the new base) holds exactly the writes before it and the new incr exactly those
 * after; once the snapshot is written (as an RDB image, or turned into commands with
 * aof-use-rdb-preamble no) the manifest is switched to the new base and that incr, and the old
 * files are deleted. CONFIG SET appendonly yes starts one and feeds the AOF from its moment on,
 * into a temporary incr file that becomes the first incr once the base exists (AOF_WAIT_REWRITE).
 */
public final class AppendOnlyFile implements ReplicationStream.UnitTarget {
    private static final Logger log = LoggerFactory.getLogger(AppendOnlyFile.class);

    /** Redis's aof_state. */
    public enum State { OFF, ON, WAIT_REWRITE }

    /** Replays AOF files into the server: the server's part of loading ({@link AofLoading}). */
    public interface Loader {
        /**
         * Loads the files of {@code manifest} (an old-style file found in dir is first upgraded
         * into it) with the AOF client, nothing propagated; the outcome as Redis's
         * loadAppendOnlyFiles. IOException where Redis exits (an upgrade that failed).
         */
        AofLoading.Result load(AofManifest manifest) throws IOException;
    }

    private final ServerConfig config;
    private final Persistence persistence;
    private final ReplicationStream stream;
    private final Keyspace keyspace;

    private volatile State state = State.OFF;

    // ---- the buffer: under this object's monitor -----------------------------------------
    private ByteBuf buffer = Unpooled.buffer(4096);
    /** Bytes buffered and not yet written: read without the lock by the loops. */
    private volatile int buffered;
    /** The database of the last command buffered (Redis's aof_selected_db); -1 forces a SELECT. */
    private int selectedDb = -1;
    /** The last #TS annotation's second (aof-timestamp-enabled). */
    private long annotatedSecond;

    // ---- the files: under fileLock ---------------------------------------------------------
    private final ReentrantLock fileLock = new ReentrantLock();
    private AofManifest manifest;
    private FileChannel incr;
    private String incrName;
    /** Redis's aof_last_incr_size and aof_last_incr_fsync_offset. */
    private volatile long incrSize;
    private volatile long incrSyncedSize;
    /** aof_current_size and aof_rewrite_base_size (INFO aof_current_size, aof_base_size). */
    private volatile long currentSize;
    private volatile long baseSize;
    private volatile String writeError;
    private volatile long lastFsyncMillis;
    private final AtomicInteger pendingFsyncs = new AtomicInteger();

    // ---- rewrites ------------------------------------------------------------------------
    private volatile boolean rewriting;
    private volatile boolean rewriteScheduled;
    /** Set when the rewrite's moment could not open its incr file: the rewrite fails. */
    private volatile String rewriteMomentError;
    /** {@link Keyspace#flushAlls()} as the running rewrite began: a FLUSHALL since voids its snapshot. */
    private volatile long flushAllsAtRewriteStart;
    /** Set when turning the AOF off stopped the running rewrite (Redis's SIGUSR1 to its child). */
    private volatile boolean rewriteCancelled;
    private volatile long rewriteStartMillis;
    private volatile long lastRewriteSeconds = -1;
    private volatile boolean lastRewriteOk = true;
    private volatile long rewrites;
    private volatile int consecutiveFailures;
    private final RewriteLimit limit = new RewriteLimit();

    /** fsyncs (everysec) and the old incr files' closes, as Redis's bio thread. */
    private final ExecutorService fsyncThread = daemonThread("damselfly-aof-fsync");
    /** Finishes rewrites: the command form, renames, the manifest, deleting history files. */
    private final ExecutorService rewriteThread = daemonThread("damselfly-aof-rewrite");
    /**
     * Orders turning on and off and starting rewrites. Never this object's monitor, which guards
     * the buffer: appenders take that one while they hold shard locks, and turning off takes
     * every shard's.
     */
    private final Object control = new Object();

    public AppendOnlyFile(ServerConfig config, Persistence persistence, ReplicationStream stream, Keyspace keyspace) {
        this.config = config;
        this.persistence = persistence;
        this.stream = stream;
        this.keyspace = keyspace;
    }

    /**
     * Writes the command form of the RDB image {@code rdb} to {@code out}, fsynced (a rewrite with
     * aof-use-rdb-preamble no: Redis's child writes commands; here the snapshot is taken as an
     * RDB image, as every snapshot is, and turned into commands after).
     */
    private void writeCommandForm(Path rdb, Path out) throws IOException {
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(rdb), 1 << 16);
                FileChannel channel = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            java.io.OutputStream os = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16);
            new CommandFormWriter(new io.damselfly.server.keyspace.ValueBuilder(keyspace), keyspace.databases(),
                    config.getBool(Option.RDBCHECKSUM)).write(in, Files.size(rdb), os, config.getBool(Option.AOF_TIMESTAMP_ENABLED));
            os.flush();
            channel.force(true);
        } catch (io.damselfly.server.rdb.RdbFormatException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static ExecutorService daemonThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    public State state() {
        return state;
    }

    /**
     * Whether the AOF was turned on and its first rewrite still runs: until it ends there is no
     * AOF holding the data set, so a shutdown would lose it (prepareForShutdown's AOF_WAIT_REWRITE
     * refusal).
     */
    public boolean writingInitialAof() {
        return state == State.WAIT_REWRITE && rewriting;
    }

    // ---- places ---------------------------------------------------------------------------

    /** dir: where Redis runs, and so where its AOF directory and an old-style AOF are. */
    private Path workDir() {
        return Path.of(config.getString(Option.DIR));
    }

    private Path dir() {
        return config.inDir(config.getString(Option.APPENDDIRNAME));
    }

    private String fileName() {
        return config.getString(Option.APPENDFILENAME);
    }

    private String manifestName() {
        return AofManifest.manifestName(fileName());
    }

    /** Where a rewrite's snapshot and finished base wait for their rename (Redis: the working directory). */
    private Path tempBase() {
        return config.inDir("temp-rewriteaof-bg-" + ProcessHandle.current().pid() + ".aof");
    }

    private Path tempSnapshot() {
        return config.inDir("temp-rewriteaof-" + ProcessHandle.current().pid() + ".aof");
    }

    // ---- start -----------------------------------------------------------------------------

    /**
     * At start with appendonly yes, before clients: loads the AOF (Redis's loadDataFromDisk with
     * the AOF on), then opens its last incr file (aofOpenIfNeededOnServerStart: a base made of the
     * empty keyspace first when there are no files). Throws {@link AofStartException} where Redis
     * exits.
     */
    public void start(Loader loader) {
        Path dir = dir();
        fileLock.lock();
        try {
            manifest = readManifest(dir);
            AofLoading.Result r = loader.load(manifest);
            if (r.status().fatal()) {
                throw new AofStartException("the append only file could not be loaded");
            }
            AofLoading.logLoadedAtStart(r);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                log.warn("Can't open or create append-only dir {}: {}", config.getString(Option.APPENDDIRNAME), e.getMessage());
                throw new AofStartException(e.getMessage());
            }
            if (manifest.base() == null && manifest.incrs().isEmpty()) {
                String base = manifest.newBaseFileNameAndMarkPreviousAsHistory(fileName(), config.getBool(Option.AOF_USE_RDB_PREAMBLE));
                if (!writeBaseHere(dir.resolve(base))) {
                    throw new AofStartException("the AOF base file could not be written");
                }
                log.info("Creating AOF base file {} on server start", base);
            }
            boolean opened = !manifest.incrs().isEmpty();
            incrName = manifest.lastIncrFileName(fileName());
            incr = FileChannel.open(dir.resolve(incrName), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            manifest.persist(dir, manifestName());
            incrSize = incr.size();
            incrSyncedSize = incrSize;
            baseSize = manifest.base() == null ? 0 : sizeOf(dir.resolve(manifest.base().name()));
            currentSize = filesSize(dir);
            log.info(opened ? "Opening AOF incr file {} on server start" : "Creating AOF incr file {} on server start", incrName);
            deleteHistory(manifest, dir);
            state = State.ON;
            stream.feedAof(this);
        } catch (IOException e) {
            throw new AofStartException(e.getMessage());
        } finally {
            fileLock.unlock();
        }
    }

    /** A failure where Redis exits at start. */
    public static final class AofStartException extends RuntimeException {
        AofStartException(String message) {
            super(message);
        }
    }

    /** The base made at start: the keyspace now, as an RDB image or as commands. */
    private boolean writeBaseHere(Path base) {
        boolean rdb = base.getFileName().toString().endsWith(".rdb");
        Path snapshot = rdb ? base : tempSnapshot();
        if (!persistence.rewriteHere(snapshot)) {
            return false;
        }
        if (!rdb) {
            try {
                writeCommandForm(snapshot, base);
            } catch (IOException e) {
                log.warn("Write error writing append only file on disk: {}", e.getMessage());
                return false;
            } finally {
                deleteQuietly(snapshot);
            }
        }
        return true;
    }

    // ---- feeding: under the replication stream's lock ------------------------------------

    private static final byte[][] MULTI = {"MULTI".getBytes(StandardCharsets.US_ASCII)};
    private static final byte[][] EXEC = {"EXEC".getBytes(StandardCharsets.US_ASCII)};
    private static final byte[] SELECT = "SELECT".getBytes(StandardCharsets.US_ASCII);

    /** One unit of the stream: its commands for the AOF, after a SELECT where the database changes. */
    @Override
    public synchronized void append(List<ReplicationStream.Op> ops, boolean multi) {
        if (state == State.OFF) {
            return;
        }
        annotate();
        if (multi) {
            // MULTI and EXEC go to the AOF as to replicas (propagatePendingCommands' PROPAGATE_AOF|REPL)
            select(ops.get(0).db());
            writeCommand(buffer, MULTI);
        }
        for (ReplicationStream.Op op : ops) {
            if (op.toAof()) {
                select(op.db());
                buffer.writeBytes(op.command());
            }
        }
        if (multi) {
            select(ops.get(ops.size() - 1).db());
            writeCommand(buffer, EXEC);
        }
        buffered = buffer.readableBytes();
    }

    /** A SELECT when {@code db} is not the buffer's database (-1: any). Under the monitor. */
    private void select(int db) {
        if (db >= 0 && db != selectedDb) {
            writeCommand(buffer, new byte[][] {SELECT, Integer.toString(db).getBytes(StandardCharsets.US_ASCII)});
            selectedDb = db;
        }
    }

    /** aof-timestamp-enabled: "#TS:<unix seconds>" before the first command of each new second. */
    private void annotate() {
        if (!config.getBool(Option.AOF_TIMESTAMP_ENABLED)) {
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        if (now > annotatedSecond) {
            annotatedSecond = now;
            buffer.writeBytes(("#TS:" + now + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void writeCommand(ByteBuf out, byte[][] argv) {
        RespWriter.writeArrayHeader(out, argv.length);
        RespWriter.writeBulks(out, argv, 0, argv.length);
    }

    // ---- writing ------------------------------------------------------------------------------

    /**
     * Before an event loop flushes its replies: writes what the buffer holds (fsyncing under
     * appendfsync always), so a reply never goes out before its write is in the file. One
     * volatile read when nothing is buffered.
     */
    public void writeBuffered() {
        if (buffered == 0) {
            return;
        }
        String policy = config.getString(Option.APPENDFSYNC);
        if (policy.equals("everysec") && postponedWhileFsyncing()) {
            return;
        }
        fileLock.lock();
        try {
            writeLocked(policy.equals("always"));
        } finally {
            fileLock.unlock();
        }
    }

    /**
     * Under everysec, while the fsync thread is forcing the file, a write(2) to it waits for the
     * fsync on Linux: the loop would stall for the disk. As Redis's flushAppendOnlyFile, the write
     * is postponed (the replies go out; the cron or a later pass writes) for up to two seconds,
     * after which it is made anyway and counted (INFO aof_delayed_fsync).
     */
    private boolean postponedWhileFsyncing() {
        if (pendingFsyncs.get() == 0) {
            postponedSinceMillis = 0;
            return false;
        }
        long now = System.currentTimeMillis();
        long since = postponedSinceMillis;
        if (since == 0) {
            postponedSinceMillis = now;
            return true;
        }
        if (now - since < 2000) {
            return true;
        }
        log.info("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.");
        delayedFsyncs.incrementAndGet();
        postponedSinceMillis = 0;
        return false;
    }

    /** When a write began to wait for the running fsync (0: none waits). */
    private volatile long postponedSinceMillis;
    /** INFO aof_delayed_fsync: writes made while an fsync still ran, after waiting two seconds. */
    private final java.util.concurrent.atomic.AtomicLong delayedFsyncs = new java.util.concurrent.atomic.AtomicLong();

    /** Writes the buffer to the incr file; with {@code fsync}, forces it to disk. Under fileLock. */
    private void writeLocked(boolean fsync) {
        byte[] data;
        synchronized (this) {
            if (buffer.readableBytes() == 0 || incr == null) {
                return;
            }
            data = new byte[buffer.readableBytes()];
            buffer.readBytes(data);
            buffer.clear();
            if (buffer.capacity() > 1 << 20) {
                buffer = Unpooled.buffer(4096);
            }
            buffered = 0;
        }
        long before = incrSize;
        long sleep = flushSleepMicros;
        if (sleep > 0) {
            // DEBUG AOF-FLUSH-SLEEP: a test's pause before the write, on the writing loop as in Redis
            java.util.concurrent.locks.LockSupport.parkNanos(sleep * 1000);
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                incr.write(b);
            }
            incrSize += data.length;
            currentSize += data.length;
            if (fsync) {
                incr.force(false);
                incrSyncedSize = incrSize;
                lastFsyncMillis = System.currentTimeMillis();
            }
            if (writeError != null) {
                log.warn("AOF write error looks solved, Redis can write again.");
                writeError = null;
            }
        } catch (IOException e) {
            if (writeError == null) {
                log.warn("Error writing to the AOF file: {}", e.getMessage());
            }
            writeError = e.getMessage() == null ? e.toString() : e.getMessage();
            // as Redis removes a short write: the file ends where it ended, the data waits here
            try {
                incr.truncate(before);
            } catch (IOException ignored) {
                // the next write starts at the channel's position: nothing more to do here
            }
            synchronized (this) {
                ByteBuf again = Unpooled.buffer(data.length + buffer.readableBytes());
                again.writeBytes(data);
                again.writeBytes(buffer);
                buffer = again;
                buffered = buffer.readableBytes();
            }
        }
    }

    /** DEBUG AOF-FLUSH-SLEEP: microseconds each write of the buffer waits first (0: none), for tests. */
    private volatile long flushSleepMicros;

    public void setFlushSleepMicros(long micros) {
        flushSleepMicros = micros;
    }

    /**
     * MISCONF's text while the AOF is on and its last write failed (Redis's DISK_ERROR_TYPE_AOF),
     * or null. Two volatile reads.
     */
    public String writeDenial() {
        String e = writeError;
        // as writeCommandsDeniedByDiskError: with the AOF off nothing is refused, though the error
        // stays (INFO aof_last_write_status:err) until the AOF is turned on again
        return e == null || state == State.OFF ? null : "MISCONF Errors writing to the AOF file: " + e;
    }

    // ---- the cron --------------------------------------------------------------------------

    /**
     * Once a cron tick: the buffer written (commands of the cron itself, writes that failed), the
     * everysec fsync, a scheduled or automatic rewrite (serverCron's).
     */
    /** Bytes buffered for the AOF and not yet written (INFO aof_buffer_length, mem_aof_buffer). */
    public int bufferedBytes() {
        return buffered;
    }

    public void tick(long nowMillis) {
        State s = state;
        if (s != State.OFF) {
            fileLock.lock();
            try {
                // the cron's own commands (active expiry), and a write that failed, tried again
                // (not while an everysec fsync runs: see postponedWhileFsyncing)
                if (!config.getString(Option.APPENDFSYNC).equals("everysec") || !postponedWhileFsyncing()) {
                    writeLocked(false);
                }
                if (config.getString(Option.APPENDFSYNC).equals("everysec") && incrSize > incrSyncedSize
                        && nowMillis - lastFsyncMillis >= 1000 && pendingFsyncs.get() == 0) {
                    backgroundFsync();
                }
            } finally {
                fileLock.unlock();
            }
        }
        if (rewriting || persistence.busy()) {
            return;
        }
        if (rewriteScheduled && !limit.limited(consecutiveFailures, nowMillis)) {
            rewriteBackground();
            return;
        }
        long percentage = config.getLong(Option.AUTO_AOF_REWRITE_PERCENTAGE);
        if (s == State.ON && percentage > 0 && currentSize > config.getLong(Option.AUTO_AOF_REWRITE_MIN_SIZE)) {
            long base = baseSize > 0 ? baseSize : 1;
            long growth = currentSize * 100 / base - 100;
            if (growth >= percentage && !limit.limited(consecutiveFailures, nowMillis)) {
                log.info("Starting automatic rewriting of AOF on {}% growth", growth);
                rewriteBackground();
            }
        }
    }

    /** Starts an fsync of the incr file on the fsync thread (Redis's bio job). Under fileLock. */
    private void backgroundFsync() {
        FileChannel channel = incr;
        long upTo = incrSize;
        pendingFsyncs.incrementAndGet();
        fsyncThread.execute(() -> {
            try {
                channel.force(false);
                incrSyncedSize = Math.max(incrSyncedSize, upTo);
                lastFsyncMillis = System.currentTimeMillis();
            } catch (IOException e) {
                log.warn("Error fsyncing the AOF file: {}", e.getMessage());
            } finally {
                pendingFsyncs.decrementAndGet();
            }
        });
    }

    // ---- rewrites -----------------------------------------------------------------------------

    /** BGREWRITEAOF's outcome. */
    public enum RewriteStart { STARTED, SCHEDULED, IN_PROGRESS, FAILED }

    /** BGREWRITEAOF: now, or once the running save ends (Redis's aof_rewrite_scheduled). */
    public RewriteStart bgrewriteaof(boolean canRunNow) {
        if (rewriting) {
            return RewriteStart.IN_PROGRESS;
        }
        if (persistence.busy() || !canRunNow) {
            rewriteScheduled = true;
            // a rewrite asked for by hand runs at once, whatever the failures before it
            consecutiveFailures = 0;
            return RewriteStart.SCHEDULED;
        }
        return rewriteBackground() ? RewriteStart.STARTED : RewriteStart.FAILED;
    }

    /** Redis's rewriteAppendOnlyFileBackground: false when it could not start. */
    private boolean rewriteBackground() {
        synchronized (control) {
            return rewriteBackgroundLocked();
        }
    }

    private boolean rewriteBackgroundLocked() {
        if (rewriting) {
            return false;
        }
        try {
            Files.createDirectories(dir());
        } catch (IOException e) {
            log.warn("Can't open or create append-only dir {}: {}", config.getString(Option.APPENDDIRNAME), e.getMessage());
            lastRewriteOk = false;
            return false;
        }
        if (state == State.OFF) {
            // a rewrite with the AOF off still makes a base (Redis's manifest is read at start
            // whatever appendonly says; here it is read when it is needed)
            fileLock.lock();
            try {
                manifest = readManifest(dir());
            } catch (IOException e) {
                log.warn("Can't load the AOF manifest: {}", e.getMessage());
                lastRewriteOk = false;
                return false;
            } finally {
                fileLock.unlock();
            }
        }
        boolean rdb = config.getBool(Option.AOF_USE_RDB_PREAMBLE);
        Path snapshot = rdb ? tempBase() : tempSnapshot();
        rewriteMomentError = null;
        rewriteCancelled = false;
        flushAllsAtRewriteStart = keyspace.flushAlls();
        CompletableFuture<Boolean> done = persistence.startRewrite(snapshot, this::atRewriteMoment);
        if (done == null) {
            return false;
        }
        rewriting = true;
        rewriteScheduled = false;
        rewrites++;
        rewriteStartMillis = System.currentTimeMillis();
        log.info("Background append only file rewriting started");
        done.whenCompleteAsync((ok, e) -> rewriteDone(Boolean.TRUE.equals(ok), snapshot, rdb), rewriteThread);
        return true;
    }

    /**
     * The rewrite's moment, every shard locked (openNewIncrAofForAppend): what is buffered goes
     * to the current incr file, and writes from here on go to a new one, which the manifest lists
     * at once, or to the temporary incr file while the AOF is being turned on. The AOF is fed from
     * here on when it was not.
     */
    private void atRewriteMoment() {
        fileLock.lock();
        try {
            State s = state;
            if (s == State.OFF) {
                return;
            }
            writeLocked(false);
            synchronized (this) {
                selectedDb = -1;
            }
            Path dir = dir();
            AofManifest next = null;
            String name;
            if (s == State.WAIT_REWRITE) {
                name = AofManifest.tempIncrFileName(fileName());
            } else {
                next = manifest.copy();
                name = next.newIncrFileName(fileName());
            }
            FileChannel opened = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            if (next != null) {
                try {
                    next.persist(dir, manifestName());
                } catch (IOException e) {
                    opened.close();
                    throw e;
                }
                manifest = next;
            }
            log.info("Creating AOF incr file {} on background rewrite", name);
            FileChannel old = incr;
            if (old != null) {
                fsyncThread.execute(() -> forceAndClose(old));
            }
            incr = opened;
            incrName = name;
            incrSize = 0;
            incrSyncedSize = 0;
            if (s == State.WAIT_REWRITE) {
                stream.feedAof(this);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Can't open the append-only file: {}", e.getMessage());
            rewriteMomentError = String.valueOf(e.getMessage());
        } finally {
            fileLock.unlock();
        }
    }

    /** What is buffered written, the incr file fsynced and closed (turning off, shutdown). Under fileLock. */
    private void closeIncrLocked() {
        writeLocked(false);
        if (incr != null) {
            forceAndClose(incr);
            incr = null;
        }
    }

    private static void forceAndClose(FileChannel channel) {
        try {
            channel.force(false);
        } catch (IOException e) {
            log.warn("Fail to fsync the AOF file: {}", e.getMessage());
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed or not, nothing more is written to it
        }
    }

    /** Redis's backgroundRewriteDoneHandler, on the rewrite thread. */
    private void rewriteDone(boolean ok, Path snapshot, boolean rdb) {
        Path dir = dir();
        try {
            if (rewriteCancelled) {
                // the AOF was turned off meanwhile: Redis kills the child, which is no failure
                log.warn("Background AOF rewrite terminated by signal 10");
                return;
            }
            if (!ok && keyspace.flushAlls() != flushAllsAtRewriteStart) {
                // FLUSHALL voided the snapshot (it voids a BGSAVE's alike); Redis's child would go
                // on, so this is no failure: the rewrite runs again on the emptied keyspace
                log.info("Background AOF rewrite abandoned: FLUSHALL emptied the keyspace while it ran; starting again");
                rewriteScheduled = true;
                return;
            }
            if (!ok || rewriteMomentError != null) {
                failed("Background AOF rewrite terminated with error");
                return;
            }
            log.info("Background AOF rewrite terminated with success");
            Path base = tempBase();
            if (!rdb) {
                try {
                    writeCommandForm(snapshot, base);
                } catch (IOException | RuntimeException e) {
                    log.warn("Write error writing append only file on disk: {}", e.getMessage());
                    failed("Background AOF rewrite terminated with error");
                    return;
                }
            }
            log.info("Successfully created the temporary AOF base file {}", base.getFileName());
            fileLock.lock();
            try {
                AofManifest next = manifest.copy();
                String baseName = next.newBaseFileNameAndMarkPreviousAsHistory(fileName(), rdb);
                Path newBase = dir.resolve(baseName);
                try {
                    Files.move(base, newBase, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    log.warn("Error trying to rename the temporary AOF base file {} into {}: {}", base.getFileName(), newBase, e.getMessage());
                    failed(null);
                    return;
                }
                log.info("Successfully renamed the temporary AOF base file {} into {}", base.getFileName(), baseName);
                Path newIncr = null;
                if (state == State.WAIT_REWRITE) {
                    String tempIncr = AofManifest.tempIncrFileName(fileName());
                    String incrFile = next.newIncrFileName(fileName());
                    newIncr = dir.resolve(incrFile);
                    try {
                        Files.move(dir.resolve(tempIncr), newIncr, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException e) {
                        log.warn("Error trying to rename the temporary AOF incr file {} into {}: {}", dir.resolve(tempIncr),
                                newIncr, e.getMessage());
                        deleteQuietly(newBase);
                        failed(null);
                        return;
                    }
                    log.info("Successfully renamed the temporary AOF incr file {} into {}", tempIncr, incrFile);
                    incrName = incrFile;
                }
                // the last incr file is the one written since the rewrite's moment: it stays
                next.markRewrittenIncrsAsHistory(state != State.OFF);
                try {
                    next.persist(dir, manifestName());
                } catch (IOException e) {
                    deleteQuietly(newBase);
                    if (newIncr != null) {
                        deleteQuietly(newIncr);
                    }
                    failed(null);
                    return;
                }
                manifest = next;
                if (state != State.OFF) {
                    baseSize = sizeOf(newBase) + incrSize;
                    currentSize = baseSize;
                }
                deleteHistory(manifest, dir);
                lastRewriteOk = true;
                consecutiveFailures = 0;
                log.info("Background AOF rewrite finished successfully");
                if (state == State.WAIT_REWRITE) {
                    state = State.ON;
                }
            } finally {
                fileLock.unlock();
            }
        } finally {
            deleteQuietly(snapshot);
            deleteQuietly(tempBase());
            lastRewriteSeconds = (System.currentTimeMillis() - rewriteStartMillis) / 1000;
            rewriting = false;
            if (state == State.WAIT_REWRITE) {
                // the AOF waits for its first base: try again (Redis reschedules it)
                rewriteScheduled = true;
            }
        }
    }

    private void failed(String message) {
        if (message != null) {
            log.warn(message);
        }
        lastRewriteOk = false;
        consecutiveFailures++;
    }

    // ---- on and off ------------------------------------------------------------------------

    /**
     * CONFIG SET appendonly yes (startAppendOnly): the AOF waits for its first rewrite, started now
     * or once the running save ends; false when it cannot start (CONFIG SET then fails).
     */
    public boolean turnOn(boolean canRunNow) {
        synchronized (control) {
            return turnOnLocked(canRunNow);
        }
    }

    private boolean turnOnLocked(boolean canRunNow) {
        if (state != State.OFF) {
            return true;
        }
        fileLock.lock();
        try {
            // Redis keeps the manifest it read at start; one written since (by another server) is read here
            manifest = readManifest(dir());
        } catch (IOException e) {
            log.warn("Can't load the AOF manifest: {}", e.getMessage());
            return false;
        } finally {
            fileLock.unlock();
        }
        state = State.WAIT_REWRITE;
        if (persistence.busy() && !persistence.rewriteInProgress()) {
            rewriteScheduled = true;
            log.warn("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
        } else if (!canRunNow) {
            rewriteScheduled = true;
            log.warn("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
        } else if (rewriting) {
            // that rewrite does not feed the AOF from its moment: stopped, and a new one follows it
            log.warn("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.");
            rewriteCancelled = true;
            persistence.cancelRewrite();
            rewriteScheduled = true;
        } else if (!rewriteBackgroundLocked()) {
            state = State.OFF;
            log.warn("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
            return false;
        }
        lastFsyncMillis = System.currentTimeMillis();
        if (writeError != null) {
            log.warn("AOF reopen, just ignore the last error.");
            writeError = null;
        }
        return true;
    }

    /**
     * CONFIG SET appendonly no (stopAppendOnly): the buffer written and fsynced, the file closed,
     * a running rewrite stopped. {@code allShardsLocked} runs its argument with every shard held
     * (the stream stops feeding the AOF there).
     */
    public void turnOff(java.util.function.Consumer<Runnable> allShardsLocked) {
        synchronized (control) {
            turnOffLocked(allShardsLocked);
        }
    }

    private void turnOffLocked(java.util.function.Consumer<Runnable> allShardsLocked) {
        if (state == State.OFF) {
            return;
        }
        allShardsLocked.accept(() -> stream.feedAof(null));
        fileLock.lock();
        try {
            closeIncrLocked();
            state = State.OFF;
            rewriteScheduled = false;
            incrSize = 0;
            incrSyncedSize = 0;
            synchronized (this) {
                selectedDb = -1;
                buffer.clear();
                buffered = 0;
            }
        } finally {
            fileLock.unlock();
        }
        if (rewriting) {
            log.info("Killing running AOF rewrite child: {}", ProcessHandle.current().pid());
            rewriteCancelled = true;
            persistence.cancelRewrite();
        }
    }

    /**
     * DEBUG LOADAOF's first step and a shutdown's last: what is buffered written and fsynced.
     */
    public void flushAndSync() {
        if (state == State.OFF) {
            return;
        }
        fileLock.lock();
        try {
            // written without its own fsync: the one below covers it and an earlier unsynced write
            writeLocked(false);
            if (incr != null) {
                incr.force(false);
                incrSyncedSize = incrSize;
            }
        } catch (IOException e) {
            log.warn("Fail to fsync the AOF file: {}", e.getMessage());
        } finally {
            fileLock.unlock();
        }
    }

    /**
     * DEBUG LOADAOF: the files as the manifest on disk lists them, replayed into an emptied
     * keyspace by {@code loader} (history files deleted first, as Redis). Answers the result.
     */
    public AofLoading.Result reload(Loader loader) throws IOException {
        flushAndSync();
        Path dir = dir();
        fileLock.lock();
        try {
            AofManifest m = readManifest(dir);
            deleteHistory(m, dir);
            if (state != State.OFF) {
                manifest = m;
            }
            return loader.load(m);
        } finally {
            fileLock.unlock();
        }
    }

    /**
     * The manifest on disk, or an empty one when there is none (a first start, an old-style file
     * to upgrade). A manifest Redis would refuse is logged as Redis's FATAL block and thrown.
     */
    private AofManifest readManifest(Path dir) throws IOException {
        try {
            AofManifest m = AofManifest.load(dir, manifestName());
            return m != null ? m : new AofManifest();
        } catch (AofManifest.FormatException e) {
            e.logLines().forEach(log::warn);
            throw e;
        }
    }

    /** aofDelHistoryFiles: the history files deleted and the manifest written without them. Under fileLock. */
    private void deleteHistory(AofManifest m, Path dir) {
        if (m.history().isEmpty()) {
            return;
        }
        m.deleteHistoryFiles(dir);
        try {
            m.persist(dir, manifestName());
        } catch (IOException e) {
            // logged by persist; the files are gone, the next persist writes the manifest without them
        }
    }

    /** At shutdown (prepareForShutdown): what is buffered written, the incr file fsynced and closed. */
    public void close() {
        fileLock.lock();
        try {
            closeIncrLocked();
        } finally {
            fileLock.unlock();
        }
        fsyncThread.shutdown();
        rewriteThread.shutdownNow();
    }

    // ---- INFO --------------------------------------------------------------------------------

    /** INFO persistence's aof_ fields, in Redis 7.0's order (after rdb_last_load_keys_loaded). */
    public void describe(java.util.function.BiConsumer<String, Object> field) {
        State s = state;
        long now = System.currentTimeMillis();
        field.accept("aof_enabled", s != State.OFF ? 1 : 0);
        field.accept("aof_rewrite_in_progress", rewriting ? 1 : 0);
        field.accept("aof_rewrite_scheduled", rewriteScheduled ? 1 : 0);
        field.accept("aof_last_rewrite_time_sec", lastRewriteSeconds);
        field.accept("aof_current_rewrite_time_sec", rewriting ? (now - rewriteStartMillis) / 1000 : -1);
        field.accept("aof_last_bgrewrite_status", lastRewriteOk ? "ok" : "err");
        field.accept("aof_rewrites", rewrites);
        field.accept("aof_rewrites_consecutive_failures", consecutiveFailures);
        field.accept("aof_last_write_status", writeError == null ? "ok" : "err");
        field.accept("aof_last_cow_size", persistence.lastRewriteCowBytes());
        field.accept("module_fork_in_progress", 0);
        field.accept("module_fork_last_cow_size", 0);
        if (s != State.OFF) {
            field.accept("aof_current_size", currentSize);
            field.accept("aof_base_size", baseSize);
            field.accept("aof_pending_rewrite", rewriteScheduled ? 1 : 0);
            field.accept("aof_buffer_length", buffered);
            field.accept("aof_pending_bio_fsync", pendingFsyncs.get());
            field.accept("aof_delayed_fsync", delayedFsyncs.get());
        }
    }

    // ---- files -------------------------------------------------------------------------------

    private long filesSize(Path dir) {
        long size = 0;
        if (manifest.base() != null) {
            size += sizeOf(dir.resolve(manifest.base().name()));
        }
        for (AofManifest.AofFile f : manifest.incrs()) {
            size += sizeOf(dir.resolve(f.name()));
        }
        return size;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temp file left behind is overwritten by the next rewrite
        }
    }

    /**
     * aofRewriteLimited: after three rewrites in a row failed, automatic ones wait 1, 2, 4 ... up
     * to 60 minutes, so a failing disk does not fill the directory with small incr files.
     */
    private static final class RewriteLimit {
        private static final int THRESHOLD = 3;
        private static final int MAX_MINUTES = 60;
        private int nextDelayMinutes;
        private long nextRewriteMillis;

        synchronized boolean limited(int failures, long nowMillis) {
            if (failures < THRESHOLD) {
                nextDelayMinutes = 0;
                nextRewriteMillis = 0;
                return false;
            }
            if (nextRewriteMillis != 0) {
                if (nowMillis < nextRewriteMillis) {
                    return true;
                }
                nextRewriteMillis = 0;
                return false;
            }
            nextDelayMinutes = nextDelayMinutes == 0 ? 1 : Math.min(MAX_MINUTES, nextDelayMinutes * 2);
            nextRewriteMillis = nowMillis + nextDelayMinutes * 60_000L;
            log.warn("Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} minutes",
                    nextDelayMinutes);
            return true;
        }
    }
}
