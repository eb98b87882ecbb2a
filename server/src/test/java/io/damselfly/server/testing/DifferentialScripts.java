package io.damselfly.server.testing;

import io.damselfly.server.EmbeddedServer;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A test class that runs named command scripts against damselfly and a real redis-server 7.0.15
 * and compares every reply ({@link ReplyComparison}), once in RESP2 and once in RESP3. A class
 * implements {@link #scripts()} and gets the servers and the parameterized test from here.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public interface DifferentialScripts {

    /** The scripts: {name, lines}, one command per line (see {@link ReplyComparison}). */
    String[][] scripts();

    default Stream<Arguments> scriptsInBothProtocols() {
        return ReplyComparison.inBothProtocols(scripts());
    }

    @ParameterizedTest(name = "{0} RESP{1}")
    @MethodSource("scriptsInBothProtocols")
    default void sameRepliesAsRedis(String name, int protocol, String script, RedisServerProcess redis, EmbeddedServer damselfly) {
        ReplyComparison.assertSameReplies(name, protocol, script, redis, damselfly);
    }
}
