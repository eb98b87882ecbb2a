package io.damselfly.server;

import io.damselfly.server.config.ConfigException;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.metrics.Health;
import io.damselfly.server.net.RequestMemoryBudget;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * damselfly inside another JVM process: for tests and for applications that want a Redis-speaking
 * cache in-process. Takes the same options as the command line; binds 127.0.0.1 on a free port
 * unless told otherwise, opens no admin (HTTP) port unless given {@code admin_port} (0 for a
 * free one, then {@link #adminPort()}), and starts a diskless full synchronisation at once
 * ({@code repl-diskless-sync-delay 0}, as Redis's test suite has it) unless given a delay; HTTP
 * on the main port works as on the command line.
 *
 * <pre>
 * try (EmbeddedServer server = EmbeddedServer.builder().option("requirepass", "s3cret").start()) {
 *     RedisClient client = RedisClient.create("redis://s3cret@127.0.0.1:" + server.port());
 *     ...
 * }
 * </pre>
 */
public final class EmbeddedServer implements AutoCloseable {
    private final DamselflyServer server;

    private EmbeddedServer(DamselflyServer server) {
        this.server = server;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port the server listens on. */
    public int port() {
        return server.port();
    }

    /** The admin (HTTP) port bound, or -1 when there is none. */
    public int adminPort() {
        return server.adminPort();
    }

    /** The server's health, as {@code GET /health} reports it; an embedder may add its own checks. */
    public Health health() {
        return server.health();
    }

    /** The address to give a client, e.g. "127.0.0.1". */
    public String host() {
        return io.damselfly.server.net.BindAddresses.parse(server.config().getString(Option.BIND)).firstHost();
    }

    /** The keyspace, for tests that check its invariants. */
    public Keyspace keyspace() {
        return server.keyspace();
    }

    public ServerConfig config() {
        return server.config();
    }

    /** CLIENT PAUSE's state, for tests that wait for postponed clients or end a pause themselves. */
    public io.damselfly.server.client.ClientPause clientPause() {
        return server.clients().pause();
    }

    /** The budget for memory held by unfinished requests, for tests that check what is booked. */
    public RequestMemoryBudget requestMemory() {
        return server.requestMemory();
    }

    /** The listeners and event loops, for tests that look at which loop serves which connection. */
    public io.damselfly.server.net.NetServer net() {
        return server.net();
    }

    @Override
    public void close() {
        server.close();
    }

    /** Options by flag or Redis name, as on the command line. */
    public static final class Builder {
        private final Map<String, String> options = new LinkedHashMap<>();
        private java.nio.file.Path configFile;

        private Builder() {
            options.put("port", "0");
            // several servers in one JVM or machine: the command line's fixed 9999 would collide
            options.put("admin_port", "-1");
            // as Redis's own test suite runs (tests/assets/default.conf): a diskless full
            // synchronisation starts at once instead of waiting 5 s for more replicas to share it
            options.put("repl-diskless-sync-delay", "0");
        }

        public Builder option(String name, String value) {
            options.put(name, value);
            return this;
        }

        public Builder option(Option option, String value) {
            return option(option.flag(), value);
        }

        /**
         * Reads this config file first, as the command line's first argument; the options given
         * here override it, and so do the builder's own defaults (port, admin_port,
         * repl-diskless-sync-delay), which are options too.
         */
        public Builder configFile(java.nio.file.Path file) {
            this.configFile = file;
            return this;
        }

        public Builder port(int port) {
            return option("port", Integer.toString(port));
        }

        /**
         * An in-process near-cache in front of {@code url} ({@code redis://[user:pass@]host:port[/db]}):
         * the same as the {@code upstream} option; near_cache_maxmemory and the other near-cache
         * options are set with {@link #option}.
         */
        public Builder upstream(String url) {
            return option(Option.UPSTREAM, url);
        }

        public EmbeddedServer start() {
            String[] args = options.entrySet().stream()
                    .map(e -> "--" + e.getKey() + "=" + e.getValue())
                    .toArray(String[]::new);
            if (configFile != null) {
                String[] withFile = new String[args.length + 1];
                withFile[0] = configFile.toString();
                System.arraycopy(args, 0, withFile, 1, args.length);
                args = withFile;
            }
            try {
                ServerConfig config = ServerConfig.fromArgs(args);
                DamselflyServer server = new DamselflyServer(config);
                try {
                    return new EmbeddedServer(server.start());
                } catch (RuntimeException e) {
                    // a port that cannot be bound (the admin port's 9999 taken, say): free what started
                    server.close();
                    throw e;
                }
            } catch (ConfigException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting", e);
            }
        }
    }
}
