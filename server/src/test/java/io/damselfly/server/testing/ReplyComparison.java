package io.damselfly.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.protocol.RespValue;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Differential testing against a real redis-server: a script runs on a reference connection and
 * on a damselfly connection, and every reply must render identically.
 *
 * <p>Scripts are lines of space-separated arguments ('_' is an empty argument). A line starting
 * with '~' compares array (and RESP3 set) replies as unordered at every depth (KEYS and SCAN order is an
 * implementation detail). Nothing is masked: COMMAND INFO's key specifications are Redis's own.
 */
public final class ReplyComparison {
    private ReplyComparison() {
    }

    /** Each named script once in RESP2 and once in RESP3: (name, protocol, script). */
    public static Stream<Arguments> inBothProtocols(String[][] scripts) {
        List<Arguments> list = new ArrayList<>();
        for (int protocol : new int[] {2, 3}) {
            for (String[] s : scripts) {
                list.add(Arguments.of(s[0], protocol, s[1]));
            }
        }
        return list.stream();
    }

    /** {@link #assertSameReplies(String, int, String, RawClient, RawClient)} on fresh connections to both servers. */
    public static void assertSameReplies(String name, int protocol, String script, RedisServerProcess reference,
                                         io.damselfly.server.EmbeddedServer candidate) {
        try (RawClient ref = new RawClient("127.0.0.1", reference.port());
             RawClient ours = new RawClient(candidate.host(), candidate.port())) {
            assertSameReplies(name, protocol, script, ref, ours);
        }
    }

    /** Sends one command to both servers (a CONFIG SET to restore, say); both must answer +OK. */
    public static void okOnBoth(RedisServerProcess reference, io.damselfly.server.EmbeddedServer candidate, Object... command) {
        try (RawClient ref = new RawClient("127.0.0.1", reference.port());
             RawClient ours = new RawClient(candidate.host(), candidate.port())) {
            assertEquals("+OK", ref.callText(command), "reference");
            assertEquals("+OK", ours.callText(command));
        }
    }

    /** Empties both servers, switches both to {@code protocol}, runs the script and compares. */
    public static void assertSameReplies(String name, int protocol, String script, RawClient reference, RawClient candidate) {
        startFresh(protocol, reference, candidate);
        for (ScriptLine line : lines(script)) {
            String expected = render(reference.call(line.args()), line.unordered());
            String actual = render(candidate.call(line.args()), line.unordered());
            assertEquals(expected, actual, name + " " + line);
        }
    }

    /** Empties the servers behind {@code clients} and switches each connection to {@code protocol}. */
    public static void startFresh(int protocol, RawClient... clients) {
        for (RawClient c : clients) {
            assertEquals("+OK", c.callText("FLUSHALL"));
            if (protocol == 3) {
                c.call("HELLO", "3");
            }
        }
    }

    /**
     * One command of a script: its line number and text, whether its reply compares unordered
     * (a leading '~'), and its arguments ('_' an empty one).
     */
    public record ScriptLine(int number, String text, boolean unordered, Object[] args) {
        @Override
        public String toString() {
            return "line " + number + ": " + text;
        }
    }

    /** The commands of a script, blank lines skipped. */
    public static List<ScriptLine> lines(String script) {
        List<ScriptLine> out = new ArrayList<>();
        int number = 0;
        for (String line : script.split("\n")) {
            number++;
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            boolean unordered = line.startsWith("~");
            Object[] args = Stream.of((unordered ? line.substring(1) : line).strip().split(" +"))
                    .map(a -> a.equals("_") ? "" : a).toArray();
            out.add(new ScriptLine(number, line, unordered, args));
        }
        return out;
    }

    /** A reply as text; unordered, arrays and RESP3 maps too (CONFIG GET with a pattern) are sorted. */
    private static String render(RespValue v, boolean unordered) {
        if (unordered && v instanceof RespValue.Array a) {
            return a.values().stream().map(x -> render(x, true)).sorted().collect(Collectors.joining(", ", "[", "]"));
        }
        if (unordered && v instanceof RespValue.Set s) {
            return s.values().stream().map(x -> render(x, true)).sorted().collect(Collectors.joining(", ", "~[", "]"));
        }
        if (unordered && v instanceof RespValue.Map m) {
            return m.entries().stream().map(e -> render(e.key(), true) + "=" + render(e.value(), true)).sorted()
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        return RawClient.render(v);
    }
}
