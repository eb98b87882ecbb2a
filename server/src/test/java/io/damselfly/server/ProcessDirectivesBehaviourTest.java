package io.damselfly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.net.ProtectedMode;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the process directives do, on loopback only: timeout closes idle clients and spares
 * blocked ones and subscribers (side by side with redis-server), bind listens on each address
 * and skips a missing optional one, CONFIG SET bind moves the listeners, protected-mode refuses a
 * peer that is not 127.0.0.1 or ::1 exactly as Redis (a client bound to 127.0.0.2), pidfile, and
 * a real daemonized server process with its logfile and run-time loglevel.
 */
class ProcessDirectivesBehaviourTest {

    /** A port free now, for a server process that binds it itself. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * The command that starts damselfly's Main in a process of its own, on {@code port} with no
     * admin port and {@code dir} as its directory, followed by {@code options}.
     */
    private static List<String> serverCommand(int port, Path dir, String... options) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--port", Integer.toString(port),
                "--admin_port", "-1", "--dir", dir.toString()));
        cmd.addAll(List.of(options));
        return cmd;
    }

    @Test
    void timeout_closesIdleClients_notBlockedNorSubscribed_asRedis() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--timeout", "1");
             EmbeddedServer server = EmbeddedServer.builder().option("timeout", "1").start()) {
            for (int port : new int[] {redis.port(), server.port()}) {
                try (RawClient idle = new RawClient("127.0.0.1", port);
                     RawClient blocked = new RawClient("127.0.0.1", port);
                     RawClient subscriber = new RawClient("127.0.0.1", port)) {
                    assertEquals("+PONG", idle.callText("PING"));
                    blocked.send("BLPOP", "timeout-list", "0");
                    subscriber.callText("SUBSCRIBE", "timeout-channel");
                    assertTrue(idle.isClosedByServer(), "idle client closed, port " + port);
                    RawClient other = new RawClient("127.0.0.1", port);
                    // the others were idle as long: still served
                    assertEquals(":1", other.callText("RPUSH", "timeout-list", "v"));
                    assertEquals("[$timeout-list, $v]", blocked.callText(), "blocked client kept, port " + port);
                    assertEquals(":1", other.callText("PUBLISH", "timeout-channel", "m"));
                    assertEquals("[$message, $timeout-channel, $m]", subscriber.callText(), "subscriber kept, port " + port);
                    other.close();
                }
            }
        }
    }

    @Test
    void timeout_configSetApplies() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start();
             RawClient admin = new RawClient("127.0.0.1", server.port());
             RawClient idle = new RawClient("127.0.0.1", server.port())) {
            assertEquals("+PONG", idle.callText("PING"));
            Thread.sleep(2_100);
            assertEquals("+PONG", idle.callText("PING"), "timeout 0: never closed");
            assertEquals("+OK", admin.callText("CONFIG", "SET", "timeout", "1"));
            assertTrue(idle.isClosedByServer());
        }
    }

    @Test
    void bind_twoAddresses_bothAnswer() {
        try (EmbeddedServer server = EmbeddedServer.builder().option("bind", "127.0.0.1 ::1").start();
             RawClient v4 = new RawClient("127.0.0.1", server.port());
             RawClient v6 = new RawClient("::1", server.port())) {
            assertEquals("+PONG", v4.callText("PING"));
            assertEquals("+PONG", v6.callText("PING"));
            assertTrue(v6.callText("CLIENT", "INFO").contains(" laddr=[::1]:" + server.port() + " "), v6.callText("CLIENT", "INFO"));
            assertEquals("[$bind, $127.0.0.1 ::1]", v4.callText("CONFIG", "GET", "bind"));
        }
    }

    @Test
    void bind_optionalMissingAddressSkipped_requiredOneFails() {
        // 192.0.2.1 is TEST-NET-1: no host has it
        try (EmbeddedServer server = EmbeddedServer.builder().option("bind", "-192.0.2.1 127.0.0.1").start();
             RawClient c = new RawClient("127.0.0.1", server.port())) {
            assertEquals("+PONG", c.callText("PING"));
        }
        assertThrows(IllegalStateException.class,
                () -> EmbeddedServer.builder().option("bind", "192.0.2.1 127.0.0.1").start().close());
        assertThrows(IllegalStateException.class, () -> EmbeddedServer.builder().option("bind", "").start().close());
        assertThrows(IllegalStateException.class, () -> EmbeddedServer.builder().option("bind", "-192.0.2.1").start().close(),
                "nothing to listen on");
    }

    @Test
    void configSetBind_movesListeners_keepsConnections() {
        try (EmbeddedServer server = EmbeddedServer.builder().start();
             RawClient before = new RawClient("127.0.0.1", server.port())) {
            assertEquals("+OK", before.callText("CONFIG", "SET", "bind", "::1"));
            assertEquals("+PONG", before.callText("PING"), "a connection made before stays");
            try (RawClient v6 = new RawClient("::1", server.port())) {
                assertEquals("+PONG", v6.callText("PING"));
            }
            assertThrows(RuntimeException.class, () -> new RawClient("127.0.0.1", server.port()).close());
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.",
                    before.callText("CONFIG", "SET", "bind", "127.0.0.1 192.0.2.1"));
            try (RawClient v6 = new RawClient("::1", server.port())) {
                assertEquals("+PONG", v6.callText("PING"), "the old addresses listen again");
            }
            assertEquals("+OK", before.callText("CONFIG", "SET", "bind", "127.0.0.1"));
            try (RawClient v4 = new RawClient("127.0.0.1", server.port())) {
                assertEquals("+PONG", v4.callText("PING"));
            }
        }
    }

    @Test
    void unixSocket_servesWithRedisClientFields_andPermissions(@TempDir Path dir) throws Exception {
        Path ours = dir.resolve("d.sock");
        Path theirs = dir.resolve("r.sock");
        Files.writeString(ours, "stale"); // replaced, as Redis unlinks what is at the path
        try (RedisServerProcess redis = RedisServerProcess.start("--unixsocket", theirs.toString(), "--unixsocketperm", "700");
             EmbeddedServer server = EmbeddedServer.builder().option("unixsocket", ours.toString())
                     .option("unixsocketperm", "700").start()) {
            String expected = unixExchange(theirs).replace(theirs.toString(), "PATH");
            String actual = unixExchange(ours).replace(ours.toString(), "PATH");
            assertEquals(expected, actual);
            assertTrue(actual.contains("addr=PATH:0 laddr=PATH:0 "), actual);
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(ours)));
            try (RawClient tcp = new RawClient("127.0.0.1", server.port())) {
                assertEquals("+PONG", tcp.callText("PING"), "TCP too");
            }
        }
        assertFalse(Files.exists(ours), "the socket file is removed at shutdown");
        try (EmbeddedServer server = EmbeddedServer.builder().option("bind", "").option("unixsocket", ours.toString()).start()) {
            assertEquals("+PONG\r\n", unixExchange(ours, "PING\r\n"), "bind \"\" with a unix socket only");
        }
    }

    /** PING, then CLIENT INFO's id-free fields that a unix socket shows (addr, laddr, flags), over the unix socket at {@code path}. */
    private static String unixExchange(Path path) throws IOException {
        String info = unixExchange(path, "PING\r\nCLIENT INFO\r\n");
        StringBuilder kept = new StringBuilder();
        for (String field : info.split("\\s+")) {
            if (field.startsWith("addr=") || field.startsWith("laddr=") || field.startsWith("flags=") || field.startsWith("+")) {
                kept.append(field).append(' ');
            }
        }
        return kept.toString();
    }

    /** Sends {@code request} over the unix socket at {@code path} and reads until the replies end with CRLF and nothing more comes. */
    private static String unixExchange(Path path, String request) throws IOException {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(path))) {
            ch.write(java.nio.ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(65536);
            int expectedReplies = request.split("\r\n").length;
            long deadline = System.currentTimeMillis() + 5_000;
            while (System.currentTimeMillis() < deadline && countReplies(got.toString(StandardCharsets.US_ASCII)) < expectedReplies) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                got.write(buf.array(), 0, n);
            }
            return got.toString(StandardCharsets.US_ASCII);
        }
    }

    /** Whole replies in {@code text}: simple strings, and bulk strings whose body has arrived. */
    private static int countReplies(String text) {
        int count = 0;
        int i = 0;
        while (i < text.length()) {
            int eol = text.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            if (text.charAt(i) == '$') {
                int len = Integer.parseInt(text.substring(i + 1, eol));
                if (eol + 2 + len + 2 > text.length()) {
                    break;
                }
                i = eol + 2 + len + 2;
            } else {
                i = eol + 2;
            }
            count++;
        }
        return count;
    }

    @Test
    void supervisedSystemd_notifiesReadyThroughNotifySocket(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path notify = dir.resolve("notify");
        java.util.concurrent.BlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
        io.netty.channel.EventLoopGroup group = new io.netty.channel.epoll.EpollEventLoopGroup(1);
        Process server = null;
        try {
            io.netty.channel.Channel systemd = new io.netty.bootstrap.Bootstrap().group(group)
                    .channel(io.netty.channel.epoll.EpollDomainDatagramChannel.class)
                    .handler(new io.netty.channel.SimpleChannelInboundHandler<io.netty.channel.unix.DomainDatagramPacket>() {
                        @Override
                        protected void channelRead0(io.netty.channel.ChannelHandlerContext ctx, io.netty.channel.unix.DomainDatagramPacket p) {
                            messages.add(p.content().toString(StandardCharsets.UTF_8));
                        }
                    })
                    .bind(new io.netty.channel.unix.DomainSocketAddress(notify.toString())).sync().channel();
            ProcessBuilder pb = new ProcessBuilder(serverCommand(port, dir, "--supervised", "auto"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile());
            pb.environment().put("NOTIFY_SOCKET", notify.toString());
            server = pb.start();
            assertEquals("STATUS=Redis is loading...\n", messages.poll(60, TimeUnit.SECONDS), Files.readString(dir.resolve("server.out")));
            assertEquals("STATUS=Ready to accept connections\n", messages.poll(30, TimeUnit.SECONDS));
            assertEquals("READY=1\n", messages.poll(30, TimeUnit.SECONDS));
            try (RawClient c = new RawClient("127.0.0.1", port)) {
                assertEquals("+PONG", c.callText("PING"), "ready means listening");
                assertEquals("[$supervised, $auto]", c.callText("CONFIG", "GET", "supervised"));
                c.send("SHUTDOWN", "NOSAVE");
                assertTrue(c.isClosedByServer());
            }
            assertTrue(server.waitFor(30, TimeUnit.SECONDS));
            assertEquals("STOPPING=1\n", messages.poll(5, TimeUnit.SECONDS));
            systemd.close().sync();
        } finally {
            if (server != null) {
                server.destroyForcibly();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void protectedMode_decision() throws Exception {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 5);
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByName("::ffff:127.0.0.1"), 5);
        InetSocketAddress otherLoopback = new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 5);
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 5);
        InetSocketAddress remote6 = new InetSocketAddress(InetAddress.getByName("fe80::1"), 5);
        InetSocketAddress any6 = new InetSocketAddress(InetAddress.getByName("::"), 5);
        assertFalse(ProtectedMode.refuses(true, true, v4));
        assertFalse(ProtectedMode.refuses(true, true, v6));
        assertFalse(ProtectedMode.refuses(true, true, mapped));
        assertTrue(ProtectedMode.refuses(true, true, otherLoopback), "Redis compares the text: only 127.0.0.1");
        assertTrue(ProtectedMode.refuses(true, true, remote));
        assertTrue(ProtectedMode.refuses(true, true, remote6));
        assertTrue(ProtectedMode.refuses(true, true, any6));
        assertFalse(ProtectedMode.refuses(false, true, remote), "protected-mode no");
        assertFalse(ProtectedMode.refuses(true, false, remote), "the default user has a password");
    }

    @Test
    void protectedMode_refusesNonLoopbackPeer_asRedis() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--bind", "0.0.0.0");
             EmbeddedServer server = EmbeddedServer.builder().option("bind", "0.0.0.0").start()) {
            String denied = firstBytesFrom127002(redis.port(), "");
            assertEquals(ProtectedMode.DENIED, denied);
            assertEquals(denied, firstBytesFrom127002(server.port(), ""));
            for (int port : new int[] {redis.port(), server.port()}) {
                try (RawClient local = new RawClient("127.0.0.1", port)) {
                    assertEquals("+PONG", local.callText("PING"), "loopback served");
                    assertEquals("+OK", local.callText("CONFIG", "SET", "protected-mode", "no"));
                    assertEquals("+PONG\r\n", firstBytesFrom127002(port, "PING\r\n"), "protected-mode no");
                    assertEquals("+OK", local.callText("CONFIG", "SET", "protected-mode", "yes", "requirepass", "pw"));
                    assertTrue(firstBytesFrom127002(port, "PING\r\n").startsWith("-NOAUTH"), "a password set");
                    assertEquals("+OK", local.callText("AUTH", "pw"));
                    assertEquals("+OK", local.callText("CONFIG", "SET", "requirepass", ""));
                }
            }
        }
    }

    /**
     * Connects from 127.0.0.2 (all of 127/8 is loopback on Linux), sends {@code request} (nothing
     * when empty: a refused connection is read to its end), reads the first reply or up to EOF.
     */
    private static String firstBytesFrom127002(int port, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress("127.0.0.2", 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(5_000);
            if (!request.isEmpty()) {
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                got.write(b);
                String text = got.toString(StandardCharsets.US_ASCII);
                if (text.endsWith("\r\n") && !text.startsWith("-DENIED")) {
                    break;
                }
            }
            return got.toString(StandardCharsets.US_ASCII);
        }
    }

    @Test
    void pidfile_writtenAtStart_removedAtClose(@TempDir Path dir) throws Exception {
        Path pidfile = dir.resolve("damselfly.pid");
        try (EmbeddedServer server = EmbeddedServer.builder().option("pidfile", pidfile.toString()).start();
             RawClient c = new RawClient("127.0.0.1", server.port())) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(pidfile));
            assertEquals("[$pidfile, $" + pidfile + "]", c.callText("CONFIG", "GET", "pidfile"));
        }
        assertFalse(Files.exists(pidfile), "removed at shutdown");
        // a pidfile that cannot be written is logged, not fatal (createPidFile)
        try (EmbeddedServer server = EmbeddedServer.builder().option("pidfile", dir.resolve("no/such/dir.pid").toString()).start();
             RawClient c = new RawClient("127.0.0.1", server.port())) {
            assertEquals("+PONG", c.callText("PING"));
        }
    }

    @Test
    void alwaysShowLogo_logsPortAndPidOnStandardOutput_fromAConfigFile(@TempDir Path dir) throws Exception {
        int port = freePort();
        // as Redis's test suite starts a server: a config file with logfile '' (standard output),
        // loglevel verbose, the logo on; standard output and standard error in files of their own
        Path conf = dir.resolve("test.conf");
        Files.writeString(conf, "always-show-logo yes\nloglevel verbose\nlogfile ''\noom-score-adj-values 0 200 800\n");
        List<String> cmd = serverCommand(port, dir);
        cmd.add(cmd.indexOf(Main.class.getName()) + 1, conf.toString());
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process server = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            // what the suite waits for in a server's standard output before it talks to it
            String pidLine = " PID: " + server.pid();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(out).contains("Ready to accept connections") && System.nanoTime() < deadline
                    && server.isAlive()) {
                Thread.sleep(50);
            }
            String log = Files.readString(out);
            assertTrue(log.contains(pidLine), log + Files.readString(err));
            assertTrue(log.contains(" Port: " + port + "\n"), log);
            assertTrue(log.contains("Running in standalone mode"), log);
            assertFalse(Files.readString(err).contains("Ready to accept"), "the log is not on standard error");
            try (RawClient c = new RawClient("127.0.0.1", port)) {
                assertEquals("+PONG", c.callText("PING"));
                assertEquals("[$always-show-logo, $yes]", c.callText("CONFIG", "GET", "always-show-logo"));
                assertEquals("[$logfile, $]", c.callText("CONFIG", "GET", "logfile"));
                c.callText("CONFIG", "SET", "timeout", "1");
            }
            // loglevel verbose took effect: the idle client's close is logged at verbose
            try (RawClient idle = new RawClient("127.0.0.1", port)) {
                assertEquals("+PONG", idle.callText("PING"));
                assertTrue(idle.isClosedByServer());
            }
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(out).contains("Closing idle client") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.readString(out).contains("Closing idle client"), Files.readString(out));
        } finally {
            server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void relativePaths_areTakenFromDir_asRedisRunsThere(@TempDir Path tmp) throws Exception {
        // redis-server chdirs to dir: a relative aclfile and pidfile are found and written there,
        // CONFIG GET dir is absolute, and a relative CONFIG SET dir goes on from the current one
        Path redisDir = Files.createDirectories(tmp.resolve("redis"));
        Path ourDir = Files.createDirectories(tmp.resolve("damselfly"));
        for (Path d : List.of(redisDir, ourDir)) {
            Files.writeString(d.resolve("users.acl"), "user default on nopass ~* &* +@all\nuser bob on nopass ~b* +get\n");
            Files.createDirectories(d.resolve("sub"));
        }
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", redisDir.toString(), "--aclfile", "users.acl",
                "--pidfile", "server.pid", "--enable-protected-configs", "yes");
             EmbeddedServer server = EmbeddedServer.builder().option("dir", ourDir.toString()).option("aclfile", "users.acl")
                     .option("pidfile", "server.pid").option("enable-protected-configs", "yes").start()) {
            for (Object[] target : new Object[][] {{redis.port(), redisDir}, {server.port(), ourDir}}) {
                Path d = (Path) target[1];
                try (RawClient c = new RawClient("127.0.0.1", (Integer) target[0])) {
                    String where = "dir " + d;
                    assertEquals("[$dir, $" + d + "]", c.callText("CONFIG", "GET", "dir"), where);
                    assertEquals("[$user bob on nopass ~b* resetchannels -@all +get, $user default on nopass ~* &* +@all]",
                            c.callText("ACL", "LIST"), where);
                    assertTrue(Files.readString(d.resolve("server.pid")).strip().matches("[0-9]+"), where);
                    assertEquals("+OK", c.callText("ACL", "SETUSER", "carol", "on"), where);
                    assertEquals("+OK", c.callText("ACL", "SAVE"), where);
                    assertTrue(Files.readString(d.resolve("users.acl")).contains("user carol on"), where);
                    assertEquals("+OK", c.callText("CONFIG", "SET", "dir", "sub"), where);
                    assertEquals("[$dir, $" + d.resolve("sub") + "]", c.callText("CONFIG", "GET", "dir"), where);
                    assertEquals("+OK", c.callText("CONFIG", "SET", "dir", ".."), where);
                    assertEquals("[$dir, $" + d + "]", c.callText("CONFIG", "GET", "dir"), where);
                    // ACL LOAD reads from the (current) dir too
                    assertEquals("+OK", c.callText("ACL", "LOAD"), where);
                    assertTrue(c.callText("ACL", "USERS").contains("carol"), where);
                }
            }
        }
    }

    @Test
    void busyPort_logsFailedListeningAndExitsOne(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Path out = dir.resolve("stdout");
            Process server = new ProcessBuilder(serverCommand(port, dir, "--bind", "127.0.0.1"))
                    .redirectOutput(out.toFile()).redirectError(dir.resolve("stderr").toFile()).start();
            assertTrue(server.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, server.exitValue());
            // Redis's line, which a tool that picked the port looks for to try another one
            assertTrue(Files.readString(out).contains("Failed listening on port " + port + " (TCP), aborting."),
                    Files.readString(out));
        }
    }

    @Test
    void daemonize_returnsWhenListening_logfileAndLoglevel(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path pidfile = dir.resolve("d.pid");
        Path logfile = dir.resolve("d.log");
        Files.writeString(logfile, "kept line\n");
        List<String> cmd = serverCommand(port, dir, "--daemonize", "yes", "--pidfile", pidfile.toString(),
                "--logfile", logfile.toString());
        Process parent = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("parent.out").toFile()).start();
        long daemonPid = -1;
        try {
            assertTrue(parent.waitFor(60, TimeUnit.SECONDS), "the launching process returns");
            assertEquals(0, parent.exitValue(), Files.readString(dir.resolve("parent.out")));
            daemonPid = Long.parseLong(Files.readString(pidfile).strip());
            assertTrue(daemonPid != parent.pid() && ProcessHandle.of(daemonPid).map(ProcessHandle::isAlive).orElse(false));
            try (RawClient c = new RawClient("127.0.0.1", port)) {
                assertEquals("+PONG", c.callText("PING"), "the daemon serves");
                assertEquals("[$daemonize, $yes]", c.callText("CONFIG", "GET", "daemonize"));
                String log = Files.readString(logfile);
                assertTrue(log.startsWith("kept line\n"), "appended, as Redis opens its logfile");
                assertTrue(log.contains("Ready to accept connections"), log);
                // verbose lines (an idle client closed) appear only once CONFIG SET loglevel asks
                assertFalse(log.contains("Closing idle client"), log);
                assertEquals("+OK", c.callText("CONFIG", "SET", "loglevel", "verbose", "timeout", "1"));
                try (RawClient idle = new RawClient("127.0.0.1", port)) {
                    assertTrue(idle.isClosedByServer());
                }
                assertTrue(Files.readString(logfile).contains("Closing idle client"), Files.readString(logfile));
                assertTrue(c.isClosedByServer(), "idle as long as the other");
            }
            try (RawClient c = new RawClient("127.0.0.1", port)) {
                c.send("SHUTDOWN", "NOSAVE");
                assertTrue(c.isClosedByServer());
            }
            long pid = daemonPid;
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the daemon exited");
            assertFalse(Files.exists(pidfile), "pidfile removed at shutdown");
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        } finally {
            parent.destroyForcibly();
            if (daemonPid > 0) {
                ProcessHandle.of(daemonPid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
