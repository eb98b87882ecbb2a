package io.damselfly.server.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.KeyspaceSnapshot;
import io.damselfly.server.keyspace.Shard;
import io.damselfly.server.keyspace.ValueBuilder;
import io.damselfly.server.rdb.RdbLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a background save's work runs: its thread at Linux's idle priority, the walk's steps on
 * the event loops (taken back by the save when a loop does not run them), and a save starved at
 * idle priority finishing at normal priority. The files are checked by loading them.
 */
class BackgroundSaveSchedulingTest {
    private static final int KEYS = 20_000;
    static final int SCHED_IDLE = 5;

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Keyspace filled() {
        Keyspace ks = new Keyspace(4, 16);
        ValueBuilder vb = new ValueBuilder(ks);
        for (int i = 0; i < KEYS; i++) {
            byte[] key = b("key:" + i);
            Database d = ks.database(0, System.currentTimeMillis());
            Shard shard = ks.shard(d.shardIndex(key));
            shard.lock();
            try {
                d.keys().restore(key, vb.string(b("value:" + i)), Database.NO_EXPIRY, -1, -1);
            } finally {
                shard.unlock();
            }
        }
        return ks;
    }

    private static long keysIn(Path file) {
        Keyspace loaded = new Keyspace(4, 16);
        RdbLoader.Result r = new RdbLoader(loaded, code -> { }).loadIfExists(file);
        assertEquals(r.keys(), loaded.size(0));
        return loaded.size(0);
    }

    /**
     * The scheduling policy of each live thread of this JVM whose name (as the kernel keeps it:
     * its first 15 characters) {@code name} accepts, from /proc (Linux).
     */
    static List<Integer> policiesOf(java.util.function.Predicate<String> name) throws IOException {
        List<Integer> policies = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (!name.test(Files.readString(task.resolve("comm")).trim())) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    // fields after the parenthesised name start at field 3; the policy is field 41
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                    policies.add(Integer.parseInt(fields[41 - 3]));
                } catch (java.nio.file.NoSuchFileException gone) {
                    // the thread ended while we looked
                }
            }
        }
        return policies;
    }

    @Test
    void aBackgroundSaveRunsAtIdlePriorityWithItsStepsOnTheGivenLoops() throws Exception {
        Keyspace ks = filled();
        try (Persistence p = new Persistence(ks, Persistence.Target.of(dir, "idle.rdb", ks, null))) {
            List<Thread> ranSteps = new ArrayList<>();
            Executor loop = task -> {
                Thread t = new Thread(task, "test-loop");
                synchronized (ranSteps) {
                    ranSteps.add(t);
                }
                t.start();
            };
            p.walkOn(List.of(loop));
            assertTrue(p.startSave("test").get(60, TimeUnit.SECONDS));
            assertFalse(ranSteps.isEmpty(), "the walk's steps ran on the loop");
            List<Integer> policies = policiesOf("damselfly-save"::equals);
            assertFalse(policies.isEmpty());
            assertTrue(policies.stream().allMatch(policy -> policy == SCHED_IDLE), "policies " + policies);
            assertEquals(0, p.savesContinuedAtNormalPriority());
        }
        assertEquals(KEYS, keysIn(dir.resolve("idle.rdb")));
    }

    @Test
    void aSaveAtIdlePriorityRestsWhileTheLoopsAreBusyAndOnlyThen() throws Exception {
        Keyspace ks = filled();
        try (Persistence p = new Persistence(ks, Persistence.Target.of(dir, "paced.rdb", ks, null))) {
            p.walkOn(List.of(Runnable::run));
            assertTrue(p.startSave("test").get(60, TimeUnit.SECONDS));
            assertEquals(0, p.pacedRests(), "no loop busy: idle priority alone");
            p.pacedWhile(() -> true);
            assertTrue(p.startSave("test").get(60, TimeUnit.SECONDS));
            assertTrue(p.pacedRests() > 0, "a busy loop: the save rests between bursts");
            assertEquals(0, p.savesContinuedAtNormalPriority(), "both at idle priority");
        }
        assertEquals(KEYS, keysIn(dir.resolve("paced.rdb")));
    }

    @Test
    void stepsALoopNeverRunsAreTakenBackBySave() throws Exception {
        Keyspace ks = filled();
        try (Persistence p = new Persistence(ks, Persistence.Target.of(dir, "dropped.rdb", ks, null))) {
            Executor dropsEverything = task -> { };
            p.walkOn(List.of(dropsEverything));
            assertTrue(p.startSave("test").get(60, TimeUnit.SECONDS));
        }
        assertEquals(KEYS, keysIn(dir.resolve("dropped.rdb")));
    }

    @Test
    void aStarvedSaveFinishesAtNormalPriority() throws Exception {
        Keyspace ks = filled();
        try (Persistence p = new Persistence(ks, Persistence.Target.of(dir, "starved.rdb", ks, null))) {
            p.starvedAfterSeconds(0);
            assertTrue(p.startSave("test").get(60, TimeUnit.SECONDS));
            assertEquals(1, p.savesContinuedAtNormalPriority());
        }
        assertEquals(KEYS, keysIn(dir.resolve("starved.rdb")));
    }

    @Test
    void aSaveSomeoneWaitsForRunsAtNormalPriorityAndHurriesABackgroundOne() throws Exception {
        Keyspace ks = filled();
        try (Persistence p = new Persistence(ks, Persistence.Target.of(dir, "urgent.rdb", ks, null))) {
            assertTrue(p.startSaveCommand().get(60, TimeUnit.SECONDS));
            assertEquals(0, p.savesContinuedAtNormalPriority());
            // a loop that never runs its steps: each waits for the save to take it back (50 ms),
            // time enough for the shutdown to start waiting for the background save
            p.walkOn(List.of(task -> { }));
            var background = p.startSave("BGSAVE");
            var after = p.saveAfterRunning("shutdown");
            assertTrue(background.get(60, TimeUnit.SECONDS));
            assertTrue(after.get(60, TimeUnit.SECONDS));
            assertEquals(1, p.savesContinuedAtNormalPriority(), "the waited-for BGSAVE moved to normal priority");
        }
        assertEquals(KEYS, keysIn(dir.resolve("urgent.rdb")));
    }

    @Test
    void aStepALoopRefusesRunsAtOnceOnTheCaller() {
        Keyspace ks = filled();
        KeyspaceSnapshot snap = ks.beginSnapshot(System.currentTimeMillis(), shard -> new ChunkSink(ChunkSink.Chunk::release));
        try {
            Executor shutDown = task -> {
                throw new java.util.concurrent.RejectedExecutionException("event loop terminated");
            };
            WalkStep step = WalkStep.submit(snap, 0, 1_000_000, shutDown);
            assertTrue(snap.keysCaptured() > 0, "ran before join, without waiting for a reclaim");
            assertFalse(step.join());
        } finally {
            snap.end();
        }
    }

    @Test
    void aStepRunsOnceWhoeverClaimsIt() {
        Keyspace ks = filled();
        KeyspaceSnapshot snap = ks.beginSnapshot(System.currentTimeMillis(), shard -> new ChunkSink(ChunkSink.Chunk::release));
        try {
            List<Runnable> queued = new ArrayList<>();
            WalkStep step = WalkStep.submit(snap, 0, 1_000_000, queued::add);
            step.join(); // not run by the "loop": taken back after the wait
            long afterJoin = snap.keysCaptured();
            assertTrue(afterJoin > 0);
            queued.forEach(Runnable::run); // the loop gets to it late: nothing happens twice
            assertEquals(afterJoin, snap.keysCaptured());
        } finally {
            snap.end();
        }
    }
}
