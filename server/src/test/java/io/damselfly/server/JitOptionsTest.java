package io.damselfly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JIT commands the launchers pass (scripts/run, the Dockerfile) name methods that exist: a
 * HotSpot CompileCommand naming a method that was renamed or moved is silently ignored, and the
 * first save would again recompile the request path under load (scripts/run says why).
 */
class JitOptionsTest {
    private static final Pattern DONTINLINE = Pattern.compile("CompileCommand=dontinline,([\\w.$]+)::(\\w+)");

    /** The methods {@code launcher} names in dontinline commands, each checked to exist. */
    private static List<String> dontinline(Path launcher) throws Exception {
        Matcher m = DONTINLINE.matcher(Files.readString(launcher));
        List<String> named = new ArrayList<>();
        while (m.find()) {
            Class<?> type = Class.forName(m.group(1));
            String method = m.group(2);
            boolean exists = Arrays.stream(type.getDeclaredMethods()).map(Method::getName).anyMatch(method::equals);
            assertTrue(exists, launcher + ": " + m.group(1) + "::" + method + " does not exist");
            named.add(m.group(1) + "::" + method);
        }
        return named;
    }

    @Test
    void dontinlineCommands_nameExistingMethods_inBothLaunchers() throws Exception {
        List<String> run = dontinline(Path.of("..", "scripts", "run"));
        assertEquals(run, dontinline(Path.of("..", "Dockerfile")), "scripts/run and the Dockerfile pass the same commands");
        assertTrue(run.contains("io.damselfly.server.keyspace.Shard::beforeChange"), run.toString());
        assertTrue(run.contains("io.damselfly.server.command.CommandExecutor::logIfSlow"), run.toString());
    }
}
