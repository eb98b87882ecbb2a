package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.ReplyComparison;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SLOWLOG and its options against a live redis-server 7.0.15. With slowlog-log-slower-than 0
 * every command is logged, so the same calls give the same entries on both servers, except for
 * what depends on time and sockets (id base, timestamp, duration, client port), checked apart.
 */
class SlowlogCommandsTest implements DifferentialScripts {
    @AfterEach
    void restoreConfig(EmbeddedServer server, RedisServerProcess redis) {
        ReplyComparison.okOnBoth(redis, server, "CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128");
    }

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"errors-and-help", """
                SLOWLOG HELP
                SLOWLOG NOSUCH
                SLOWLOG
                SLOWLOG GET x
                SLOWLOG GET -2
                SLOWLOG GET 1.5
                SLOWLOG GeT 1 2
                SLOWLOG LEN x
                SLOWLOG RESET x
                SLOWLOG HELP x
                """},
        {"config", """
                ~CONFIG GET slowlog*
                CONFIG SET slowlog-log-slower-than -2
                CONFIG SET slowlog-log-slower-than x
                CONFIG SET slowlog-max-len -1
                CONFIG SET slowlog-log-slower-than -1
                CONFIG SET slowlog-max-len 0
                ~CONFIG GET slowlog*
                SLOWLOG RESET
                GET a
                SLOWLOG LEN
                SLOWLOG GET
                """},
    };

    /** The calls both servers log; RPUSH of Redis's example is EXISTS here, which takes as many. */
    private static void loggedCalls(RawClient c) {
        assertEquals("+OK", c.callText("CONFIG", "SET", "slowlog-log-slower-than", "0"));
        assertEquals("+OK", c.callText("SLOWLOG", "RESET"));
        c.call("CLIENT", "SETNAME", "tester");
        c.call("SET", "k", "x".repeat(200));
        Object[] exists = new Object[41];
        exists[0] = "EXISTS";
        for (int i = 1; i <= 40; i++) {
            exists[i] = "key" + i;
        }
        c.call(exists);
        c.call("AUTH", "secret");
        c.call("AUTH", "a", "b", "c");
        c.call("AUTH", "user", "secret");
        c.call("CONFIG", "SET", "requirepass", "", "slowlog-max-len", "128");
        c.call("CONFIG", "SET", "REQUIREPASS", "");
        c.call("HELLO", "2", "AUTH", "user", "secret", "SETNAME", "x");
        c.call("HELLO", "2", "SETNAME", "tester", "AUTH", "user", "secret");
        c.call("GET", "k");
    }

    /** An entry without what depends on time and sockets: arguments and client name. */
    private static String stable(RespValue entry) {
        List<RespValue> f = ((RespValue.Array) entry).values();
        return RawClient.render(f.get(3)) + " " + RawClient.render(f.get(5));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void get_sameEntriesAsRedis(int protocol, EmbeddedServer damselfly, RedisServerProcess redis) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            List<List<String>> logs = new ArrayList<>();
            for (RawClient c : List.of(ref, ours)) {
                if (protocol == 3) {
                    c.call("HELLO", "3");
                }
                loggedCalls(c);
                RespValue all = c.call("SLOWLOG", "GET", "-1");
                List<String> stable = new ArrayList<>();
                long previousId = Long.MAX_VALUE;
                long now = System.currentTimeMillis() / 1000;
                for (RespValue entry : ((RespValue.Array) all).values()) {
                    List<RespValue> f = ((RespValue.Array) entry).values();
                    assertEquals(6, f.size());
                    long id = ((RespValue.Integer) f.get(0)).value();
                    assertEquals(previousId == Long.MAX_VALUE ? id : previousId - 1, id, "newest first, ids consecutive");
                    previousId = id;
                    assertTrue(Math.abs(((RespValue.Integer) f.get(1)).value() - now) <= 5, "unix time");
                    assertTrue(((RespValue.Integer) f.get(2)).value() >= 0, "microseconds");
                    assertTrue(RawClient.render(f.get(4)).matches("\\$127\\.0\\.0\\.1:\\d+"), RawClient.render(f.get(4)));
                    stable.add(stable(entry));
                }
                logs.add(stable);
                assertEquals(RawClient.render(c.call("SLOWLOG", "LEN")), ":" + (stable.size() + 1), "SLOWLOG GET logged itself");
                assertEquals(2, ((RespValue.Array) c.call("SLOWLOG", "GET", "2")).values().size());
                assertEquals(10, ((RespValue.Array) c.call("SLOWLOG", "GET")).values().size());
                assertEquals(0, ((RespValue.Array) c.call("SLOWLOG", "GET", "0")).values().size());
            }
            assertEquals(logs.get(0), logs.get(1));
            String log = String.join("\n", logs.get(1));
            assertTrue(log.contains("[$SET, $k, $" + "x".repeat(128) + "... (72 more bytes)] $tester"), log);
            assertTrue(log.contains("$key30, $... (10 more arguments)] $tester"), log);
            assertTrue(log.contains("[$AUTH, $(redacted)] $tester"), log);
            assertTrue(log.contains("[$AUTH, $a, $b, $c] $tester"), log);
            assertTrue(log.contains("[$AUTH, $(redacted), $(redacted)] $tester"), log);
            assertTrue(log.contains("[$CONFIG, $SET, $requirepass, $(redacted), $slowlog-max-len, $128] $tester"), log);
            assertTrue(log.contains("[$HELLO, $2, $AUTH, $(redacted), $(redacted), $SETNAME, $x] $tester"), log);
            assertTrue(log.endsWith("[$SLOWLOG, $RESET] $"), "the reset logged before the name was set: " + log);
        }
    }

    @Test
    void maxLen_boundsTheLogAndResetEmptiesIt(EmbeddedServer damselfly, RedisServerProcess redis) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            for (RawClient c : List.of(ref, ours)) {
                c.call("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3");
                for (int i = 0; i < 10; i++) {
                    c.call("GET", "k" + i);
                }
                assertEquals(":3", c.callText("SLOWLOG", "LEN"));
                assertEquals("[$SLOWLOG, $LEN] [$GET, $k9] [$GET, $k8]",
                        String.join(" ", ((RespValue.Array) c.call("SLOWLOG", "GET", "-1")).values().stream()
                                .map(e -> RawClient.render(((RespValue.Array) e).values().get(3))).toList()));
                c.call("CONFIG", "SET", "slowlog-max-len", "1");
                assertEquals(":1", c.callText("SLOWLOG", "LEN"), "lowering the bound trims at once");
                assertEquals("+OK", c.callText("SLOWLOG", "RESET"));
                assertEquals(":1", c.callText("SLOWLOG", "LEN"), "the reset itself is logged after it");
                c.call("CONFIG", "SET", "slowlog-log-slower-than", "-1");
                c.call("SLOWLOG", "RESET");
                c.call("GET", "k");
                assertEquals(":0", c.callText("SLOWLOG", "LEN"), "-1 logs nothing");
            }
        }
    }
    /**
     * A blocked command is logged when it is served or unblocked by CLIENT UNBLOCK (Redis 7.0's
     * updateStatsOnUnblock), with its own arguments and after the command that served it; one
     * that times out, or whose client is killed while blocked, leaves no entry (its call is
     * counted all the same, and CLIENT UNBLOCK counts a failed call, as Redis counts them).
     */
    @Test
    void blockedCommands_loggedWhenUnblocked(EmbeddedServer damselfly, RedisServerProcess redis) throws Exception {
        List<List<String>> logs = new ArrayList<>();
        List<String> stats = new ArrayList<>();
        for (int port : new int[] {redis.port(), damselfly.port()}) {
            try (RawClient c = new RawClient("127.0.0.1", port);
                 RawClient served = new RawClient("127.0.0.1", port);
                 RawClient timedOut = new RawClient("127.0.0.1", port);
                 RawClient unblocked = new RawClient("127.0.0.1", port);
                 RawClient killed = new RawClient("127.0.0.1", port)) {
                c.call("FLUSHALL");
                c.call("CONFIG", "RESETSTAT");
                c.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
                String victim = RawClient.render(killed.call("CLIENT", "ID")).substring(1);
                String waiting = RawClient.render(unblocked.call("CLIENT", "ID")).substring(1);
                c.call("SLOWLOG", "RESET");
                killed.send("BLPOP", "never", "0");
                served.send("BLPOP", "l", "0");
                BlockedClients.await(c, 2);
                // as Redis's own test: the reset inside the transaction leaves only what comes after
                c.call("MULTI");
                c.call("LPUSH", "l", "foo");
                c.call("SLOWLOG", "RESET");
                c.call("EXEC");
                assertEquals("[$l, $foo]", RawClient.render(served.read()));
                assertEquals("$BLPOP $l $0", newest(c));
                assertEquals("(nil)", RawClient.render(timedOut.call("BRPOP", "t", "0.05")));
                unblocked.send("BRPOP", "u", "0");
                BlockedClients.await(c, 2);
                assertEquals(":1", c.callText("CLIENT", "UNBLOCK", waiting));
                assertEquals("(nil)", RawClient.render(unblocked.read()));
                assertEquals(":1", c.callText("CLIENT", "KILL", "ID", victim));
                List<String> entries = new ArrayList<>();
                for (RespValue e : ((RespValue.Array) c.call("SLOWLOG", "GET", "-1")).values()) {
                    String args = RawClient.render(((RespValue.Array) e).values().get(3));
                    if (args.equals("[]") || args.equals("[$BRPOP, $u, $0]")) {
                        // the call CLIENT UNBLOCK ended: Redis 7.0.15 logs it with its arguments
                        // already cleared (unblockClient before updateStatsOnUnblock), damselfly
                        // with them; the rest must be the same
                        continue;
                    }
                    if (!args.startsWith("[$INFO")) { // BlockedClients.await polls a varying number of times
                        entries.add(args.replace(victim, "ID").replace(waiting, "ID"));
                    }
                }
                // the unblocked BRPOP and the CLIENT UNBLOCK that ended it may be logged in
                // either order here (two event loops), so the entries are compared as a set
                entries.sort(null);
                logs.add(entries);
                String info = c.callText("INFO", "commandstats");
                stats.add(info.lines().filter(l -> l.startsWith("cmdstat_blpop") || l.startsWith("cmdstat_brpop"))
                        .map(l -> l.replaceAll("usec=\\d+,usec_per_call=[0-9.]+,", "")).sorted().toList().toString());
            }
        }
        assertEquals(logs.get(0), logs.get(1));
        assertTrue(!logs.get(1).toString().contains("$t,") && !logs.get(1).toString().contains("never"), logs.get(1).toString());
        assertEquals(stats.get(0), stats.get(1));
    }

    /**
     * A script's time is its EVAL's: a script that runs 30 ms or more is in the slow log and in
     * commandstats with at least that, though it ran on a script thread (and the commands it
     * called are logged before it, as Redis logs them).
     */
    @Test
    void slowScript_loggedWithItsOwnTime(EmbeddedServer damselfly) {
        try (RawClient c = new RawClient(damselfly.host(), damselfly.port())) {
            c.call("CONFIG", "RESETSTAT");
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "20000");
            c.call("SLOWLOG", "RESET");
            String spin = "local t = redis.call('TIME') local start = t[1] * 1000000 + t[2] "
                    + "repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start >= 30000 return 1";
            assertEquals(":1", c.callText("EVAL", spin, "0"));
            RespValue entry = ((RespValue.Array) c.call("SLOWLOG", "GET", "1")).values().get(0);
            List<RespValue> f = ((RespValue.Array) entry).values();
            assertEquals("$EVAL", RawClient.render(((RespValue.Array) f.get(3)).values().get(0)));
            assertTrue(((RespValue.Integer) f.get(2)).value() >= 30000, "microseconds " + RawClient.render(f.get(2)));
            String stats = c.callText("INFO", "commandstats");
            long usec = Long.parseLong(stats.replaceAll("(?s).*cmdstat_eval:calls=1,usec=(\\d+),.*", "$1"));
            assertTrue(usec >= 30000, stats);
        }
    }

    /** The arguments of the newest slow log entry. */
    private static String newest(RawClient c) {
        RespValue entry = ((RespValue.Array) c.call("SLOWLOG", "GET", "1")).values().get(0);
        return ((RespValue.Array) ((RespValue.Array) entry).values().get(3)).values().stream()
                .map(RawClient::render).reduce((a, b) -> a + " " + b).orElse("");
    }
}
