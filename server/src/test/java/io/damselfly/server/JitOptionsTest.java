package io.damselfly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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

    private static List<String[]> dontinline(Path launcher) throws IOException {
        Matcher m = DONTINLINE.matcher(Files.readString(launcher));
        List<String[]> found = new ArrayList<>();
        while (m.find()) {
            found.add(new String[] {m.group(1), m.group(2)});
        }
        return found;
    }

    @Test
    void dontinlineCommands_nameExistingMethods_inBothLaunchers() throws Exception {
        List<String> named = new ArrayList<>();
        for (Path launcher : List.of(Path.of("..", "scripts", "run"), Path.of("..", "Dockerfile"))) {
            List<String[]> commands = dontinline(launcher);
            assertFalse(commands.isEmpty(), launcher + " keeps methods out of line");
            List<String> here = new ArrayList<>();
            for (String[] c : commands) {
                Class<?> type = Class.forName(c[0]);
                boolean exists = Arrays.stream(type.getDeclaredMethods()).map(Method::getName).anyMatch(c[1]::equals);
                assertTrue(exists, launcher + ": " + c[0] + "::" + c[1] + " does not exist");
                here.add(c[0] + "::" + c[1]);
            }
            if (named.isEmpty()) {
                named.addAll(here);
            } else {
                assertEquals(named, here, "scripts/run and the Dockerfile pass the same commands");
            }
        }
        assertTrue(named.contains("io.damselfly.server.keyspace.Shard::beforeChange"), named.toString());
        assertTrue(named.contains("io.damselfly.server.command.CommandExecutor::logIfSlow"), named.toString());
    }
}
