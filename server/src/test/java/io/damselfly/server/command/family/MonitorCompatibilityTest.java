package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MONITOR differentially against a real redis-server 7.0.15: the same commands run on both, and
 * what a monitor connection reads must be the same line for line, with only the timestamps and
 * the client ports masked (the timestamp is checked to be now, to the microsecond format). Each
 * script runs with the monitor and the client in RESP2 and in RESP3. Script lines are arguments
 * separated by spaces; in an argument {@code \s} is a space, {@code \xhh} a byte, {@code \n \r \t}
 * as in C, {@code _} alone the empty argument.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class MonitorCompatibilityTest {
    /** A monitor line: timestamp, database, peer, arguments. */
    private static final Pattern LINE = Pattern.compile("^(\\d+)\\.(\\d{6}) \\[(\\d+) ([^\\]]+)\\] (.*)$", Pattern.DOTALL);
    private static final String END = "end-of-script";

    static Stream<Arguments> scripts() {
        List<Arguments> list = new ArrayList<>();
        for (int protocol : new int[] {2, 3}) {
            for (String[] s : SCRIPTS) {
                list.add(Arguments.of(s[0], protocol, s[1]));
            }
        }
        return list.stream();
    }

    private static final String[][] SCRIPTS = {
        {"basics", """
                SET k v
                GET k
                GET missing
                INCR n
                APPEND k \\s more
                DEL k n
                SELECT 3
                SET k3 v
                SELECT 0
                ECHO hi
                PING
                PING hello
                TYPE k3
                EXISTS k k3
                """},
        {"quoting", """
                SET a\\sb q"uote\\sback\\\\slash
                SET bin \\x00\\x01\\x07\\x08\\x1f\\x7f\\x80\\xc3\\xa9\\xff
                SET ctl line\\nbreak\\rreturn\\ttab
                SET empty _
                SET printable !#$%&'()*+,-./:;<=>?@[]^_`{|}~
                HSET h f1 v1 f2 v2
                RPUSH l 1 2 3
                """},
        {"errors-and-rejections", """
                NOSUCHCOMMAND a b
                GET
                SET k v EX 0
                SET k v
                LPUSH k x
                INCR k
                SELECT 99
                CLIENT NOSUCH
                MONITOR extra
                """},
        {"admin-commands-hidden", """
                CONFIG GET maxmemory
                CONFIG SET slowlog-max-len 128
                CLIENT LIST
                CLIENT KILL ID 999999
                CLIENT INFO
                CLIENT ID
                CLIENT SETNAME monitored
                CLIENT GETNAME
                SLOWLOG LEN
                LATENCY LATEST
                INFO keyspace
                DBSIZE
                COMMAND COUNT
                TIME
                """},
        {"credentials-redacted", """
                AUTH secret
                AUTH default secret
                AUTH a b c
                HELLO 2 AUTH default secret
                HELLO 2 AUTH default secret SETNAME x
                HELLO 2 SETNAME x AUTH default secret
                HELLO 9 AUTH default secret
                HELLO x AUTH default secret
                HELLO 2 BADOPT AUTH default secret
                HELLO 2 SETNAME bad\\sname AUTH default secret
                HELLO 2 AUTH default
                """},
        {"transactions", """
                MULTI
                SET x 1
                SELECT 2
                GET x
                EXEC
                SELECT 0
                MULTI
                NOSUCHCOMMAND
                SET x 2
                EXEC
                WATCH x
                UNWATCH
                DISCARD
                EXEC a
                EXEC
                MULTI
                INCR x
                DISCARD
                MULTI
                MONITOR
                PING
                EXEC
                MULTI
                EVAL return\\sredis.call('incr','x') 0
                EXEC
                """},
        {"scripts", """
                EVAL redis.call('set',KEYS[1],ARGV[1]) 1 foo bar
                EVAL return\\sredis.call('get','foo') 0
                EVAL redis.call('select','5')\\sredis.call('set','x',1.5)\\sreturn\\sredis.call('get','x') 0
                EVAL_RO return\\sredis.call('get','foo') 0
                EVAL return\\sredis.pcall('nosuchcommand') 0
                EVAL return\\sredis.pcall('set','k') 0
                EVAL syntax\\serror 0
                SCRIPT LOAD return\\sredis.call('exists','foo')
                EVALSHA 7d89d2d9c1b59f0cc5c18b20fc6a1bb1f43dfa11 0
                EVALSHA ffffffffffffffffffffffffffffffffffffffff 0
                EVALSHA short 0
                EVAL return\\sredis.call('ping') 0
                """},
        {"functions", """
                FUNCTION FLUSH
                FUNCTION LOAD #!lua\\sname=monlib\\nredis.register_function('f',function(keys,args)\\sreturn\\sredis.call('set',keys[1],args[1])\\send)\\nredis.register_function{function_name='g',callback=function(keys)\\sreturn\\sredis.call('get',keys[1])\\send,flags={'no-writes'}}
                FCALL f 1 fk fv
                FCALL_RO g 1 fk
                FCALL nosuch 0
                FUNCTION LIST
                FUNCTION DELETE monlib
                """},
        {"blocking-and-lists", """
                BLPOP nolist 0.01
                RPUSH bl a b
                BLPOP bl 0
                BLMOVE bl dst LEFT RIGHT 0.01
                LRANGE dst 0 -1
                """},
        {"pubsub", """
                PUBLISH ch hello
                SUBSCRIBE ch
                PING
                UNSUBSCRIBE ch
                PSUBSCRIBE p*
                PUNSUBSCRIBE p*
                PUBSUB NUMSUB ch
                """},
    };

    @ParameterizedTest(name = "{0} RESP{1}")
    @MethodSource("scripts")
    void sameLinesAsRedis(String name, int protocol, String script, RedisServerProcess redis, EmbeddedServer damselfly) {
        List<String> expected = monitorLines(redis.port(), protocol, script);
        List<String> actual = monitorLines(damselfly.port(), protocol, script);
        assertTrue(expected.size() > 2, name + ": reference monitor saw " + expected);
        assertEquals(String.join("\n", expected), String.join("\n", actual), name + " RESP" + protocol);
    }

    /**
     * What a monitor sees of its own connection: a keyspace command refused (a monitor is a
     * replica to processCommand), a second MONITOR ignored without a reply, its own PING shown
     * after its reply, and RESET ending the monitoring.
     */
    @Test
    void monitorsOwnConnection_sameAsRedis(RedisServerProcess redis, EmbeddedServer damselfly) {
        for (int protocol : new int[] {2, 3}) {
            assertEquals(ownTranscript(redis.port(), protocol), ownTranscript(damselfly.port(), protocol), "RESP" + protocol);
        }
    }

    private static List<String> ownTranscript(int port, int protocol) {
        List<String> out = new ArrayList<>();
        try (RawClient monitor = new RawClient("127.0.0.1", port); RawClient other = new RawClient("127.0.0.1", port)) {
            if (protocol == 3) {
                monitor.call("HELLO", "3");
            }
            out.add(RawClient.render(monitor.call("MONITOR")));
            out.add(RawClient.render(monitor.call("GET", "k")));
            out.add(RawClient.render(monitor.call("SET", "k", "v")));
            // a second MONITOR answers nothing: the next reply read is PING's, then PING's line
            monitor.send("MONITOR");
            out.add(RawClient.render(monitor.call("PING")));
            out.add(mask(RawClient.render(monitor.read())));
            out.add(RawClient.render(monitor.call("MULTI")));
            out.add(mask(RawClient.render(monitor.read())));
            out.add(RawClient.render(monitor.call("PING")));
            out.add(RawClient.render(monitor.call("DISCARD")));
            out.add(mask(RawClient.render(monitor.read())));
            other.call("SET", "seen", "1");
            out.add(mask(RawClient.render(monitor.read())));
            out.add(RawClient.render(monitor.call("RESET")));
            // nothing more is shown after RESET: the other client's SET does not reach the old monitor
            other.call("SET", "unseen", "1");
            out.add(RawClient.render(monitor.call("GET", "seen")));
            out.add(RawClient.render(monitor.call("PING")));
            String list = RawClient.render(other.call("CLIENT", "LIST"));
            out.add("flagO=" + list.contains("flags=O"));
            other.call("DEL", "seen", "unseen", "k");
        }
        return out;
    }

    /**
     * A monitor that sends QUIT gets its OK (and, as in Redis, possibly the line of its own QUIT)
     * and is closed; another monitor sees the QUIT, and the commands after it, as redis-server's.
     */
    @Test
    void monitorQuit_closesIt_sameAsRedis(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<List<String>> transcripts = new ArrayList<>();
        for (int port : new int[] {redis.port(), damselfly.port()}) {
            List<String> out = new ArrayList<>();
            try (RawClient quitter = new RawClient("127.0.0.1", port); RawClient watcher = new RawClient("127.0.0.1", port);
                 RawClient other = new RawClient("127.0.0.1", port)) {
                assertEquals("+OK", watcher.callText("MONITOR"));
                assertEquals("+OK", quitter.callText("MONITOR"));
                out.add(quitter.callText("QUIT"));
                assertTrue(quitter.isClosedByServer(), "closed after QUIT");
                other.call("SET", "after-quit", "1");
                other.call("DEL", "after-quit");
                for (int i = 0; i < 3; i++) {
                    out.add(mask(RawClient.render(watcher.read())));
                }
            }
            transcripts.add(out);
        }
        assertEquals(transcripts.get(0), transcripts.get(1));
    }

    /** RESET inside MULTI discards it and its WATCH, as clearClientConnectionState does. */
    @Test
    void resetInsideMulti_discardsTransaction(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<List<String>> transcripts = new ArrayList<>();
        for (int port : new int[] {redis.port(), damselfly.port()}) {
            List<String> out = new ArrayList<>();
            try (RawClient c = new RawClient("127.0.0.1", port); RawClient other = new RawClient("127.0.0.1", port)) {
                out.add(c.callText("WATCH", "w"));
                out.add(c.callText("MULTI"));
                out.add(c.callText("SET", "key-a", "a"));
                out.add(c.callText("RESET"));
                out.add(c.callText("EXEC"));
                out.add(c.callText("EXISTS", "key-a"));
                // the WATCH went too: a transaction after a write to w still runs
                other.call("SET", "w", "1");
                out.add(c.callText("MULTI"));
                out.add(c.callText("PING"));
                out.add(c.callText("EXEC"));
                other.call("DEL", "w");
            }
            transcripts.add(out);
        }
        assertEquals(List.of("+OK", "+OK", "+QUEUED", "+RESET", "-ERR EXEC without MULTI", ":0", "+OK", "+QUEUED", "[+PONG]"),
                transcripts.get(0));
        assertEquals(transcripts.get(0), transcripts.get(1));
    }

    /** The client that sends MONITOR inside MULTI gets the refusal in EXEC's reply, as Redis gives it. */
    @Test
    void monitorInsideMulti_refused(RedisServerProcess redis, EmbeddedServer damselfly) {
        for (int port : new int[] {redis.port(), damselfly.port()}) {
            try (RawClient c = new RawClient("127.0.0.1", port)) {
                c.call("MULTI");
                assertEquals("+QUEUED", c.callText("MONITOR"));
                assertEquals("[-ERR MONITOR isn't allowed for DENY BLOCKING client]", c.callText("EXEC"));
                assertEquals("+PONG", c.callText("PING"));
            }
        }
    }

    /** Commands from several connections, on different event loops, all reach two monitors. */
    @Test
    void manyClients_everyMonitorSeesEveryCommand(EmbeddedServer damselfly) throws Exception {
        try (RawClient m1 = new RawClient("127.0.0.1", damselfly.port());
             RawClient m2 = new RawClient("127.0.0.1", damselfly.port())) {
            m2.call("HELLO", "3");
            assertEquals("+OK", m1.callText("MONITOR"));
            assertEquals("+OK", m2.callText("MONITOR"));
            int clients = 4;
            int perClient = 200;
            Thread[] threads = new Thread[clients];
            for (int t = 0; t < clients; t++) {
                int id = t;
                threads[t] = new Thread(() -> {
                    try (RawClient c = new RawClient("127.0.0.1", damselfly.port())) {
                        for (int i = 0; i < perClient; i++) {
                            c.call("SET", "c" + id, Integer.toString(i));
                        }
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            for (RawClient m : List.of(m1, m2)) {
                int[] next = new int[clients];
                for (int i = 0; i < clients * perClient; i++) {
                    Matcher line = LINE.matcher(((RespValue.SimpleString) m.read()).value());
                    assertTrue(line.matches());
                    Matcher set = Pattern.compile("\"SET\" \"c(\\d)\" \"(\\d+)\"").matcher(line.group(5));
                    assertTrue(set.matches(), line.group(5));
                    int id = Integer.parseInt(set.group(1));
                    // one client's commands arrive in the order it sent them
                    assertEquals(next[id]++, Integer.parseInt(set.group(2)));
                }
            }
            try (RawClient c = new RawClient("127.0.0.1", damselfly.port())) {
                c.call("DEL", "c0", "c1", "c2", "c3");
            }
        }
    }

    /**
     * Runs the script on a fresh client while a fresh monitor watches, and returns the monitor's
     * lines up to the closing ECHO, timestamps and ports masked.
     */
    private static List<String> monitorLines(int port, int protocol, String script) {
        List<String> lines = new ArrayList<>();
        try (RawClient monitor = new RawClient("127.0.0.1", port); RawClient client = new RawClient("127.0.0.1", port)) {
            assertEquals("+OK", client.callText("FLUSHALL"));
            client.call("FUNCTION", "FLUSH");
            client.call("SCRIPT", "FLUSH");
            if (protocol == 3) {
                monitor.call("HELLO", "3");
                client.call("HELLO", "3");
            }
            assertEquals("+OK", monitor.callText("MONITOR"));
            for (String line : script.split("\n")) {
                if (!line.isBlank()) {
                    client.call(args(line.strip()));
                }
            }
            client.call("RESET");
            client.call("ECHO", END);
            while (true) {
                RespValue v = monitor.read();
                String text = RawClient.render(v);
                lines.add(mask(text));
                if (text.contains(END)) {
                    break;
                }
            }
            client.call("FLUSHALL");
            client.call("FUNCTION", "FLUSH");
        }
        return lines;
    }

    /** A monitor line with its timestamp (checked to be within a minute of now) and port masked. */
    private static String mask(String rendered) {
        if (!rendered.startsWith("+")) {
            return rendered;
        }
        Matcher m = LINE.matcher(rendered.substring(1));
        if (!m.matches()) {
            return rendered;
        }
        long seconds = Long.parseLong(m.group(1));
        assertTrue(Math.abs(System.currentTimeMillis() / 1000 - seconds) < 60, rendered);
        String peer = m.group(4).replaceAll(":\\d+$", ":PORT");
        return "+T [" + m.group(3) + " " + peer + "] " + m.group(5);
    }

    private static Object[] args(String line) {
        String[] words = line.split(" +");
        Object[] out = new Object[words.length];
        for (int i = 0; i < words.length; i++) {
            out[i] = words[i].equals("_") ? new byte[0] : unescape(words[i]);
        }
        return out;
    }

    private static byte[] unescape(String word) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < word.length(); i++) {
            char ch = word.charAt(i);
            if (ch != '\\' || i + 1 == word.length()) {
                b.writeBytes(String.valueOf(ch).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                continue;
            }
            char e = word.charAt(++i);
            switch (e) {
                case 's' -> b.write(' ');
                case 'n' -> b.write('\n');
                case 'r' -> b.write('\r');
                case 't' -> b.write('\t');
                case 'x' -> {
                    b.write(Integer.parseInt(word.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> b.write(e);
            }
        }
        return b.toByteArray();
    }
}
