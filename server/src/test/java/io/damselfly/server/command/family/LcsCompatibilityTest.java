package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LCS against a real redis-server 7.0.15, RESP2 and RESP3: the subsequence, LEN, IDX with
 * MINMATCHLEN and WITHMATCHLEN, missing keys, wrong types, every error in lcsCommand's order;
 * random strings over small alphabets (many equally long subsequences, so Redis's tie-breaks
 * show) and garbage option lists.
 */
class LcsCompatibilityTest implements DifferentialScripts {

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"subsequence-len-idx", """
                MSET key1 ohmytext key2 mynewtext
                LCS key1 key2
                LCS key1 key2 LEN
                LCS key1 key2 IDX
                LCS key1 key2 IDX MINMATCHLEN 4
                LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN
                LCS key1 key2 IDX WITHMATCHLEN
                LCS key1 key2 IDX MINMATCHLEN -5 WITHMATCHLEN
                LCS key1 key2 WITHMATCHLEN
                LCS key1 key2 MINMATCHLEN 2
                LCS key2 key1 IDX
                LCS key1 key1 IDX WITHMATCHLEN
                lcs key1 key2 idx minmatchlen 1 withmatchlen
                """},
        {"missing-and-empty", """
                SET a abc
                SET empty _
                LCS a nokey
                LCS nokey a LEN
                LCS nokey other IDX
                LCS nokey other IDX WITHMATCHLEN
                LCS a empty IDX
                LCS empty empty
                SET n 12345
                SET m 2468
                LCS n m
                LCS n m IDX WITHMATCHLEN
                """},
        {"errors", """
                SET a abc
                RPUSH l x
                LCS a l
                LCS l a
                LCS l nokey LEN IDX
                LCS a a LEN IDX
                LCS a a IDX LEN
                LCS a a FOO
                LCS a a MINMATCHLEN
                LCS a a MINMATCHLEN x
                LCS a a MINMATCHLEN 1.5
                LCS a a MINMATCHLEN 9223372036854775808
                LCS a a LEN FOO
                LCS a
                LCS
                CONFIG SET proto-max-bulk-len 1mb
                SET big1 _
                SETRANGE big1 600 x
                SETRANGE big2 600 y
                LCS big1 big2 LEN
                LCS big1 a LEN
                CONFIG SET proto-max-bulk-len 512mb
                LCS big1 big2 LEN
                """},
    };

    /** Random strings over a small alphabet, every option form, and garbage options mixed in. */
    @ParameterizedTest(name = "seed {0} RESP{1}")
    @CsvSource({"1, 2", "2, 3"})
    void randomStrings_sameRepliesAsRedis(long seed, int protocol, RedisServerProcess redis, EmbeddedServer damselfly) {
        Random random = new Random(seed);
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            ReplyComparison.startFresh(protocol, ref, ours);
            for (int i = 0; i < 300; i++) {
                String a = randomString(random);
                String b = randomString(random);
                for (RawClient c : List.of(ref, ours)) {
                    c.call("MSET", "a", a, "b", b);
                }
                List<String> command = new ArrayList<>(List.of("LCS", "a", "b"));
                int options = random.nextInt(4);
                for (int o = 0; o < options; o++) {
                    command.add(pick(random, "IDX", "IDX", "LEN", "WITHMATCHLEN", "MINMATCHLEN", "idx", "bogus"));
                    if (command.get(command.size() - 1).equals("MINMATCHLEN") && random.nextInt(6) != 0) {
                        command.add(pick(random, "0", "1", "2", "3", "-1", "x", "99"));
                    }
                }
                Object[] args = command.toArray();
                assertEquals(RawClient.render(ref.call(args)), RawClient.render(ours.call(args)),
                        "seed " + seed + ": a=" + a + " b=" + b + " " + command);
            }
        }
    }

    private static String randomString(Random r) {
        String alphabet = pick(r, "ab", "abc", "acgt", "abcdefghij");
        StringBuilder s = new StringBuilder();
        int length = r.nextInt(5) == 0 ? r.nextInt(3) : r.nextInt(40);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static String pick(Random r, String... values) {
        return values[r.nextInt(values.length)];
    }
}
