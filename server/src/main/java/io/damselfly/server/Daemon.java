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
import java.util.Optional;

/**
 * daemonize yes. Redis forks and the parent exits; a JVM cannot fork, so this process starts a
 * second copy of itself (the same java binary, JVM options, class path and arguments, plus
 * {@code --daemonize no}) in a new session ({@code setsid} when the host has it), its standard
 * input from /dev/null and its output to the logfile (or /dev/null, as Redis's daemonize
 * redirects it), then waits until that copy accepts connections on its port (or writes its
 * pidfile, with port 0) and exits 0, as a forking daemon's parent does; if the copy dies first,
 * or does not listen within {@link #READY_TIMEOUT_MILLIS}, it exits 1 and says why.
 *
 * <p>As Redis, a daemon without a pidfile gets /var/run/redis.pid (createPidFile's default); not
 * being able to write it is logged by the daemon, not fatal.
 */
final class Daemon {
    /** Redis's CONFIG_DEFAULT_PID_FILE. */
    static final String DEFAULT_PID_FILE = "/var/run/redis.pid";
    /** How long the parent waits for the daemon to listen: a large snapshot loads before the port opens. */
    static final long READY_TIMEOUT_MILLIS = 120_000;
    private static final long POLL_MILLIS = 50;

    private Daemon() {
    }

    /** Starts the detached copy and waits for it; returns the parent's exit status. */
    static int launch(ServerConfig config) {
        List<String> command;
        try {
            command = childCommand();
        } catch (IllegalStateException e) {
            System.err.println("damselfly: daemonize: " + e.getMessage());
            return 1;
        }
        String pidfile = config.getString(Option.PIDFILE).isEmpty() ? DEFAULT_PID_FILE : config.getString(Option.PIDFILE);
        command.add("--daemonize");
        command.add("no");
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
        String logfile = config.getString(Option.LOGFILE);
        ProcessBuilder.Redirect out = logfile.isEmpty()
                ? ProcessBuilder.Redirect.to(new File("/dev/null")) : ProcessBuilder.Redirect.appendTo(new File(logfile));
        pb.redirectOutput(out).redirectError(out);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            System.err.println("damselfly: daemonize: cannot start " + command.get(0) + ": " + e.getMessage());
            return 1;
        }
        int port = config.getInt(Option.PORT);
        String host = BindAddresses.parse(config.getString(Option.BIND)).firstHost();
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!child.isAlive()) {
                System.err.println("damselfly: daemonize: the server exited with status " + child.exitValue()
                        + (logfile.isEmpty() ? "" : " (see " + logfile + ")"));
                return 1;
            }
            if (port != 0 ? accepts(host, port) : pidWritten(Path.of(pidfile), child.pid())) {
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

    /** This JVM's own command line: java, its options, and the main class or jar with the arguments. */
    static List<String> childCommand() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String> java = info.command();
        Optional<String[]> args = info.arguments();
        if (java.isEmpty() || args.isEmpty()) {
            throw new IllegalStateException("this platform does not tell a process its own command line");
        }
        List<String> command = new ArrayList<>();
        command.add(java.get());
        command.addAll(List.of(args.get()));
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
