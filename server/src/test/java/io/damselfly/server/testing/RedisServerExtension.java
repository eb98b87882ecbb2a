package io.damselfly.server.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one reference redis-server per test class ({@link RedisServerProcess}, which fails the
 * class when the binary is missing) and injects it into test methods as a
 * {@code RedisServerProcess} parameter; stops it after the class.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RedisServerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        context.getStore(NS).put(RedisServerProcess.class, RedisServerProcess.start());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisServerProcess redis = context.getStore(NS).remove(RedisServerProcess.class, RedisServerProcess.class);
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == RedisServerProcess.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        ExtensionContext c = e;
        while (c != null) {
            RedisServerProcess redis = c.getStore(NS).get(RedisServerProcess.class, RedisServerProcess.class);
            if (redis != null) {
                return redis;
            }
            c = c.getParent().orElse(null);
        }
        throw new IllegalStateException("RedisServerExtension not set up");
    }
}
