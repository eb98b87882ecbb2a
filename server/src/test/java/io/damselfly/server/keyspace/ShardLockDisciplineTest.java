package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The lock discipline holds in production code: every method of {@link Shard} that reads or
 * changes keys, entries, WATCH versions or the memory account refuses to run on a thread that does
 * not hold the shard's lock, with assertions disabled or not. The walk is by reflection over all
 * of Shard's methods, so a method added later is covered unless it is listed below as lock-free.
 */
class ShardLockDisciplineTest {
    /**
     * Methods that need no lock: the lock itself, the index, counters INFO reads without a lock
     * (possibly a few operations stale, documented on Shard), and countLookup, which only ever
     * runs right after lookup has checked.
     */
    private static final Set<String> LOCK_FREE = Set.of("index", "lock", "unlock", "tryLock", "tryLockSpinning", "tryLockForMaintenance",
            "isHeldByCurrentThread", "followsPrimary", "usedMemory", "recordPageBytes", "keyspaceHits", "keyspaceMisses", "expiredKeys", "evictedKeys", "dirty",
            "countLookup");

    @Test
    void everyKeyspaceMethod_refusesToRunWithoutTheLock() throws Exception {
        Keyspace keyspace = new Keyspace(2, 2);
        Shard shard = keyspace.shard(0);
        List<String> checked = new ArrayList<>();
        for (Method m : Shard.class.getDeclaredMethods()) {
            if (Modifier.isPrivate(m.getModifiers()) || Modifier.isStatic(m.getModifiers()) || m.isSynthetic()
                    || LOCK_FREE.contains(m.getName())) {
                continue;
            }
            m.setAccessible(true);
            try {
                m.invoke(shard, arguments(m));
                fail(m.getName() + " ran without the shard's lock");
            } catch (InvocationTargetException e) {
                assertInstanceOf(IllegalStateException.class, e.getCause(), m.getName());
                assertEquals("shard 0 used without its lock", e.getCause().getMessage(), m.getName());
            }
            checked.add(m.getName());
        }
        assertTrue(checked.containsAll(List.of("lookup", "insert", "replace", "reform", "remove", "changedInPlace",
                "expiryChangedInPlace", "beforeChange", "publishMemory", "flush", "swap", "watch", "unwatch", "watchedVersion",
                "scan", "randomEntry", "sample", "evict", "evictRandom", "expireStep", "forEach", "size", "volatileCount",
                "resetStats", "checkInvariants")), checked.toString());
    }

    @Test
    void withTheLock_theSameCallsRun() {
        Keyspace keyspace = new Keyspace(2, 2);
        Shard shard = keyspace.shard(0);
        shard.lock();
        try {
            assertEquals(0, shard.size(0));
            shard.publishMemory();
            shard.resetStats();
        } finally {
            shard.unlock();
        }
    }

    /** Harmless arguments: the lock check comes before anything reads them. */
    private static Object[] arguments(Method m) {
        Class<?>[] types = m.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            if (t == int.class) {
                args[i] = 0;
            } else if (t == long.class) {
                args[i] = 0L;
            } else if (t == boolean.class) {
                args[i] = false;
            } else if (t == byte[].class) {
                args[i] = new byte[] {'k'};
            } else {
                args[i] = null;
            }
        }
        return args;
    }
}
