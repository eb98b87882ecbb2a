package io.damselfly.server;

import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.net.BindAddresses;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * daemonize yes. Redis forks and the parent exits; a JVM cannot fork, so this process starts a
 * second copy of itself (the same java binary, JVM options, class path and arguments; the
 * environment variable {@value #CHILD_ENV} tells it that it is the daemon, so CONFIG GET
 * daemonize still says yes) in a new session ({@code setsid} when the host has it), its standard
 * input and output on /dev/null as Redis's daemonize leaves them (the daemon writes its log to
 * the logfile itself), then waits until that copy accepts connections on its port (or writes its
 * pidfile, with port 0) and exits 0, as a forking daemon's parent does; if the copy dies first,
 * or does not listen within {@link #READY_TIMEOUT_MILLIS}, it exits 1 and says why.
 *
 * <p>As Redis, a daemon without a pidfile gets /var/run/redis.pid (createPidFile's default); not
 * being able to write it is logged by the daemon, not fatal.
 */
final class Daemon {
    /** Set in the daemon's environment: it serves instead of launching another copy. */
    static final String CHILD_ENV = "DAMSELFLY_DAEMON_CHILD";
    /** Redis's CONFIG_DEFAULT_PID_FILE. */
    static final String DEFAULT_PID_FILE = "/var/run/redis.pid";
    /** How long the parent waits for the daemon to listen: a large snapshot loads before the port opens. */
    static final long READY_TIMEOUT_MILLIS = 120_000;
    private static final long POLL_MILLIS = 50;

    private Daemon() {
    }

    /** Whether this process is a daemon's detached copy (it serves). */
    static boolean isDaemonCopy() {
        return System.getenv(CHILD_ENV) != null;
    }

    /** Starts the detached copy and waits for it; returns the parent's exit status. */
    static int launch(ServerConfig config, String[] args) {
        List<String> command = childCommand(args);
        String pidfile = config.getString(Option.PIDFILE).isEmpty() ? DEFAULT_PID_FILE : config.getString(Option.PIDFILE);
        command.add("--pidfile");
        command.add(pidfile);
        File setsid = new File("/usr/bin/setsid");
        if (!setsid.canExecute()) {
            setsid = new File("/bin/setsid");
        }
        if (setsid.canExecute()) {
            command.add(0, setsid.getPath());
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put(CHILD_ENV, Long.toString(ProcessHandle.current().pid()));
        String logfile = config.getString(Option.LOGFILE);
        // as Redis's daemonize: standard output and error to /dev/null (a logfile is opened by the daemon itself)
        pb.redirectOutput(new File("/dev/null")).redirectError(new File("/dev/null"));
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            System.err.println("damselfly: daemonize: cannot start " + command.get(0) + ": " + e.getMessage());
            return 1;
        }
        BindAddresses bind = BindAddresses.parse(config.getString(Option.BIND));
        // with no TCP address to try (port 0, or bind "" and a unix socket) the pidfile says it is up
        int port = bind.addresses().isEmpty() ? 0 : config.getInt(Option.PORT);
        String host = bind.firstHost();
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!child.isAlive()) {
                System.err.println("damselfly: daemonize: the server exited with status " + child.exitValue()
                        + (logfile.isEmpty() ? "" : " (see " + logfile + ")"));
                return 1;
            }
            if (port != 0 ? accepts(host, port) : pidWritten(config.inDir(pidfile), child.pid())) {
                return 0;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        System.err.println("damselfly: daemonize: the server (pid " + child.pid() + ") did not listen within "
                + READY_TIMEOUT_MILLIS / 1000 + "s; it is left running");
        return 1;
    }

    /**
     * This JVM again: its java binary and options, its class path and this main class, and the
     * arguments {@code args} it was given (exact, where the process's own command line could have
     * been cut short or lost its quoting). A jar started with -jar is its whole class path.
     */
    static List<String> childCommand(String[] args) {
        String javaBinary = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(javaBinary);
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    private static boolean accepts(String host, int port) {
        String h = host.equals("0.0.0.0") ? "127.0.0.1" : host.equals("::") ? "::1" : host;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(h, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean pidWritten(Path pidfile, long pid) {
        try {
            return Files.readString(pidfile).strip().equals(Long.toString(pid));
        } catch (IOException e) {
            return false;
        }
    }
}
