package io.damselfly.server.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Predicate;

/** INFO read by tests: one field of a section, and waiting for a section to show something. */
public final class InfoFields {
    private InfoFields() {
    }

    /** The value of {@code name} in INFO {@code section}, or null when the section has no such field. */
    public static String field(RawClient c, String section, String name) {
        for (String line : RawClient.render(c.call("INFO", section)).split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** Waits up to 20 s for INFO {@code section} to satisfy {@code condition}, and fails if it never does. */
    public static void await(RawClient c, String section, Predicate<String> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.test(RawClient.render(c.call("INFO", section))) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(condition.test(RawClient.render(c.call("INFO", section))), what);
    }

    /** Waits up to 20 s for INFO {@code section} to have the line {@code line} ("name:value"), and fails if it never does. */
    public static void awaitLine(RawClient c, String section, String line) throws InterruptedException {
        await(c, section, text -> text.lines().anyMatch(l -> l.strip().equals(line)), line);
    }
}
