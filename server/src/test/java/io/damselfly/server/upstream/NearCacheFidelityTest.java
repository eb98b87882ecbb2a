package io.damselfly.server.upstream;

import static io.damselfly.server.upstream.UpstreamFixture.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pass-through and local-hit fidelity: one pipelined corpus of commands (every type, cached and
 * relayed, errors, nested replies, RESP3 maps, sets and doubles, writes followed by reads) gives
 * byte-identical replies through the sidecar and straight from the upstream, in RESP2 and RESP3.
 * Cached reads run twice, as misses and then as hits.
 */
class NearCacheFidelityTest {
    private static UpstreamFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new UpstreamFixture(Map.of());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static final byte[] BINARY = {0, (byte) 0xff, '\r', '\n', '$', '*', 7};

    private static List<Object[]> setup() {
        List<Object[]> s = new ArrayList<>();
        s.add(new Object[] {"SET", "s", "hello"});
        s.add(new Object[] {"SET", "n", "42"});
        s.add(new Object[] {"SET", "big", "x".repeat(20_000)});
        s.add(new Object[] {"SET", BINARY, BINARY});
        s.add(new Object[] {"RPUSH", "l", "a", "b", "c", "d"});
        s.add(new Object[] {"HSET", "h", "f1", "v1", "f2", "v2"});
        s.add(new Object[] {"SADD", "si", "3", "1", "2"});
        s.add(new Object[] {"SADD", "ss", "alpha"});
        s.add(new Object[] {"ZADD", "z", "1.5", "a", "2", "b", "3.25", "c"});
        s.add(new Object[] {"SET", "ttlkey", "v", "EX", "1000"});
        // hashtable-encoded upstream (a long value; many fields): HGETALL lists the dict's order
        s.add(new Object[] {"HSET", "hlong", "f1", "v1", "f2", "y".repeat(100), "f3", "v3"});
        Object[] many = new Object[2 + 2 * 600];
        many[0] = "HSET";
        many[1] = "hmany";
        for (int i = 0; i < 600; i++) {
            many[2 + 2 * i] = "field:" + i;
            many[3 + 2 * i] = Integer.toString(i);
        }
        s.add(many);
        return s;
    }

    private static List<Object[]> reads() {
        List<Object[]> r = new ArrayList<>();
        for (String[] c : new String[][] {
            {"GET", "s"}, {"GET", "n"}, {"GET", "missing"}, {"GET", "big"}, {"MGET", "s", "n", "missing", "l"},
            {"GETRANGE", "s", "1", "3"}, {"GETRANGE", "s", "-3", "-1"}, {"STRLEN", "s"}, {"STRLEN", "missing"},
            {"EXISTS", "s", "n", "missing", "s"}, {"TYPE", "z"}, {"TYPE", "missing"}, {"TYPE", "l"},
            {"HGET", "h", "f1"}, {"HGET", "h", "nope"}, {"HMGET", "h", "f1", "nope", "f2"}, {"HGETALL", "h"},
            {"HGETALL", "missing"}, {"HEXISTS", "h", "f2"}, {"HLEN", "h"}, {"SMEMBERS", "si"}, {"SMEMBERS", "ss"},
            {"SMEMBERS", "missing"}, {"SISMEMBER", "ss", "alpha"}, {"SISMEMBER", "si", "9"}, {"SCARD", "ss"},
            {"LRANGE", "l", "0", "-1"}, {"LRANGE", "l", "-2", "10"}, {"LRANGE", "missing", "0", "1"}, {"LLEN", "l"},
            {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZRANGE", "z", "0", "-1", "REV"},
            {"ZRANGE", "z", "(1.5", "+inf", "BYSCORE", "WITHSCORES"}, {"ZSCORE", "z", "c"}, {"ZSCORE", "z", "nope"},
            {"ZCARD", "z"}, {"HGETALL", "hlong"}, {"HGETALL", "hmany"}, {"HMGET", "hmany", "field:599", "field:0"},
            // errors of cached commands, answered locally, and of relayed ones
            {"GET", "l"}, {"HGET", "s", "f"}, {"LRANGE", "h", "0", "1"}, {"ZSCORE", "l", "x"}, {"GET"},
            {"GET", "a", "b"}, {"LRANGE", "l", "x", "y"}, {"NOSUCHCMD", "x"}, {"ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"},
            {"HMGET", "h"}, {"SCARD", "l"},
            // relayed reads
            {"TTL", "ttlkey"}, {"OBJECT", "ENCODING", "si"}, {"ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"},
            {"LINDEX", "l", "1"}, {"ECHO", "x"}, {"PING"}, {"DBSIZE"}, {"SUNION", "si", "missing"},
            {"EVAL", "return {1, 'two', {3, {4}}, redis.call('hgetall', 'h')}", "0"},
            {"EVAL", "return redis.call('zscore', 'z', 'a')", "0"}, {"EVAL", "return redis.error_reply('MY err')", "0"}}) {
            r.add(c);
        }
        r.add(new Object[] {"GET", BINARY});
        r.add(new Object[] {"STRLEN", BINARY});
        return r;
    }

    private static List<Object[]> writes() {
        List<Object[]> w = new ArrayList<>();
        for (String[] c : new String[][] {
            {"SET", "s", "world"}, {"GET", "s"}, {"APPEND", "s", "!"}, {"GET", "s"}, {"INCR", "n"}, {"GET", "n"},
            {"INCR", "s"}, {"LPUSH", "l", "z"}, {"LRANGE", "l", "0", "-1"}, {"HSET", "h", "f3", "v3"}, {"HGETALL", "h"},
            {"HDEL", "h", "f1"}, {"HGET", "h", "f1"}, {"SADD", "si", "9"}, {"SMEMBERS", "si"}, {"ZINCRBY", "z", "1", "a"},
            {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"DEL", "s"}, {"GET", "s"}, {"EXPIRE", "n", "1000"}, {"TTL", "n"},
            {"RENAME", "l", "l2"}, {"LRANGE", "l2", "0", "-1"}, {"LLEN", "l"}, {"GETDEL", "n"}, {"GET", "n"},
            {"EVAL", "redis.call('set', KEYS[1], 'scripted'); return redis.call('get', KEYS[1])", "1", "sk"},
            {"GET", "sk"}, {"MSET", "m1", "1", "m2", "2"}, {"MGET", "m1", "m2", "m3"}}) {
            w.add(c);
        }
        return w;
    }

    /** FLUSHALL and the setup straight upstream; waits until the sidecar has dropped its copies. */
    private static void reset() {
        try (FrameClient c = new FrameClient(f.redisPort)) {
            c.call("FLUSHALL");
            c.pipeline(setup());
        }
        assertTrue(within(2000, () -> f.sidecar.keyspace().size(0) == 0), "the sidecar kept copies after FLUSHALL");
    }

    private static List<byte[]> run(int port, int protocol) {
        List<Object[]> corpus = new ArrayList<>();
        corpus.addAll(reads());
        corpus.addAll(reads());
        corpus.addAll(writes());
        try (FrameClient c = new FrameClient(port)) {
            if (protocol == 3) {
                c.call("HELLO", "3");
            }
            List<byte[]> frames = c.pipeline(corpus);
            // and once more one by one, now that everything is cached
            for (Object[] cmd : reads()) {
                frames.add(c.call(cmd));
            }
            return frames;
        }
    }

    private static void compare(int protocol) {
        reset();
        List<byte[]> ours = run(f.sidecar.port(), protocol);
        reset();
        List<byte[]> theirs = run(f.redisPort, protocol);
        List<Object[]> corpus = new ArrayList<>();
        corpus.addAll(reads());
        corpus.addAll(reads());
        corpus.addAll(writes());
        corpus.addAll(reads());
        assertEquals(theirs.size(), ours.size());
        for (int i = 0; i < ours.size(); i++) {
            Object[] cmd = corpus.get(i);
            StringBuilder name = new StringBuilder();
            for (Object a : cmd) {
                name.append(a instanceof byte[] b ? FrameClient.show(b) : a).append(' ');
            }
            assertEquals(FrameClient.show(theirs.get(i)), FrameClient.show(ours.get(i)),
                    "RESP" + protocol + " reply " + i + " to " + name);
        }
    }

    @Test
    void corpus_resp2_byteIdentical() {
        compare(2);
        assertTrue(f.nearcache("hits") > 0);
    }

    @Test
    void corpus_resp3_byteIdentical() {
        compare(3);
        assertTrue(f.nearcache("hits") > 0);
    }
}
