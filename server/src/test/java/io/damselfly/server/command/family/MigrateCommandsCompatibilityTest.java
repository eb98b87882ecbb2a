package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import io.damselfly.server.testing.ServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MIGRATE differentially: the same script runs on a redis-server source migrating to one
 * redis-server target and on damselfly migrating to another, and every reply, then what both
 * sources and both targets hold (databases 0 to 3), must be the same. Scripts write TP for the
 * target's port. Random option lists check that parsing answers exactly as redis-server does.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class MigrateCommandsCompatibilityTest {
    /** The reference source's target, and damselfly's. */
    private static RedisServerProcess referenceTarget;
    private static RedisServerProcess ourTarget;

    @BeforeAll
    static void startTargets() throws Exception {
        referenceTarget = MigrateCommandsTest.securedTarget();
        ourTarget = MigrateCommandsTest.securedTarget();
    }

    @AfterAll
    static void stopTargets() {
        referenceTarget.close();
        ourTarget.close();
    }

    static final String[][] SCRIPTS = {
        {"single keys, ttl, copy, replace, busykey", """
            SET s hello
            PSETEX t 100000 timed
            RPUSH l a b c
            MIGRATE 127.0.0.1 TP s 0 5000 AUTH pw
            MIGRATE 127.0.0.1 TP s 0 5000 AUTH pw
            MIGRATE 127.0.0.1 TP l 0 5000 COPY AUTH pw
            MIGRATE 127.0.0.1 TP l 0 5000 COPY AUTH pw
            RPUSH l d
            MIGRATE 127.0.0.1 TP l 0 5000 REPLACE AUTH pw
            MIGRATE 127.0.0.1 TP t 2 0 AUTH2 mover secret
            EXISTS s l t
            """},
        {"keys, missing ones, duplicates, acknowledged only", """
            MSET a 1 b 2 c 3 d 4
            HSET h f v g w
            SADD st 1 2 3 x
            ZADD z 1 m 2 n
            XADD x 1-1 f v
            MIGRATE 127.0.0.1 TP _ 0 5000 AUTH pw KEYS nokey1 nokey2
            MIGRATE 127.0.0.1 TP _ 1 5000 AUTH pw KEYS a nokey h st z x
            MIGRATE 127.0.0.1 TP _ 1 5000 AUTH pw KEYS b c b d
            MIGRATE 127.0.0.1 TP _ 1 5000 AUTH pw KEYS nokey
            DBSIZE
            """},
        {"target errors: auth, db, then recovering", """
            SET k v
            MIGRATE 127.0.0.1 TP k 0 5000
            MIGRATE 127.0.0.1 TP k 0 5000 AUTH wrong
            MIGRATE 127.0.0.1 TP k 0 5000 AUTH2 mover wrong
            MIGRATE 127.0.0.1 TP k 16 5000 AUTH pw
            MIGRATE 127.0.0.1 TP k -1 5000 AUTH pw
            MIGRATE 127.0.0.1 TP k 3 5000 AUTH pw COPY
            MIGRATE 127.0.0.1 TP k 3 5000 AUTH pw
            GET k
            """},
        {"parsing errors", """
            SET k v
            MIGRATE 127.0.0.1 TP k 0
            MIGRATE 127.0.0.1 TP k 0 5000 AUTH
            MIGRATE 127.0.0.1 TP k 0 5000 AUTH2 u
            MIGRATE 127.0.0.1 TP k 0 5000 COPY bogus
            MIGRATE 127.0.0.1 TP k 0 5000 KEYS k
            MIGRATE 127.0.0.1 TP k x 5000
            MIGRATE 127.0.0.1 TP k 0 x
            MIGRATE 127.0.0.1 TP k 0 1.5
            MIGRATE 127.0.0.1 TP k 99999999999999999999 0
            MIGRATE 127.0.0.1 TP _ 0 5000 KEYS
            MIGRATE 127.0.0.1 TP _ 0 5000 COPY REPLACE COPY AUTH pw AUTH pw KEYS nokey
            MIGRATE 127.0.0.1 -1 k 0 5000
            MIGRATE _ TP k 0 5000
            MIGRATE 127.0.0.1 TPx k 0 5000 COPY AUTH pw
            GET k
            """},
    };

    static Stream<Arguments> scripts() {
        return ReplyComparison.inBothProtocols(SCRIPTS);
    }

    @ParameterizedTest(name = "{0} (RESP{1})")
    @MethodSource("scripts")
    void migrate_sameRepliesAndContentsAsRedis(String name, int protocol, String script, RedisServerProcess reference,
            EmbeddedServer server) {
        try (RawClient ref = new RawClient("127.0.0.1", reference.port());
             RawClient ours = new RawClient(server.host(), server.port())) {
            ReplyComparison.startFresh(protocol, ref, ours);
            flushTargets();
            for (ReplyComparison.ScriptLine line : ReplyComparison.lines(script)) {
                String expected = RawClient.render(ref.call(withPort(line.args(), referenceTarget.port())));
                String actual = RawClient.render(ours.call(withPort(line.args(), ourTarget.port())));
                assertEquals(expected, actual, name + " " + line);
            }
            assertSameContents(name, ref, ours);
        }
    }

    /** Random MIGRATE argument lists, each answered (and acted on) as redis-server does. */
    @Test
    void migrate_randomArguments_sameAsRedis(RedisServerProcess reference, EmbeddedServer server) {
        String[] hosts = {"127.0.0.1"};
        String[] keys = {"k", "k", "_", "nokey", "l"};
        String[] numbers = {"0", "0", "1", "-1", "5000", "x", "", "3.0", "16"};
        String[] words = {"COPY", "copy", "REPLACE", "Replace", "AUTH", "auth", "pw", "AUTH2", "mover", "secret", "KEYS",
            "keys", "k", "l", "nokey", "_", "bogus", "5000"};
        Random random = new Random(20261205);
        try (RawClient ref = new RawClient("127.0.0.1", reference.port());
             RawClient ours = new RawClient(server.host(), server.port())) {
            for (int round = 0; round < 150; round++) {
                ReplyComparison.startFresh(2, ref, ours);
                flushTargets();
                List<String> args = new ArrayList<>(List.of("MIGRATE", pick(random, hosts), "TP", pick(random, keys),
                        pick(random, numbers), pick(random, new String[] {"5000", "0", "-3", "x", "1000"})));
                int options = random.nextInt(7);
                for (int i = 0; i < options; i++) {
                    args.add(pick(random, words));
                }
                if (random.nextInt(4) == 0) {
                    args.remove(args.size() - 1);
                }
                Object[] line = args.stream().map(a -> a.equals("_") ? "" : a).toArray();
                for (RawClient c : new RawClient[] {ref, ours}) {
                    c.call("SET", "k", "v");
                    c.call("RPUSH", "l", "1", "2");
                }
                String expected = RawClient.render(ref.call(withPort(line, referenceTarget.port())));
                String actual = RawClient.render(ours.call(withPort(line, ourTarget.port())));
                assertEquals(expected, actual, String.join(" ", args));
                assertSameContents(String.join(" ", args), ref, ours);
            }
        }
    }

    private static String pick(Random r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    private static Object[] withPort(Object[] args, int port) {
        Object[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] instanceof String a && a.startsWith("TP")) {
                out[i] = port + a.substring(2); // "TPx": the port with a tail atoi ignores
            }
        }
        return out;
    }

    /**
     * Empties both targets and closes the sources' cached connections to them, so both sources
     * start unauthenticated whatever came before (Redis closes an idle one a second later).
     */
    private static void flushTargets() {
        for (RedisServerProcess t : new RedisServerProcess[] {referenceTarget, ourTarget}) {
            try (RawClient c = new RawClient("127.0.0.1", t.port())) {
                c.call("AUTH", "pw");
                assertEquals("+OK", c.callText("FLUSHALL"));
                c.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
            }
        }
    }

    /** Sources alike and targets alike, in databases 0 to 3. */
    private static void assertSameContents(String name, RawClient ref, RawClient ours) {
        try (RawClient refTarget = new RawClient("127.0.0.1", referenceTarget.port());
             RawClient ourTarget2 = new RawClient("127.0.0.1", ourTarget.port())) {
            refTarget.call("AUTH", "pw");
            ourTarget2.call("AUTH", "pw");
            assertEquals(dump(refTarget), dump(ourTarget2), name + ": targets");
        }
        assertEquals(dump(ref), dump(ours), name + ": sources");
    }

    /** Every key of databases 0 to 3 with its type, contents and whether it has a TTL. */
    private static String dump(RawClient c) {
        StringBuilder b = new StringBuilder();
        for (int db = 0; db < 4; db++) {
            c.call("SELECT", Integer.toString(db));
            List<String> names = new ArrayList<>();
            for (var v : ((io.damselfly.protocol.RespValue.Array) c.call("KEYS", "*")).values()) {
                names.add(new String(((io.damselfly.protocol.RespValue.BulkString) v).value()));
            }
            names.sort(null);
            for (String k : names) {
                String ttl = c.callText("PTTL", k);
                b.append(db).append(' ').append(k).append('=').append(contents(c, k))
                        .append(ttl.equals(":-1") ? "" : " (ttl)").append('\n');
            }
        }
        c.call("SELECT", "0");
        return b.toString();
    }

    /** A key's type and contents, independent of encoding and of the order of hashes and sets. */
    static String contents(RawClient c, String key) {
        String type = c.callText("TYPE", key);
        return type + " " + switch (type) {
            case "+string" -> c.callText("GET", key);
            case "+list" -> c.callText("LRANGE", key, "0", "-1");
            case "+hash" -> sorted(c.callText("HGETALL", key).replace("{", "[").replace("}", "]").replace("=", ", "));
            case "+set" -> sorted(c.callText("SMEMBERS", key).replace("~[", "["));
            case "+zset" -> c.callText("ZRANGE", key, "0", "-1", "WITHSCORES");
            case "+stream" -> c.callText("XRANGE", key, "-", "+") + " " + c.callText("XINFO", "GROUPS", key)
                    + " " + c.callText("XPENDING", key, "grp");
            default -> "";
        };
    }

    private static String sorted(String list) {
        if (list.length() < 2) {
            return list;
        }
        List<String> items = new ArrayList<>(List.of(list.substring(1, list.length() - 1).split(", ")));
        items.sort(null);
        return items.toString();
    }
}
