package io.damselfly.server.aof;

import io.damselfly.server.aof.AofManifest.AofFile;
import io.damselfly.server.rdb.DebugDelay;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the files a manifest names into the server, in Redis 7.0.15's order and with its
 * outcomes and log lines (loadAppendOnlyFiles and loadSingleAppendOnlyFile in aof.c), through a
 * {@link Replay} the server implements: this class knows files, the command format and what
 * each failure means, nothing of keyspaces or commands.
 *
 * <p>Design, following aof.c step by step:
 * <ol>
 * <li>An old-style {@code <dir>/<appendfilename>} becomes the manifest's base first (the upgrade),
 *     when there is no AOF directory, or the manifest names no file, or it names only that base
 *     and it is not in the AOF directory yet (an upgrade cut short).
 * <li>No base and no incr file: NOT_EXIST. A listed file that cannot be stat'ed: FAILED (missing)
 *     or OPEN_ERR. All of them empty: EMPTY.
 * <li>The base, then each incr file in manifest order, each read with a new AOF client
 *     ({@link Replay#newClient}): database 0, no MULTI, closed at the end of its file whatever
 *     happened, as Redis creates and frees its fake client per file. A file starting with "REDIS"
 *     is an RDB image (a {@code .base.rdb}, or an old-style file's preamble) handed to
 *     {@link Replay#rdb}; the commands after it, if any, are read on from where it ended.
 * <li>A short read (or a MULTI still open at the end, reverted to where it began) with
 *     aof-load-truncated cuts the file on disk at the last whole command and counts as
 *     TRUNCATED, which is fatal unless it happened in the last file.
 * </ol>
 * Quirks kept from Redis: the last valid offset starts at 0 and is moved only by a command, so a
 * short read in the first command after an RDB preamble cuts the file to 0 bytes with
 * aof-load-truncated (the preamble goes too); a base whose file vanished between the size check and the
 * open is skipped (NOT_EXIST is not fatal there); the sizes returned are those taken before any
 * truncation.
 */
public final class AofLoading {
    private static final Logger log = LoggerFactory.getLogger(AofLoading.class);

    /** What a load came to (AOF_OK ... AOF_TRUNCATED). */
    public enum Status {
        /** Loaded. */
        OK,
        /** No base and no incr file: nothing to load (the server starts empty, no log line). */
        NOT_EXIST,
        /** Every listed file is empty. */
        EMPTY,
        /** A file exists but cannot be opened or stat'ed: fatal. */
        OPEN_ERR,
        /** Bad data, unknown command, short read without aof-load-truncated, a missing file: fatal. */
        FAILED,
        /** The last file was cut at its last whole command (aof-load-truncated) and loaded. */
        TRUNCATED;

        /** Whether Redis stops here (loadDataFromDisk exits on FAILED and OPEN_ERR). */
        public boolean fatal() {
            return this == FAILED || this == OPEN_ERR;
        }
    }

    /**
     * The outcome and the sizes Redis records after a load that got through every file:
     * {@code currentSize} the sum of the base and incr files (aof_current_size),
     * {@code baseSize} the base's (aof_rewrite_base_size, INFO aof_base_size). Both are 0 when
     * the load stopped before that point (any status but OK and TRUNCATED); {@code seconds} is
     * the whole load's time.
     */
    public record Result(Status status, long currentSize, long baseSize, double seconds) {
    }

    /** The server's side of a load. Methods are called on the loading thread, one at a time. */
    public interface Replay {
        /**
         * Loads the RDB image at the start of {@code in} (positioned at "REDIS"; {@code fileLength}
         * is the whole file's, commands may follow the image) and answers how many bytes the image
         * took, up to and including its checksum, so that the commands after it are read from
         * there: the stream may be read past the image (through a buffer). Throws for a bad or
         * truncated image, which fails the load (Redis's RDB loader exits then; the command part's
         * truncation rules do not apply to it); the exception's message is logged.
         */
        long rdb(InputStream in, long fileLength, String fileName) throws Exception;

        /** A new AOF client (createAOFClient) for one file: database 0, no MULTI, no replies, never blocked. */
        Client newClient();

        /** Called once before the first file is read, with the bytes to read in all (startLoading). */
        default void startLoading(long totalBytes) {
        }

        /** Called before each file with its name (updateLoadingFileName). */
        default void loadingFile(String fileName) {
        }

        /** Called every {@link #PROGRESS_COMMANDS} commands and after an RDB image with the bytes of this file read so far. */
        default void progress(long fileOffset) {
        }

        /** Called once at the end if {@link #startLoading} was, with whether the load succeeded (stopLoading). */
        default void stopLoading(boolean success) {
        }

        /** Redis serves events while loading every 1024 commands (processEventsWhileBlocked). */
        int PROGRESS_COMMANDS = 1024;

        /** The AOF client of one file. */
        interface Client {
            /** Whether the server has this command (lookupCommand: a container's subcommand counts). */
            boolean knowsCommand(byte[][] argv);

            /**
             * Runs a command as the AOF client does: no arity or ACL checks (Redis calls the
             * command's proc directly), errors dropped, queued while a MULTI is open except EXEC.
             */
            void command(byte[][] argv) throws Exception;

            /** Whether a MULTI is open. */
            boolean inMulti();

            /** The end of the file: drops an open MULTI, as freeClient does. Called once, whatever happened. */
            void close();
        }
    }

    /** Loading options: aof-load-truncated, key-load-delay (microseconds, DebugDelay's sense), proto-max-bulk-len. */
    public record Settings(boolean loadTruncated, int keyLoadDelayMicros, long maxBulkLength) {
        /** Redis's defaults: aof-load-truncated yes, no delay, 512 MB arguments. */
        public static final Settings DEFAULTS = new Settings(true, 0, AofCommandReader.DEFAULT_MAX_BULK_LENGTH);
    }

    /** Where log lines go: slf4j, or a test's recorder. */
    interface LogSink {
        void info(String line);

        void warn(String line);
    }

    private static final LogSink SLF4J = new LogSink() {
        @Override
        public void info(String line) {
            log.info(line);
        }

        @Override
        public void warn(String line) {
            log.warn(line);
        }
    };

    private static final byte[] RDB_SIGNATURE = "REDIS".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MULTI = "multi".getBytes(StandardCharsets.US_ASCII);

    private final Path dir;
    private final Path aofDir;
    private final String aofFileName;
    private final Settings settings;
    private final Replay replay;
    private final LogSink out;

    /**
     * A loader of the AOF whose old-style file would be {@code <dir>/<aofFileName>} and whose
     * multi-part files are in {@code aofDir} (dir/appenddirname).
     */
    public AofLoading(Path dir, Path aofDir, String aofFileName, Settings settings, Replay replay) {
        this(dir, aofDir, aofFileName, settings, replay, SLF4J);
    }

    AofLoading(Path dir, Path aofDir, String aofFileName, Settings settings, Replay replay, LogSink out) {
        this.dir = dir;
        this.aofDir = aofDir;
        this.aofFileName = aofFileName;
        this.settings = settings;
        this.replay = replay;
        this.out = out;
    }

    /**
     * Loads what {@code manifest} names (loadAppendOnlyFiles), upgrading an old-style file into
     * it first when one is found (the manifest then changes and is persisted). {@code manifest}
     * null is an empty one (no manifest on disk). Throws IOException only when the upgrade fails
     * (Redis exits then); every other outcome is a status.
     */
    public Result load(AofManifest manifest) throws IOException {
        long started = System.nanoTime();
        AofManifest am = manifest == null ? new AofManifest() : manifest;
        if (Files.isRegularFile(dir.resolve(aofFileName))) {
            AofFile base = am.base();
            if (!Files.isDirectory(aofDir)
                    || am.hasNoData()
                    || (base != null && am.incrs().isEmpty() && base.name().equals(aofFileName)
                        && !Files.isRegularFile(aofDir.resolve(aofFileName)))) {
                am.upgradeFromOldStyle(dir, aofDir, aofFileName);
            }
        }
        if (am.hasNoData()) {
            return new Result(Status.NOT_EXIST, 0, 0, seconds(started));
        }
        int total = am.baseAndIncrCount();

        long totalSize = 0;
        for (AofFile f : filesToLoad(am)) {
            try {
                totalSize += Files.size(aofDir.resolve(f.name()));
            } catch (IOException e) {
                out.warn("Unable to obtain the AOF file " + f.name() + " length. stat: " + AofManifest.reason(e));
                // a listed file missing on disk is fatal
                Status s = e instanceof NoSuchFileException ? Status.FAILED : Status.OPEN_ERR;
                return new Result(s, 0, 0, seconds(started));
            }
        }
        if (totalSize == 0) {
            return new Result(Status.EMPTY, 0, 0, seconds(started));
        }

        replay.startLoading(totalSize);
        Status ret = Status.OK;
        long baseSize = 0;
        int number = 0;
        try {
            if (am.base() != null) {
                String name = am.base().name();
                replay.loadingFile(name);
                baseSize = AofManifest.fileSize(aofDir, name);
                boolean last = ++number == total;
                long start = System.nanoTime();
                ret = loadFile(name);
                if (ret == Status.OK || (ret == Status.TRUNCATED && last)) {
                    out.info("DB loaded from base file " + name + ": " + format3(seconds(start)) + " seconds");
                }
                if (ret == Status.TRUNCATED && !last) {
                    ret = Status.FAILED;
                    out.warn("Fatal error: the truncated file is not the last file");
                }
                if (ret.fatal()) {
                    return new Result(ret, 0, 0, seconds(started));
                }
            }
            for (AofFile f : am.incrs()) {
                String name = f.name();
                replay.loadingFile(name);
                boolean last = ++number == total;
                long start = System.nanoTime();
                ret = loadFile(name);
                if (ret == Status.OK || (ret == Status.TRUNCATED && last)) {
                    out.info("DB loaded from incr file " + name + ": " + format3(seconds(start)) + " seconds");
                }
                // one of the files has data (totalSize > 0), so an empty incr file is no EMPTY result
                if (ret == Status.EMPTY) {
                    ret = Status.OK;
                }
                if (ret == Status.TRUNCATED && !last) {
                    ret = Status.FAILED;
                    out.warn("Fatal error: the truncated file is not the last file");
                }
                if (ret.fatal()) {
                    return new Result(ret, 0, 0, seconds(started));
                }
            }
            return new Result(ret, totalSize, baseSize, seconds(started));
        } finally {
            replay.stopLoading(ret == Status.OK || ret == Status.TRUNCATED);
        }
    }

    /**
     * Logs "DB loaded from append only file: %.3f seconds" as Redis does after loading at start
     * (loadDataFromDisk): for every status but NOT_EXIST and the fatal ones. DEBUG LOADAOF logs
     * no such line.
     */
    public static void logLoadedAtStart(Result r) {
        if (r.status() != Status.NOT_EXIST && !r.status().fatal()) {
            log.info("DB loaded from append only file: {} seconds", format3(r.seconds()));
        }
    }

    private static java.util.List<AofFile> filesToLoad(AofManifest am) {
        java.util.List<AofFile> files = new java.util.ArrayList<>(am.baseAndIncrCount());
        if (am.base() != null) {
            files.add(am.base());
        }
        files.addAll(am.incrs());
        return files;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String format3(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }

    // ---------------------------------------------------------------- one file

    /** loadSingleAppendOnlyFile: opens, hands an RDB image over, reads the commands, settles the end. */
    Status loadFile(String name) {
        Path path = aofDir.resolve(name);
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            if (e instanceof NoSuchFileException) {
                out.warn("The append log file " + name + " doesn't exist: " + AofManifest.reason(e));
                return Status.NOT_EXIST;
            }
            out.warn("Fatal error: can't open the append log file " + name + " for reading: " + AofManifest.reason(e));
            return Status.OPEN_ERR;
        }
        Replay.Client client = null;
        try (ch) {
            long size = ch.size();
            if (size == 0) {
                return Status.EMPTY;
            }
            client = replay.newClient();
            long commandStart = 0;
            if (startsWithRdbSignature(ch)) {
                commandStart = loadRdbImage(ch, size, name);
                if (commandStart < 0) {
                    return Status.FAILED;
                }
            }
            return loadCommands(ch, commandStart, name, path, client);
        } catch (IOException e) {
            out.warn("Unrecoverable error reading the append only file " + name + ": " + AofManifest.reason(e));
            return Status.FAILED;
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    /** The RDB image at the start of a file: where the commands after it begin, or -1 when it failed (logged). */
    private long loadRdbImage(FileChannel ch, long size, String name) throws IOException {
        boolean oldStyle = name.equals(aofFileName);
        out.info(oldStyle ? "Reading RDB preamble from AOF file..." : "Reading RDB base file on AOF loading...");
        ch.position(0);
        long end;
        try {
            end = replay.rdb(new BufferedInputStream(Channels.newInputStream(ch), AofCommandReader.BUFFER_SIZE), size, name);
        } catch (Exception e) {
            // a truncated image too: Redis's RDB loader exits on a short read of a file, so unlike
            // the command part it is never cut and accepted under aof-load-truncated
            out.warn(oldStyle
                    ? "Error reading the RDB preamble of the AOF file " + name + ", AOF loading aborted"
                    : "Error reading the RDB base file " + name + ", AOF loading aborted");
            out.warn("Unrecoverable error reading the append only file " + name + ": " + e.getMessage());
            return -1;
        }
        if (end < 0 || end > size) {
            throw new IllegalStateException("Replay.rdb answered " + end + " for a file of " + size + " bytes");
        }
        replay.progress(end);
        if (oldStyle) {
            out.info("Reading the remaining AOF tail...");
        }
        return end;
    }

    /** The command part, from {@code start} to the end of the file, and how the file ends. */
    private Status loadCommands(FileChannel ch, long start, String name, Path path, Replay.Client client) throws IOException {
        // Redis's valid_up_to: 0 until a command moves it, even after an RDB preamble
        long validUpTo = 0;
        long validBeforeMulti = 0;
        ch.position(start);
        AofCommandReader reader = new AofCommandReader(Channels.newInputStream(ch), start, settings.maxBulkLength());
        long commands = 0;
        byte[][] argv;
        while ((argv = reader.next()) != null) {
            if (!client.knowsCommand(argv)) {
                out.warn("Unknown command '" + new String(argv[0], StandardCharsets.UTF_8)
                        + "' reading the append only file " + name);
                return Status.FAILED;
            }
            if (equalsIgnoreCase(argv[0], MULTI)) {
                validBeforeMulti = validUpTo;
            }
            try {
                client.command(argv);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                // Redis's commands cannot fail the AOF client (errors are replies, dropped): a bug
                throw new IllegalStateException("the AOF client failed on a command of " + name, e);
            }
            validUpTo = reader.validUpTo();
            if (settings.keyLoadDelayMicros() != 0) {
                DebugDelay.afterKey(settings.keyLoadDelayMicros(), () -> false);
            }
            if (++commands % Replay.PROGRESS_COMMANDS == 0) {
                replay.progress(reader.offset());
            }
        }
        switch (reader.end()) {
            case OK -> {
                if (!client.inMulti()) {
                    replay.progress(reader.offset());
                    return Status.OK;
                }
                // the protocol is whole, but the tail is an unfinished transaction: drop it as a short read
                out.warn("Revert incomplete MULTI/EXEC transaction in AOF file " + name);
                return shortRead(name, path, validBeforeMulti);
            }
            case SHORT_READ -> {
                return shortRead(name, path, validUpTo);
            }
            case FORMAT_ERROR -> {
                out.warn("Bad file format reading the append only file " + name + ": make a backup of your AOF file, "
                        + "then use ./redis-check-aof --fix <filename.manifest>");
                return Status.FAILED;
            }
            default -> {
                out.warn("Unrecoverable error reading the append only file " + name + ": " + reader.problem());
                return Status.FAILED;
            }
        }
    }

    /** The unexpected end of a file (uxeof): cut and accept it with aof-load-truncated, else fail. */
    private Status shortRead(String name, Path path, long validUpTo) {
        if (settings.loadTruncated()) {
            out.warn("!!! Warning: short read while loading the AOF file " + name + "!!!");
            out.warn("!!! Truncating the AOF " + name + " at offset " + validUpTo + " !!!");
            try (FileChannel w = FileChannel.open(path, StandardOpenOption.WRITE)) {
                w.truncate(validUpTo);
                out.warn("AOF " + name + " loaded anyway because aof-load-truncated is enabled");
                return Status.TRUNCATED;
            } catch (IOException e) {
                out.warn("Error truncating the AOF file " + name + ": " + AofManifest.reason(e));
            }
        }
        out.warn("Unexpected end of file reading the append only file " + name + ". You can: "
                + "1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. "
                + "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.");
        return Status.FAILED;
    }

    /** Whether the file's first five bytes are "REDIS" (a shorter file is not an RDB image). */
    private static boolean startsWithRdbSignature(FileChannel ch) throws IOException {
        ByteBuffer sig = ByteBuffer.allocate(RDB_SIGNATURE.length);
        ch.position(0);
        while (sig.hasRemaining()) {
            if (ch.read(sig) < 0) {
                return false;
            }
        }
        return java.util.Arrays.equals(sig.array(), RDB_SIGNATURE);
    }

    private static boolean equalsIgnoreCase(byte[] a, byte[] lower) {
        if (a.length != lower.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            int c = a[i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }
}
