package io.damselfly.server.testing;

import static org.junit.jupiter.api.Assertions.assertNull;

import io.damselfly.server.EmbeddedServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link EmbeddedServer} per test class on 127.0.0.1 and a free port (options from
 * {@link ServerOptions}), and injects into test methods:
 *
 * <ul>
 *   <li>{@code RedisCommands<String, String>}: a fresh Lettuce connection, RESP3 (or RESP2 when the
 *       parameter is annotated {@link Resp2});
 *   <li>{@link RawClient}: a fresh raw socket for exact transcripts;
 *   <li>{@link EmbeddedServer}: the server itself;
 *   <li>{@link RedisClient}: a Lettuce client bound to the server, for custom connections.
 * </ul>
 *
 * After every test it checks the keyspace invariants (memory account, counts), closes the test's
 * connections and empties every database, so tests in a class do not see each other's keys.
 */
public final class ServerExtension implements BeforeAllCallback, AfterAllCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ServerExtension.class);

    private static final class ClassState implements ExtensionContext.Store.CloseableResource {
        EmbeddedServer server;
        ClientResources resources;
        /** The server's snapshot directory: its own, so no test loads or overwrites another's file. */
        java.nio.file.Path dir;
        final List<RedisClient> clients = new ArrayList<>();

        @Override
        public void close() {
            for (RedisClient c : clients) {
                c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            if (resources != null) {
                resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
            }
            if (server != null) {
                server.close();
            }
            if (dir != null) {
                TempDirs.delete(dir);
            }
        }
    }

    private static final class MethodState {
        final List<AutoCloseable> closeables = new ArrayList<>();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        ClassState state = new ClassState();
        try {
            state.dir = TempDirs.create("damselfly-test");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        EmbeddedServer.Builder b = EmbeddedServer.builder().option("dir", state.dir.toString());
        // the tests' few connections would all share one loop under the balancer (an idle server
        // fills its first loop); dealt in turn, they keep meeting each other across loops, as
        // clients do once a loaded server has spread them (LoopBalancerTest covers the balancer)
        b.option("conn_io_balancing", "false");
        ServerOptions opts = context.getRequiredTestClass().getAnnotation(ServerOptions.class);
        if (opts != null) {
            for (String kv : opts.value()) {
                int eq = kv.indexOf('=');
                b.option(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        state.server = b.start();
        state.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        context.getStore(NS).put(ClassState.class, state);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ClassState state = context.getStore(NS).remove(ClassState.class, ClassState.class);
        if (state != null) {
            state.close();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        MethodState m = context.getStore(NS).remove(MethodState.class, MethodState.class);
        if (m != null) {
            for (AutoCloseable c : m.closeables) {
                c.close();
            }
        }
        ClassState state = classState(context);
        assertNull(state.server.keyspace().checkInvariants(), "keyspace invariants after " + context.getDisplayName());
        state.server.keyspace().flushAll();
    }

    private static ClassState classState(ExtensionContext context) {
        ExtensionContext c = context;
        while (c != null) {
            ClassState s = c.getStore(NS).get(ClassState.class, ClassState.class);
            if (s != null) {
                return s;
            }
            c = c.getParent().orElse(null);
        }
        throw new IllegalStateException("ServerExtension not set up");
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> t = p.getParameter().getType();
        return t == RedisCommands.class || t == RawClient.class || t == EmbeddedServer.class || t == RedisClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        ClassState state = classState(e);
        Class<?> t = p.getParameter().getType();
        if (t == EmbeddedServer.class) {
            return state.server;
        }
        MethodState m = e.getStore(NS).getOrComputeIfAbsent(MethodState.class, k -> new MethodState(), MethodState.class);
        if (t == RawClient.class) {
            RawClient raw = new RawClient(state.server.host(), state.server.port());
            m.closeables.add(raw);
            return raw;
        }
        ProtocolVersion version = p.isAnnotated(Resp2.class) ? ProtocolVersion.RESP2 : ProtocolVersion.RESP3;
        RedisClient client = lettuce(state, version);
        if (t == RedisClient.class) {
            return client;
        }
        StatefulRedisConnection<String, String> conn = client.connect();
        m.closeables.add(conn::close);
        return conn.sync();
    }

    private static RedisClient lettuce(ClassState state, ProtocolVersion version) {
        RedisURI uri = RedisURI.builder().withHost(state.server.host()).withPort(state.server.port())
                .withTimeout(Duration.ofSeconds(10)).build();
        RedisClient client = RedisClient.create(state.resources, uri);
        client.setOptions(ClientOptions.builder().protocolVersion(version).build());
        state.clients.add(client);
        return client;
    }
}
