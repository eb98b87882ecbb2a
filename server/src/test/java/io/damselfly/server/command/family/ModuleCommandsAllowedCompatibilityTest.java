package io.damselfly.server.command.family;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MODULE with enable-module-command allowing it (yes, and local from a loopback connection),
 * against a redis-server 7.0.15 started with the same setting, RESP2 and RESP3: LOAD and LOADEX
 * of a module that cannot load, whatever their arguments, and UNLOAD of a module that is not there.
 */
class ModuleCommandsAllowedCompatibilityTest {
    private static final String SCRIPT = """
            MODULE LOAD /no/such/module.so
            MODULE LOAD /no/such/module.so a b
            MODULE LOAD _
            MODULE LOADEX /no/such/module.so CONFIG a b ARGS x
            MODULE LOADEX /no/such/module.so CONFIG a
            MODULE LOADEX /no/such/module.so ARGS
            MODULE LOADEX /no/such/module.so bogus
            MODULE LOADEX
            MODULE UNLOAD nosuch
            MODULE UNLOAD _
            MODULE UNLOAD
            MODULE LIST
            CONFIG GET enable-module-command
            """;

    @ParameterizedTest(name = "enable-module-command {0}")
    @ValueSource(strings = {"yes", "local"})
    void allowed_asRedis(String mode) throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--enable-module-command", mode);
             EmbeddedServer ours = EmbeddedServer.builder().option("enable_module_command", mode).start()) {
            for (int protocol : new int[] {2, 3}) {
                ReplyComparison.assertSameReplies("module-" + mode, protocol, SCRIPT, redis, ours);
            }
        }
    }
}
