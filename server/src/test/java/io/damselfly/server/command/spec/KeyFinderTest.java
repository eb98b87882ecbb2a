package io.damselfly.server.command.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Key extraction against Redis 7.0.15's own key specs, for the shapes the executor and COMMAND
 * GETKEYS must handle, including those of commands damselfly does not implement yet (EVAL,
 * ZUNIONSTORE, LMPOP, XREAD, SORT, BLPOP, MIGRATE). Expected keys and flags are what
 * redis-server 7.0.15 answers to COMMAND GETKEYSANDFLAGS for the same call.
 */
class KeyFinderTest {
    private static final RedisCommandCatalog REDIS = RedisCommandCatalog.redis();

    /** The keys found in a call given as one space-separated line ('_' is an empty argument). */
    private static List<String> keys(String call) {
        return find(REDIS, call, false);
    }

    private static List<String> keysAndFlags(String call) {
        return find(REDIS, call, true);
    }

    private static List<String> find(RedisCommandCatalog catalog, String call, boolean withFlags) {
        String[] words = call.split(" ");
        byte[][] argv = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            argv[i] = (words[i].equals("_") ? "" : words[i]).getBytes(StandardCharsets.UTF_8);
        }
        CommandSpec spec = catalog.get(words[0]);
        KeyReferences out = new KeyReferences();
        int n = KeyFinder.find(spec, argv, argv.length, out);
        if (n < 0) {
            assertEquals(0, out.count(), "nothing left behind when the specs cannot tell");
            return null;
        }
        assertEquals(n, out.count());
        List<String> found = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = words[out.position(i)];
            if (withFlags) {
                List<String> flags = new ArrayList<>();
                for (KeyFlag f : KeyFlag.values()) {
                    if ((out.flags(i) & f.bit()) != 0) {
                        flags.add(f.replyName());
                    }
                }
                key += " " + flags;
            }
            found.add(key);
        }
        return found;
    }

    @Test
    void index_range_singleAndAll() {
        assertEquals(List.of("k [RO, access]"), keysAndFlags("GET k"));
        assertEquals(List.of("a [RM, delete]", "b [RM, delete]"), keysAndFlags("DEL a b"));
        assertEquals(List.of("a", "b", "c"), keys("MGET a b c"));
    }

    @Test
    void index_range_step() {
        // MSET k v k v ...: every second argument from 1
        assertEquals(List.of("a", "b"), keys("MSET a 1 b 2"));
    }

    @Test
    void index_range_allButTheLast() {
        // BLPOP key [key ...] timeout: lastkey -2
        assertEquals(List.of("a [RW, access, delete]", "b [RW, access, delete]", "c [RW, access, delete]"),
                keysAndFlags("BLPOP a b c 0"));
        assertEquals(List.of("a"), keys("BLPOP a 0"));
    }

    @Test
    void twoSpecs_eachWithItsFlags() {
        assertEquals(List.of("a [RW, access, delete]", "b [OW, update]"), keysAndFlags("RENAME a b"));
        assertEquals(List.of("s [RW, access, delete]", "d [RW, insert]"), keysAndFlags("SMOVE s d m"));
    }

    @Test
    void keynum_eval() {
        assertEquals(List.of("k1 [RW, access, update]", "k2 [RW, access, update]"), keysAndFlags("EVAL s 2 k1 k2 a1"));
        // numkeys 0: the range is empty, which the specs call invalid; Redis's evalGetKeys then
        // finds nothing too (EVAL has no mandatory keys); damselfly has no twin of it: "cannot tell"
        assertEquals(null, keys("EVAL s 0"));
        assertEquals(null, keys("EVAL s x k"));
        assertEquals(null, keys("EVAL s -1 k"));
        assertEquals(null, keys("EVAL s 3 a b"));
    }

    @Test
    void keynum_afterADestination_zunionstore() {
        assertEquals(List.of("d [OW, update]", "a [RO, access]", "b [RO, access]"),
                keysAndFlags("ZUNIONSTORE d 2 a b WEIGHTS 1 2"));
        assertEquals(null, keys("ZUNIONSTORE d 3 a b"));
    }

    @Test
    void keynum_atTheStart_lmpop() {
        assertEquals(List.of("a", "b"), keys("LMPOP 2 a b LEFT"));
        // the count is cast to int as Redis casts it: 2^32 + 1 keys is one key
        assertEquals(List.of("a"), keys("LMPOP 4294967297 a LEFT"));
    }

    @Test
    void keyword_xreadStreams() {
        // STREAMS searched from argument 1; the keys are the first half of what follows (limit 2)
        assertEquals(List.of("a [RO, access]", "b [RO, access]"), keysAndFlags("XREAD COUNT 2 STREAMS a b 0 0"));
        assertEquals(List.of("a"), keys("XREAD streams a 0"));
        // an odd count: Redis rounds down, and so XREAD reports the syntax error itself
        assertEquals(List.of("a"), keys("XREAD STREAMS a b 0"));
        // no STREAMS: that spec names no keys in this call
        assertEquals(List.of(), keys("XREAD COUNT 2 BLOCK 0"));
    }

    @Test
    void keyword_sortStore_throughSortsOwnKeyFinder() {
        // SORT's BY/GET and STORE specs are "unknown" in Redis 7.0, so its sortGetKeys answers
        assertEquals(List.of("k [RO, access]", "d [OW, update]"), keysAndFlags("SORT k BY p STORE d"));
        assertEquals(List.of("k", "d"), keys("SORT k STORE x LIMIT 0 1 store d"));
        // a GET pattern spelled "store" is GET's argument, not the option
        assertEquals(List.of("k"), keys("SORT k GET store"));
        assertEquals(List.of("k"), keys("SORT k STORE"));
    }

    @Test
    void variableFlags_setAndBitfield() {
        assertEquals(List.of("k [OW, update]"), keysAndFlags("SET k v EX 10"));
        assertEquals(List.of("k [RW, access, update]"), keysAndFlags("SET k v get"));
        assertEquals(List.of("k [RO, access]"), keysAndFlags("BITFIELD k GET u8 0"));
        assertEquals(List.of("k [RW, access, update]"), keysAndFlags("BITFIELD k GET u8 0 SET u8 0 1"));
    }

    @Test
    void incomplete_migrate() {
        assertEquals(List.of("k [RW, access, delete]"), keysAndFlags("MIGRATE h 6379 k 0 5000"));
        assertEquals(List.of("a", "b"), keys("MIGRATE h 6379 _ 0 5000 COPY AUTH pw KEYS a b"));
        assertEquals(List.of(), keys("MIGRATE h 6379 k 0 5000 KEYS a b"));
    }

    @Test
    void subcommand_keyAfterTheSubcommandName() {
        CommandSpec encoding = REDIS.byFullName("object|encoding");
        KeyReferences out = new KeyReferences();
        byte[][] argv = {"OBJECT".getBytes(), "ENCODING".getBytes(), "k".getBytes()};
        assertEquals(1, KeyFinder.find(encoding, argv, 3, out));
        assertEquals(2, out.position(0));
    }

    @Test
    void noKeys() {
        assertEquals(List.of(), keys("PING"));
        assertEquals(List.of(), keys("KEYS *"));
    }

    /** A keyword searched backwards from the end (negative startfrom): no 7.0 command has one yet. */
    @Test
    void keyword_searchedBackwards() {
        RedisCommandCatalog catalog = RedisCommandCatalog.parse("""
                {"format": 1, "redis_version": "test", "commands": {"back": {"group": "generic", "arity": -2,
                  "key_specs": [{"flags": ["RO"], "begin_search": {"keyword": {"keyword": "TO", "startfrom": -2}},
                                 "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}]}}}""");
        // searched from the second-to-last argument towards the first: the last TO with a key after it
        assertEquals(List.of("y"), find(catalog, "back TO x TO y", false));
        assertEquals(List.of("x"), find(catalog, "back a TO x b", false));
        // as in db.c, the search stops before argument 1
        assertEquals(List.of(), find(catalog, "back TO x to", false));
        assertEquals(List.of(), find(catalog, "back a b", false));
    }
}
