package io.damselfly.server.keyspace;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The per-entry access field, with Redis's two meanings (evict.c):
 *
 * <ul>
 *   <li>LRU: the access time in seconds, 24 bits wrapping (LRU_CLOCK_MAX), read back as idle time.
 *   <li>LFU: the high 16 bits are the last decrement time in minutes, the low 8 bits a
 *       logarithmic access counter that starts at {@link #LFU_INIT_VAL}, grows with probability
 *       1/((counter - init) * logFactor + 1) and decays by one per {@code decayMinutes} elapsed.
 * </ul>
 *
 * Which meaning applies follows the eviction policy in force, as in Redis: switching policy at
 * run time makes existing values read oddly for a while, which Redis's own error text for OBJECT
 * FREQ warns about.
 */
public final class AccessClock {
    static final int LRU_CLOCK_MAX = (1 << 24) - 1;
    static final int LFU_INIT_VAL = 5;
    private static final int LFU_COUNTER_MAX = 255;

    private AccessClock() {
    }

    /** The LRU clock at a time: seconds, wrapping at 24 bits (INFO lru_clock). */
    public static int lruStamp(long nowMillis) {
        return (int) ((nowMillis / 1000) & LRU_CLOCK_MAX);
    }

    /** Seconds since the entry was last touched, from an LRU stamp. */
    static long idleSeconds(int stamp, long nowMillis) {
        int clock = lruStamp(nowMillis);
        return clock >= stamp ? clock - stamp : (LRU_CLOCK_MAX - stamp) + clock;
    }

    private static int minutes(long nowMillis) {
        return (int) ((nowMillis / 60_000) & 0xFFFF);
    }

    static int lfuInitial(long nowMillis) {
        return (minutes(nowMillis) << 8) | LFU_INIT_VAL;
    }

    /** The counter after decay for the minutes elapsed since the stored time (LFUDecrAndReturn). */
    static int lfuDecayed(int access, long nowMillis, int decayMinutes) {
        int last = access >>> 8;
        int counter = access & 0xFF;
        int now = minutes(nowMillis);
        int elapsed = now >= last ? now - last : 65535 - last + now;
        int periods = decayMinutes > 0 ? elapsed / decayMinutes : 0;
        return periods > counter ? 0 : counter - periods;
    }

    /** The access field after one access under LFU (updateLFU). */
    static int lfuTouch(int access, long nowMillis, int logFactor, int decayMinutes) {
        int counter = lfuDecayed(access, nowMillis, decayMinutes);
        if (counter < LFU_COUNTER_MAX) {
            double base = Math.max(0, counter - LFU_INIT_VAL);
            double p = 1.0 / (base * logFactor + 1);
            if (ThreadLocalRandom.current().nextDouble() < p) {
                counter++;
            }
        }
        return (minutes(nowMillis) << 8) | counter;
    }
}
