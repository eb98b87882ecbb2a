package io.damselfly.server.aof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.aof.AofCommandReader.End;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** AofCommandReader: Redis-written files, every truncation, every split, damaged and hostile input. */
class AofCommandReaderTest {
    /** A read's commands (as text), end and offsets. */
    record Outcome(List<String> commands, End end, long validUpTo, String problem) {
    }

    static Outcome read(InputStream in, long maxBulk) throws IOException {
        AofCommandReader r = new AofCommandReader(in, 0, maxBulk);
        List<String> commands = new ArrayList<>();
        byte[][] argv;
        while ((argv = r.next()) != null) {
            List<String> args = new ArrayList<>();
            for (byte[] a : argv) {
                args.add(new String(a, StandardCharsets.ISO_8859_1));
            }
            commands.add(String.join(" ", args));
        }
        assertNull(r.next(), "stays ended");
        return new Outcome(commands, r.end(), r.validUpTo(), r.problem());
    }

    static Outcome read(byte[] file) throws IOException {
        return read(new ByteArrayInputStream(file), AofCommandReader.DEFAULT_MAX_BULK_LENGTH);
    }

    static Outcome read(String file) throws IOException {
        return read(file.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String cmd(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    @Test
    void read_incrFileWrittenByRedis() throws IOException {
        byte[] file = Files.readAllBytes(AofManifestTest.fixture("rdb-preamble-yes").resolve("appendonly.aof.2.incr.aof"));
        Outcome o = read(file);
        assertEquals(List.of("SELECT 0", "set k2 hello world", "INCR n", "SELECT 3", "set dbthree x"), o.commands());
        assertEquals(End.OK, o.end());
        assertEquals(file.length, o.validUpTo());
        byte[] base = Files.readAllBytes(AofManifestTest.fixture("rdb-preamble-no").resolve("appendonly.aof.2.base.aof"));
        assertEquals(List.of("SELECT 0", "RPUSH l a b c", "SET k1 v1"), read(base).commands());
    }

    @Test
    void read_annotationsSkippedOnlyWhereACommandBegins() throws IOException {
        String file = "#TS:1700000000\r\n" + cmd("set", "a", "1") + "#anything\n#\n" + cmd("del", "a");
        Outcome o = read(file);
        assertEquals(List.of("set a 1", "del a"), o.commands());
        assertEquals(End.OK, o.end());
        Outcome inside = read("*2\r\n#x\r\n");
        assertEquals(End.FORMAT_ERROR, inside.end());
    }

    @Test
    void read_truncatedAtEveryByte() throws IOException {
        String file = "#TS:1\r\n" + cmd("set", "key", "value") + cmd("multi") + cmd("incr", "n") + cmd("exec")
                + cmd("set", "", "x\r\ny");
        byte[] bytes = file.getBytes(StandardCharsets.ISO_8859_1);
        List<Integer> ends = new ArrayList<>();
        Outcome whole = read(bytes);
        assertEquals(5, whole.commands().size());
        int at = "#TS:1\r\n".length();
        ends.add(at); // before the first command, after the annotation
        for (String c : List.of(cmd("set", "key", "value"), cmd("multi"), cmd("incr", "n"), cmd("exec"), cmd("set", "", "x\r\ny"))) {
            at += c.length();
            ends.add(at);
        }
        for (int n = 0; n <= bytes.length; n++) {
            Outcome o = read(Arrays.copyOf(bytes, n));
            int whole_ = 0;
            while (whole_ < 5 && ends.get(whole_ + 1) <= n) {
                whole_++;
            }
            assertEquals(whole_, o.commands().size(), "cut at " + n);
            long valid = whole_ == 0 ? 0 : ends.get(whole_);
            assertEquals(valid, o.validUpTo(), "cut at " + n);
            boolean atBoundary = n == 0 || ends.contains(n);
            if (n > 0 && n < ends.get(0)) {
                // inside the annotation: a shorter line starting with '#', still an annotation
                assertEquals(End.OK, o.end(), "cut at " + n);
            } else {
                assertEquals(atBoundary ? End.OK : End.SHORT_READ, o.end(), "cut at " + n);
            }
        }
    }

    @Test
    void read_splitAtEveryByteGivesTheSameCommands() throws IOException {
        String file = cmd("set", "k", "v".repeat(3000)) + "#TS:9\r\n" + cmd("lpush", "l", "a", "b");
        byte[] bytes = file.getBytes(StandardCharsets.ISO_8859_1);
        Outcome whole = read(bytes);
        for (int chunk : new int[] {1, 2, 3, 7, 1000}) {
            Outcome o = read(trickle(bytes, chunk), AofCommandReader.DEFAULT_MAX_BULK_LENGTH);
            assertEquals(whole, o, "chunks of " + chunk);
        }
    }

    @Test
    void read_formatErrorsAsRedis() throws IOException {
        assertEquals(End.FORMAT_ERROR, read("set a b\r\n").end());
        assertEquals(End.FORMAT_ERROR, read("\r\n").end());
        assertEquals(End.FORMAT_ERROR, read("*0\r\n").end());
        assertEquals(End.FORMAT_ERROR, read("*-1\r\n").end());
        assertEquals(End.FORMAT_ERROR, read("*\r\n").end()); // atoi("\r\n") is 0
        assertEquals(End.FORMAT_ERROR, read("*1\r\n:3\r\n").end());
        assertEquals(End.FORMAT_ERROR, read("*1\r\n$-1\r\n").end());
        assertEquals(End.FORMAT_ERROR, read("\0*1\r\n").end());
        // what C's atoi and strtol make of the numbers
        assertEquals(List.of("ab"), read("*1junk\r\n$2 junk\r\nab\r\n").commands());
        assertEquals(List.of(""), read("*1\r\n$x\r\n\r\n").commands());
        assertEquals(List.of("abXY"), read("*1\r\n$4\r\nabXYzz").commands(), "the two bytes after an argument are not checked");
        assertEquals(End.FORMAT_ERROR, read("*4294967296\r\n").end(), "cut to an int: 0");
        assertEquals(List.of("a"), read("*4294967297\r\n$1\r\na\r\n").commands(), "cut to an int: 1");
        // "*" then the end of the file is a short read; a NUL after '*' is Redis's odd read error
        assertEquals(End.SHORT_READ, read("*").end());
        assertEquals(End.SHORT_READ, read("*\0").end());
        Outcome nul = read("*\0\r\n" + cmd("ping"));
        assertEquals(End.READ_ERROR, nul.end());
        assertEquals("No such file or directory", nul.problem(), "as redis-server 7.0.15 logs it");
    }

    @Test
    void read_longLinesAreReadInPiecesAsFgetsDoes() throws IOException {
        // a 1023-byte line is one piece; a longer annotation's tail is read as a new line (not '#': format error)
        String ann = "#" + "x".repeat(1021) + "\n";
        assertEquals(1023, ann.length());
        assertEquals(List.of("ping"), read(ann + cmd("ping")).commands());
        Outcome o = read("#" + "x".repeat(1022) + "\n" + cmd("ping"));
        assertEquals(End.FORMAT_ERROR, o.end());
        // a count with 2000 leading zeros: the rest of the line is read where '$' is expected
        assertEquals(End.FORMAT_ERROR, read("*" + "0".repeat(2000) + "1\r\n$1\r\na\r\n").end());
    }

    @Test
    void read_boundsDoNotAllocateAheadOfTheBytes() throws IOException {
        // a huge count or length in a short file is a short read, found without allocating for it
        Runtime rt = Runtime.getRuntime();
        assertEquals(End.SHORT_READ, read("*2147483647\r\n$1\r\na\r\n").end());
        assertEquals(End.SHORT_READ, read("*1\r\n$536870912\r\nabc").end());
        Outcome over = read("*1\r\n$536870913\r\nabc");
        assertEquals(End.FORMAT_ERROR, over.end());
        assertTrue(over.problem().contains("536870913"), over.problem());
        assertEquals(End.FORMAT_ERROR, read("*1\r\n$99999999999999999999\r\n").end());
        // the bound is the caller's proto-max-bulk-len
        assertEquals(End.FORMAT_ERROR, read(new ByteArrayInputStream(cmd("set", "k", "12345").getBytes()), 4).end());
        assertEquals(List.of("set k 1234"), read(new ByteArrayInputStream(cmd("set", "k", "1234").getBytes()), 4).commands());
        // many commands with huge declared lengths in a row: memory follows the bytes, not the counts
        long before = rt.totalMemory() - rt.freeMemory();
        for (int i = 0; i < 200; i++) {
            read("*1000000\r\n$500000000\r\n" + "z".repeat(100));
        }
        long after = rt.totalMemory() - rt.freeMemory();
        assertTrue(after - before < 1L << 30, "used " + (after - before));
    }

    @Test
    void read_bigArgumentAcrossManyBuffers() throws IOException {
        String big = "v".repeat(3 * AofCommandReader.FIRST_CHUNK + 17);
        Outcome o = read(trickle(cmd("set", "k", big).getBytes(StandardCharsets.ISO_8859_1), 70_000),
                AofCommandReader.DEFAULT_MAX_BULK_LENGTH);
        assertEquals(List.of("set k " + big), o.commands());
    }

    @Test
    void read_randomGarbageEndsCleanly() throws IOException {
        Random rnd = new Random(42);
        byte[] alphabet = "*$#\r\n0123456789-abc\0".getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 30_000; i++) {
            byte[] file = new byte[rnd.nextInt(120)];
            for (int j = 0; j < file.length; j++) {
                file[j] = rnd.nextInt(4) == 0 ? (byte) rnd.nextInt(256) : alphabet[rnd.nextInt(alphabet.length)];
            }
            Outcome o = read(file);
            assertTrue(o.validUpTo() >= 0 && o.validUpTo() <= file.length);
            if (o.end() == End.OK) {
                assertTrue(o.validUpTo() <= file.length);
            }
        }
        // a valid file with random bytes flipped
        byte[] valid = (cmd("set", "a", "b") + cmd("rpush", "l", "x", "y", "z")).getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 30_000; i++) {
            byte[] file = valid.clone();
            file[rnd.nextInt(file.length)] = (byte) rnd.nextInt(256);
            read(file);
        }
    }

    /** A stream that gives at most {@code chunk} bytes a read. */
    static InputStream trickle(byte[] bytes, int chunk) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }
}
