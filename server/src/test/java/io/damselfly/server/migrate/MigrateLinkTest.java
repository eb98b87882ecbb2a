package io.damselfly.server.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The reply-line splitter, fed whole, split at every byte, and with random bytes. */
class MigrateLinkTest {

    private static List<String> lines(byte[] input, int... cuts) {
        MigrateLink link = new MigrateLink("t:1", new MigrateSockets());
        EmbeddedChannel ch = new EmbeddedChannel(link);
        int from = 0;
        for (int cut : cuts) {
            ch.writeInbound(Unpooled.wrappedBuffer(input, from, cut - from));
            from = cut;
        }
        ch.writeInbound(Unpooled.wrappedBuffer(input, from, input.length - from));
        List<String> out = new ArrayList<>();
        for (byte[] l; (l = link.pollUnread()) != null; ) {
            out.add(new String(l, StandardCharsets.ISO_8859_1));
        }
        ch.finishAndReleaseAll();
        return out;
    }

    @Test
    void lines_splitAtEveryByte_sameLines() {
        byte[] input = "+OK\r\n-ERR bad\r\n+OK\n\r\n-BUSYKEY x\r\n".getBytes(StandardCharsets.US_ASCII);
        List<String> whole = lines(input);
        assertEquals(List.of("+OK", "-ERR bad", "+OK", "", "-BUSYKEY x"), whole);
        for (int i = 0; i <= input.length; i++) {
            assertEquals(whole, lines(input, i), "split at " + i);
        }
    }

    @Test
    void longLine_cutAt1023BytesAsRedisReadsIt() {
        byte[] input = ("-" + "e".repeat(2999) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        List<String> got = lines(input, 7, 1500);
        assertEquals(3, got.size());
        assertEquals(MigrateLink.MAX_LINE, got.get(0).length());
        assertTrue(got.get(0).startsWith("-e"));
        assertEquals(MigrateLink.MAX_LINE, got.get(1).length());
        assertEquals(3000 - 2 * MigrateLink.MAX_LINE, got.get(2).length());
        assertNull(lines("no newline yet".getBytes(StandardCharsets.US_ASCII)).stream().findFirst().orElse(null));
    }

    @Test
    void randomBytes_everyByteInSomeLine() {
        Random r = new Random(5);
        for (int round = 0; round < 200; round++) {
            byte[] input = new byte[r.nextInt(3000)];
            r.nextBytes(input);
            for (int i = 0; i < input.length; i++) {
                if (r.nextInt(20) == 0) {
                    input[i] = '\n';
                }
            }
            int cut = input.length == 0 ? 0 : r.nextInt(input.length);
            List<String> got = lines(input, cut);
            // Redis's syncReadLine, byte by byte: the lines hold the input without its LFs, the CR
            // before each LF and the unterminated tail, cut every 1023 bytes
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            List<String> want = new ArrayList<>();
            for (byte b : input) {
                if (b == '\n') {
                    byte[] l = line.toByteArray();
                    int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                    want.add(new String(l, 0, n, StandardCharsets.ISO_8859_1));
                    line.reset();
                } else {
                    line.write(b);
                    if (line.size() == MigrateLink.MAX_LINE) {
                        want.add(line.toString(StandardCharsets.ISO_8859_1));
                        line.reset();
                    }
                }
            }
            assertEquals(want, got, "round " + round);
            for (String l : got) {
                assertTrue(l.length() <= MigrateLink.MAX_LINE);
            }
        }
    }
}
