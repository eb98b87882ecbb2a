package io.damselfly.server;

import java.lang.reflect.Field;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * logfile and loglevel over slf4j-simple, the server's logger.
 *
 * <p>slf4j-simple reads its settings (system properties {@code org.slf4j.simpleLogger.*}) once,
 * when the first logger is made, so {@link #configure} must run before anything logs: Main calls
 * it right after parsing the options. logfile "" means standard output, as in Redis (slf4j-simple
 * alone would write to standard error). A logfile is opened for appending, as Redis opens it
 * (slf4j-simple's own logFile would truncate it), and becomes standard output and error, so
 * whatever the process prints goes there too. A -D given on the java command line wins over all of this.
 *
 * <p>Levels: Redis's debug, verbose, notice and warning become trace, debug, info and warn
 * (damselfly's info lines are what Redis logs at notice). slf4j-simple has no API to change a
 * level later; {@link #setLevel} (CONFIG SET loglevel) sets its fields by reflection: the level
 * of every logger made so far, and the default for later ones. Without slf4j-simple (an embedder
 * with another binding) it does nothing and the embedder's logging settings rule.
 */
public final class ServerLog {
    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private ServerLog() {
    }

    /**
     * Sets slf4j-simple's output and level from the options, unless given as -D; before the first
     * logger. Throws IOException when the logfile cannot be opened (Redis exits then too).
     */
    static void configure(String logfile, String loglevel) throws java.io.IOException {
        if (System.getProperty(PREFIX + "logFile") == null) {
            if (!logfile.isEmpty()) {
                java.io.PrintStream log = new java.io.PrintStream(new java.io.FileOutputStream(logfile, true), true);
                System.setOut(log);
                System.setErr(log);
            }
            System.setProperty(PREFIX + "logFile", "System.out");
        }
        if (System.getProperty(PREFIX + "defaultLogLevel") == null) {
            System.setProperty(PREFIX + "defaultLogLevel", simpleLevel(loglevel));
        }
        if (System.getProperty(PREFIX + "showDateTime") == null) {
            System.setProperty(PREFIX + "showDateTime", "true");
            System.setProperty(PREFIX + "dateTimeFormat", "dd MMM yyyy HH:mm:ss.SSS");
        }
    }

    /** slf4j-simple's name for a Redis log level. */
    static String simpleLevel(String redisLevel) {
        return switch (redisLevel) {
            case "debug" -> "trace";
            case "verbose" -> "debug";
            case "warning" -> "warn";
            default -> "info";
        };
    }

    /** slf4j's number for a Redis log level (LocationAwareLogger's TRACE_INT .. WARN_INT). */
    static int levelNumber(String redisLevel) {
        return switch (redisLevel) {
            case "debug" -> org.slf4j.spi.LocationAwareLogger.TRACE_INT;
            case "verbose" -> org.slf4j.spi.LocationAwareLogger.DEBUG_INT;
            case "warning" -> org.slf4j.spi.LocationAwareLogger.WARN_INT;
            default -> org.slf4j.spi.LocationAwareLogger.INFO_INT;
        };
    }

    /**
     * CONFIG SET loglevel: every slf4j-simple logger, made or to be made, takes the level. Returns
     * false when the binding is not slf4j-simple 2 (nothing changed).
     */
    public static boolean setLevel(String redisLevel) {
        int level = levelNumber(redisLevel);
        try {
            Class<?> simple = Class.forName("org.slf4j.simple.SimpleLogger");
            Field current = simple.getDeclaredField("currentLogLevel");
            current.setAccessible(true);
            Field params = simple.getDeclaredField("CONFIG_PARAMS");
            params.setAccessible(true);
            Object configuration = params.get(null);
            if (configuration != null) {
                Field dflt = configuration.getClass().getDeclaredField("defaultLogLevel");
                dflt.setAccessible(true);
                dflt.setInt(configuration, level);
            }
            Object factory = LoggerFactory.getILoggerFactory();
            Field map = factory.getClass().getDeclaredField("loggerMap");
            map.setAccessible(true);
            for (Object logger : ((Map<?, ?>) map.get(factory)).values()) {
                if (simple.isInstance(logger)) {
                    current.setInt(logger, level);
                }
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
