package io.damselfly.server.aof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.aof.AofManifest.AofFile;
import io.damselfly.server.aof.AofManifest.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AofManifest against Redis 7.0.15's aof.c: text, errors, names, disk. Fixtures were written by redis-server 7.0.15. */
class AofManifestTest {
    @TempDir
    Path tmp;

    static Path fixture(String name) {
        return Path.of("src/test/resources/aof/redis7", name);
    }

    @Test
    void parse_manifestsWrittenByRedis() throws IOException {
        for (String set : List.of("rdb-preamble-yes", "rdb-preamble-no")) {
            byte[] text = Files.readAllBytes(fixture(set).resolve("appendonly.aof.manifest"));
            AofManifest am = AofManifest.parse(text);
            String ext = set.endsWith("yes") ? "rdb" : "aof";
            assertEquals(new AofFile("appendonly.aof.2.base." + ext, 2, Type.BASE), am.base());
            assertEquals(List.of(new AofFile("appendonly.aof.2.incr.aof", 2, Type.INCR)), am.incrs());
            assertEquals(2, am.currentBaseSeq());
            assertEquals(2, am.currentIncrSeq());
            assertFalse(am.dirty());
            assertEquals(new String(text, StandardCharsets.UTF_8), am.format(), "format gives back Redis's bytes");
        }
    }

    @Test
    void format_baseThenHistoryThenIncr() throws IOException {
        String text = "file a.1.incr.aof seq 1 type h\n"
                + "file a.4.incr.aof seq 4 type i\n"
                + "file a.2.base.rdb seq 2 type b\n"
                + "file a.1.base.rdb seq 1 type h\n"
                + "file a.5.incr.aof seq 5 type i\n";
        assertEquals("file a.2.base.rdb seq 2 type b\n"
                + "file a.1.incr.aof seq 1 type h\n"
                + "file a.1.base.rdb seq 1 type h\n"
                + "file a.4.incr.aof seq 4 type i\n"
                + "file a.5.incr.aof seq 5 type i\n", AofManifest.parse(text).format());
    }

    @Test
    void parse_commentsExtraKeysAnyCaseAndSpacing() throws IOException {
        AofManifest am = AofManifest.parse("# a comment\n"
                + "FILE a.1.base.aof SEQ 1 TYPE b newkey newvalue\n"
                + "  file\ta.3.incr.aof   seq 3 type i \r\n");
        assertEquals(new AofFile("a.1.base.aof", 1, Type.BASE), am.base());
        assertEquals(List.of(new AofFile("a.3.incr.aof", 3, Type.INCR)), am.incrs());
    }

    @Test
    void quotedNames_roundTripAsRedisWritesThem() throws IOException {
        // Redis's test "Multi Part AOF can handle appendfilename contains whitespaces"
        AofManifest am = new AofManifest();
        String base = am.newBaseFileNameAndMarkPreviousAsHistory(" file seq \n\n.aof ", true);
        am.newIncrFileName(" file seq \n\n.aof ");
        assertEquals(" file seq \n\n.aof .1.base.rdb", base);
        String text = am.format();
        assertEquals("file \" file seq \\n\\n.aof .1.base.rdb\" seq 1 type b\n"
                + "file \" file seq \\n\\n.aof .1.incr.aof\" seq 1 type i\n", text);
        AofManifest back = AofManifest.parse(text);
        assertEquals(am.base(), back.base());
        assertEquals(am.incrs(), back.incrs());

        // sdscatrepr's escapes and \xNN for what is not printable ASCII; 'single quotes' read too
        assertEquals("\"q\\\"b\\\\s\\t\\r\\a\\b\\x01\\xc3\\xa9\"",
                AofManifest.repr("q\"b\\s\t\r\u0007\b\u0001é".getBytes(StandardCharsets.UTF_8)));
        AofManifest single = AofManifest.parse("file 'it\\'s x' seq 1 type b\nfile \"\\x41\\x4a\\z\" seq 1 type i\n");
        assertEquals("it's x", single.base().name());
        assertEquals("AJz", single.incrs().get(0).name());
        assertEquals("é", AofManifest.parse("file \"\\xc3\\xa9\" seq 1 type b\n").base().name());
    }

    @Test
    void parse_errorsAsRedis() {
        assertError("", "Found an empty AOF manifest", null);
        assertError("file a seq 1 type i\n\nfile b seq 3 type i\n", "Invalid AOF manifest file format", 2, "");
        assertError("filx a.1.base.aof seq 1 type b\n", "Invalid AOF manifest file format", 1,
                "filx a.1.base.aof seq 1 type b");
        assertError("file a.1.base.aof seq 1 type b\nfile a.1.incr.aof type i\n", "Invalid AOF manifest file format", 2,
                "file a.1.incr.aof type i");
        assertError("file a.1.base.aof seq 1 type b\nfile a.1.incr.aof seq 1 type i newkey\n",
                "Invalid AOF manifest file format", 2, "file a.1.incr.aof seq 1 type i newkey");
        assertError("file a seq 0 type b\n", "Invalid AOF manifest file format", 1, "file a seq 0 type b");
        assertError("file a seq x type b\n", "Invalid AOF manifest file format", 1, "file a seq x type b");
        assertError("file a seq 1 type \"\"\n", "Invalid AOF manifest file format", 1, "file a seq 1 type \"\"");
        assertError("file \"a seq 1 type b\n", "Invalid AOF manifest file format", 1, "file \"a seq 1 type b");
        assertError("file \"a\"b seq 1 type b\n", "Invalid AOF manifest file format", 1, "file \"a\"b seq 1 type b");
        assertError("file a.1.base.aof seq 1 type b\nfile a.2.base.aof seq 2 type b\n",
                "Found duplicate base file information", 2, "file a.2.base.aof seq 2 type b");
        assertError("file a.1.base.aof seq 1 type x\n", "Unknown AOF file type", 1, "file a.1.base.aof seq 1 type x");
        assertError("file a.2.incr.aof seq 2 type i\nfile a.1.incr.aof seq 1 type i\n",
                "Found a non-monotonic sequence number", 2, "file a.1.incr.aof seq 1 type i");
        assertError("file a.2.incr.aof seq 2 type i\nfile a.2.incr.aof seq 2 type i\n",
                "Found a non-monotonic sequence number", 2, "file a.2.incr.aof seq 2 type i");
        assertError("file dir/a seq 1 type b\n", "File can't be a path, just a filename", 1, "file dir/a seq 1 type b");
        assertError("file a\\\\b seq 1 type b\n", "File can't be a path, just a filename", 1, "file a\\\\b seq 1 type b");
        // no line shown for these two: Redis has not made the line yet
        String longLine = "file a.1.base.aof seq 1 type b ".repeat(40) + "\n";
        assertError(longLine, "The AOF manifest file contains too long line", null);
        assertError("file a.1.base.aof seq 1 type b", "The AOF manifest file contains too long line", null);
        assertError("file a.1.base.aof\0 seq 1 type b\n", "The AOF manifest file contains too long line", null);
    }

    @Test
    void parse_lineOf1024BytesIsTheLongest() throws IOException {
        String head = "file a.1.base.aof seq 1 type b";
        String ok = head + " ".repeat(1023 - head.length()) + "\n";
        assertEquals(1024, ok.length());
        assertEquals("a.1.base.aof", AofManifest.parse(ok).base().name());
        String tooLong = head + " ".repeat(1024 - head.length()) + "\n";
        assertError(tooLong, "The AOF manifest file contains too long line", null);
        // a comment is skipped 1024 bytes at a time: its tail is read as a line of its own
        String comment = "#" + "x".repeat(1100) + "\nfile a.1.base.aof seq 1 type b\n";
        assertError(comment, "Invalid AOF manifest file format", 2, "x".repeat(1100 - 1023));
    }

    @Test
    void fatalBlock_isRedisLogLines() {
        AofManifest.FormatException e = assertThrows(AofManifest.FormatException.class,
                () -> AofManifest.parse("file a.1.base.aof seq 1 type x\n"));
        assertEquals(List.of("\n*** FATAL AOF MANIFEST FILE ERROR ***\n",
                "Reading the manifest file, at line 1\n",
                ">>> 'file a.1.base.aof seq 1 type x'\n",
                "Unknown AOF file type\n"), e.logLines());
        AofManifest.FormatException empty = assertThrows(AofManifest.FormatException.class, () -> AofManifest.parse(""));
        assertEquals(List.of("\n*** FATAL AOF MANIFEST FILE ERROR ***\n", "Found an empty AOF manifest\n"), empty.logLines());
    }

    @Test
    void parse_garbageEndsInAManifestOrAFormatError() {
        Random rnd = new Random(7);
        byte[] alphabet = "file seq type b h i 0123456789 \"'\\x\n\r\t#/a.\0".getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 20_000; i++) {
            byte[] text = new byte[rnd.nextInt(200)];
            for (int j = 0; j < text.length; j++) {
                text[j] = rnd.nextBoolean() ? alphabet[rnd.nextInt(alphabet.length)] : (byte) rnd.nextInt(256);
            }
            try {
                AofManifest am = AofManifest.parse(text);
                // what parsed formats to text that parses to the same thing
                AofManifest again = AofManifest.parse(am.format().isEmpty() ? "#\n" : am.format());
                assertEquals(am.base(), again.base());
                assertEquals(am.incrs(), again.incrs());
                assertEquals(am.history(), again.history());
            } catch (AofManifest.FormatException expected) {
                assertFalse(expected.logLines().isEmpty());
            }
        }
        // lines that nearly parse, at random
        String[] words = {"file", "seq", "type", "b", "h", "i", "1", "2", "-3", "\"n m\"", "'x'", "a.aof", "\n"};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = rnd.nextInt(30); j > 0; j--) {
                sb.append(words[rnd.nextInt(words.length)]).append(' ');
            }
            try {
                AofManifest.parse(sb.toString());
            } catch (AofManifest.FormatException expected) {
                assertTrue(expected.getMessage().length() > 0);
            }
        }
    }

    @Test
    void names_andSequences() {
        AofManifest am = new AofManifest();
        assertEquals("appendonly.aof.manifest", AofManifest.manifestName("appendonly.aof"));
        assertEquals("temp-appendonly.aof.manifest", AofManifest.tempManifestName("appendonly.aof.manifest"));
        assertEquals("temp-appendonly.aof.incr", AofManifest.tempIncrFileName("appendonly.aof"));

        assertEquals("appendonly.aof.1.incr.aof", am.lastIncrFileName("appendonly.aof"));
        assertEquals("appendonly.aof.1.incr.aof", am.lastIncrFileName("appendonly.aof"));
        assertEquals("appendonly.aof.1.base.rdb", am.newBaseFileNameAndMarkPreviousAsHistory("appendonly.aof", true));
        assertEquals("appendonly.aof.2.incr.aof", am.newIncrFileName("appendonly.aof"));
        assertEquals("appendonly.aof.2.base.aof", am.newBaseFileNameAndMarkPreviousAsHistory("appendonly.aof", false));
        assertEquals("appendonly.aof.3.incr.aof", am.newIncrFileName("appendonly.aof"));
        assertTrue(am.dirty());

        AofManifest before = am.copy();
        am.markRewrittenIncrsAsHistory(true); // the last incr is open for writing and stays
        assertEquals("file appendonly.aof.2.base.aof seq 2 type b\n"
                + "file appendonly.aof.1.incr.aof seq 1 type h\n"
                + "file appendonly.aof.2.incr.aof seq 2 type h\n"
                + "file appendonly.aof.1.base.rdb seq 1 type h\n"
                + "file appendonly.aof.3.incr.aof seq 3 type i\n", am.format());
        assertEquals(3, before.incrs().size(), "a copy does not follow the original");
        before.markRewrittenIncrsAsHistory(false);
        assertTrue(before.incrs().isEmpty());
        assertEquals(4, before.history().size());
        assertEquals("appendonly.aof.4.incr.aof", before.lastIncrFileName("appendonly.aof"));
        assertEquals(3, am.currentIncrSeq());
    }

    @Test
    void persist_writesAtomicallyAndLoadReadsBack() throws IOException {
        Path aofDir = Files.createDirectory(tmp.resolve("appendonlydir"));
        assertNull(AofManifest.load(tmp.resolve("missing"), "appendonly.aof.manifest"));
        assertNull(AofManifest.load(aofDir, "appendonly.aof.manifest"));

        AofManifest am = new AofManifest();
        am.newBaseFileNameAndMarkPreviousAsHistory("appendonly.aof", true);
        am.newIncrFileName("appendonly.aof");
        am.persist(aofDir, "appendonly.aof.manifest");
        assertFalse(am.dirty());
        assertEquals("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
                Files.readString(aofDir.resolve("appendonly.aof.manifest")));
        assertFalse(Files.exists(aofDir.resolve("temp-appendonly.aof.manifest")));
        AofManifest back = AofManifest.load(aofDir, "appendonly.aof.manifest");
        assertEquals(am.format(), back.format());

        Files.writeString(aofDir.resolve("appendonly.aof.manifest"), "junk\n");
        AofManifest.FormatException e = assertThrows(AofManifest.FormatException.class,
                () -> AofManifest.load(aofDir, "appendonly.aof.manifest"));
        assertEquals("Invalid AOF manifest file format", e.getMessage());

        AofManifest other = new AofManifest();
        other.newIncrFileName("appendonly.aof");
        IOException failed = assertThrows(IOException.class, () -> other.persist(tmp.resolve("gone"), "m.manifest"));
        assertEquals("Can't open the AOF manifest file temp-m.manifest: No such file or directory", failed.getMessage());
        assertTrue(other.dirty());
    }

    @Test
    void deleteHistoryFiles_removesFromDiskAndModel() throws IOException {
        Path aofDir = Files.createDirectory(tmp.resolve("d"));
        AofManifest am = AofManifest.parse("file a.2.base.rdb seq 2 type b\nfile a.1.base.rdb seq 1 type h\n"
                + "file a.1.incr.aof seq 1 type h\nfile a.2.incr.aof seq 2 type i\n");
        for (String f : List.of("a.2.base.rdb", "a.1.base.rdb", "a.2.incr.aof")) {
            Files.writeString(aofDir.resolve(f), "x");
        }
        assertEquals(List.of("a.1.base.rdb", "a.1.incr.aof"), am.deleteHistoryFiles(aofDir));
        assertTrue(am.history().isEmpty());
        assertTrue(am.dirty());
        assertFalse(Files.exists(aofDir.resolve("a.1.base.rdb")));
        assertTrue(Files.exists(aofDir.resolve("a.2.base.rdb")));
        assertTrue(Files.exists(aofDir.resolve("a.2.incr.aof")));
        assertEquals(List.of(), am.deleteHistoryFiles(aofDir));
    }

    @Test
    void upgradeFromOldStyle_movesTheFileIntoANewManifest() throws IOException {
        Files.writeString(tmp.resolve("appendonly.aof"), "*1\r\n$4\r\nPING\r\n");
        AofManifest am = new AofManifest();
        Path aofDir = tmp.resolve("appendonlydir");
        am.upgradeFromOldStyle(tmp, aofDir, "appendonly.aof");
        assertEquals("file appendonly.aof seq 1 type b\n", Files.readString(aofDir.resolve("appendonly.aof.manifest")));
        assertFalse(Files.exists(tmp.resolve("appendonly.aof")));
        assertEquals("*1\r\n$4\r\nPING\r\n", Files.readString(aofDir.resolve("appendonly.aof")));
        assertEquals(1, am.currentBaseSeq());
        // the next rewrite's base follows it
        assertEquals("appendonly.aof.2.base.rdb", am.newBaseFileNameAndMarkPreviousAsHistory("appendonly.aof", true));
    }

    private static void assertError(String text, String reason, Integer line, String shown) {
        AofManifest.FormatException e = assertThrows(AofManifest.FormatException.class, () -> AofManifest.parse(text),
                () -> "should fail: " + text);
        assertEquals(reason, e.getMessage(), text);
        List<String> lines = e.logLines();
        assertEquals(">>> '" + shown + "'\n", lines.get(2), text);
        assertEquals("Reading the manifest file, at line " + line + "\n", lines.get(1), text);
    }

    private static void assertError(String text, String reason, Object noLine) {
        AofManifest.FormatException e = assertThrows(AofManifest.FormatException.class, () -> AofManifest.parse(text),
                () -> "should fail: " + text);
        assertEquals(reason, e.getMessage(), text);
        assertEquals(2, e.logLines().size(), text);
    }
}
