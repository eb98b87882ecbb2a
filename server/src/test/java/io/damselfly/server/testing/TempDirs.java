package io.damselfly.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Scratch directories and files for tests, under the system's temporary directory, removed with
 * everything in them when the test JVM exits if the test has not removed them itself.
 *
 * <p>Why: servers started by tests write snapshots, AOF directories, logs and configs there; made
 * with {@link Files#createTempDirectory} alone they stayed behind, about sixty directories (1 MB)
 * per run of the suite, growing without a bound on a machine that runs it often.
 */
public final class TempDirs {
    private static final Set<Path> CREATED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> CREATED.forEach(TempDirs::deleteTree), "temp-dirs-cleanup"));
    }

    private TempDirs() {
    }

    /** A new empty directory whose name starts with {@code prefix}. */
    public static Path create(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        CREATED.add(dir);
        return dir;
    }

    /** A new empty file named {@code prefix...suffix}. */
    public static Path file(String prefix, String suffix) throws IOException {
        Path file = Files.createTempFile(prefix, suffix);
        CREATED.add(file);
        return file;
    }

    /** Removes {@code path} and, for a directory, everything under it; best effort (a leftover harms no test). */
    public static void delete(Path path) {
        deleteTree(path);
        CREATED.remove(path);
    }

    private static void deleteTree(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort: a file a still-running process holds open, or one gone meanwhile
        }
    }
}
