package io.damselfly.server.metrics;

import io.damselfly.server.config.Option;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The slow log (SLOWLOG GET, LEN, RESET): the latest commands that ran for at least
 * slowlog-log-slower-than microseconds, newest first, at most slowlog-max-len of them; one for the
 * whole server, as Redis keeps one (slowlog.c).
 *
 * <p>Off the hot path by construction: the executor compares a command's duration with {@link
 * #isSlow}, one volatile load, and comes here only for a slow command. An entry (arguments copied
 * and trimmed, secrets redacted) is built before taking the monitor, which guards only the
 * append to and trimming of a deque, so event loops logging at once wait for each other for
 * nanoseconds. The deque never holds more than slowlog-max-len entries of at most {@link
 * #MAX_ARGC} arguments of at most {@link #MAX_STRING} bytes and a short suffix each.
 */
public final class Slowlog {
    /** Arguments kept per entry (SLOWLOG_ENTRY_MAX_ARGC); the last kept one says how many more. */
    static final int MAX_ARGC = 32;
    /** Bytes kept per argument (SLOWLOG_ENTRY_MAX_STRING), followed by how many more there were. */
    static final int MAX_STRING = 128;
    /** What a secret is shown as (Redis's shared.redacted). */
    static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.US_ASCII);
    private static final long NANOS_PER_MICRO = 1000;

    /** One logged command, as SLOWLOG GET shows it. */
    public record Entry(long id, long timeSeconds, long durationMicros, List<byte[]> args, String client, String clientName) {
    }

    /** Durations at or above this are slow; Long.MAX_VALUE while the log is off (threshold < 0). */
    private volatile long thresholdNanos = 10_000 * NANOS_PER_MICRO;
    private volatile long maxLength = 128;
    /** Newest first; guarded by this. */
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    /** Ids go on across SLOWLOG RESET, as in Redis; guarded by this. */
    private long nextId;

    /** Whether a command that ran {@code nanos} goes to the log. Cheap enough for every command. */
    public boolean isSlow(long nanos) {
        return nanos >= thresholdNanos;
    }

    /**
     * Sets slowlog-log-slower-than: microseconds from which a command is logged; 0 logs every
     * command, a negative value none.
     */
    public void setThresholdMicros(long micros) {
        thresholdNanos = micros < 0 || micros > Long.MAX_VALUE / NANOS_PER_MICRO ? Long.MAX_VALUE : micros * NANOS_PER_MICRO;
    }

    /** Sets slowlog-max-len, dropping the oldest entries past it at once. */
    public synchronized void setMaxLength(long max) {
        maxLength = max;
        trim();
    }

    /**
     * Logs a command that {@link #isSlow} found slow: {@code command} is its full name (for the
     * arguments it must not show), {@code argv} its arguments, name first.
     */
    public void add(String command, byte[][] argv, long nanos, String client, String clientName) {
        List<byte[]> args = loggedArguments(command, argv);
        long now = System.currentTimeMillis() / 1000;
        synchronized (this) {
            entries.addFirst(new Entry(nextId++, now, nanos / NANOS_PER_MICRO, args, client, clientName));
            trim();
        }
    }

    /** The newest {@code count} entries, newest first. */
    public synchronized List<Entry> newest(long count) {
        List<Entry> out = new ArrayList<>((int) Math.min(count, entries.size()));
        Iterator<Entry> it = entries.iterator();
        while (out.size() < count && it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    public synchronized int size() {
        return entries.size();
    }

    /** Empties the log (SLOWLOG RESET); ids go on from where they were. */
    public synchronized void reset() {
        entries.clear();
    }

    private void trim() {
        while (entries.size() > maxLength) {
            entries.removeLast();
        }
    }

    /**
     * The arguments as Redis logs them (slowlogCreateEntry): at most {@link #MAX_ARGC}, the last
     * kept one replaced by "... (N more arguments)"; each at most {@link #MAX_STRING} bytes followed
     * by "... (N more bytes)"; secrets replaced by "(redacted)". Copies: the log outlives the
     * request, whose arrays the keyspace may keep.
     */
    static List<byte[]> loggedArguments(String command, byte[][] argv) {
        boolean[] redact = redacted(command, argv);
        int kept = Math.min(argv.length, MAX_ARGC);
        List<byte[]> out = new ArrayList<>(kept);
        for (int j = 0; j < kept; j++) {
            if (kept != argv.length && j == kept - 1) {
                out.add(("... (" + (argv.length - kept + 1) + " more arguments)").getBytes(StandardCharsets.US_ASCII));
            } else if (redact[j]) {
                out.add(REDACTED);
            } else if (argv[j].length > MAX_STRING) {
                byte[] suffix = ("... (" + (argv[j].length - MAX_STRING) + " more bytes)").getBytes(StandardCharsets.US_ASCII);
                byte[] trimmed = Arrays.copyOf(argv[j], MAX_STRING + suffix.length);
                System.arraycopy(suffix, 0, trimmed, MAX_STRING, suffix.length);
                out.add(trimmed);
            } else {
                out.add(argv[j].clone());
            }
        }
        return out;
    }

    /**
     * Which arguments are secrets that Redis's handlers redact before the command is logged
     * (redactClientCommandArgument): AUTH's username and password, HELLO's AUTH pair, and the value
     * of a sensitive option in CONFIG SET. Redis redacts only once the handler reaches the point
     * (a HELLO with a bad protocol version shows its AUTH pair); here the pair is hidden wherever
     * it appears, since showing a password is the worse mistake.
     */
    private static boolean[] redacted(String command, byte[][] argv) {
        boolean[] redact = new boolean[argv.length];
        switch (command) {
            case "auth" -> {
                // AUTH with more than two arguments is a syntax error before anything is redacted
                if (argv.length <= 3) {
                    for (int j = 1; j < argv.length; j++) {
                        redact[j] = true;
                    }
                }
            }
            case "hello" -> {
                for (int j = 2; j < argv.length; j++) {
                    int more = argv.length - 1 - j;
                    if (isWord(argv[j], "auth") && more >= 2) {
                        redact[j + 1] = true;
                        redact[j + 2] = true;
                        j += 2;
                    } else if (isWord(argv[j], "setname") && more >= 1) {
                        j++;
                    } else {
                        break;
                    }
                }
            }
            case "migrate" -> {
                // as migrateCommand parses its options, redacting AUTH's and AUTH2's secrets
                for (int j = 6; j < argv.length; j++) {
                    int more = argv.length - 1 - j;
                    if (isWord(argv[j], "auth") && more >= 1) {
                        redact[++j] = true;
                    } else if (isWord(argv[j], "auth2") && more >= 2) {
                        redact[j + 1] = true;
                        redact[j + 2] = true;
                        j += 2;
                    } else if (!isWord(argv[j], "copy") && !isWord(argv[j], "replace")) {
                        break; // KEYS (the rest are keys), or a syntax error
                    }
                }
            }
            case "config|set" -> {
                for (int j = 2; j + 1 < argv.length; j += 2) {
                    Option o = Option.byName(new String(argv[j], StandardCharsets.UTF_8));
                    if (o != null && o.isSensitive()) {
                        redact[j + 1] = true;
                    }
                }
            }
            default -> {
                // nothing secret
            }
        }
        return redact;
    }

    private static boolean isWord(byte[] arg, String word) {
        return new String(arg, StandardCharsets.ISO_8859_1).equalsIgnoreCase(word);
    }
}
