package io.damselfly.server.command;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The wall clock derived from nanoTime agrees with System.currentTimeMillis. */
class CommandClockTest {
    @Test
    void millis_matchesCurrentTimeMillis() throws Exception {
        CommandClock clock = CommandClock.forCurrentThread();
        for (int i = 0; i < 2_000; i++) {
            long before = System.currentTimeMillis();
            long derived = clock.millis(System.nanoTime());
            long after = System.currentTimeMillis();
            // read between two wall-clock readings, so between them (one millisecond of slack for
            // the anchor's own rounding at a millisecond boundary)
            assertTrue(derived >= before - 1 && derived <= after + 1, before + " <= " + derived + " <= " + after);
            if (i % 100 == 0) {
                Thread.sleep(1); // let anchors expire and renew
            }
        }
    }
}
