package io.damselfly.server.rdb;

import io.damselfly.server.aof.CNumbers;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Shard;
import io.damselfly.server.keyspace.Value;
import io.damselfly.server.keyspace.ValueBuilder;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an RDB file into a keyspace, as Redis's rdbLoad at start (and DEBUG RELOAD): each key goes
 * in through {@code KeyOps.restore} under its shard's lock, so memory accounting and the expiry
 * index are kept as for any write; keys whose expiry has passed are dropped (Redis does so on a
 * master) and counted; a key twice in one database stops the load ("Duplicate key"), as Redis
 * panics on it; function libraries go to the {@link LibrarySink} given. Progress lines go to the
 * log every few seconds for a large file, and a last line like Redis's "DB loaded from disk".
 *
 * <p>A failure leaves what was loaded before it in the keyspace: the caller stops the start (or,
 * for DEBUG RELOAD, reports the error), as Redis exits.
 */
public final class RdbLoader {
    private static final Logger log = LoggerFactory.getLogger(RdbLoader.class);
    /** Time between two progress lines. */
    private static final long PROGRESS_NANOS = 3_000_000_000L;

    /** Where function libraries go (FUNCTION LOAD without REPLACE); a refusal is a RuntimeException with Redis's text. */
    @FunctionalInterface
    public interface LibrarySink {
        void load(byte[] code);
    }

    /** What a load did: keys loaded, keys dropped as expired, empty keys skipped, libraries, bytes, time. */
    /**
     * What a load did; {@code replication} is the file's place in a replication stream (its
     * repl-stream-db, repl-id and repl-offset AUX fields, all three there and valid, as Redis's
     * loadDataFromDisk asks), or null.
     */
    public record Result(long keys, long expired, long emptySkipped, long libraries, long bytes, long millis,
            RdbFileWriter.ReplicationInfo replication) {
    }

    /** Told each key a primary's load drops as expired (Redis feeds their DELs to its new backlog). */
    public interface ExpiredKeys {
        void expired(int db, byte[] key);
    }

    private final Keyspace keyspace;
    private final LibrarySink libraries;
    private final boolean allowDuplicates;

    /** A loader for a start: a key already present (twice in the file) stops the load. */
    public RdbLoader(Keyspace keyspace, LibrarySink libraries) {
        this(keyspace, libraries, false);
    }

    /**
     * A loader that, when {@code allowDuplicates}, replaces a key already present instead of
     * refusing it (Redis's RDBFLAGS_ALLOW_DUP, DEBUG RELOAD MERGE); the sink decides the same for
     * libraries.
     */
    public RdbLoader(Keyspace keyspace, LibrarySink libraries, boolean allowDuplicates) {
        this(keyspace, libraries, allowDuplicates, true);
    }

    /** The same, checking the file's CRC64 only when {@code checksum} (rdbchecksum; Redis skips it when no). */
    public RdbLoader(Keyspace keyspace, LibrarySink libraries, boolean allowDuplicates, boolean checksum) {
        this(keyspace, libraries, allowDuplicates, checksum, 0);
    }

    /**
     * The same, pausing after each key as key-load-delay asks ({@link DebugDelay}: microseconds,
     * or -n for one microsecond in n keys; 0 none), for tests that watch a long load.
     */
    public RdbLoader(Keyspace keyspace, LibrarySink libraries, boolean allowDuplicates, boolean checksum, int keyDelayMicros) {
        this.keyspace = keyspace;
        this.libraries = libraries;
        this.allowDuplicates = allowDuplicates;
        this.checksum = checksum;
        this.keyDelayMicros = keyDelayMicros;
    }

    private final boolean checksum;
    private final int keyDelayMicros;
    /** Run about once a second while a load goes on (a replica's keep-alive to its primary), or null. */
    private Runnable keepAlive;

    /** Told the keys dropped as expired, or null. */
    private ExpiredKeys expiredKeys;

    /** Runs {@code action} about once a second while a load goes on, on the loading thread. */
    public RdbLoader keepingAlive(Runnable action) {
        this.keepAlive = action;
        return this;
    }

    /** Tells {@code sink} each key dropped as expired (null: nobody). */
    public RdbLoader feedingExpired(ExpiredKeys sink) {
        this.expiredKeys = sink;
        return this;
    }

    /**
     * Loads {@code file} if it exists: null when it does not (an empty start), the result when it
     * loaded whole; anything else is a {@link RdbLoadException} naming the file and the cause.
     */
    public Result loadIfExists(Path file) {
        long size;
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new RdbLoadException("cannot read the RDB file " + file + ": " + e, e);
        }
        try (InputStream in = new BufferedInputStream(raw, 1 << 16)) {
            return load(in, size, file.toString());
        } catch (IOException e) {
            throw new RdbLoadException("cannot read the RDB file " + file + ": " + e, e);
        }
    }

    /** Loads the {@code length} bytes of a stream, {@code name} saying where it came from in messages. */
    public Result load(InputStream in, long length, String name) {
        long start = System.nanoTime();
        log.info("Loading RDB file {} ({} bytes)", name, length);
        Loading target = new Loading(start, length);
        RdbFileReader.Summary summary;
        try {
            summary = new RdbFileReader(new ValueBuilder(keyspace), keyspace.databases(), checksum).read(in, length, target);
        } catch (RdbFormatException e) {
            RdbLoadException failure = new RdbLoadException("cannot load the RDB file " + name + ": " + e.getMessage()
                    + " (" + target.keys + " keys loaded before the error)", e);
            // in the log too, as Redis's rdbReportError logs it (its tests look for "CRC error" there)
            log.warn("{}", failure.getMessage());
            throw failure;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (checksum && summary.version() >= 5 && !summary.checksumChecked()) {
            log.warn("RDB file was saved with checksum disabled: no check performed.");
        }
        if (summary.emptyKeysSkipped() > 0) {
            log.warn("Done loading RDB, keys loaded: {}, keys expired: {}, empty keys skipped: {}.",
                    target.keys, target.expired, summary.emptyKeysSkipped());
        } else {
            log.info("Done loading RDB, keys loaded: {}, keys expired: {}.", target.keys, target.expired);
        }
        log.info("DB loaded from disk: {} keys in {} seconds", target.keys, String.format("%.3f", millis / 1000.0));
        return new Result(target.keys, target.expired, summary.emptyKeysSkipped(), target.libraries, summary.bytes(), millis, target.replication());
    }

    /** The reader's target: puts keys and libraries in, logs progress. */
    private final class Loading implements RdbFileReader.Target {
        private final Database[] dbs = new Database[keyspace.databases()];
        private final byte[][] arguments = {"restore".getBytes(StandardCharsets.US_ASCII), null};
        private final long start;
        private final long length;
        private long lastLine;
        private long lastKeepAlive = System.nanoTime();
        long keys;
        long expired;
        long libraries;
        int replStreamDb = -1;
        String replId;
        long replOffset = -1;

        RdbFileWriter.ReplicationInfo replication() {
            return replId != null && replOffset != -1 && replStreamDb != -1
                    ? new RdbFileWriter.ReplicationInfo(replStreamDb, replId, replOffset) : null;
        }

        Loading(long start, long length) {
            this.start = start;
            this.length = length;
            this.lastLine = start;
        }

        @Override
        public void aux(byte[] name, byte[] value) {
            String n = new String(name, StandardCharsets.ISO_8859_1);
            String v = new String(value, StandardCharsets.ISO_8859_1);
            if (n.startsWith("%")) {
                log.info("RDB '{}': {}", n, v);
            } else if (n.equalsIgnoreCase("redis-ver")) {
                log.info("Loading RDB produced by version {}", v);
            } else if (n.equalsIgnoreCase("repl-stream-db")) {
                replStreamDb = (int) CNumbers.strtol(value, 0);
            } else if (n.equalsIgnoreCase("repl-id")) {
                // rdbLoad takes it only at its exact length
                if (v.length() == 40) {
                    replId = v;
                }
            } else if (n.equalsIgnoreCase("repl-offset")) {
                replOffset = CNumbers.strtol(value, 0);
            } else if (n.equalsIgnoreCase("ctime")) {
                try {
                    log.info("RDB age {} seconds", Math.max(0, System.currentTimeMillis() / 1000 - Long.parseLong(v.trim())));
                } catch (NumberFormatException e) {
                    // Redis reads it with strtol and logs whatever comes out: nothing to log here
                }
            }
        }

        @Override
        public void function(byte[] code) throws RdbFormatException {
            try {
                RdbLoader.this.libraries.load(code);
            } catch (RuntimeException e) {
                throw new RdbFormatException("Failed loading library, " + e.getMessage());
            }
            libraries++;
        }

        @Override
        public void key(int db, byte[] key, Value value, long expiresAtMs, long idleSeconds, int frequency) throws RdbFormatException {
            long now = System.currentTimeMillis();
            // rdbLoad drops keys already expired only on a primary loading a snapshot; a replica
            // keeps them for its primary's DEL, an AOF's base for the commands after it
            if (expiresAtMs != RdbFileReader.NO_EXPIRY && expiresAtMs < now && !keyspace.storesPastExpiries()) {
                expired++;
                if (expiredKeys != null) {
                    expiredKeys.expired(db, key);
                }
                afterKey();
                return;
            }
            Database d = dbs[db];
            if (d == null) {
                d = dbs[db] = keyspace.database(db, now);
                // a snapshot's keys are no client's writes: on a replica they are the primary's
                // (never remembered as a writable replica's own, which it would expire itself)
                d.obeyPrimary();
            }
            // bound as a command's argument, the key is hashed once for the lookups and the insert
            arguments[1] = key;
            d.bind(db, now, arguments);
            Shard shard = keyspace.shard(d.shardIndex(key));
            shard.lock();
            try {
                if (!allowDuplicates && d.keys().existsForWrite(key)) {
                    throw new RdbFormatException("Duplicate key '" + RdbFileReader.printable(key) + "' in DB " + db + " in the RDB file");
                }
                // an expiry of exactly 0 ms is long past (dropped above, or kept as 1 ms: 0 is
                // Database.NO_EXPIRY)
                long at = expiresAtMs == RdbFileReader.NO_EXPIRY ? Database.NO_EXPIRY
                        : expiresAtMs == Database.NO_EXPIRY ? 1 : expiresAtMs;
                d.keys().restore(key, value, at, idleSeconds, frequency);
            } finally {
                shard.unlock();
                arguments[1] = null;
            }
            keys++;
            afterKey();
        }

        /** key-load-delay's pause, after every key read (loaded or dropped as expired), as rdbLoad takes it. */
        private void afterKey() {
            if (keyDelayMicros != 0) {
                DebugDelay.afterKey(keyDelayMicros, () -> false);
            }
        }

        @Override
        public void progress(long bytesRead, long keysRead) {
            long t = System.nanoTime();
            if (keepAlive != null && t - lastKeepAlive >= 1_000_000_000L) {
                lastKeepAlive = t;
                keepAlive.run();
            }
            if (t - lastLine >= PROGRESS_NANOS) {
                lastLine = t;
                log.info("Loading RDB: {} keys, {} of {} MB ({}%) in {} s", keys, bytesRead >> 20, length >> 20,
                        length == 0 ? 100 : bytesRead * 100 / length, (t - start) / 1_000_000_000L);
            }
        }
    }
}
