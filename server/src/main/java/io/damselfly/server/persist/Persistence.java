package io.damselfly.server.persist;

import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.KeyspaceSnapshot;
import io.damselfly.server.rdb.DebugDelay;
import io.damselfly.server.rdb.RdbEntryEncoder;
import io.damselfly.server.rdb.RdbFileWriter;
import io.damselfly.server.rdb.RdbLoader;
import io.netty.buffer.ByteBuf;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RDB snapshots of the keyspace: the one owner of everything about saving (SAVE, BGSAVE, LASTSAVE,
 * save points, schedules, saves at shutdown, INFO persistence's figures).
 *
 * <p>Design. A save runs on this service's own thread and never blocks an event loop: it begins a
 * {@link KeyspaceSnapshot} (a moment for the whole keyspace, no fork), walks the shards a few
 * hundred entries per lock hold, and writes the chunks that the walk and the write hook encode to
 * a temporary file ({@link SnapshotFile}: fsync, rename, directory fsync). A background save takes
 * only idle CPU: its walk's steps run on the event loops ({@link WalkStep}) and its thread at
 * SCHED_IDLE ({@link IdlePriority}), with a normal-priority thread to finish a save starved past
 * its deadline ({@link Pacer} keeps that one's bursts short). While an event loop is busy serving
 * ({@link #pacedWhile}) the save at idle priority is paced too, to half a core: idle priority keeps
 * it off a core a loop wants, but not out of what the loops share with it (caches, memory, a
 * hyperthread's core), and the loops served measurably worse beside a save using all idle CPU.
 * Chunks captured by
 * writes on event loops queue here until the save thread writes them; their bytes are Redis's
 * copy-on-write size (INFO current_cow_size, current_cow_peak, rdb_last_cow_size). One save runs
 * at a time; a save that fails or is abandoned (FLUSHALL) leaves the previous file as it was.
 * Redis's SAVE blocks every client for its length; here SAVE answers when its save is done and
 * other clients go on, writes after the moment not being in the file, as with a BGSAVE.
 */
public final class Persistence implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Persistence.class);
    /**
     * Entries per shard-lock hold of the walk. A step takes whole segments until it has this many,
     * so at 128 it takes one segment (up to 896 entries; 600 on average after a load), on the loop
     * that runs it. 512 took one or two, 130-150 us of that loop's time on average, and by hand
     * (later saves, 1M keys, SET then GET from 50 clients) one segment per step gave SET p99
     * during saves of 0.71-1.32 ms against 0.72-1.86 (medians 0.87 and 1.08 over 7 and 5 runs),
     * GET 0.53-0.99 against 0.69-0.94.
     */
    private static final int ENTRIES_PER_STEP = 128;
    /**
     * A background save's longest burst of work before it rests, at normal priority (see {@link
     * Pacer}): 100 µs measured better than 50 or 200.
     */
    private static final long PACE_QUANTUM_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /** Rest per unit of work: 1 keeps a background save at normal priority to half a core. */
    private static final long PACE_REST_PER_WORK = 1;
    /**
     * A save at idle priority is starved, and finishes at normal priority, after this long or
     * this many times the last save's duration, whichever is later.
     */
    private static final long STARVED_AFTER_SECONDS = 30;
    private static final long STARVED_AFTER_LAST_SAVES = 4;

    /** Where saves go and what they hold, read at the start of each save. */
    public interface Target {
        Path directory();

        String fileName();

        /** FUNCTION DUMP's payload of the function libraries at this moment, or null for none. */
        byte[] functions();

        /** used_memory, for the file's used-mem field. */
        long usedMemory();

        /** rdbchecksum: write the file's CRC64 (else 0) and check it on load. */
        default boolean checksum() {
            return true;
        }

        /** rdb-save-incremental-fsync: flush the file to disk every {@link #INCREMENTAL_FSYNC_BYTES} while saving. */
        default boolean incrementalFsync() {
            return true;
        }

        /**
         * rdb-key-save-delay: microseconds a save pauses after each key ({@link DebugDelay}; -n for
         * one microsecond in n keys), read as a save starts, as Redis's child keeps the value it
         * forked with. For tests that need a save to last.
         */
        default int keySaveDelayMicros() {
            return 0;
        }

        /**
         * The snapshot's place in the replication stream, asked at its moment (every shard held,
         * and no replica applying its primary's stream), or null outside any replication chain.
         */
        default RdbFileWriter.ReplicationInfo replicationInfo() {
            return null;
        }

        /** key-load-delay: microseconds a load pauses after each key ({@link DebugDelay}), for tests. */
        default int keyLoadDelayMicros() {
            return 0;
        }

        /** A fixed place, for a keyspace without a server (tests, tools): {@code functions} may be null. */
        static Target of(Path directory, String fileName, Keyspace keyspace, byte[] functions) {
            return new Target() {
                @Override
                public Path directory() {
                    return directory;
                }

                @Override
                public String fileName() {
                    return fileName;
                }

                @Override
                public byte[] functions() {
                    return functions;
                }

                @Override
                public long usedMemory() {
                    return keyspace.usedMemory();
                }
            };
        }
    }

    private final Keyspace keyspace;
    private final Target target;
    /**
     * Background saves run here, at idle CPU priority where the platform allows ({@link
     * IdlePriority}); {@link #idleThread} is set by the thread itself once it is there.
     */
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(() -> {
            if (IdlePriority.applyToCurrentThread()) {
                idleThread = Thread.currentThread();
            }
            r.run();
        }, "damselfly-save");
        t.setDaemon(true);
        return t;
    });
    /**
     * Normal priority: a background save that has been starved past its deadline (every core
     * busy for long) finishes its walk here, and steps run here when there are no event loops.
     */
    private final ExecutorService normalThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "damselfly-save-normal");
        t.setDaemon(true);
        return t;
    });
    private volatile Thread idleThread;
    private volatile long starvedAfterSeconds = STARVED_AFTER_SECONDS;
    private final AtomicLong continuedAtNormalPriority = new AtomicLong();
    private final AtomicLong pacedRests = new AtomicLong();
    private volatile List<? extends Executor> walkers = List.of();
    /** Whether the event loops are busy serving now (background saves then pace themselves); none without a server. */
    private volatile BooleanSupplier loopsBusy = () -> false;
    /** The save running now, or null. Changed under this object's monitor. */
    private volatile Save running;
    private volatile long lastSaveSeconds;
    private volatile boolean lastSaveOk = true;
    /** stop-writes-on-bgsave-error, and whether save points are configured: see {@link #writesDenied}. */
    private volatile boolean stopWritesOnError = true;
    private volatile boolean savePointsConfigured;
    /** Whether write commands answer {@link #MISCONF} now: read once per write command. */
    private volatile boolean writesDenied;
    private volatile long lastSaveDurationSeconds = -1;
    private volatile long lastAttemptMillis;
    private volatile long dirtyAtLastSave;
    private volatile long lastCowBytes;
    /** The copy-on-write peak of the last AOF rewrite's snapshot (INFO aof_last_cow_size). */
    private volatile long lastRewriteCowBytes;
    private final AtomicLong saves = new AtomicLong();
    private volatile long lastLoadKeys;
    private volatile long lastLoadExpired;
    /** BGSAVE inside EXEC (Redis's rdb_bgsave_scheduled): started by the next {@link #tick}. */
    private volatile boolean scheduled;
    /** The next firing of the save schedule, Unix ms; 0 before it is computed. */
    private long nextScheduledMillis;
    private SaveSchedule scheduleOfNext;

    /**
     * Runs the walk of background saves on these event loops ({@link WalkStep} says why). Without
     * loops (before the server's exist, and after they stop: the server passes none before it
     * closes them) the steps run on the normal-priority thread.
     */
    public void walkOn(List<? extends Executor> loops) {
        walkers = List.copyOf(loops);
    }

    /**
     * Paces background saves at idle priority while {@code busy} answers true (asked once per
     * chunk written), as it paces them at normal priority always: bursts of {@link
     * #PACE_QUANTUM_NANOS}, each followed by a rest as long, so a save takes at most half a core.
     * Measured in docs/DESIGN.md ("Paced at SCHED_IDLE too"): lower SET p99 during saves under
     * unpipelined load on two shared cores, saves up to 2.5x as long.
     */
    public void pacedWhile(BooleanSupplier busy) {
        loopsBusy = busy;
    }

    /** For tests: how soon a background save at idle priority counts as starved. */
    void starvedAfterSeconds(long seconds) {
        starvedAfterSeconds = seconds;
    }

    /** Rests background saves have taken between bursts (tests). */
    long pacedRests() {
        return pacedRests.get();
    }

    /** Background saves that were starved at idle priority and finished at normal priority. */
    long savesContinuedAtNormalPriority() {
        return continuedAtNormalPriority.get();
    }

    public Persistence(Keyspace keyspace, Target target) {
        this.keyspace = keyspace;
        this.target = target;
        // Redis sets lastsave to the start time, so save points count from there
        this.lastSaveSeconds = System.currentTimeMillis() / 1000;
    }

    /**
     * Starts a save in the background; answers null when one is running already (Redis's
     * "Background save already in progress"). The future completes with whether the file was
     * written (false when it failed or FLUSHALL abandoned it).
     */
    public CompletableFuture<Boolean> startSave(String reason) {
        return start(reason, Kind.BACKGROUND, Tally.BACKGROUND);
    }

    /**
     * SAVE's save, which its client waits for: the same as {@link #startSave}, but at normal
     * priority and unpaced, since finishing soon matters more than the tail while it runs (Redis
     * blocks every client for it). While an AOF rewrite runs it follows the rewrite (Redis saves
     * in the foreground beside the rewrite's child); null while another save runs.
     */
    public CompletableFuture<Boolean> startSaveCommand() {
        if (rewriteInProgress()) {
            return afterRunning("SAVE", null, null, true, Tally.COMMAND);
        }
        return start("SAVE", Kind.URGENT, Tally.COMMAND);
    }

    private CompletableFuture<Boolean> start(String reason, Kind kind, Tally tally) {
        Save s = claim(reason, kind, tally);
        if (s == null) {
            return null;
        }
        (kind == Kind.URGENT ? normalThread : thread).execute(s);
        return s.done;
    }

    /**
     * Saves on the calling thread, unpaced, and answers whether the file was written; null when a
     * save is running already. For a caller that may hold shard locks (DEBUG RELOAD, inside EXEC
     * too): the locks are reentrant, so the walk takes them again on this thread, where a save
     * on the save thread would wait for them for ever.
     */
    public Boolean saveHere(String reason) {
        Save s = claim(reason, Kind.HERE, Tally.NONE);
        if (s == null) {
            return null;
        }
        s.run();
        return s.done.join();
    }

    private synchronized Save claim(String reason, Kind kind, Tally tally) {
        return claim(reason, kind, tally, null, null);
    }

    /**
     * {@code rewriteFile}: the save is an AOF rewrite's snapshot to that file; {@code transfer}:
     * it goes to replicas through that stream; both null for the RDB file. The save is counted as
     * it begins, as {@code tally} says.
     */
    private synchronized Save claim(String reason, Kind kind, Tally tally, Path rewriteFile, OutputStream transfer) {
        if (running != null) {
            return null;
        }
        Save s = new Save(reason, kind, tally == Tally.BACKGROUND, rewriteFile, transfer);
        running = s;
        if (tally != Tally.NONE) {
            saves.incrementAndGet();
        }
        if (tally == Tally.BACKGROUND) {
            lastAttemptMillis = System.currentTimeMillis();
        }
        return s;
    }

    /**
     * What a save counts for as it begins, as Redis counts: rdbSaveBackground adds to
     * stat_rdb_saves (INFO rdb_saves) and sets lastbgsave_try, the attempt after a failure of
     * which save points wait {@link #RETRY_DELAY_MILLIS}; saveCommand adds to stat_rdb_saves
     * only; rdbSave's other callers (shutdown, FLUSHALL, DEBUG RELOAD), the AOF rewrite's child
     * and a diskless transfer count for neither. A save counts whether it then succeeds or not.
     */
    private enum Tally {
        /** BGSAVE, save points, the save schedule, a disk-based full synchronisation's save. */
        BACKGROUND,
        /** SAVE. */
        COMMAND,
        NONE
    }

    /**
     * An AOF rewrite's snapshot (Redis's rewrite child): the keyspace at one moment written as an
     * RDB image to {@code file}, as a BGSAVE writes one, {@code atMoment} run at that moment with
     * every shard locked (where the AOF opens its new incr file). It is not a save of the RDB file:
     * LASTSAVE, the changes since the last save and the rdb_ fields of INFO are not moved by it.
     * One save or rewrite runs at a time, as Redis has one child: null when one runs. The future
     * completes with whether the file was written (false when it failed or was {@linkplain
     * #cancelRewrite cancelled}, or FLUSHALL voided it).
     */
    public CompletableFuture<Boolean> startRewrite(Path file, Runnable atMoment) {
        return launch(claim("AOF rewrite", Kind.BACKGROUND, Tally.NONE, file, null), atMoment, thread);
    }

    /** Runs a claimed save ({@code atMoment} at its moment) on {@code where}; null when none was claimed. */
    private static CompletableFuture<Boolean> launch(Save s, Runnable atMoment, Executor where) {
        if (s == null) {
            return null;
        }
        s.atMoment = atMoment;
        where.execute(s);
        return s.done;
    }

    /**
     * The same on the calling thread, with no moment to mark: the base file an AOF starts from
     * when a server starts with an AOF on and none on disk. False when a save runs or it failed.
     */
    public boolean rewriteHere(Path file) {
        Save s = claim("AOF base", Kind.HERE, Tally.NONE, file, null);
        if (s == null) {
            return false;
        }
        s.run();
        return s.done.join();
    }

    /** Whether the running save is an AOF rewrite's (INFO aof_rewrite_in_progress is the AOF's own). */
    public boolean rewriteInProgress() {
        Save s = running;
        return s != null && s.rewriteFile != null;
    }

    /**
     * Stops a running AOF rewrite (Redis kills its child: CONFIG SET appendonly no): its file is
     * removed and its future completes with false.
     */
    public void cancelRewrite() {
        Save s = running;
        if (s != null && s.rewriteFile != null) {
            s.cancelled = true;
        }
    }

    /**
     * A snapshot sent to replicas instead of a file (Redis's rdbSaveToSlavesSockets, for
     * repl-diskless-sync): the RDB image goes to {@code out}, which passes it to the replicas'
     * connections; {@code atMoment} runs at the snapshot's moment, every shard locked, where the
     * replicas are attached to the replication stream. It runs at normal priority, as a save for
     * a replica does, and counts as a save in progress (BGSAVE answers that one runs, INFO
     * rdb_bgsave_in_progress), but moves neither LASTSAVE nor the changes since the last save,
     * as Redis's transfer does not. Null when a save or rewrite runs (the caller tries again
     * later, as replicationCron does). The future completes with whether the whole image was
     * written to {@code out}; a save someone waits for (a shutdown, FLUSHALL) cancels it, as
     * Redis kills its transfer child.
     */
    public CompletableFuture<Boolean> startTransfer(Runnable atMoment, OutputStream out) {
        return launch(claim("replication", Kind.URGENT, Tally.NONE, null, out), atMoment, normalThread);
    }

    /**
     * A save whose moment is now or later, never earlier: waits for a running save to end, then
     * saves (shutdown, DEBUG RELOAD, the save after FLUSHALL), so the file has every write up to
     * this call.
     */
    public CompletableFuture<Boolean> saveAfterRunning(String reason) {
        return afterRunning(reason, null, null, true, Tally.NONE);
    }

    /**
     * A save for a replica's full synchronisation, as Redis's disk-based sync saves (the same
     * file, a BGSAVE's work at normal priority, since a replica waits for it): waits for a
     * running save to end, then saves; {@code atMoment} runs at the snapshot's moment, with
     * every shard locked, where the replica is attached to the replication stream. {@code open}
     * takes the file written, on the save thread before any other save may start, so what it
     * opens is this snapshot and no later one a save renamed over it. The future answers what
     * {@code open} answered, or null when the save or {@code open} failed.
     */
    public <T> CompletableFuture<T> saveForReplica(Runnable atMoment, Function<Path, T> open) {
        Object[] opened = new Object[1];
        // a replica waits as Redis's does, for the running save's end, without hurrying it
        return afterRunning("replication", atMoment, file -> opened[0] = open.apply(file), false, Tally.BACKGROUND)
                .thenApply(ok -> {
                    @SuppressWarnings("unchecked")
                    T t = ok ? (T) opened[0] : null;
                    return t;
                });
    }

    /**
     * An urgent save ({@code atMoment} run at its moment, or null; {@code written} given the file
     * once it is in place, or null) once no save runs; {@code hurry}: a running save is moved to
     * normal priority meanwhile (someone waits for it).
     */
    private CompletableFuture<Boolean> afterRunning(String reason, Runnable atMoment, Consumer<Path> written,
            boolean hurry, Tally tally) {
        Save s = claim(reason, Kind.URGENT, tally);
        if (s != null) {
            s.atMoment = atMoment;
            s.written = written;
            normalThread.execute(s);
            return s.done;
        }
        Save current = running;
        if (current != null && hurry) {
            current.hurry();
        }
        CompletableFuture<Boolean> afterCurrent = current == null ? CompletableFuture.completedFuture(true) : current.done;
        return afterCurrent.handle((ok, e) -> null).thenCompose(x -> afterRunning(reason, atMoment, written, hurry, tally));
    }

    /**
     * Loads {@code <dir>/<dbfilename>} if it exists (at start, and for DEBUG RELOAD), function
     * libraries through {@code libraries}; {@code replace} puts a key present already over it
     * instead of refusing the file. A file that does not load whole throws
     * {@link io.damselfly.server.rdb.RdbLoadException}. Loading is not a change to save again:
     * the changes since the last save count from here.
     */
    public RdbLoader.Result load(RdbLoader.LibrarySink libraries, boolean replace) {
        return load(libraries, replace, null);
    }

    /** The same, running {@code keepAlive} about once a second meanwhile (null: nothing). */
    public RdbLoader.Result load(RdbLoader.LibrarySink libraries, boolean replace, Runnable keepAlive) {
        return load(libraries, replace, keepAlive, null);
    }

    /** The same, telling {@code expired} each key dropped as expired (null: nobody). */
    public RdbLoader.Result load(RdbLoader.LibrarySink libraries, boolean replace, Runnable keepAlive,
            RdbLoader.ExpiredKeys expired) {
        RdbLoader.Result r = new RdbLoader(keyspace, libraries, replace, target.checksum(), target.keyLoadDelayMicros())
                .keepingAlive(keepAlive)
                .feedingExpired(expired)
                .loadIfExists(target.directory().resolve(target.fileName()));
        if (r != null) {
            lastLoadKeys = r.keys();
            lastLoadExpired = r.expired();
        }
        dirtyAtLastSave = keyspace.dirty();
        return r;
    }

    /** BGSAVE SCHEDULE's request: a save as soon as none runs. */
    public void scheduleSave() {
        scheduled = true;
    }

    /**
     * The background check, from the server's cron (a few times a second): a scheduled BGSAVE,
     * Redis's save points (serverCron: enough changes and enough seconds since the last save, and
     * after a failure not again within {@link #RETRY_DELAY_MILLIS}), and Dragonfly's save schedule.
     * Runs on the cron thread only.
     */
    public void tick(long now, SavePoints points, SaveSchedule schedule) {
        if (running != null) {
            return;
        }
        if (scheduled) {
            scheduled = false;
            startSave("BGSAVE SCHEDULE");
            return;
        }
        boolean retryAllowed = lastSaveOk || now - lastAttemptMillis > RETRY_DELAY_MILLIS;
        if (retryAllowed && points.due(changesSinceLastSave(), now / 1000 - lastSaveSeconds)) {
            startSave("save point");
            return;
        }
        if (schedule.isEmpty()) {
            scheduleOfNext = null;
            return;
        }
        boolean due = schedule == scheduleOfNext && now >= nextScheduledMillis;
        if (schedule != scheduleOfNext || due) {
            scheduleOfNext = schedule;
            nextScheduledMillis = schedule.next(java.time.Instant.ofEpochMilli(now), java.time.ZoneOffset.UTC).toEpochMilli();
        }
        if (due) {
            startSave("save schedule " + schedule);
        }
    }

    /** Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed save, save points wait this long. */
    static final long RETRY_DELAY_MILLIS = 5_000;

    /** Whether a save of the RDB file is running (INFO rdb_bgsave_in_progress). */
    public boolean inProgress() {
        Save s = running;
        return s != null && s.rewriteFile == null;
    }

    /** Whether any save runs, an RDB save or an AOF rewrite's (Redis's hasActiveChildProcess). */
    public boolean busy() {
        return running != null;
    }

    /** LASTSAVE: when the last successful save began (its moment), Unix seconds. */
    public long lastSaveSeconds() {
        return lastSaveSeconds;
    }

    public boolean lastSaveOk() {
        return lastSaveOk;
    }

    /** Redis's rejection of writes after a failed save (server.c, writeCommandsGetDiskErrorMessage). */
    public static final String MISCONF = "MISCONF Redis is configured to save RDB snapshots, but it's currently "
            + "unable to persist to disk. Commands that may modify the data set are disabled, because this instance "
            + "is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error "
            + "option). Please check the Redis logs for details about the RDB error.";

    /**
     * Redis's writeCommandsDeniedByDiskError for snapshots: whether writes (and PING) are refused
     * with {@link #MISCONF}, which holds while stop-writes-on-bgsave-error is yes, save points are
     * configured and the last save failed.
     */
    public boolean writesDenied() {
        return writesDenied;
    }

    /** Sets stop-writes-on-bgsave-error and whether save points are configured. */
    public synchronized void setWriteRefusal(boolean stopWritesOnBgsaveError, boolean hasSavePoints) {
        stopWritesOnError = stopWritesOnBgsaveError;
        savePointsConfigured = hasSavePoints;
        writesDenied = stopWritesOnError && savePointsConfigured && !lastSaveOk;
    }

    /** INFO aof_last_cow_size: the last AOF rewrite's snapshot's copy-on-write peak. */
    public long lastRewriteCowBytes() {
        return lastRewriteCowBytes;
    }

    /** Writes since the moment of the last successful save (INFO rdb_changes_since_last_save). */
    public long changesSinceLastSave() {
        return keyspace.dirty() - dirtyAtLastSave;
    }

    /** INFO persistence's fields, in Redis 7.0's order and names. */
    public void describe(java.util.function.BiConsumer<String, Object> field) {
        Save s = running;
        long now = System.currentTimeMillis();
        field.accept("current_cow_peak", s == null ? 0 : s.cowPeak);
        field.accept("current_cow_size", s == null ? 0 : s.pendingBytes.get());
        field.accept("current_cow_size_age", 0);
        field.accept("current_fork_perc", "0.00");
        field.accept("current_save_keys_processed", s == null || s.snapshot == null ? 0 : s.snapshot.keysCaptured());
        field.accept("current_save_keys_total", s == null ? 0 : s.keysTotal);
        field.accept("rdb_changes_since_last_save", changesSinceLastSave());
        field.accept("rdb_bgsave_in_progress", s == null || s.rewriteFile != null ? 0 : 1);
        field.accept("rdb_last_save_time", lastSaveSeconds);
        field.accept("rdb_last_bgsave_status", lastSaveOk ? "ok" : "err");
        field.accept("rdb_last_bgsave_time_sec", lastSaveDurationSeconds);
        field.accept("rdb_current_bgsave_time_sec", s == null || s.rewriteFile != null ? -1 : (now - s.startMillis) / 1000);
        field.accept("rdb_saves", saves.get());
        field.accept("rdb_last_cow_size", lastCowBytes);
        field.accept("rdb_last_load_keys_expired", lastLoadExpired);
        field.accept("rdb_last_load_keys_loaded", lastLoadKeys);
    }

    private synchronized void finished(Save s, boolean ok, long moment, long dirtyAtMoment) {
        try {
            recordOutcome(s, ok, moment, dirtyAtMoment);
        } finally {
            // last: INFO reads rdb_bgsave_in_progress without the lock, and whoever sees 0 there
            // must see the save's outcome too (rdb_last_bgsave_status, LASTSAVE)
            running = null;
        }
    }

    private void recordOutcome(Save s, boolean ok, long moment, long dirtyAtMoment) {
        if (s.rewriteFile != null) {
            lastRewriteCowBytes = s.cowPeak;
            return;
        }
        if (s.transfer != null) {
            // backgroundSaveDoneHandlerSocket: only the duration and the copy-on-write size move
            lastSaveDurationSeconds = (System.currentTimeMillis() - s.startMillis) / 1000;
            lastCowBytes = s.cowPeak;
            return;
        }
        // as Redis: a save's success sets lastbgsave_status ok; only a background save's failure
        // sets err (backgroundSaveDoneHandlerDisk), while a failed SAVE, shutdown or FLUSHALL save
        // (rdbSave) and a background save abandoned for FLUSHALL (its child killed with SIGUSR1)
        // leave it as it was
        if (ok) {
            lastSaveOk = true;
        } else if (s.background && !s.abandoned) {
            lastSaveOk = false;
        }
        writesDenied = stopWritesOnError && savePointsConfigured && !lastSaveOk;
        lastSaveDurationSeconds = (System.currentTimeMillis() - s.startMillis) / 1000;
        lastCowBytes = s.cowPeak;
        if (ok) {
            lastSaveSeconds = moment / 1000;
            dirtyAtLastSave = dirtyAtMoment;
        }
    }

    /** rdb-save-incremental-fsync's step (Redis's REDIS_AUTOSYNC_BYTES): the file is flushed to disk every 32 MB. */
    static final long INCREMENTAL_FSYNC_BYTES = 32L * 1024 * 1024;

    /**
     * Passes a save's bytes to its file and flushes them to disk every {@link
     * #INCREMENTAL_FSYNC_BYTES}, as rioSetAutoSync does, so the final fsync does not write the whole
     * file at once.
     */
    private static final class IncrementalFsync extends java.io.FilterOutputStream {
        private final FileChannel channel;
        private long unsynced;

        IncrementalFsync(OutputStream out, FileChannel channel) {
            super(out);
            this.channel = channel;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            unsynced += len;
            if (unsynced >= INCREMENTAL_FSYNC_BYTES) {
                channel.force(false);
                unsynced = 0;
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        normalThread.shutdownNow();
    }

    /** Where a save runs and how hard it pushes. */
    private enum Kind {
        /** BGSAVE, save points, schedules: on the idle-priority thread, steps on the event loops. */
        BACKGROUND,
        /** Someone waits (SAVE, shutdown): on the normal-priority thread, unpaced, steps on the loops. */
        URGENT,
        /** On the caller, which may hold shard locks (DEBUG RELOAD, inside EXEC too): steps there too. */
        HERE
    }

    /** One save, run on the save thread. */
    private final class Save implements Runnable {
        final String reason;
        final Kind kind;
        /** Rests a background save's thread between short bursts; null for a save that is waited for. */
        final Pacer pacer;
        /** When a save at idle priority counts as starved (System.nanoTime()). */
        final long starvedAfterNanos;
        /** Set when someone starts waiting for this save ({@link #saveAfterRunning}). */
        volatile boolean hurried;
        /** Redis's rdbSaveBackground's save (counted {@link Tally#BACKGROUND}): its failure sets rdb_last_bgsave_status:err. */
        final boolean background;
        /**
         * rdb-key-save-delay as the save began (0 for a save on the caller's thread, which may be
         * an event loop: DEBUG RELOAD).
         */
        final int keyDelayMicros;
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        final long startMillis = System.currentTimeMillis();
        final ConcurrentLinkedQueue<ChunkSink.Chunk> chunks = new ConcurrentLinkedQueue<>();
        /** A chunk's bytes copied onto the heap to be written and encoded, on the save thread. */
        byte[] scratch = new byte[2 * ChunkSink.CHUNK_BYTES];
        /** Encodes the chunks' strings, on the save thread. */
        final RdbEntryEncoder strings = new RdbEntryEncoder(64 * 1024);
        final AtomicLong pendingBytes = new AtomicLong();
        volatile long cowPeak;
        volatile KeyspaceSnapshot snapshot;
        /** Runs at the snapshot's moment, every shard locked (a replica attaching), or null. */
        volatile Runnable atMoment;
        /** Given the file once it is in place, before another save may start (a replica's sender), or null. */
        volatile Consumer<Path> written;
        /**
         * {@link Keyspace#flushAlls()} when the save was asked for (BGSAVE's reply, Redis's fork):
         * a FLUSHALL after that voids it, also one that comes before the snapshot's moment is taken
         * on the save thread (else the save would write the emptied keyspace and report success,
         * where Redis kills its child and keeps the old file).
         */
        final long flushAllsAtStart;
        volatile long keysTotal;
        boolean abandoned;
        /** An AOF rewrite's snapshot goes here; null for a save of the RDB file. */
        final Path rewriteFile;
        /** A transfer to replicas goes here, and to no file ({@link #startTransfer}); else null. */
        final OutputStream transfer;
        /** Set by {@link #cancelRewrite}: the rewrite stops as Redis's killed child. */
        volatile boolean cancelled;

        Save(String reason, Kind kind, boolean background, Path rewriteFile, OutputStream transfer) {
            this.reason = reason;
            this.kind = kind;
            this.background = background;
            this.rewriteFile = rewriteFile;
            this.transfer = transfer;
            this.flushAllsAtStart = keyspace.flushAlls();
            this.pacer = kind == Kind.BACKGROUND ? new Pacer(PACE_QUANTUM_NANOS, PACE_REST_PER_WORK) : null;
            this.keyDelayMicros = kind == Kind.HERE ? 0 : target.keySaveDelayMicros();
            long lastSeconds = Math.max(0, lastSaveDurationSeconds);
            this.starvedAfterNanos = System.nanoTime()
                    + TimeUnit.SECONDS.toNanos(Math.max(starvedAfterSeconds, STARVED_AFTER_LAST_SAVES * lastSeconds));
        }

        /** Someone now waits for this save: at idle priority, it goes on at normal priority from its next step. */
        void hurry() {
            hurried = true;
            if (transfer != null) {
                // Redis kills a transfer child for a save it must make (killRDBChild): the
                // replicas synchronise again, and the waiting save starts at once
                cancelled = true;
            }
        }

        /** A chunk collected under a shard's lock, by the walk or by a write's hook. */
        void chunk(ChunkSink.Chunk c) {
            chunks.add(c);
            long pending = pendingBytes.addAndGet(c.bytes());
            if (pending > cowPeak) {
                cowPeak = pending;
            }
        }

        @Override
        public void run() {
            SnapshotFile file = transfer != null ? null
                    : rewriteFile != null
                    ? new SnapshotFile(rewriteFile.toAbsolutePath().getParent(), rewriteFile.getFileName().toString())
                    : new SnapshotFile(target.directory(), target.fileName());
            boolean ok = false;
            long moment = 0;
            long dirtyAtMoment = 0;
            try {
                if (transfer != null) {
                    log.info("Background RDB transfer started");
                } else if (rewriteFile == null) {
                    log.info(kind == Kind.HERE ? "Saving ({})" : "Background saving started ({})", reason);
                }
                // a transfer has no file: try-with-resources skips the null channel
                try (FileChannel channel = file == null ? null : file.open()) {
                    OutputStream raw = transfer;
                    if (channel != null) {
                        raw = Channels.newOutputStream(channel);
                        if (target.incrementalFsync()) {
                            raw = new IncrementalFsync(raw, channel);
                        }
                    }
                    OutputStream out = new BufferedOutputStream(raw, 1 << 16);
                    RdbFileWriter writer = new RdbFileWriter(out, target.checksum());
                    byte[] functions = target.functions();
                    long totalKeys = 0;
                    for (int db = 0; db < keyspace.databases(); db++) {
                        totalKeys += keyspace.size(db);
                    }
                    keysTotal = totalKeys;
                    dirtyAtMoment = keyspace.dirty();
                    RdbFileWriter.ReplicationInfo[] replication = new RdbFileWriter.ReplicationInfo[1];
                    KeyspaceSnapshot snap = keyspace.beginSnapshot(System.currentTimeMillis(),
                            shard -> new ChunkSink(this::chunk), () -> {
                                // an AOF's base has none, as Redis's rewrite saves without rdbSaveInfo
                                replication[0] = rewriteFile == null ? target.replicationInfo() : null;
                                if (atMoment != null) {
                                    atMoment.run();
                                }
                            });
                    snapshot = snap;
                    moment = snap.moment();
                    try {
                        writer.header(moment / 1000, target.usedMemory(), replication[0]);
                        if (functions != null) {
                            writer.functions(functions);
                        }
                        walk(snap, writer);
                    } finally {
                        snap.end();
                    }
                    drain(writer);
                    if (voided()) {
                        abandoned = true;
                        log.warn(transfer != null ? "Background RDB transfer stopped"
                                : cancelled ? "AOF rewrite stopped"
                                : "Background saving abandoned: FLUSHALL emptied the keyspace while it ran");
                        return;
                    }
                    long bytes = writer.finish();
                    if (channel == null) {
                        out.flush();
                        log.info("Background RDB transfer terminated with success: {} keys, {} bytes, {} ms",
                                snap.keysCaptured(), bytes, System.currentTimeMillis() - startMillis);
                        ok = true;
                        return;
                    }
                    channel.force(true);
                    log.info("Snapshot written: {} keys, {} bytes, {} ms", snap.keysCaptured(), bytes,
                            System.currentTimeMillis() - startMillis);
                }
                file.commit();
                if (written != null) {
                    try {
                        written.accept(file.target());
                    } catch (RuntimeException e) {
                        // the file is saved all the same; only its taker (a replica) goes without
                        log.warn("The saved file could not be taken for replication: {}", e.toString());
                    }
                }
                ok = true;
                if (rewriteFile == null) {
                    log.info("Background saving terminated with success ({})", file.target());
                }
            } catch (IOException | RuntimeException e) {
                log.error(transfer != null ? "Background transfer error: {}"
                        : rewriteFile == null ? "Background saving error: {}" : "AOF rewrite snapshot error: {}", e.toString());
            } finally {
                if (!ok && file != null) {
                    file.discard();
                }
                // left by a failure: their memory goes back (nothing adds any once the snapshot ended)
                for (ChunkSink.Chunk c; (c = chunks.poll()) != null; ) {
                    c.release();
                }
                pendingBytes.set(0);
                finished(this, ok, moment, dirtyAtMoment);
                done.complete(ok);
            }
        }

        /**
         * Walks every shard, encoding and writing what each step captured. A background save
         * hands its steps to the event loops ({@link WalkStep}: a lock is then never held by a
         * thread at idle priority, which would make the loops wait for an idle core) and encodes
         * one step's capture while the next is being taken, so at most two steps' worth waits in
         * memory. A save its caller waits for ({@link #saveHere}, possibly inside EXEC with shard
         * locks held) steps on the calling thread.
         */
        private void walk(KeyspaceSnapshot snap, RdbFileWriter writer) throws IOException {
            int shards = keyspace.shardCount();
            if (kind == Kind.HERE) {
                for (int shard = 0; shard < shards; shard++) {
                    while (snap.step(shard, ENTRIES_PER_STEP)) {
                        drain(writer);
                    }
                    drain(writer);
                }
                return;
            }
            walkFrom(submit(snap, 0), snap, writer);
        }

        /** Hands shard {@code shard}'s next step to its loop, as the loops are now (none once the server stops). */
        private WalkStep submit(KeyspaceSnapshot snap, int shard) {
            List<? extends Executor> loops = walkers;
            Executor loop = loops.isEmpty() ? Runnable::run : loops.get(shard % loops.size());
            return WalkStep.submit(snap, shard, ENTRIES_PER_STEP, loop);
        }

        private void walkFrom(WalkStep first, KeyspaceSnapshot snap, RdbFileWriter writer) throws IOException {
            int shards = keyspace.shardCount();
            WalkStep step = first;
            while (step != null) {
                if (Thread.currentThread() == idleThread && (hurried || System.nanoTime() > starvedAfterNanos)) {
                    continueAtNormalPriority(step, snap, writer);
                    return;
                }
                int shard = step.join() ? step.shard() : step.shard() + 1;
                step = shard < shards ? submit(snap, shard) : null;
                drain(writer);
            }
        }

        /**
         * A save at idle priority gets no CPU while every core is busy; past its deadline it
         * finishes the walk on the normal-priority thread (paced), so a saturated server still
         * gets its snapshot, at the tail cost of a save at normal priority. A save someone has
         * started waiting for (a shutdown behind a BGSAVE) moves there at once, unpaced.
         */
        private void continueAtNormalPriority(WalkStep step, KeyspaceSnapshot snap, RdbFileWriter writer)
                throws IOException {
            log.info("Background saving has run {} s with idle CPU priority; continuing at normal priority",
                    (System.currentTimeMillis() - startMillis) / 1000);
            continuedAtNormalPriority.incrementAndGet();
            try {
                normalThread.submit(() -> {
                    walkFrom(step, snap, writer);
                    return null;
                }).get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while saving", e);
            }
        }

        /**
         * A chunk's string records under rdb-key-save-delay: each goes to the file before its
         * pause, as rdbSaveKeyValuePair writes a key before debugDelay, so the file grows while
         * the save is slowed.
         */
        private void recordsOneByOne(int recordsLength, RdbFileWriter writer) throws IOException {
            try {
                KeyspaceSnapshot.forEachRecord(scratch, recordsLength, (block, ko, kl, vo, vl, expiresAt) -> {
                    strings.stringEntry(block, ko, kl, vo, vl, expiresAt);
                    try {
                        writer.chunk(strings.array(), 0, strings.size());
                        strings.reset();
                        afterKey();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        }

        /**
         * rdb-key-save-delay's pause after one key, on this save's thread (never a loop's). It is
         * cut short as Redis's child would be killed: once FLUSHALL abandons the snapshot, once
         * someone waits for the save (a shutdown or FLUSHALL's save after it: Redis kills its
         * child and saves afresh, and so does the save that waits here, with the delay), or when
         * the thread is interrupted (SHUTDOWN NOSAVE closing the service), which fails the save
         * and removes its temporary file.
         */
        private void afterKey() throws java.io.InterruptedIOException {
            DebugDelay.afterKey(keyDelayMicros, () -> hurried || voided());
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("save interrupted");
            }
        }

        /**
         * Whether this save rests between bursts, decided per chunk ({@link #decidePacing}): a
         * background save at normal priority always does, one at idle priority while the loops
         * are busy ({@link #pacedWhile}), one someone waits for never.
         */
        private boolean pacing;

        private void decidePacing() {
            boolean now = pacer != null && !hurried
                    && (Thread.currentThread() != idleThread || loopsBusy.getAsBoolean());
            if (now && !pacing) {
                pacer.restart(); // the time it ran unpaced is not owed as rest
            }
            pacing = now;
        }

        private void rest() {
            if (pacing && pacer.checkpoint()) {
                pacedRests.incrementAndGet();
            }
        }

        /**
         * Whether FLUSHALL has voided this save: during the walk it abandons the snapshot, after
         * it (the captured chunks still being written) it is counted by the keyspace. Redis kills
         * its saving child either way; the file is then never put in place.
         */
        private boolean voided() {
            KeyspaceSnapshot s = snapshot;
            return cancelled || s != null && (s.isAbandoned() || keyspace.flushAlls() != flushAllsAtStart);
        }

        private void drain(RdbFileWriter writer) throws IOException {
            ChunkSink.Chunk c;
            while ((c = chunks.poll()) != null) {
                decidePacing();
                try {
                    if (!voided()) {
                        write(c, writer);
                    } // else FLUSHALL voided the save: the chunk's memory goes back unwritten
                } finally {
                    c.release();
                }
                pendingBytes.addAndGet(-c.bytes());
                rest();
            }
        }

        /** Copies a chunk's buffer into {@link #scratch}; answers its length. */
        private int onHeap(ByteBuf buffer) {
            int length = buffer.readableBytes();
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, 2 * scratch.length)];
            }
            buffer.getBytes(buffer.readerIndex(), scratch, 0, length);
            return length;
        }

        /** Writes one captured chunk: its encoded entries, then its string records encoded here. */
        private void write(ChunkSink.Chunk c, RdbFileWriter writer) throws IOException {
            if (c.encoded() != null) {
                int encodedLength = onHeap(c.encoded());
                writer.chunk(scratch, 0, encodedLength);
                for (int i = 0; i < c.entries() && keyDelayMicros != 0; i++) {
                    afterKey();
                }
            }
            if (c.records() != null && c.records().isReadable()) {
                int recordsLength = onHeap(c.records());
                strings.reset();
                strings.selectDb(c.db());
                if (keyDelayMicros != 0) {
                    recordsOneByOne(recordsLength, writer);
                } else {
                    KeyspaceSnapshot.forEachRecord(scratch, recordsLength, (block, ko, kl, vo, vl, expiresAt) -> {
                        strings.stringEntry(block, ko, kl, vo, vl, expiresAt);
                        rest();
                    });
                }
                writer.chunk(strings.array(), 0, strings.size());
            }
        }
    }
}
