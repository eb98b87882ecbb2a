package io.damselfly.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the programs under test and the tools live, and a scratch directory for their logs and
 * (never written, but required) snapshot directories.
 *
 * @param damselflyJar   server/target/damselfly.jar
 * @param java           the java launcher for damselfly: the runner's own JDK
 * @param redisServer    redis-server, from PATH unless given
 * @param redisBenchmark redis-benchmark, from PATH unless given
 * @param scratch        a fresh temporary directory
 */
public record Binaries(Path damselflyJar, String java, String redisServer, String redisBenchmark, Path scratch) {

    /** The defaults for a run from the project root. */
    public static Binaries fromProjectRoot() throws IOException {
        Path jar = Path.of("server", "target", "damselfly.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing: build with ./mvnw -B -q -DskipTests package");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path scratch = Files.createTempDirectory("damselfly-bench-");
        return new Binaries(jar, java, "redis-server", "redis-benchmark", scratch);
    }
}
