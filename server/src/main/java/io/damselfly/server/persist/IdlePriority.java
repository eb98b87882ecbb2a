package io.damselfly.server.persist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the calling thread in Linux's SCHED_IDLE class: it runs only on a core nothing else wants,
 * and any woken event loop takes the core from it at once.
 *
 * <p>Why: a background save is CPU work (encoding, LZF, writing) beside event loops that need
 * their cores back within microseconds of a packet. At normal priority the scheduler lets the save
 * run out its slice first, and on a machine whose cores are busy that showed as p99 during saves
 * of 3x the p99 without (GET load, 2 cores); at SCHED_IDLE it was 1.2-1.3x. Redis's forked child
 * runs at normal priority and pays the same 2-3x. A thread may always lower its own class, so no
 * privilege is needed; going back up is not allowed without CAP_SYS_NICE, which is why the caller
 * keeps a normal-priority thread for work that must not wait (see Persistence).
 *
 * <p>Java has no call for it (Thread.setPriority is ignored on Linux by default), so the thread
 * finds its own kernel id through /proc/thread-self and runs util-linux's {@code chrt} once, when
 * the thread starts. Where that is not possible (not Linux, no chrt) the thread stays at normal
 * priority and the save's {@link Pacer} alone keeps its bursts short.
 */
final class IdlePriority {
    private static final Logger log = LoggerFactory.getLogger(IdlePriority.class);
    private static final long CHRT_TIMEOUT_SECONDS = 5;

    private IdlePriority() {
    }

    /** Moves the calling thread to SCHED_IDLE; whether it is there now. */
    static boolean applyToCurrentThread() {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            String tid = self.getFileName().toString();
            Process chrt = new ProcessBuilder("chrt", "--idle", "--pid", "0", tid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!chrt.waitFor(CHRT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                chrt.destroyForcibly();
                log.info("background saves run at normal CPU priority: chrt did not answer");
                return false;
            }
            if (chrt.exitValue() != 0) {
                log.info("background saves run at normal CPU priority: chrt --idle exited with {}", chrt.exitValue());
                return false;
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            log.info("background saves run at normal CPU priority: {}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
