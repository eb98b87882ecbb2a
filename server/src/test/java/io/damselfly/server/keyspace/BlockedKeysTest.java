package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.keyspace.ListOps.End;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link BlockedKeys} without the network: serving in order, a waiter that is gone keeps nothing,
 * and BLMOVE whose destination shard another thread holds is served later from the waiter's
 * side, never by waiting for that lock while holding the source's.
 */
class BlockedKeysTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A waiter that records what it was handed; {@code gone} makes it refuse as a timed-out one. */
    private static final class FakeWaiter implements BlockedKeys.Waiter {
        final End end;
        final byte[] destination;
        boolean gone;
        String taken;
        final List<Runnable> later = new ArrayList<>();

        FakeWaiter(End end, byte[] destination) {
            this.end = end;
            this.destination = destination;
        }

        @Override
        public End end() {
            return end;
        }

        @Override
        public long count() {
            return 1;
        }

        @Override
        public byte[] destination() {
            return destination;
        }

        @Override
        public End destinationEnd() {
            return End.LEFT;
        }

        @Override
        public boolean isGone() {
            return gone || taken != null;
        }

        @Override
        public boolean take(byte[] key, byte[][] elements) {
            if (isGone()) {
                return false;
            }
            taken = new String(key, StandardCharsets.UTF_8) + "=" + new String(elements[0], StandardCharsets.UTF_8);
            return true;
        }

        @Override
        public boolean refuse(OpStatus status) {
            taken = status.name();
            return true;
        }

        @Override
        public void runLater(Runnable task) {
            later.add(task);
        }
    }

    private final Keyspace ks = new Keyspace(16, 2);

    /** Runs {@code body} as a command would: the key's shard locked, then the ready keys served. */
    private void command(byte[] key, java.util.function.Consumer<Database> body) {
        Shard s = ks.shard(ks.shardIndex(key));
        s.lock();
        try {
            Database db = ks.database(0, System.currentTimeMillis());
            body.accept(db);
            ks.blockedKeys().serveReady(db);
        } finally {
            s.unlock();
        }
    }

    private BlockedKeys.Registration block(FakeWaiter w, String... keys) {
        byte[][] argv = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            argv[i] = b(keys[i]);
        }
        ks.lockAll();
        try {
            return ks.blockedKeys().register(w, 0, argv, 0, argv.length);
        } finally {
            ks.unlockAll();
        }
    }

    private List<String> range(String key) {
        List<String> out = new ArrayList<>();
        command(b(key), db -> {
            ListOps.Elements e = db.lists().range(b(key), 0, -1);
            if (e.elements() != null) {
                for (byte[] x : e.elements()) {
                    out.add(new String(x, StandardCharsets.UTF_8));
                }
            }
        });
        return out;
    }

    @Test
    void servesInOrder_skippingWaitersThatAreGone() {
        FakeWaiter gone = new FakeWaiter(End.LEFT, null);
        FakeWaiter first = new FakeWaiter(End.LEFT, null);
        FakeWaiter second = new FakeWaiter(End.RIGHT, null);
        BlockedKeys.Registration r0 = block(gone, "q");
        BlockedKeys.Registration r1 = block(first, "other", "q");
        BlockedKeys.Registration r2 = block(second, "q");
        gone.gone = true;
        command(b("q"), db -> db.lists().push(b("q"), new byte[][] {b("a"), b("b"), b("c")}, 0, End.RIGHT, false));
        assertNull(gone.taken);
        assertEquals("q=a", first.taken);
        assertEquals("q=c", second.taken);
        assertEquals(List.of("b"), range("q"));
        for (BlockedKeys.Registration r : List.of(r0, r1, r2)) {
            ks.blockedKeys().unregister(r);
        }
        assertEquals(0, ks.blockedKeys().waiting());
        assertEquals(null, ks.checkInvariants());
    }

    @Test
    void blmove_destinationShardBusy_retriedFromTheWaiter() throws Exception {
        byte[] src = b("src");
        byte[] dst = destinationInAnotherShard(src);
        FakeWaiter mover = new FakeWaiter(End.RIGHT, dst);
        BlockedKeys.Registration r = block(mover, "src");
        Shard busy = ks.shard(ks.shardIndex(dst));
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            busy.lock();
            try {
                held.countDown();
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                busy.unlock();
            }
        });
        holder.start();
        assertTrue(held.await(10, TimeUnit.SECONDS));
        command(src, db -> db.lists().push(src, new byte[][] {b("x")}, 0, End.RIGHT, false));
        assertNull(mover.taken, "not served while the destination's shard is held elsewhere");
        assertEquals(1, mover.later.size(), "a retry was handed to the waiter's thread");
        release.countDown();
        holder.join(10_000);
        mover.later.get(0).run();
        assertEquals("src=x", mover.taken);
        assertEquals(List.of("x"), range(new String(dst, StandardCharsets.UTF_8)));
        assertEquals(List.of(), range("src"));
        ks.blockedKeys().unregister(r);
        assertEquals(null, ks.checkInvariants());
    }

    private byte[] destinationInAnotherShard(byte[] src) {
        for (int i = 0; ; i++) {
            byte[] k = b("dst" + i);
            if (ks.shardIndex(k) != ks.shardIndex(src)) {
                assertNotEquals(ks.shardIndex(k), ks.shardIndex(src));
                return k;
            }
        }
    }
}
