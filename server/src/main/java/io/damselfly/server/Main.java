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
        if (config.getBool(Option.DAEMONIZE) && !Daemon.isDaemonCopy()) {
            // the JVM cannot fork: a detached copy of this process serves, this one exits when it listens
            System.exit(Daemon.launch(config, args));
            return;
        }
        // before anything makes a logger: slf4j-simple reads its file and level once
        try {
            String logfile = config.getString(Option.LOGFILE);
            // a relative logfile is taken from dir, where Redis runs
            ServerLog.configure(logfile.isEmpty() ? "" : config.inDir(logfile).toString(), config.getString(Option.LOGLEVEL));
        } catch (java.io.IOException e) {
            System.err.println("damselfly: Can't open the log file: " + e.getMessage());
            System.exit(1);
            return;
        }
        // supervised systemd: "loading" now, "ready" once listening, "stopping" at the end
        io.damselfly.server.net.SystemdNotifier systemd =
                io.damselfly.server.net.SystemdNotifier.open(config.getString(Option.SUPERVISED), System.getenv());
        DamselflyServer server;
        try {
            server = new DamselflyServer(config);
        } catch (IllegalArgumentException e) {
            // a setting only the part that uses it can judge (an upstream URL): a usage error too
            System.err.println("damselfly: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            server.listen();
        } catch (Exception e) {
            System.err.println("damselfly: cannot listen on " + config.getString(Option.BIND) + ":"
                    + config.getInt(Option.PORT) + ": " + e.getMessage());
            server.close();
            System.exit(1);
            return;
        }
        // as Redis: the port is bound, the logo (with the PID) printed, then the data loaded
        logo(config, server.port());
        try {
            server.load();
        } catch (RdbLoadException | io.damselfly.server.aof.AppendOnlyFile.AofStartException e) {
            // Redis exits right after logging why, so that line ends its log
            if (e instanceof RdbLoadException) {
                org.slf4j.LoggerFactory.getLogger(Main.class).warn("Terminating server after rdb file reading failure.");
            }
            System.err.println("damselfly: " + e.getMessage());
            System.exit(1);
            return;
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Main.class).error("the data could not be loaded", e);
            System.exit(1);
            return;
        }
        System.out.println("damselfly " + version() + " ready on " + config.getString(Option.BIND) + ":" + server.port()
                + (server.adminPort() >= 0 ? " (admin HTTP port " + server.adminPort() + ")" : ""));
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Main.class);
        if (config.getBool(Option.SYSLOG_ENABLED)) {
            log.warn("syslog-enabled yes: damselfly does not log to syslog; the log goes to {}",
                    config.getString(Option.LOGFILE).isEmpty() ? "standard output" : config.getString(Option.LOGFILE));
        }
        log.info("Ready to accept connections");
        if (systemd != null) {
            systemd.send("STATUS=Ready to accept connections\n");
            systemd.send("READY=1\n");
        }
        handleSignal("TERM", server);
        handleSignal("INT", server);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "damselfly-exit"));
        server.awaitClose();
        if (systemd != null) {
            systemd.send("STOPPING=1\n");
            systemd.close();
        }
    }

    /**
     * Redis's always-show-logo prints its logo, whose text says the version, the mode, the port
     * and the PID; damselfly says the same in plain lines (tools that start a server and wait for
     * " PID: <pid>" in its log, as Redis's own test suite does, find it).
     */
    private static void logo(ServerConfig config, int port) {
        if (config.getBool(Option.ALWAYS_SHOW_LOGO)) {
            org.slf4j.LoggerFactory.getLogger(Main.class).info(
                    "damselfly {}, speaking Redis 7.0.15's protocol, 64 bit\n    Running in {} mode\n    Port: {}\n    PID: {}",
                    version(), config.getString(Option.UPSTREAM).isEmpty() ? "standalone" : "near-cache sidecar",
                    port, ProcessHandle.current().pid());
        }
    }

    private static final java.util.concurrent.atomic.AtomicBoolean STOPPING = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * SIGTERM and SIGINT stop the server as Redis's prepareForShutdown does: a snapshot first when
     * persistence is configured, and if that save fails the server logs it and keeps running (a
     * JVM shutdown hook could not keep it running, hence a signal handler). A second SIGINT while
     * the shutdown runs (its save, or its wait for replicas) exits at once, as Redis's "You
     * insist... exiting now"; a second SIGTERM changes nothing, as in Redis.
     */
    private static void handleSignal(String name, DamselflyServer server) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                if (!STOPPING.compareAndSet(false, true)) {
                    if (name.equals("INT")) {
                        System.err.println("damselfly: SIGINT again while shutting down: You insist... exiting now.");
                        Runtime.getRuntime().halt(1);
                    }
                    org.slf4j.LoggerFactory.getLogger(Main.class).warn("Received SIG{} scheduling shutdown...", name);
                    return;
                }
                org.slf4j.LoggerFactory.getLogger(Main.class).warn("Received SIG{} scheduling shutdown...", name);
                // shutdown-on-sigint / -sigterm: SHUTDOWN's modifiers
                String flags = server.config().getString(name.equals("INT") ? Option.SHUTDOWN_ON_SIGINT : Option.SHUTDOWN_ON_SIGTERM);
                boolean save = flags.contains("nosave") ? false : flags.contains("save") || server.persistenceConfigured();
                server.shutdown(save, flags.contains("force"), flags.contains("now")).whenComplete((stops, aborted) -> {
                    if (!Boolean.TRUE.equals(stops)) {
                        // failed (logged), or SHUTDOWN ABORT ended its wait for replicas
                        STOPPING.set(false);
                    }
                });
            });
        } catch (IllegalArgumentException e) {
            // the signal is not available here (or the JVM reserves it): the shutdown hook remains
        }
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
