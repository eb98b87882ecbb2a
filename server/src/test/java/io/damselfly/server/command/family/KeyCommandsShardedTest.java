package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.CopyArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Keyspace-wide and cross-shard key commands with several shards. */
@ExtendWith(ServerExtension.class)
@ServerOptions({"num_shards=4"})
class KeyCommandsShardedTest {

    @Test
    void scan_everyKeyAtLeastOnce(RedisCommands<String, String> redis, EmbeddedServer server) {
        assertEquals(4, server.keyspace().shardCount());
        Set<String> expected = fill(redis, "k:", 5000);
        Set<Integer> shards = new HashSet<>();
        for (String k : expected) {
            shards.add(shardOf(server, k));
        }
        assertEquals(4, shards.size(), "keys should spread over every shard");
        Set<String> seen = new HashSet<>();
        int calls = scan(redis, 50, seen, () -> { });
        assertTrue(seen.containsAll(expected), "missing " + missing(expected, seen));
        assertEquals(expected.size(), seen.size());
        assertTrue(calls >= 4, "one call per shard at least, got " + calls);
    }

    @Test
    void scan_keysAddedBetweenCalls(RedisCommands<String, String> redis) {
        Set<String> expected = fill(redis, "old:", 3000);
        Set<String> seen = new HashSet<>();
        int[] added = {0};
        // enough additions between calls to double the tables several times mid-scan
        scan(redis, 20, seen, () -> {
            for (int i = 0; i < 30; i++) {
                redis.set("new:" + added[0]++, "v");
            }
        });
        assertTrue(seen.containsAll(expected), "missing " + missing(expected, seen));
        assertTrue(added[0] > 3000, "the tables should have grown during the scan");
    }

    @Test
    void scan_keysDeletedBetweenCalls(RedisCommands<String, String> redis) {
        Set<String> kept = fill(redis, "keep:", 1000);
        Set<String> doomed = fill(redis, "gone:", 4000);
        List<String> toDelete = new ArrayList<>(doomed);
        int[] next = {0};
        Set<String> seen = new HashSet<>();
        // deleting shrinks the tables mid-scan; keys present throughout must still all appear
        scan(redis, 20, seen, () -> {
            for (int i = 0; i < 40 && next[0] < toDelete.size(); i++) {
                redis.del(toDelete.get(next[0]++));
            }
        });
        assertTrue(seen.containsAll(kept), "missing " + missing(kept, seen));
    }

    @Test
    void keys_acrossShardsNoDuplicates(RedisCommands<String, String> redis) {
        Set<String> expected = fill(redis, "k:", 2000);
        List<String> all = redis.keys("*");
        assertEquals(expected.size(), all.size());
        assertEquals(expected, new HashSet<>(all));
        assertEquals(100, redis.keys("k:1??").size());
        assertEquals(10, redis.keys("k:[0-9]").size());
    }

    @Test
    void randomkey_reachesEveryShard(RedisCommands<String, String> redis, EmbeddedServer server) {
        fill(redis, "r:", 400);
        Set<Integer> shards = new HashSet<>();
        for (int i = 0; i < 400 && shards.size() < 4; i++) {
            shards.add(shardOf(server, redis.randomkey()));
        }
        assertEquals(4, shards.size());
    }

    @Test
    void multiKeyCommands_acrossShards(RedisCommands<String, String> redis, EmbeddedServer server) {
        String a = "a";
        String b = keyInOtherShard(server, a);
        redis.set(a, "va");
        redis.set(b, "vb");
        assertEquals(2L, redis.exists(a, b));
        assertEquals(2L, redis.touch(a, b));
        assertEquals("OK", redis.rename(a, "moved"));
        assertEquals("va", redis.get("moved"));
        String c = keyInOtherShard(server, "moved");
        assertTrue(redis.copy("moved", c, CopyArgs.Builder.replace(true)));
        assertEquals("va", redis.get(c));
        assertTrue(redis.renamenx(b, keyInOtherShard(server, b)));
        assertEquals(3L, redis.del("moved", c, keyInOtherShard(server, b)));
        assertEquals(List.of(), redis.keys("*"));
    }

    @Test
    void moveAndCopyDb_stayInTheKeysShard(RedisCommands<String, String> redis) {
        Set<String> keys = fill(redis, "m:", 100);
        for (String k : keys) {
            assertTrue(redis.move(k, 2));
        }
        redis.select(2);
        for (String k : keys) {
            assertTrue(redis.copy(k, k, CopyArgs.Builder.destinationDb(3)));
        }
        assertEquals(keys, new HashSet<>(redis.keys("*")));
        redis.select(3);
        assertEquals(keys, new HashSet<>(redis.keys("*")));
        redis.select(0);
        assertEquals(List.of(), redis.keys("*"));
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static Set<String> fill(RedisCommands<String, String> redis, String prefix, int n) {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < n; i++) {
            redis.set(prefix + i, "v");
            keys.add(prefix + i);
        }
        return keys;
    }

    /** Scans to the end with COUNT {@code count}, running {@code between} after every call. */
    private static int scan(RedisCommands<String, String> redis, int count, Set<String> seen, Runnable between) {
        ScanCursor cursor = ScanCursor.INITIAL;
        for (int calls = 1; calls < 100_000; calls++) {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.limit(count));
            seen.addAll(page.getKeys());
            if (page.isFinished()) {
                return calls;
            }
            assertNotEquals("0", page.getCursor());
            cursor = page;
            between.run();
        }
        throw new AssertionError("SCAN did not finish");
    }

    private static int shardOf(EmbeddedServer server, String key) {
        return server.keyspace().shardIndex(key.getBytes(StandardCharsets.UTF_8));
    }

    private static String keyInOtherShard(EmbeddedServer server, String key) {
        Keyspace ks = server.keyspace();
        int shard = shardOf(server, key);
        for (int i = 0; ; i++) {
            String candidate = key + "-" + i;
            if (ks.shardIndex(candidate.getBytes(StandardCharsets.UTF_8)) != shard) {
                return candidate;
            }
        }
    }

    private static List<String> missing(Set<String> expected, Set<String> seen) {
        return expected.stream().filter(k -> !seen.contains(k)).limit(10).toList();
    }
}
