package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandHandler;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.config.Option;
import io.damselfly.server.keyspace.DatasetDigest;
import io.damselfly.server.keyspace.GlobPattern;
import io.damselfly.server.keyspace.KeyOps;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Numbers;
import io.damselfly.server.keyspace.Shard;
import io.damselfly.server.rdb.DumpPayload;
import io.damselfly.server.rdb.RdbLoadException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEBUG (Redis 7.0.15's debug.c), the subcommands Redis's own test suite leans on: RELOAD (save,
 * empty, load the file back: a round trip through the RDB writer and reader), OBJECT, POPULATE,
 * PROTOCOL (one reply of each RESP type), DIGEST and DIGEST-VALUE (Redis's signatures of the
 * data, equal to redis-server's: {@link DatasetDigest}), LOADAOF, SET-ACTIVE-EXPIRE, PAUSE-CRON,
 * SET-DISABLE-DENY-SCRIPTS, SLEEP, STRINGMATCH-TEST, CONFIG-REWRITE-FORCE-ALL, LOG, REPLICATE, SET-SKIP-CHECKSUM-VALIDATION, REPLYBUFFER and QUICKLIST-PACKED-THRESHOLD
 * (accepted; nothing here to tune), CHANGE-REPL-ID, HELP. Refused unless {@code
 * enable-debug-command} allows it, as in Redis 7, where it is off by default: the executor checks
 * that (a PROTECTED command) where processCommand does, so a refused DEBUG in MULTI is not queued
 * and dooms the transaction, and a script's call is not checked, as scriptCall skips that check.
 *
 * <p>Subcommands are a table of name and argument counts, as debugCommand matches them: a known
 * name with another count is answered like an unknown one. Those that take time (SLEEP, RELOAD,
 * POPULATE, STRINGMATCH-TEST) hold their event loop for it, as they hold the whole of
 * redis-server (SLEEP every shard too, so the other loops' commands on keys wait): they are for
 * tests, never for serving.
 *
 * <p>Not here: the crash and memory-allocator subcommands (SEGFAULT, PANIC, OOM, MALLCTL...), those
 * about Redis's own structures (SDSLEN, LISTPACK, QUICKLIST, HTSTATS, STRUCTSIZE: damselfly has
 * other ones), and those about replication and cluster links, which damselfly lacks.
 */
public final class DebugCommands {
    private static final Logger log = LoggerFactory.getLogger(DebugCommands.class);

    private DebugCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("debug", DebugCommands::debug);
    }

    /** A subcommand: its handler and how many arguments debugCommand accepts it with (DEBUG and the name counted). */
    private record Subcommand(int minArgc, int maxArgc, CommandHandler handler) {
        static Subcommand exactly(int argc, CommandHandler handler) {
            return new Subcommand(argc, argc, handler);
        }
    }

    private static final Map<String, Subcommand> SUBCOMMANDS = Map.ofEntries(
            Map.entry("help", Subcommand.exactly(2, DebugCommands::help)),
            Map.entry("reload", new Subcommand(2, Integer.MAX_VALUE, DebugCommands::reload)),
            Map.entry("loadaof", new Subcommand(2, 2, DebugCommands::loadaof)),
            Map.entry("aof-flush-sleep", Subcommand.exactly(3, DebugCommands::aofFlushSleep)),
            Map.entry("object", Subcommand.exactly(3, DebugCommands::object)),
            Map.entry("populate", new Subcommand(3, 5, DebugCommands::populate)),
            Map.entry("protocol", Subcommand.exactly(3, DebugCommands::protocol)),
            Map.entry("sleep", Subcommand.exactly(3, DebugCommands::sleep)),
            Map.entry("set-active-expire", Subcommand.exactly(3, DebugCommands::setActiveExpire)),
            Map.entry("quicklist-packed-threshold", Subcommand.exactly(3, c -> c.reply().ok())),
            Map.entry("change-repl-id", Subcommand.exactly(2, c -> c.reply().ok())),
            Map.entry("stringmatch-test", Subcommand.exactly(2, DebugCommands::stringmatchTest)),
            Map.entry("set-disable-deny-scripts", Subcommand.exactly(3, DebugCommands::setDisableDenyScripts)),
            Map.entry("pause-cron", Subcommand.exactly(3, DebugCommands::pauseCron)),
            Map.entry("replybuffer", Subcommand.exactly(4, DebugCommands::replyBuffer)),
            Map.entry("digest", Subcommand.exactly(2, DebugCommands::digest)),
            Map.entry("config-rewrite-force-all", Subcommand.exactly(2, DebugCommands::configRewriteForceAll)),
            Map.entry("log", Subcommand.exactly(3, DebugCommands::logMessage)),
            Map.entry("set-skip-checksum-validation", Subcommand.exactly(3, c -> {
                c.server().keyspace().setSkipDumpChecksum(Numbers.atoi(c.arg(2)) != 0);
                c.reply().ok();
            })),
            Map.entry("replicate", new Subcommand(3, Integer.MAX_VALUE, DebugCommands::replicate)),
            Map.entry("digest-value", new Subcommand(2, Integer.MAX_VALUE, DebugCommands::digestValue)));

    /** The subcommands' names, lower-case (tests: HELP must list each). */
    static java.util.Set<String> subcommandNames() {
        return SUBCOMMANDS.keySet();
    }

    /** DEBUG subcommand [argument ...] */
    static void debug(CommandContext c) {
        Subcommand sub = SUBCOMMANDS.get(c.argString(1).toLowerCase(Locale.ROOT));
        if (sub == null || c.argc() < sub.minArgc() || c.argc() > sub.maxArgc()) {
            c.reply().error(Errors.subcommandSyntax(c.arg(1), "debug"));
            return;
        }
        sub.handler().execute(c);
    }

    /** DEBUG HELP */
    private static void help(CommandContext c) {
        ServerCommands.help(c.reply(), HELP);
    }

    /** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: debugCommand's order and replies. */
    private static void reload(CommandContext c) {
        boolean merge = false;
        boolean flush = true;
        boolean save = true;
        for (int i = 2; i < c.argc(); i++) {
            if (c.argIs(i, "merge")) {
                merge = true;
            } else if (c.argIs(i, "noflush")) {
                flush = false;
            } else if (c.argIs(i, "nosave")) {
                save = false;
            } else {
                c.reply().error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
                return;
            }
        }
        if (save && !Boolean.TRUE.equals(c.server().persistence().saveHere("DEBUG RELOAD"))) {
            c.reply().error(PersistenceCommands.FAILED);
            return;
        }
        if (flush) {
            // Redis's emptyData: every database and the function libraries
            c.server().keyspace().flushAll();
            c.server().scripts().functions().flush();
        }
        boolean replace = merge;
        try {
            c.server().persistence().load(code -> c.server().scripts().functions().load(code, replace), merge);
        } catch (RdbLoadException e) {
            log.warn("DEBUG RELOAD: {}", e.getMessage());
            c.reply().error("ERR Error trying to load the RDB dump");
            return;
        }
        log.warn("DB reloaded by DEBUG RELOAD");
        c.reply().ok();
    }

    /** DEBUG AOF-FLUSH-SLEEP microseconds: each write of the AOF's buffer first sleeps this long (Redis's aof_flush_sleep). */
    private static void aofFlushSleep(CommandContext c) {
        c.server().aof().setFlushSleepMicros(Math.max(0, Numbers.atoi(c.arg(2))));
        c.reply().ok();
    }

    /**
     * DEBUG LOADAOF: what the AOF buffers written and fsynced, the keyspace and the function
     * libraries emptied, and the files the manifest on disk lists replayed (history files deleted
     * first), as debugCommand. Where Redis exits because the files do not load, the reply here is
     * an error and the server goes on, with what loaded before the failure.
     */
    private static void loadaof(CommandContext c) {
        c.server().aof().flushAndSync();
        c.server().keyspace().flushAll();
        c.server().scripts().functions().flush();
        io.damselfly.server.aof.AofLoading.Result r;
        try {
            r = c.server().aof().reload(c.server()::loadAof);
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("DEBUG LOADAOF: {}", e.toString());
            c.reply().error("ERR Error trying to load the AOF files");
            return;
        }
        if (r.status() != io.damselfly.server.aof.AofLoading.Status.OK && r.status() != io.damselfly.server.aof.AofLoading.Status.EMPTY) {
            c.reply().error("ERR Error trying to load the AOF files");
            return;
        }
        log.warn("Append Only File loaded by DEBUG LOADAOF");
        c.reply().ok();
    }

    /**
     * DEBUG OBJECT key: debugCommand's line. The address is a stable stand-in derived from the
     * database and key (there is no pointer to show; Redis's tests only compare it across an
     * in-place change), serializedlength the RDB body's length, as rdbSavedObjectLen. The key is
     * looked up as dictFind finds it: a key whose time has passed is shown and stays, and the
     * look counts no hit and touches nothing.
     */
    private static void object(CommandContext c) {
        byte[] key = c.arg(2);
        Shard shard = c.server().keyspace().shard(c.server().keyspace().shardIndex(key));
        KeyOps.ObjectInfo[] info = new KeyOps.ObjectInfo[1];
        byte[] payload;
        shard.lock();
        try {
            payload = DumpPayload.create(v -> (info[0] = c.db().keys().debugObject(key, v)) != null);
        } finally {
            shard.unlock();
        }
        if (payload == null) {
            c.reply().error("ERR no such key");
            return;
        }
        long address = 0x7f0000000000L | ((Arrays.hashCode(key) * 31L + c.db().index()) & 0xffffffffL) << 4;
        long idle = info[0].idleSeconds();
        c.reply().simple("Value at:0x" + Long.toHexString(address) + " refcount:" + (info[0].sharedInteger() ? Integer.MAX_VALUE : 1)
                + " encoding:" + info[0].encoding() + " serializedlength:" + (payload.length - 1 - DumpPayload.FOOTER_BYTES)
                + " lru:" + ((System.currentTimeMillis() / 1000 - idle) & ((1 << 24) - 1)) + " lru_seconds_idle:" + idle);
    }

    /**
     * DEBUG DIGEST: the whole dataset's signature (see {@link DatasetDigest}), 40 hex digits as a
     * status reply, all zeros when every database is empty. O(N), holding each shard while it is
     * read, as Redis holds the server for it.
     */
    private static void digest(CommandContext c) {
        c.reply().simple(DatasetDigest.hex(DatasetDigest.ofDataset(c.server().keyspace())));
    }

    /**
     * DEBUG DIGEST-VALUE [key ...]: per key of the selected database, its value's signature as a
     * status reply (zeros for a missing key), in an array; no key, an empty array. A key whose time
     * has passed is digested and left in place, as Redis finds it with dictFind.
     */
    private static void digestValue(CommandContext c) {
        Keyspace keyspace = c.server().keyspace();
        c.reply().array(c.argc() - 2);
        for (int j = 2; j < c.argc(); j++) {
            byte[] key = c.arg(j);
            Shard shard = keyspace.shard(keyspace.shardIndex(key));
            byte[] digest;
            shard.lock();
            try {
                digest = DatasetDigest.ofKey(c.db(), key);
            } finally {
                shard.unlock();
            }
            c.reply().simple(DatasetDigest.hex(digest));
        }
    }

    static final String NOT_POSITIVE = "ERR value is out of range, must be positive";
    /** debugCommand formats each key into a 128-byte buffer: longer names are cut to 127 bytes. */
    static final int POPULATE_KEY_MAX = 127;

    /**
     * DEBUG POPULATE count [prefix] [size]: string keys prefix:0 .. prefix:count-1 (prefix "key")
     * in the selected database, valued "value:N", or with a size that text zero-padded or cut to
     * size bytes; a key that exists is left as it is. The prefix is read as C reads it, up to a
     * zero byte. Each key goes in under its own shard's lock, so other loops' commands interleave
     * (Redis's is one step); no change is counted, as populate leaves server.dirty alone.
     */
    private static void populate(CommandContext c) {
        long count = c.longArg(2, NOT_POSITIVE);
        if (count < 0) {
            c.reply().error(NOT_POSITIVE);
            return;
        }
        long size = 0;
        if (c.argc() == 5) {
            size = c.longArg(4, NOT_POSITIVE);
            if (size < 0) {
                c.reply().error(NOT_POSITIVE);
                return;
            }
            if (size > c.server().config().getLong(Option.PROTO_MAX_BULK_LEN)) {
                // Redis would try to allocate it and die of it; here no string may be that long
                c.reply().error(Errors.STRING_TOO_LONG);
                return;
            }
        }
        byte[] prefix = c.argc() >= 4 ? untilZero(c.arg(3)) : "key".getBytes(StandardCharsets.US_ASCII);
        Keyspace keyspace = c.server().keyspace();
        for (long j = 0; j < count; j++) {
            byte[] number = (":" + j).getBytes(StandardCharsets.US_ASCII);
            byte[] key = Arrays.copyOf(prefix, Math.min(POPULATE_KEY_MAX, prefix.length + number.length));
            if (key.length > prefix.length) {
                System.arraycopy(number, 0, key, prefix.length, key.length - prefix.length);
            }
            byte[] text = ("value:" + j).getBytes(StandardCharsets.US_ASCII);
            // size bytes, zero-filled as Redis's new string is, beginning with as much of the text as fits
            byte[] value = size == 0 ? text : Arrays.copyOf(text, Math.toIntExact(size));
            Shard shard = keyspace.shard(keyspace.shardIndex(key));
            shard.lock();
            try {
                c.db().strings().populate(key, value);
            } finally {
                shard.unlock();
            }
        }
        c.reply().ok();
    }

    /** The bytes before the first zero byte: what C's "%s" prints of a string. */
    private static byte[] untilZero(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return Arrays.copyOf(b, i);
            }
        }
        return b;
    }

    static final String WRONG_PROTOCOL_TYPE = "ERR Wrong protocol type name. Please use one of the following: "
            + "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";

    /**
     * DEBUG PROTOCOL type: one reply of that RESP type, as the client's protocol writes it (RESP2
     * gets the fallbacks: a bulk for a double, a flat array for a map, integers for booleans). An
     * attribute goes to RESP3 clients only, then the reply it annotates; a push is refused to
     * RESP2, and to RESP3 is followed by an ordinary reply, so a client that drops pushes still
     * gets one.
     */
    private static void protocol(CommandContext c) {
        Reply r = c.reply();
        switch (c.argString(2).toLowerCase(Locale.ROOT)) {
            case "string" -> r.bulk("Hello World");
            case "integer" -> r.integer(12345);
            case "double" -> r.doubleValue(3.141);
            case "bignum" -> r.bigNumber("1234567999999999999999999999999999999");
            case "null" -> r.nullBulk();
            case "array" -> {
                r.array(3);
                for (int j = 0; j < 3; j++) {
                    r.integer(j);
                }
            }
            case "set" -> {
                r.set(3);
                for (int j = 0; j < 3; j++) {
                    r.integer(j);
                }
            }
            case "map" -> {
                r.map(3);
                for (int j = 0; j < 3; j++) {
                    r.integer(j);
                    r.bool(j == 1);
                }
            }
            case "attrib" -> {
                if (r.isResp3()) {
                    r.attribute(1);
                    r.bulk("key-popularity");
                    r.array(2);
                    r.bulk("key:123");
                    r.integer(90);
                }
                r.bulk("Some real reply following the attribute");
            }
            case "push" -> {
                if (!r.isResp3()) {
                    r.error("ERR RESP2 is not supported by this command");
                    return;
                }
                r.push(2);
                r.bulk("server-cpu-usage");
                r.integer(42);
                r.bulk("Some real reply following the push reply");
            }
            case "true" -> r.bool(true);
            case "false" -> r.bool(false);
            case "verbatim" -> r.verbatim("txt", "This is a verbatim\nstring".getBytes(StandardCharsets.US_ASCII));
            default -> r.error(WRONG_PROTOCOL_TYPE);
        }
    }

    private static void sleep(CommandContext c) {
        double seconds;
        try {
            seconds = Double.parseDouble(c.argString(2));
        } catch (NumberFormatException e) {
            seconds = 0;
        }
        // with every shard and the background tick held, so that the other loops' commands wait
        // too and a replica's lost link is not connected again: redis-server sleeps whole, and
        // Redis's tests sleep a server to make it unresponsive (a MIGRATE to it times out, a
        // replica reconnects only after the primary's backlog moved on)
        io.damselfly.server.keyspace.Keyspace keyspace = c.server().keyspace();
        long millis = (long) (seconds * 1000);
        c.server().withCronHeld(() -> {
            keyspace.lockAll();
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                keyspace.unlockAll();
            }
        });
        c.reply().ok();
    }

    /** DEBUG REPLICATE command [arg ...]: the command straight to the replicas, as it is. */
    private static void replicate(CommandContext c) {
        c.server().propagation().stream().feedReplicas(java.util.Arrays.copyOfRange(c.argv(), 2, c.argc()));
        c.reply().ok();
    }

    /** DEBUG LOG message: the message in the server's log, at Redis's warning level. */
    private static void logMessage(CommandContext c) {
        log.warn("DEBUG LOG: {}", c.argString(2));
        c.reply().ok();
    }

    /** DEBUG CONFIG-REWRITE-FORCE-ALL: CONFIG REWRITE writing every option, defaults too. */
    private static void configRewriteForceAll(CommandContext c) {
        if (c.server().config().configFile().isEmpty()) {
            c.reply().error("ERR CONFIG-REWRITE-FORCE-ALL failed: The server is running without a config file");
            return;
        }
        try {
            ConfigCommands.rewriteConfigFile(c, true);
        } catch (java.io.IOException e) {
            c.reply().error("ERR CONFIG-REWRITE-FORCE-ALL failed: " + io.damselfly.server.config.ConfigRewrite.reason(e));
            return;
        }
        c.reply().ok();
    }

    /** DEBUG SET-ACTIVE-EXPIRE 0|1: read with atoi, as Redis reads it (anything not a number is 0). */
    private static void setActiveExpire(CommandContext c) {
        c.server().activeExpiry().setEnabled(Numbers.atoi(c.arg(2)) != 0);
        c.reply().ok();
    }

    /** DEBUG SET-DISABLE-DENY-SCRIPTS 0|1 (atoi): while set, scripts may call commands flagged noscript. */
    private static void setDisableDenyScripts(CommandContext c) {
        c.server().scripts().allowNoscriptCommands(Numbers.atoi(c.arg(2)) != 0);
        c.reply().ok();
    }

    /** DEBUG PAUSE-CRON 0|1 (atoi): stops and restarts the background tick's serverCron work. */
    private static void pauseCron(CommandContext c) {
        c.server().pauseCron(Numbers.atoi(c.arg(2)) != 0);
        c.reply().ok();
    }

    /**
     * DEBUG REPLYBUFFER PEAK-RESET-TIME NEVER|RESET|ms, DEBUG REPLYBUFFER RESIZING 0|1: checked and
     * answered as Redis does (a time that is not an integer is refused; RESIZING takes anything,
     * by atoi), with no effect. Redis gives each client a reply buffer that its cron shrinks to the
     * recent peak; here a reply is written into a pooled buffer taken for one read batch and given
     * back once written, so there is no per-client buffer to resize.
     */
    private static void replyBuffer(CommandContext c) {
        if (c.argIs(2, "peak-reset-time")) {
            if (!c.argIs(3, "never") && !c.argIs(3, "reset")) {
                c.longArg(3);
            }
        } else if (!c.argIs(2, "resizing")) {
            c.reply().error(Errors.subcommandSyntax(c.arg(1), "debug"));
            return;
        }
        c.reply().ok();
    }

    /** Rounds of Redis's stringmatchlen_fuzz_test (util.c). */
    static final int STRINGMATCH_FUZZ_CYCLES = 10_000_000;
    /** Its pattern and string buffers: lengths below this. */
    static final int STRINGMATCH_FUZZ_LENGTH = 32;

    /**
     * DEBUG STRINGMATCH-TEST: Redis's fuzz of its glob matcher, driven the same way through
     * damselfly's {@link GlobPattern}: ten million random patterns and strings of 0 to 31 bytes
     * below 128, compiled and matched. Redis passes if it does not crash; here a matcher that
     * throws ends the command with an error instead. It holds its loop for seconds, as it holds
     * redis-server.
     */
    private static void stringmatchTest(CommandContext c) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        byte[][] strings = new byte[STRINGMATCH_FUZZ_LENGTH][];
        byte[][] patterns = new byte[STRINGMATCH_FUZZ_LENGTH][];
        for (int n = 0; n < STRINGMATCH_FUZZ_LENGTH; n++) {
            strings[n] = new byte[n];
            patterns[n] = new byte[n];
        }
        long matches = 0;
        for (int cycle = 0; cycle < STRINGMATCH_FUZZ_CYCLES; cycle++) {
            byte[] string = randomBelow128(rnd, strings[rnd.nextInt(STRINGMATCH_FUZZ_LENGTH)]);
            byte[] pattern = randomBelow128(rnd, patterns[rnd.nextInt(STRINGMATCH_FUZZ_LENGTH)]);
            matches += GlobPattern.compile(pattern, false).matches(string) ? 1 : 0;
        }
        log.debug("DEBUG STRINGMATCH-TEST: {} matches", matches);
        c.reply().simple("Apparently Redis did not crash: test passed");
    }

    /** Fills {@code b} with random bytes from 0 to 127 (rand() % 128) and answers it. */
    private static byte[] randomBelow128(ThreadLocalRandom rnd, byte[] b) {
        rnd.nextBytes(b);
        for (int j = 0; j < b.length; j++) {
            b[j] &= 0x7f;
        }
        return b;
    }

    /** DEBUG HELP's lines, in Redis's order and words, with what each does here where it differs. */
    static final List<String> HELP = List.of(
            "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "AOF-FLUSH-SLEEP <microsec>",
            "    Server will sleep before flushing the AOF, this is used for testing.",
            "CHANGE-REPL-ID",
            "    Accepted; no effect here.",
            "REPLICATE <command> [<arg> ...]",
            "    Send the command to the replicas as it is (for tests).",
            "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
            "    Enables or disables checksum checks for RESTORE's payload (RDB files are always checked).",
            "LOG <message>",
            "    Write <message> to the server log.",
            "CONFIG-REWRITE-FORCE-ALL",
            "    Like CONFIG REWRITE but writes all configuration options, including",
            "    keywords not listed in original configuration file or default values.",
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "LOADAOF",
            "    Flush the AOF buffers on disk and reload the AOF in memory.",
            "OBJECT <key>",
            "    Show low level info about `key` and associated value.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>. If <prefix> is specified then",
            "    it is used instead of the 'key' prefix. Existing keys are left alone.",
            "PROTOCOL <type>",
            "    Reply with a test value of the specified type. <type> can be: string,",
            "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
            "    true, false.",
            "RELOAD [option ...]",
            "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
            "    * MERGE: conflicting keys will be loaded from RDB.",
            "    * NOFLUSH: the existing database will not be removed before load, but",
            "      conflicting keys will generate an error.",
            "    * NOSAVE: the database will be loaded from an existing RDB file.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            "QUICKLIST-PACKED-THRESHOLD <size>",
            "    Accepted; lists are not quicklists here.",
            "SET-DISABLE-DENY-SCRIPTS <0|1>",
            "    Setting it to 1 lets scripts call commands that are not allowed from scripts",
            "    (such as DEBUG itself). Setting it to 0 restores the default.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
            "STRINGMATCH-TEST",
            "    Run a fuzz tester against the glob-style pattern matcher.",
            "PAUSE-CRON <0|1>",
            "    Stop periodic cron job processing (active expiry, save points, idle clients).",
            "REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|time>",
            "    Accepted and checked; no effect: reply buffers here are pooled per read batch",
            "    and given back once written, so there is no client reply buffer to shrink.",
            "REPLYBUFFER RESIZING <0|1>",
            "    Accepted; no effect, as above.",
            "HELP",
            "    Print this help.");
}
