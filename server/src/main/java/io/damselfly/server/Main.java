package io.damselfly.server;

import io.damselfly.server.config.ConfigException;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.rdb.RdbLoadException;

/** The command line: {@code java -jar damselfly.jar [config-file] [--flag value ...]}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                printHelp();
                return;
            }
            if (a.equals("--version") || a.equals("-v")) {
                System.out.println("damselfly " + version());
                return;
            }
        }
        ServerConfig config;
        try {
            config = ServerConfig.fromArgs(args);
        } catch (ConfigException e) {
            System.err.println("damselfly: " + e.getMessage());
            System.exit(2);
            return;
        }
        DamselflyServer server = new DamselflyServer(config);
        try {
            server.start();
        } catch (RdbLoadException e) {
            System.err.println("damselfly: " + e.getMessage());
            server.close();
            System.exit(1);
            return;
        } catch (Exception e) {
            System.err.println("damselfly: cannot listen on " + config.getString(Option.BIND) + ":"
                    + config.getInt(Option.PORT) + ": " + e.getMessage());
            server.close();
            System.exit(1);
            return;
        }
        System.out.println("damselfly " + version() + " ready on " + config.getString(Option.BIND) + ":" + server.port()
                + (server.adminPort() >= 0 ? " (admin HTTP port " + server.adminPort() + ")" : ""));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "damselfly-signal"));
        server.awaitClose();
    }

    static String version() {
        return DamselflyServer.version0();
    }

    private static void printHelp() {
        System.out.println("usage: damselfly [config-file] [--option value ...]");
        System.out.println();
        for (Option o : Option.values()) {
            String redis = o.redisName() != null ? " (CONFIG name: " + o.redisName() + ")" : "";
            System.out.printf("  --%-22s %s [default: %s]%s%n", o.flag(), o.description(),
                    o.defaultValue().isEmpty() ? "\"\"" : o.defaultValue(), redis);
        }
    }
}
