package io.damselfly.server.aof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.aof.AofLoading.Result;
import io.damselfly.server.aof.AofLoading.Settings;
import io.damselfly.server.aof.AofLoading.Status;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AofLoading's order, statuses, truncation and log lines, on real files in a temp directory with
 * a Replay that records what it was handed. A unit test of the loader's logic: running the
 * commands is the server's part, tested end to end elsewhere.
 */
class AofLoadingTest {
    static final String AOF = "appendonly.aof";
    static final String TRUNCATED_LAST = "Unexpected end of file reading the append only file %s. You can: "
            + "1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. "
            + "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.";

    @TempDir
    Path dir;
    Path aofDir;
    final List<String> log = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    /** What the recorder's rdb answers: the image's length, or -1 for "the file's whole length", or an exception. */
    long rdbLength = -1;
    Exception rdbFailure;

    @BeforeEach
    void setUp() throws IOException {
        aofDir = Files.createDirectory(dir.resolve("appendonlydir"));
    }

    /** Records every call; MULTI/EXEC/DISCARD kept as a client's state; knows a handful of commands. */
    final class Recorder implements AofLoading.Replay {
        @Override
        public long rdb(InputStream in, long fileLength, String fileName) throws Exception {
            byte[] head = in.readNBytes(5);
            events.add("rdb " + fileName + " " + new String(head, StandardCharsets.US_ASCII) + " " + fileLength);
            if (rdbFailure != null) {
                throw rdbFailure;
            }
            return rdbLength < 0 ? fileLength : rdbLength;
        }

        @Override
        public Client newClient() {
            events.add("client");
            return new Client() {
                boolean multi;

                @Override
                public boolean knowsCommand(byte[][] argv) {
                    return Set.of("set", "del", "incr", "multi", "exec", "discard", "select", "rpush")
                            .contains(new String(argv[0], StandardCharsets.US_ASCII).toLowerCase());
                }

                @Override
                public void command(byte[][] argv) {
                    List<String> args = new ArrayList<>();
                    for (byte[] a : argv) {
                        args.add(new String(a, StandardCharsets.UTF_8));
                    }
                    String name = args.get(0).toLowerCase();
                    events.add((multi && !name.equals("exec") && !name.equals("discard") ? "queued " : "") + String.join(" ", args));
                    if (name.equals("multi")) {
                        multi = true;
                    } else if (name.equals("exec") || name.equals("discard")) {
                        multi = false;
                    }
                }

                @Override
                public boolean inMulti() {
                    return multi;
                }

                @Override
                public void close() {
                    events.add(multi ? "close dropping multi" : "close");
                }
            };
        }

        @Override
        public void startLoading(long totalBytes) {
            events.add("start " + totalBytes);
        }

        @Override
        public void stopLoading(boolean success) {
            events.add("stop " + success);
        }
    }

    AofLoading loader(Settings settings) {
        return new AofLoading(dir, aofDir, AOF, settings, new Recorder(), new AofLoading.LogSink() {
            @Override
            public void info(String line) {
                log.add(line);
            }

            @Override
            public void warn(String line) {
                log.add(line);
            }
        });
    }

    Result load(String manifest, Settings settings) throws IOException {
        AofManifest am = manifest == null ? null : AofManifest.parse(manifest);
        return loader(settings).load(am);
    }

    Result load(String manifest) throws IOException {
        return load(manifest, Settings.DEFAULTS);
    }

    void write(String name, String content) throws IOException {
        Files.write(aofDir.resolve(name), content.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String cmd(String... args) {
        return AofCommandReaderTest.cmd(args);
    }

    /** The log without the timed lines' figures. */
    List<String> logLines() {
        List<String> out = new ArrayList<>();
        for (String l : log) {
            out.add(l.replaceAll(": \\d+\\.\\d{3} seconds$", ": T seconds"));
        }
        return out;
    }

    static final String BASE_INCR = "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
            + "file appendonly.aof.2.incr.aof seq 2 type i\n";

    @Test
    void load_baseThenIncrsInManifestOrder() throws IOException {
        write("appendonly.aof.1.base.aof", "#TS:1\r\n" + cmd("set", "a", "1"));
        write("appendonly.aof.1.incr.aof", cmd("set", "b", "2"));
        write("appendonly.aof.2.incr.aof", cmd("select", "3") + cmd("del", "a"));
        Result r = load(BASE_INCR);
        assertEquals(Status.OK, r.status());
        long base = Files.size(aofDir.resolve("appendonly.aof.1.base.aof"));
        assertEquals(base, r.baseSize());
        assertEquals(base + Files.size(aofDir.resolve("appendonly.aof.1.incr.aof"))
                + Files.size(aofDir.resolve("appendonly.aof.2.incr.aof")), r.currentSize());
        assertEquals(List.of("start " + r.currentSize(), "client", "set a 1", "close", "client", "set b 2", "close",
                "client", "select 3", "del a", "close", "stop true"), events);
        assertEquals(List.of("DB loaded from base file appendonly.aof.1.base.aof: T seconds",
                "DB loaded from incr file appendonly.aof.1.incr.aof: T seconds",
                "DB loaded from incr file appendonly.aof.2.incr.aof: T seconds"), logLines());
    }

    @Test
    void load_filesWrittenByRedis() throws IOException {
        for (String set : List.of("rdb-preamble-yes", "rdb-preamble-no")) {
            events.clear();
            log.clear();
            try (var files = Files.list(AofManifestTest.fixture(set))) {
                for (Path f : files.toList()) {
                    Files.copy(f, aofDir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            AofManifest am = AofManifest.load(aofDir, AofManifest.manifestName(AOF));
            Result r = loader(Settings.DEFAULTS).load(am);
            assertEquals(Status.OK, r.status(), set);
            List<String> incr = List.of("client", "SELECT 0", "set k2 hello world", "INCR n", "SELECT 3", "set dbthree x", "close");
            List<String> expected = new ArrayList<>();
            expected.add("start " + r.currentSize());
            expected.add("client");
            if (set.endsWith("yes")) {
                expected.add("rdb appendonly.aof.2.base.rdb REDIS " + Files.size(aofDir.resolve("appendonly.aof.2.base.rdb")));
            } else {
                expected.addAll(List.of("SELECT 0", "RPUSH l a b c", "SET k1 v1"));
            }
            expected.add("close");
            expected.addAll(incr);
            expected.add("stop true");
            assertEquals(expected, events, set);
            if (set.endsWith("yes")) {
                assertEquals("Reading RDB base file on AOF loading...", log.get(0));
            }
            Files.delete(aofDir.resolve(am.base().name()));
        }
    }

    @Test
    void load_notExistEmptyOpenErrAndMissing() throws IOException {
        assertEquals(Status.NOT_EXIST, load(null).status());
        assertEquals(Status.NOT_EXIST, load("file appendonly.aof.1.incr.aof seq 1 type h\n").status());
        assertEquals(List.of(), events);

        // a listed file missing on disk is fatal
        write("appendonly.aof.1.base.aof", cmd("set", "a", "1"));
        write("appendonly.aof.1.incr.aof", "");
        Result missing = load(BASE_INCR);
        assertEquals(Status.FAILED, missing.status());
        assertEquals(List.of("Unable to obtain the AOF file appendonly.aof.2.incr.aof length. stat: No such file or directory"), log);

        // every file empty
        write("appendonly.aof.1.base.aof", "");
        write("appendonly.aof.2.incr.aof", "");
        assertEquals(Status.EMPTY, load(BASE_INCR).status());
        assertEquals(List.of(), events, "nothing loaded");

        // an empty base with data after it is fine, and so is an empty incr
        write("appendonly.aof.2.incr.aof", cmd("set", "x", "y"));
        assertEquals(Status.OK, load(BASE_INCR).status());
        assertEquals(List.of("start " + Files.size(aofDir.resolve("appendonly.aof.2.incr.aof")), "client", "set x y", "close",
                "stop true"), events);

        // a file that cannot be stat'ed for another reason than absence: OPEN_ERR
        log.clear();
        Path loop = aofDir.resolve("appendonly.aof.2.incr.aof");
        Files.delete(loop);
        Files.createSymbolicLink(loop, loop.getFileName());
        Result open = load(BASE_INCR);
        assertEquals(Status.OPEN_ERR, open.status());
        assertTrue(open.status().fatal());
        assertTrue(log.get(0).startsWith("Unable to obtain the AOF file appendonly.aof.2.incr.aof length. stat: "), log.get(0));
    }

    @Test
    void load_truncatedLastFileWithAofLoadTruncated() throws IOException {
        write("appendonly.aof.1.base.aof", cmd("set", "a", "1"));
        write("appendonly.aof.1.incr.aof", cmd("set", "b", "2"));
        String whole = cmd("set", "c", "3") + cmd("del", "a");
        write("appendonly.aof.2.incr.aof", whole + "*2\r\n$3\r\nde");
        Result r = load(BASE_INCR);
        assertEquals(Status.TRUNCATED, r.status());
        assertEquals(whole, Files.readString(aofDir.resolve("appendonly.aof.2.incr.aof"), StandardCharsets.ISO_8859_1),
                "cut on disk at the last whole command");
        assertTrue(events.containsAll(List.of("set c 3", "del a", "stop true")), events.toString());
        assertEquals(List.of("DB loaded from base file appendonly.aof.1.base.aof: T seconds",
                "DB loaded from incr file appendonly.aof.1.incr.aof: T seconds",
                "!!! Warning: short read while loading the AOF file appendonly.aof.2.incr.aof!!!",
                "!!! Truncating the AOF appendonly.aof.2.incr.aof at offset " + whole.length() + " !!!",
                "AOF appendonly.aof.2.incr.aof loaded anyway because aof-load-truncated is enabled",
                "DB loaded from incr file appendonly.aof.2.incr.aof: T seconds"), logLines());
        assertFalse(r.status().fatal());
    }

    @Test
    void load_truncatedLastFileWithoutAofLoadTruncated() throws IOException {
        write("appendonly.aof.1.base.aof", cmd("set", "a", "1"));
        write("appendonly.aof.1.incr.aof", cmd("set", "b", "2"));
        String content = cmd("set", "c", "3") + "*2\r\n$3\r\nde";
        write("appendonly.aof.2.incr.aof", content);
        Result r = load(BASE_INCR, new Settings(false, 0, AofCommandReader.DEFAULT_MAX_BULK_LENGTH));
        assertEquals(Status.FAILED, r.status());
        assertEquals(content, Files.readString(aofDir.resolve("appendonly.aof.2.incr.aof"), StandardCharsets.ISO_8859_1),
                "left as it was");
        assertEquals(String.format(TRUNCATED_LAST, "appendonly.aof.2.incr.aof"), log.get(log.size() - 1));
        assertEquals("stop false", events.get(events.size() - 1));
    }

    @Test
    void load_truncatedMiddleFileIsFatal() throws IOException {
        write("appendonly.aof.1.base.aof", cmd("set", "a", "1"));
        write("appendonly.aof.1.incr.aof", cmd("set", "b", "2") + "*1\r\n");
        write("appendonly.aof.2.incr.aof", cmd("set", "c", "3"));
        Result r = load(BASE_INCR);
        assertEquals(Status.FAILED, r.status());
        assertEquals(List.of("DB loaded from base file appendonly.aof.1.base.aof: T seconds",
                "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!",
                "!!! Truncating the AOF appendonly.aof.1.incr.aof at offset " + cmd("set", "b", "2").length() + " !!!",
                "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled",
                "Fatal error: the truncated file is not the last file"), logLines());
        assertFalse(events.contains("set c 3"), "stops there");
        assertEquals(0, r.currentSize());
    }

    @Test
    void load_multiLeftOpenAtTheEndIsReverted() throws IOException {
        write("appendonly.aof.1.base.aof", cmd("set", "a", "1"));
        String kept = cmd("set", "b", "2") + cmd("multi") + cmd("incr", "n") + cmd("exec");
        write("appendonly.aof.1.incr.aof", kept + cmd("multi") + cmd("incr", "n"));
        Result r = load("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        assertEquals(Status.TRUNCATED, r.status());
        assertEquals(kept, Files.readString(aofDir.resolve("appendonly.aof.1.incr.aof"), StandardCharsets.ISO_8859_1));
        assertEquals(List.of("client", "set b 2", "multi", "queued incr n", "exec", "multi", "queued incr n",
                "close dropping multi"), events.subList(4, 12));
        assertEquals(List.of("DB loaded from base file appendonly.aof.1.base.aof: T seconds",
                "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof",
                "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!",
                "!!! Truncating the AOF appendonly.aof.1.incr.aof at offset " + kept.length() + " !!!",
                "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled",
                "DB loaded from incr file appendonly.aof.1.incr.aof: T seconds"), logLines());
    }

    @Test
    void load_multiOpenWithoutAofLoadTruncatedFails() throws IOException {
        write("appendonly.aof.1.incr.aof", cmd("multi") + cmd("set", "a", "1"));
        Result r = load("file appendonly.aof.1.incr.aof seq 1 type i\n", new Settings(false, 0, 1 << 20));
        assertEquals(Status.FAILED, r.status());
        assertEquals(List.of("Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof",
                String.format(TRUNCATED_LAST, "appendonly.aof.1.incr.aof")), log);
    }

    @Test
    void load_badFormatAndUnknownCommand() throws IOException {
        write("appendonly.aof.1.incr.aof", cmd("set", "a", "1") + "garbage\r\n");
        Result r = load("file appendonly.aof.1.incr.aof seq 1 type i\n");
        assertEquals(Status.FAILED, r.status());
        assertEquals(List.of("Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of "
                + "your AOF file, then use ./redis-check-aof --fix <filename.manifest>"), log);
        assertEquals("close", events.get(events.size() - 2), "the client is freed");

        log.clear();
        events.clear();
        write("appendonly.aof.1.incr.aof", cmd("set", "a", "1") + cmd("bla", "x") + cmd("set", "b", "2"));
        r = load("file appendonly.aof.1.incr.aof seq 1 type i\n");
        assertEquals(Status.FAILED, r.status());
        assertEquals(List.of("Unknown command 'bla' reading the append only file appendonly.aof.1.incr.aof"), log);
        assertEquals(List.of("start " + Files.size(aofDir.resolve("appendonly.aof.1.incr.aof")), "client", "set a 1", "close",
                "stop false"), events);
    }

    @Test
    void load_oldStyleFileWithRdbPreambleAndTail() throws IOException {
        byte[] old = Files.readAllBytes(AofManifestTest.fixture("old-style").resolve(AOF));
        Files.write(dir.resolve(AOF), old);
        Files.delete(aofDir); // an old server's dir: no AOF directory
        String tail = cmd("set", "tail", "t");
        rdbLength = old.length - tail.length();
        Result r = loader(Settings.DEFAULTS).load(null);
        assertEquals(Status.OK, r.status());
        assertFalse(Files.exists(dir.resolve(AOF)), "moved into the AOF directory");
        assertEquals("file appendonly.aof seq 1 type b\n", Files.readString(aofDir.resolve("appendonly.aof.manifest")));
        assertEquals(List.of("start " + old.length, "client", "rdb appendonly.aof REDIS " + old.length, "set tail t", "close",
                "stop true"), events);
        assertEquals(List.of("Reading RDB preamble from AOF file...", "Reading the remaining AOF tail...",
                "DB loaded from base file appendonly.aof: T seconds"), logLines());
        assertEquals(old.length, r.baseSize());
    }

    @Test
    void load_upgradeCutShortIsResumed() throws IOException {
        // the manifest was written but the old file not moved yet (aof-multi-part.tcl: "continue the upgrade")
        Files.writeString(dir.resolve(AOF), cmd("set", "k", "v"));
        AofManifest am = AofManifest.parse("file appendonly.aof seq 1 type b\n");
        assertEquals(Status.OK, loader(Settings.DEFAULTS).load(am).status());
        assertTrue(Files.exists(aofDir.resolve(AOF)));
        assertTrue(events.contains("set k v"));

        // both directories hold an appendonly.aof: the AOF directory's is loaded, the other left alone
        events.clear();
        Files.writeString(dir.resolve(AOF), cmd("set", "old", "x"));
        assertEquals(Status.OK, loader(Settings.DEFAULTS).load(am).status());
        assertTrue(events.contains("set k v") && !events.contains("set old x"), events.toString());
        assertTrue(Files.exists(dir.resolve(AOF)));
    }

    @Test
    void load_rdbBaseThenIncrs_andRdbFailures() throws IOException {
        write("appendonly.aof.1.base.rdb", "REDIS0010-not-really-an-rdb-but-handed-over");
        write("appendonly.aof.1.incr.aof", cmd("set", "a", "1"));
        String manifest = "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";
        assertEquals(Status.OK, load(manifest).status());
        assertEquals(List.of("client", "rdb appendonly.aof.1.base.rdb REDIS 43", "close", "client", "set a 1", "close"),
                events.subList(1, 7));

        // a bad image: fatal
        log.clear();
        rdbFailure = new IllegalStateException("bad RDB");
        assertEquals(Status.FAILED, load(manifest).status());
        assertEquals(List.of("Reading RDB base file on AOF loading...",
                "Error reading the RDB base file appendonly.aof.1.base.rdb, AOF loading aborted",
                "Unrecoverable error reading the append only file appendonly.aof.1.base.rdb: bad RDB"), log);

        // a truncated image fails too (redis-server 7.0.15 exits in its RDB loader): nothing is cut
        log.clear();
        rdbFailure = new EOFException("unexpected end of data");
        long size = Files.size(aofDir.resolve("appendonly.aof.1.base.rdb"));
        assertEquals(Status.FAILED, load(manifest).status());
        assertEquals("Unrecoverable error reading the append only file appendonly.aof.1.base.rdb: unexpected end of data",
                log.get(log.size() - 1));
        assertEquals(size, Files.size(aofDir.resolve("appendonly.aof.1.base.rdb")));
    }

    @Test
    void load_shortReadRightAfterAnRdbPreambleCutsToZeroAsRedis() throws IOException {
        // Redis's valid_up_to starts at 0 and only a command moves it
        write("appendonly.aof.1.base.rdb", "REDIS0010image*2\r\n$3\r\nde");
        rdbLength = "REDIS0010image".length();
        Result r = load("file appendonly.aof.1.base.rdb seq 1 type b\n");
        assertEquals(Status.TRUNCATED, r.status());
        assertEquals(0, Files.size(aofDir.resolve("appendonly.aof.1.base.rdb")));
        assertTrue(log.contains("!!! Truncating the AOF appendonly.aof.1.base.rdb at offset 0 !!!"), log.toString());
    }

    @Test
    void load_keyLoadDelayPausesPerCommand() throws IOException {
        write("appendonly.aof.1.incr.aof", cmd("set", "a", "1") + cmd("set", "b", "2") + cmd("set", "c", "3"));
        long start = System.nanoTime();
        Result r = load("file appendonly.aof.1.incr.aof seq 1 type i\n", new Settings(true, 30_000, 1 << 20));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Status.OK, r.status());
        assertTrue(millis >= 90, "three commands at 30 ms each took " + millis + " ms");
    }
}
