package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CLIENT PAUSE, UNPAUSE and NO-EVICT differentially against a live redis-server 7.0.15, RESP2 and
 * RESP3: one-connection scripts for the replies and errors and for what a WRITE pause lets through
 * (a command wrongly held back would stop the script), and sessions of several connections run
 * step by step on both servers, whose transcripts must be equal: postponed writes and their CLIENT
 * LIST fields, PUBLISH and PFCOUNT, scripts, transactions, expiry during a pause, the order of a
 * pipeline behind a postponed request, an ALL pause ended by its timeout, refusals under ALL.
 */
class ClientPauseCompatibilityTest implements DifferentialScripts {

    @AfterEach
    void endPauses(EmbeddedServer server, RedisServerProcess redis) {
        server.clientPause().unpause();
        try (RawClient c = new RawClient("127.0.0.1", redis.port())) {
            // a redis-server pause under ALL cannot be ended by a command before its timeout;
            // the sessions' ALL pauses are short and end before this
            assertEquals("+OK", c.callText("CLIENT", "UNPAUSE"));
            c.callText("FUNCTION", "FLUSH");
        }
    }

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"errors", """
                CLIENT PAUSE abc
                CLIENT PAUSE _
                CLIENT PAUSE 1.5
                CLIENT PAUSE 0x10
                CLIENT PAUSE +5
                CLIENT PAUSE 9223372036854775808
                CLIENT PAUSE -1
                CLIENT PAUSE -9223372036854775808
                CLIENT PAUSE 10 READ
                CLIENT PAUSE 10 _
                CLIENT PAUSE abc _
                CLIENT PAUSE -1 WRITES
                CLIENT PAUSE 10 WRITE x
                CLIENT pause 10 all x
                CLIENT PAUSE
                CLIENT UNPAUSE x
                CLIENT NO-EVICT
                CLIENT NO-EVICT on off
                CLIENT NO-EVICT yes
                CLIENT NO-EVICT _
                CLIENT NO-EVICT on
                CLIENT NO-EVICT OFF
                CLIENT NO-EVICT On
                CLIENT UNPAUSE
                CLIENT UNPAUSE
                CLIENT PAUSE 0
                CLIENT PAUSE 0 WRITE
                CLIENT PAUSE 9223372036854775807
                CLIENT PAUSE 9223372036854775807 WRITE
                SET k v
                GET k
                CLIENT HELP
                COMMAND INFO client|pause client|unpause client|no-evict
                COMMAND DOCS client|pause client|unpause client|no-evict
                """},
        {"write-pause-lets-reads-through", """
                SET k v
                RPUSH l a b c
                CLIENT PAUSE 100000 WRITE
                CLIENT PAUSE 100 WRITE
                GET k
                MGET k nokey
                LRANGE l 0 -1
                EXISTS k l nokey
                TTL k
                PING
                ECHO hello
                DBSIZE
                ~KEYS *
                TYPE l
                EVAL_RO return(redis.call('get',KEYS[1])) 1 k
                EVAL_RO return(redis.call('set',KEYS[1],'x')) 1 k
                MULTI
                GET k
                PING
                LLEN l
                EXEC
                MULTI
                DISCARD
                WATCH k
                UNWATCH
                CLIENT NO-EVICT on
                CLIENT UNPAUSE
                SET k w
                GET k
                """},
    };

    // ---- sessions of several connections ------------------------------------------------------

    /** A raw connection speaking {@code protocol}. */
    private static RawClient connect(int port, int protocol) {
        RawClient c = new RawClient("127.0.0.1", port);
        if (protocol == 3) {
            c.call("HELLO", "3");
        }
        return c;
    }

    private static String field(String clientListLine, String name) {
        for (String f : clientListLine.split(" ")) {
            if (f.startsWith(name + "=")) {
                return f;
            }
        }
        return name + "?";
    }

    /** The CLIENT LIST line of client {@code id}, as the few fields both servers fill alike. */
    private static String listFields(RawClient asker, String id) {
        String list = RawClient.render(asker.call("CLIENT", "LIST"));
        for (String line : list.substring(1).split("\n")) {
            if (line.startsWith("id=" + id + " ")) {
                return field(line, "flags") + " " + field(line, "cmd") + " " + field(line, "argv-mem") + " "
                        + field(line, "multi");
            }
        }
        return "no such client";
    }

    private static long infoField(RawClient c, String section, String field) {
        String info = RawClient.render(c.call("INFO", section));
        int i = info.indexOf(field + ":");
        return Long.parseLong(info.substring(i + field.length() + 1, info.indexOf('\r', i)));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String r(RawClient c, Object... args) {
        return RawClient.render(c.call(args));
    }

    private static String read(RawClient c) {
        return RawClient.render(c.read());
    }

    /** Postponed writes, PUBLISH and PFCOUNT, CLIENT LIST of a postponed client, release by UNPAUSE. */
    private static List<String> writesSession(int port, int protocol) {
        List<String> out = new ArrayList<>();
        try (RawClient admin = connect(port, protocol); RawClient writer = connect(port, protocol);
             RawClient publisher = connect(port, protocol)) {
            admin.call("FLUSHALL");
            out.add(r(admin, "PFADD", "hll", "a", "b"));
            String id = r(writer, "CLIENT", "ID").substring(1);
            out.add(r(admin, "CLIENT", "PAUSE", "60000", "WRITE"));
            writer.send("SET", "key", "value");
            writer.send("GET", "key");
            BlockedClients.await(admin, 1);
            out.add(listFields(admin, id));
            publisher.send("PFCOUNT", "hll");
            publisher.send("PUBLISH", "ch", "msg");
            BlockedClients.await(admin, 2);
            out.add(r(admin, "GET", "key"));
            out.add(r(admin, "CLIENT", "UNPAUSE"));
            out.add(read(writer));
            out.add(read(writer));
            out.add(read(publisher));
            out.add(read(publisher));
            BlockedClients.await(admin, 0);
            out.add(listFields(admin, id));
        }
        return out;
    }

    /** Read-only and writing scripts and functions under a WRITE pause. */
    private static List<String> scriptsSession(int port, int protocol) {
        List<String> out = new ArrayList<>();
        try (RawClient admin = connect(port, protocol); RawClient rr = connect(port, protocol)) {
            admin.call("FLUSHALL");
            admin.call("FUNCTION", "FLUSH");
            out.add(r(admin, "SET", "x", "y"));
            out.add(r(admin, "FUNCTION", "LOAD",
                    "#!lua name=f1\nredis.register_function{function_name='ro', callback=function() return 'hello' end, flags={'no-writes'}}\n"
                            + "redis.register_function('rw', function() return 'written' end)"));
            String sha = r(admin, "SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 2").substring(1);
            out.add(r(admin, "CLIENT", "PAUSE", "6000000", "WRITE"));
            out.add(r(rr, "EVAL", "#!lua flags=no-writes\nreturn 'unique script'", "0"));
            out.add(r(rr, "EVAL", "#!lua flags=no-writes\nreturn 'unique script'", "0"));
            out.add(r(rr, "EVAL_RO", "return redis.call('GeT', 'x')..' unique script'", "1", "x"));
            out.add(r(rr, "EVALSHA", sha, "0"));
            out.add(r(rr, "FCALL", "ro", "0"));
            out.add(r(rr, "FCALL_RO", "ro", "0"));
            out.add(r(rr, "EVAL_RO", "return redis.call('publish','ch','msg')", "0").replaceAll("script: .*", "script"));
            out.add("blocked " + infoField(admin, "clients", "blocked_clients"));
            Object[][] waiting = {
                {"EVAL", "return 1", "0"},
                {"EVAL", "#!lua\nreturn 1", "0"},
                {"FCALL", "rw", "0"},
                {"EVALSHA", "0123456789012345678901234567890123456789", "0"},
                {"EVALSHA", "short", "0"},
                {"FCALL", "nosuchfunction", "0"},
                {"EVAL", "#!nolua\nreturn 1", "0"},
            };
            List<RawClient> clients = new ArrayList<>();
            try {
                for (Object[] call : waiting) {
                    RawClient c = connect(port, protocol);
                    clients.add(c);
                    c.send(call);
                    BlockedClients.await(admin, clients.size());
                }
                out.add(r(admin, "CLIENT", "UNPAUSE"));
                for (RawClient c : clients) {
                    out.add(read(c));
                }
            } finally {
                clients.forEach(RawClient::close);
            }
        }
        return out;
    }

    /** Transactions under a WRITE pause, and a pause given inside one. */
    private static List<String> transactionsSession(int port, int protocol) {
        List<String> out = new ArrayList<>();
        try (RawClient admin = connect(port, protocol); RawClient rr = connect(port, protocol);
             RawClient rd = connect(port, protocol); RawClient rd2 = connect(port, protocol)) {
            admin.call("FLUSHALL");
            String rrId = r(rr, "CLIENT", "ID").substring(1);
            out.add(r(admin, "SET", "FOO", "BAR"));
            out.add(r(rd, "MULTI"));
            out.add(r(rd, "SET", "FOO", "BAZ"));
            out.add(r(rd2, "MULTI"));
            out.add(r(rd2, "SET", "A", "1"));
            out.add(r(rd2, "SET", "B"));
            out.add(r(admin, "CLIENT", "PAUSE", "60000", "WRITE"));
            out.add(r(rr, "MULTI"));
            out.add(r(rr, "PING"));
            out.add(r(rr, "GET", "FOO"));
            out.add(r(rr, "EVAL", "#!lua flags=no-writes\nreturn 12", "0"));
            out.add(r(rr, "EXEC"));
            out.add("blocked " + infoField(admin, "clients", "blocked_clients"));
            rd.send("EXEC");
            BlockedClients.await(admin, 1);
            rd2.send("EXEC");
            BlockedClients.await(admin, 2);
            out.add(r(rr, "MULTI"));
            rr.send("SET", "FOO", "QUX");
            BlockedClients.await(admin, 3);
            out.add(listFields(admin, rrId));
            out.add(r(admin, "GET", "FOO"));
            out.add(r(admin, "CLIENT", "UNPAUSE"));
            out.add(read(rd));
            out.add(read(rd2));
            out.add(read(rr));
            out.add(r(rr, "EXEC"));
            out.add(r(admin, "GET", "FOO"));
            // a pause given inside a transaction starts when it ends
            out.add(r(admin, "MULTI"));
            out.add(r(admin, "SET", "FOO1{t}", "BAR"));
            out.add(r(admin, "CLIENT", "PAUSE", "60000", "WRITE"));
            out.add(r(admin, "SET", "FOO2{t}", "BAR"));
            out.add(r(admin, "EXEC"));
            rd.send("SET", "FOO3{t}", "BAR");
            BlockedClients.await(admin, 1);
            out.add(r(admin, "MGET", "FOO1{t}", "FOO2{t}", "FOO3{t}"));
            out.add(r(admin, "CLIENT", "UNPAUSE"));
            out.add(read(rd));
        }
        return out;
    }

    /** Expired keys during a pause read as missing, are not deleted, and go once it ends. */
    private static List<String> expirySession(int port, int protocol) {
        List<String> out = new ArrayList<>();
        try (RawClient admin = connect(port, protocol)) {
            admin.call("FLUSHALL");
            long expired = infoField(admin, "stats", "expired_keys");
            out.add(r(admin, "MULTI"));
            out.add(r(admin, "SET", "foo{t}", "bar{t}", "PX", "10"));
            out.add(r(admin, "SET", "bar{t}", "foo{t}", "PX", "10"));
            out.add(r(admin, "CLIENT", "PAUSE", "50000", "WRITE"));
            out.add(r(admin, "EXEC"));
            sleep(300);
            out.add(r(admin, "GET", "foo{t}"));
            out.add(r(admin, "GET", "bar{t}"));
            out.add(r(admin, "PTTL", "foo{t}"));
            out.add(r(admin, "EXISTS", "foo{t}", "bar{t}"));
            out.add(r(admin, "KEYS", "*"));
            out.add(r(admin, "DBSIZE"));
            out.add("expired " + (infoField(admin, "stats", "expired_keys") - expired));
            out.add(r(admin, "CLIENT", "UNPAUSE"));
            out.add(r(admin, "GET", "foo{t}"));
            out.add(r(admin, "GET", "bar{t}"));
            out.add("expired " + (infoField(admin, "stats", "expired_keys") - expired));
            out.add(r(admin, "DBSIZE"));
        }
        return out;
    }

    /** A pipeline behind a postponed write keeps its order. */
    private static List<String> pipelineSession(int port, int protocol) {
        List<String> out = new ArrayList<>();
        try (RawClient admin = connect(port, protocol); RawClient client = connect(port, protocol)) {
            admin.call("FLUSHALL");
            out.add(r(admin, "CLIENT", "PAUSE", "60000", "WRITE"));
            client.sendRaw(RawClient.encodeAll(List.of(
                    new Object[] {"GET", "a"},
                    new Object[] {"SET", "a", "1"},
                    new Object[] {"GET", "a"},
                    new Object[] {"INCR", "a"},
                    new Object[] {"GET", "a"},
                    new Object[] {"PING"})));
            out.add(read(client));
            BlockedClients.await(admin, 1);
            out.add(r(admin, "GET", "a"));
            out.add(r(admin, "CLIENT", "UNPAUSE"));
            for (int i = 0; i < 5; i++) {
                out.add(read(client));
            }
        }
        return out;
    }

    /** An ALL pause: refusals answer at once, everything else (UNPAUSE too) waits for the timeout. */
    private static List<String> allSession(int port, int protocol) {
        List<String> out = new ArrayList<>();
        try (RawClient admin = connect(port, protocol); RawClient reader = connect(port, protocol)) {
            admin.call("FLUSHALL");
            out.add(r(admin, "SET", "k", "v"));
            long start = System.nanoTime();
            out.add(r(admin, "CLIENT", "PAUSE", "500", "ALL"));
            out.add(r(reader, "SET", "k"));
            out.add(r(reader, "CLIENT", "NOPE"));
            reader.send("GET", "k");
            admin.send("CLIENT", "UNPAUSE");
            admin.send("PING");
            out.add(read(reader));
            out.add("waited " + ((System.nanoTime() - start) / 1_000_000 >= 495));
            out.add(read(admin));
            out.add(read(admin));
        }
        return out;
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void writes_sameAsRedis(int protocol, EmbeddedServer damselfly, RedisServerProcess redis) {
        List<String> expected = writesSession(redis.port(), protocol);
        assertEquals(expected, writesSession(damselfly.port(), protocol));
        assertTrue(expected.contains("flags=b cmd=set argv-mem=11 multi=-1"), expected.toString());
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void scripts_sameAsRedis(int protocol, EmbeddedServer damselfly, RedisServerProcess redis) {
        assertEquals(scriptsSession(redis.port(), protocol), scriptsSession(damselfly.port(), protocol));
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void transactions_sameAsRedis(int protocol, EmbeddedServer damselfly, RedisServerProcess redis) {
        assertEquals(transactionsSession(redis.port(), protocol), transactionsSession(damselfly.port(), protocol));
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void expiry_sameAsRedis(int protocol, EmbeddedServer damselfly, RedisServerProcess redis) {
        List<String> expected = expirySession(redis.port(), protocol);
        assertEquals(expected, expirySession(damselfly.port(), protocol));
        assertTrue(expected.contains("expired 0") && expected.contains("expired 2"), expected.toString());
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void pipeline_sameAsRedis(int protocol, EmbeddedServer damselfly, RedisServerProcess redis) {
        assertEquals(pipelineSession(redis.port(), protocol), pipelineSession(damselfly.port(), protocol));
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void pauseAll_sameAsRedis(int protocol, EmbeddedServer damselfly, RedisServerProcess redis) {
        List<String> expected = allSession(redis.port(), protocol);
        assertEquals(expected, allSession(damselfly.port(), protocol));
        assertTrue(expected.contains("waited true"), expected.toString());
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void clientHelp_sameAsRedis(int protocol, EmbeddedServer damselfly, RedisServerProcess redis) {
        ReplyComparison.assertSameReplies("client-help", protocol, "CLIENT HELP", redis, damselfly);
    }
}
