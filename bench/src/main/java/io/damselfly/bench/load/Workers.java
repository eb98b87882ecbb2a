package io.damselfly.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs a driver's per-connection tasks on threads of their own and collects their results. */
final class Workers {
    private Workers() {
    }

    /** A pool of {@code size} daemon threads named {@code name-0, name-1, ...}. */
    static ExecutorService pool(String name, int size) {
        AtomicInteger next = new AtomicInteger();
        return Executors.newFixedThreadPool(size, r -> {
            Thread t = new Thread(r, name + "-" + next.getAndIncrement());
            t.setDaemon(true); // a driver that failed must not keep the runner's JVM alive
            return t;
        });
    }

    /** Runs every task at once, one thread each, and returns their results in order. */
    static <T> List<T> runAll(String name, List<Callable<T>> tasks) throws IOException, InterruptedException {
        ExecutorService pool = pool(name, tasks.size());
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(task));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(await(f));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The task's result, its failure rethrown as it was (IOException, unchecked) where possible. */
    static <T> T await(Future<T> f) throws IOException, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }
}
