package io.damselfly.server.aof;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.StreamComparison;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the end-to-end AOF tests share: damselfly and redis-server started with {@code appendonly
 * yes} on a directory of the test's choosing (so a restart finds the same files), Lettuce and raw
 * connections that are closed with the fixture, and the AOF files read as each server names them
 * (CONFIG GET dir, appenddirname, appendfilename; the last incr file found through the manifest).
 * Everything started here is closed in reverse order by {@link #close}.
 */
final class AofFixture implements AutoCloseable, AfterEachCallback {
    private final List<AutoCloseable> open = new ArrayList<>();

    /** damselfly on {@code dir} with the AOF on and DEBUG allowed; {@code options} are name, value pairs. */
    EmbeddedServer damselfly(Path dir, String... options) throws IOException {
        Files.createDirectories(dir);
        EmbeddedServer s = damselflyBuilder(dir, options).start();
        open.add(s);
        return s;
    }

    static EmbeddedServer.Builder damselflyBuilder(Path dir, String... options) {
        EmbeddedServer.Builder b = EmbeddedServer.builder().option("dir", dir.toString()).option("appendonly", "yes")
                .option("enable-debug-command", "yes");
        for (int i = 0; i < options.length; i += 2) {
            b.option(options[i], options[i + 1]);
        }
        return b;
    }

    /** redis-server on {@code dir} with the AOF on and DEBUG allowed; {@code args} as on its command line. */
    RedisServerProcess redis(Path dir, String... args) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> all = new ArrayList<>(List.of("--appendonly", "yes", "--dir", dir.toString(), "--enable-debug-command", "yes"));
        all.addAll(List.of(args));
        RedisServerProcess r = RedisServerProcess.start(all.toArray(String[]::new));
        open.add(r);
        return r;
    }

    /** Stops {@code server} now (a restart follows on the same directory). */
    void stop(AutoCloseable server) throws Exception {
        open.remove(server);
        server.close();
    }

    RawClient raw(int port) {
        RawClient c = new RawClient("127.0.0.1", port);
        open.add(c);
        return c;
    }

    RedisCommands<String, String> lettuce(int port) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        client.setDefaultTimeout(Duration.ofSeconds(20));
        StatefulRedisConnection<String, String> c = client.connect();
        open.add(client::shutdown);
        open.add(c);
        return c.sync();
    }

    /** Registered with {@code @RegisterExtension}: what a test opened is closed after it. */
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }

    // ---- the server's view of its files ---------------------------------------------------

    static String config(RawClient c, String name) {
        RespValue v = c.call("CONFIG", "GET", name);
        List<RespValue> values = ((RespValue.Array) v).values();
        if (values.size() != 2) {
            throw new AssertionError("CONFIG GET " + name + ": " + RawClient.render(v));
        }
        return ((RespValue.BulkString) values.get(1)).asString();
    }

    /** {@code <dir>/<appenddirname>} as the server names them. */
    static Path aofDir(RawClient c) {
        return Path.of(config(c, "dir")).resolve(config(c, "appenddirname"));
    }

    static String manifestName(RawClient c) {
        return config(c, "appendfilename") + ".manifest";
    }

    /** The manifest's text as the server at {@code c} wrote it. */
    static String manifestText(RawClient c) throws IOException {
        return Files.readString(aofDir(c).resolve(manifestName(c)), StandardCharsets.ISO_8859_1);
    }

    /** The files the manifest's text lists with type {@code type} (b, h or i), in its order. */
    static List<String> filesOfType(String manifest, String type) {
        List<String> out = new ArrayList<>();
        for (String line : manifest.split("\n")) {
            String[] f = line.trim().split(" ");
            // "file <name> seq <n> type <t>": Redis's own manifests list no other keys
            if (f.length == 6 && f[0].equals("file") && f[5].equals(type)) {
                out.add(f[1]);
            }
        }
        return out;
    }

    /** The last incr file the server's manifest lists. */
    static Path lastIncr(RawClient c) throws IOException {
        List<String> incrs = filesOfType(manifestText(c), "i");
        if (incrs.isEmpty()) {
            throw new AssertionError("no incr file in the manifest: " + manifestText(c));
        }
        return aofDir(c).resolve(incrs.get(incrs.size() - 1));
    }

    /**
     * The commands of the server's last incr file, one a line (arguments joined by spaces,
     * non-printable bytes as \xNN), absolute times blanked as {@link StreamComparison} blanks them.
     */
    static List<String> lastIncrCommands(RawClient c) throws IOException {
        return commandsOf(lastIncr(c));
    }

    static List<String> commandsOf(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            AofCommandReader reader = new AofCommandReader(in, 0, AofCommandReader.DEFAULT_MAX_BULK_LENGTH);
            byte[][] argv;
            while ((argv = reader.next()) != null) {
                StringBuilder b = new StringBuilder();
                for (byte[] arg : argv) {
                    if (b.length() > 0) {
                        b.append(' ');
                    }
                    for (byte x : arg) {
                        int u = x & 0xff;
                        if (u >= 0x20 && u < 0x7f) {
                            b.append((char) u);
                        } else {
                            b.append(String.format("\\x%02x", u));
                        }
                    }
                }
                lines.add(b.toString());
            }
            if (reader.end() != AofCommandReader.End.OK) {
                throw new AssertionError(file + " ends with " + reader.end() + ": " + reader.problem());
            }
        }
        return StreamComparison.withTimesBlanked(lines);
    }

    /** The names in the server's AOF directory, sorted. */
    static List<String> aofDirListing(RawClient c) {
        try (var files = Files.list(aofDir(c))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- INFO and waiting ----------------------------------------------------------------

    /** One field of INFO persistence (or another section's, with {@code section}). */
    static String info(RawClient c, String section, String field) {
        String text = ((RespValue.BulkString) c.call("INFO", section)).asString();
        for (String line : text.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        throw new AssertionError("no " + field + " in INFO " + section);
    }

    static String info(RawClient c, String field) {
        return info(c, "persistence", field);
    }

    static void await(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Until no rewrite runs or waits and no save runs, and the AOF directory holds only what the
     * manifest lists besides the manifest (Redis deletes history files in the background after
     * it has written the manifest without them).
     */
    static void awaitQuiet(RawClient c) throws InterruptedException {
        try {
            await("rewrites and saves to end", Duration.ofSeconds(20), () -> info(c, "aof_rewrite_in_progress").equals("0")
                    && info(c, "aof_rewrite_scheduled").equals("0") && info(c, "rdb_bgsave_in_progress").equals("0"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + ((RespValue.BulkString) c.call("INFO", "persistence")).asString(), e);
        }
        await("history files to be deleted", Duration.ofSeconds(10), () -> {
            try {
                String m = manifestText(c);
                List<String> listed = new ArrayList<>(filesOfType(m, "b"));
                listed.addAll(filesOfType(m, "i"));
                listed.add(manifestName(c));
                return aofDirListing(c).stream().allMatch(listed::contains);
            } catch (IOException e) {
                return false;
            }
        });
    }
}
