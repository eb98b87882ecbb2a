package io.damselfly.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the programs under test and the tools live, and a scratch directory for their logs and
 * (never written, but required) snapshot directories.
 *
 * @param damselflyRun   scripts/run, which starts damselfly the way a user does (its JVM options,
 *                       its heap sizing from --maxmemory) and execs the JVM, so its pid is the server's
 * @param redisServer    redis-server, from PATH
 * @param redisBenchmark redis-benchmark, from PATH
 * @param scratch        a fresh temporary directory
 */
public record Binaries(Path damselflyRun, String redisServer, String redisBenchmark, Path scratch) {

    /** The defaults for a run from the project root. */
    public static Binaries fromProjectRoot() throws IOException {
        Path run = Path.of("scripts", "run").toAbsolutePath();
        if (!Files.isExecutable(run)) {
            throw new IOException(run + " is missing: run from the project root");
        }
        Path jar = Path.of("server", "target", "damselfly.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing: build with ./mvnw -B -q -DskipTests package");
        }
        Path scratch = Files.createTempDirectory("damselfly-bench-");
        return new Binaries(run, "redis-server", "redis-benchmark", scratch);
    }
}
