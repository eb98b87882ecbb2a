package io.damselfly.server.upstream;

import io.damselfly.protocol.RespDecoder;
import io.damselfly.protocol.RespValue;
import io.damselfly.protocol.RespWriter;
import io.damselfly.server.acl.User;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandExecutor;
import io.damselfly.server.command.CommandFlag;
import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.command.Reply;
import io.damselfly.server.command.spec.CommandSpec;
import io.damselfly.server.command.spec.KeyFinder;
import io.damselfly.server.command.spec.KeyReferences;
import io.damselfly.server.command.spec.RedisCommandCatalog;
import io.damselfly.server.config.Option;
import io.damselfly.server.pubsub.Subscriber;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One client connection's side of the near-cache: decides for each request whether it is answered
 * locally (a hit, or a command damselfly answers itself), fetched first (a miss), relayed to the
 * upstream (everything else), or piped (the client made its connection stateful). Used only on
 * the connection's event loop.
 *
 * <p>Order. Replies leave in request order because every request that does not answer at once
 * holds a {@link DeferredReply} slot in the connection's reply queue. Upstream order is kept too:
 * a client is pinned to one pooled connection per protocol; a relayed request waits while the
 * client's fetches are pending (so a pipelined {@code GET k; SET k v} reads the old value, as on
 * Redis); a cacheable read goes upstream, behind them, while the client's relayed requests are in
 * flight (so it reads its own writes). A stateful command waits until the client's pooled
 * requests and fetches are done, then the client gets its own upstream connection, to which it
 * is a transparent frame pipe until it disconnects.
 *
 * <p>Bounds. A client with {@link #MAX_IN_FLIGHT} requests outstanding gets a slot that blocks it
 * (the connection then reads no more of its requests until the slot is answered), so a client
 * that pipelines without end is held back by TCP, not by the server's memory.
 */
public final class UpstreamRouter {
    /** Requests one client may have outstanding (relayed or fetching) before it is held back. */
    static final int MAX_IN_FLIGHT = 4096;

    private final NearCache cache;
    private final UpstreamLoop loop;
    private final ClientSession client;
    private final CommandExecutor executor;
    private final Reply reply;
    private final DeferredReply.Owner owner;
    private final Subscriber.Outlet outlet;
    private final KeyReferences keyScratch = new KeyReferences();
    private byte[][] keys = new byte[8][];
    private long[] epochs = new long[8];
    /** Relayed requests sent or held and not finished (their fence included). */
    private int upstreamInFlight;
    /** Miss slots not yet resolved. */
    private int fetchesPending;
    /** Relayed requests waiting for the client's fetches to end, in order. */
    private final ArrayDeque<Runnable> held = new ArrayDeque<>();
    /** Set from the first stateful command on. */
    private boolean piped;
    private UpstreamConnection pipe;
    private List<byte[][]> pipeBacklog;
    private boolean closed;
    /** The upstream node of the request being routed: {@link #loop} unless the upstream is a cluster. */
    private UpstreamLoop node;
    /** The node a stateful client's own connection goes to; null while a cluster's MULTI waits for its first command. */
    private UpstreamUrl pipeUrl;
    /** Frames of the pipe not to relay: replies to what damselfly answered itself. */
    private int swallow;
    /** Per-client figures for CLIENT LIST. */
    private long hits;
    private long misses;
    private long relayed;

    UpstreamRouter(NearCache cache, UpstreamLoop loop, ClientSession client, CommandExecutor executor, Reply reply,
            DeferredReply.Owner owner, Subscriber.Outlet outlet) {
        this.cache = cache;
        this.loop = loop;
        this.client = client;
        this.executor = executor;
        this.reply = reply;
        this.owner = owner;
        this.outlet = outlet;
        this.node = loop;
        client.setListExtra(this::listFields);
    }

    /** This client's figures for CLIENT LIST (read from any thread; plain counters, approximate). */
    private String listFields() {
        return "nc-hits=" + hits + " nc-misses=" + misses + " nc-relayed=" + relayed + " nc-pipe=" + (piped ? 1 : 0);
    }

    /**
     * Runs one request: answered into the connection's {@link Reply} (locally), or a slot that is
     * answered later (returned), or nothing at all when the client is a pipe (its upstream's frames
     * arrive through the outlet).
     */
    public DeferredReply execute(byte[][] argv) {
        // the sidecar's own users (requirepass, `user` lines, aclfile) first: AUTH, HELLO AUTH,
        // or NOAUTH, answered here
        boolean localAuth = cache.server().acl().authRequired();
        if (localAuth && !client.isAuthenticated()) {
            return local(argv);
        }
        if (piped && !restricted()) {
            return toPipeOrQuit(argv);
        }
        Command cmd = cache.server().commands().lookup(argv[0]);
        if (cmd != null && cmd.isContainer() && argv.length >= 2) {
            Command sub = cmd.subcommand(argv[1]);
            cmd = sub != null ? sub : cmd;
        }
        if (!executor.permits(cmd, argv)) {
            // a restricted user's call is checked here, relayed or not: the upstream sees the
            // sidecar's own login, so its rules would not stop what the local ones refuse
            return null;
        }
        if (piped) {
            return toPipeOrQuit(argv);
        }
        if (cache.slots() != null) {
            DeferredReply answer = route(cmd, argv);
            if (node == null) {
                // answered here: an error into the reply, or a command fanned out to every node
                return answer;
            }
        }
        if (argv.length == 2 && argv[1].length == 4 && (argv[0].length == 6 || argv[0].length == 8)
                && (is(argv[0], "script") || is(argv[0], "function")) && is(argv[1], "kill")) {
            // (the lengths first: no String made for every GET)
            return kill(argv);
        }
        if (UpstreamConnection.isScript(argv[0])) {
            return script(argv, cmd);
        }
        if (cmd == null) {
            // unknown here: the upstream answers (a newer server's command, or its error text)
            return relay(argv, null);
        }
        switch (cmd.fullName()) {
            case "quit", "client|setname", "client|getname", "client|id", "client|info", "client|list", "client|kill",
                    "client|no-evict", "client|pause", "client|unpause", "client|help" -> {
                return local(argv);
            }
            case "shutdown" -> {
                // stops this process, as `redis-cli -p <sidecar> shutdown` means: the upstream is
                // shared, and an application's sidecar must not be the way to stop it
                return local(argv);
            }
            case "hello" -> {
                int auth = authIndex(argv);
                if (auth < 0 || localAuth) {
                    return local(argv);
                }
                if (auth + 2 < argv.length && upstreamUser(argv[auth + 1], argv[auth + 2])) {
                    // the sidecar's own upstream login already: HELLO's other effects, locally
                    return local(withoutAuth(argv, auth));
                }
                return stateful(argv);
            }
            case "auth" -> {
                if (localAuth) {
                    return local(argv);
                }
                byte[] user = argv.length == 3 ? argv[1] : "default".getBytes(StandardCharsets.UTF_8);
                if (argv.length <= 3 && upstreamUser(user, argv[argv.length - 1])) {
                    reply.ok();
                    return null;
                }
                return stateful(argv);
            }
            case "info" -> {
                if (argv.length == 2 && new String(argv[1], StandardCharsets.UTF_8).equalsIgnoreCase("nearcache")) {
                    return local(argv);
                }
                return relay(argv, cmd);
            }
            case "select" -> {
                if (argv.length == 2 && new String(argv[1], StandardCharsets.UTF_8).equals(Integer.toString(cache.url().db()))) {
                    // the database the sidecar serves already: nothing changes, the client stays cached
                    reply.ok();
                    return null;
                }
                return stateful(argv);
            }
            case "client|tracking", "client|caching", "client|reply", "client|getredir", "client|trackinginfo",
                    "client|unblock" -> {
                return stateful(argv);
            }
            default -> {
            }
        }
        if (cache.slots() != null && cmd.has(CommandFlag.BLOCKING) && !cmd.has(CommandFlag.STATEFUL)) {
            // a cluster's blocking command: on the client's own connection to its keys' node, once
            return blocking(argv, cmd);
        }
        if (cmd.has(CommandFlag.STATEFUL) || cmd.has(CommandFlag.BLOCKING) || cmd.name().equals("wait")
                || cmd.name().equals("monitor")) {
            return stateful(argv);
        }
        if (cmd.has(CommandFlag.CACHEABLE) && client.db() == 0 && upstreamInFlight == 0 && blockingInFlight == 0 && scriptsInFlight == 0 && cmd.acceptsArgCount(argv.length)) {
            return cached(cmd, argv);
        }
        return relay(argv, cmd);
    }

    private static boolean is(byte[] arg, String word) {
        return new String(arg, StandardCharsets.UTF_8).equalsIgnoreCase(word);
    }

    /** Where HELLO's AUTH option is, or -1. */
    private static int authIndex(byte[][] argv) {
        for (int i = 2; i < argv.length; i++) {
            if (is(argv[i], "auth")) {
                return i;
            }
        }
        return -1;
    }

    private static byte[][] withoutAuth(byte[][] argv, int auth) {
        byte[][] rest = new byte[argv.length - 3][];
        System.arraycopy(argv, 0, rest, 0, auth);
        System.arraycopy(argv, auth + 3, rest, auth, argv.length - auth - 3);
        return rest;
    }

    /**
     * Whether the credentials are the ones the sidecar logs in to the upstream with (the URL's):
     * then they change nothing upstream, and the client need not leave the pool for them.
     */
    private boolean upstreamUser(byte[] user, byte[] password) {
        UpstreamUrl url = cache.url();
        if (url.password() == null) {
            return false;
        }
        String u = url.user() == null ? "default" : url.user();
        return u.equals(new String(user, StandardCharsets.UTF_8)) && url.password().equals(new String(password, StandardCharsets.UTF_8));
    }

    /** Answered by damselfly itself, as in standalone mode. */
    /** Whether the client's ACL user is refused anything, so its calls need a check here. */
    private boolean restricted() {
        User user = client.aclUser();
        return user != null && !user.unrestricted();
    }

    /** A piped client's request: to its own upstream connection, except QUIT. */
    private DeferredReply toPipeOrQuit(byte[][] argv) {
        if (argv.length == 1 && is(argv[0], "quit")) {
            // answered here, so the client sees +OK and a clean close, as from Redis
            return local(argv);
        }
        toPipe(argv);
        return null;
    }

    private DeferredReply local(byte[][] argv) {
        executor.execute(argv);
        return executor.takeDeferred();
    }

    // ---- cacheable reads ------------------------------------------------------------------

    /** A cacheable read: a hit runs locally, a miss fetches its missing keys first. */
    private DeferredReply cached(Command cmd, byte[][] argv) {
        // the presence checks take shard locks: never while a squashed one is held (lock order)
        executor.endBatch();
        int n = findKeys(cmd, argv);
        if (n <= 0) {
            return relay(argv, cmd);
        }
        long now = System.currentTimeMillis();
        LocalStore store = cache.store();
        List<byte[]> missing = null;
        for (int i = 0; i < n; i++) {
            epochs[i] = store.epoch(keys[i]);
        }
        for (int i = 0; i < n; i++) {
            int state = store.lookup(keys[i], now);
            if (state == LocalStore.PASS) {
                return relay(argv, cmd);
            }
            if (state == LocalStore.MISS) {
                if (missing == null) {
                    missing = new ArrayList<>(n);
                }
                missing.add(keys[i]);
            }
        }
        if (missing == null) {
            long mark = reply.mark();
            executor.execute(argv);
            if (unchanged(n)) {
                cache.hits.increment();
                hits++;
                return executor.takeDeferred();
            }
            // a key changed while the handler read it: the answer may be wrong, so fetch instead
            reply.truncate(mark);
            missing = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                missing.add(keys[i]);
            }
        }
        cache.misses.increment();
        misses++;
        if (node.trackingIfReady() == null) {
            // no tracking connection on this loop now: read upstream
            return relay(argv, cmd);
        }
        return fetchThenRun(cmd, argv, missing);
    }

    /** The command's keys into {@link #keys}; their count (0 when it names none). */
    private int findKeys(Command cmd, byte[][] argv) {
        int single = cmd.singleKeyIndex();
        if (single > 0 && single < argv.length) {
            keys[0] = argv[single];
            return 1;
        }
        if (!cmd.hasKeys()) {
            return 0;
        }
        int found = KeyFinder.find(cmd.spec(), argv, argv.length, keyScratch);
        if (found > keys.length) {
            keys = new byte[found][];
            epochs = new long[found];
        }
        for (int i = 0; i < found; i++) {
            keys[i] = argv[keyScratch.position(i)];
        }
        return found;
    }

    private boolean unchanged(int n) {
        LocalStore store = cache.store();
        for (int i = 0; i < n; i++) {
            if (store.epoch(keys[i]) != epochs[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A miss: a slot in the reply order, a fetch per missing key (joining those in flight), and
     * once all have ended, the command runs locally, or goes upstream if any fetch did not leave
     * a usable copy.
     */
    private DeferredReply fetchThenRun(Command cmd, byte[][] argv, List<byte[]> missing) {
        UpstreamLoop to = node;
        DeferredReply slot = new DeferredReply(owner, outstanding() >= MAX_IN_FLIGHT);
        fetchesPending++;
        int count = missing.size();
        Fetch.Result[] results = new Fetch.Result[count];
        int[] left = {count};
        for (int i = 0; i < count; i++) {
            int index = i;
            Consumer<Fetch.Result> waiter = r -> loop.loop.execute(() -> {
                results[index] = r;
                if (--left[0] == 0) {
                    fetched(to, cmd, argv, missing, results, slot);
                }
            });
            cache.fetch(missing.get(i), to, waiter);
        }
        return slot;
    }

    /** Every fetch of a miss ended (on this loop): run the command locally if the copies are intact. */
    private void fetched(UpstreamLoop to, Command cmd, byte[][] argv, List<byte[]> missing, Fetch.Result[] results, DeferredReply slot) {
        if (closed) {
            return;
        }
        boolean local = true;
        LocalStore store = cache.store();
        for (int i = 0; i < results.length && local; i++) {
            local = results[i].local() && store.epoch(missing.get(i)) == results[i].epoch();
        }
        byte[] answer = null;
        if (local) {
            answer = runCaptured(cmd, argv, missing, results);
        }
        if (answer != null) {
            byte[] bytes = answer;
            slot.complete(r -> r.raw(bytes));
        } else {
            cache.fetchFallbacks.increment();
            // before any held request: this read came first
            send(to, argv, cmd, slot, false, false, 0);
        }
        fetchesPending--;
        releaseHeld();
    }

    /**
     * Runs the command locally into the connection's reply and takes its bytes, unless a key it
     * reads changed meanwhile (then null). Runs between the connection's batches, when the reply
     * holds nothing else.
     */
    private byte[] runCaptured(Command cmd, byte[][] argv, List<byte[]> missing, Fetch.Result[] results) {
        int n = findKeys(cmd, argv);
        long now = System.currentTimeMillis();
        LocalStore store = cache.store();
        for (int i = 0; i < n; i++) {
            epochs[i] = store.epoch(keys[i]);
        }
        for (int i = 0; i < n; i++) {
            if (store.lookup(keys[i], now) != LocalStore.HIT) {
                return null;
            }
        }
        reply.open();
        long mark = reply.mark();
        executor.execute(argv);
        executor.endBatch();
        boolean intact = unchanged(n);
        for (int i = 0; i < missing.size() && intact; i++) {
            intact = store.epoch(missing.get(i)) == results[i].epoch();
        }
        if (!intact) {
            reply.truncate(mark);
            return null;
        }
        List<Object> pieces = new ArrayList<>(2);
        reply.drainTo(pieces::add);
        int total = 0;
        for (Object p : pieces) {
            total += p instanceof ByteBuf b ? b.readableBytes() : ((io.damselfly.server.command.LentBytes) p).length();
        }
        byte[] out = new byte[total];
        int at = 0;
        for (Object p : pieces) {
            if (p instanceof ByteBuf b) {
                int len = b.readableBytes();
                b.getBytes(b.readerIndex(), out, at, len);
                at += len;
                b.release();
            } else {
                io.damselfly.server.command.LentBytes l = (io.damselfly.server.command.LentBytes) p;
                System.arraycopy(l.array(), l.offset(), out, at, l.length());
                at += l.length();
            }
        }
        return out;
    }

    // ---- relaying -------------------------------------------------------------------------

    private int outstanding() {
        return upstreamInFlight + fetchesPending + blockingInFlight + scriptsInFlight;
    }

    /** A request for the upstream: its reply relayed byte for byte into a slot. */
    private DeferredReply relay(byte[][] argv, Command cmd) {
        DeferredReply slot = new DeferredReply(owner, outstanding() >= MAX_IN_FLIGHT);
        // dropping takes shard locks (all of them to flush): never while a squashed one is held
        executor.endBatch();
        boolean writes = dropLocally(argv, cmd);
        UpstreamLoop to = node;
        if (fetchesPending > 0 || blockingSent > 0 || scriptsSent > 0 || !held.isEmpty()) {
            // behind the client's pending reads, which may still go upstream themselves (or its
            // scripts on their own connection, or its blocking command, with a cluster upstream)
            upstreamInFlight++;
            heldRelays++;
            held.add(() -> {
                upstreamInFlight--;
                heldRelays--;
                send(to, argv, cmd, slot, writes, false, 0);
            });
        } else {
            send(to, argv, cmd, slot, writes, false, 0);
        }
        return slot;
    }

    /**
     * What a command that is not read-only may change leaves the local store now: its keys by
     * Redis's key specs (also for the commands damselfly does not implement itself, from Redis
     * 7.0.15's metadata), everything when the keys cannot be told (a command Redis 7.0.15 does not
     * know, a malformed numkeys) or the command changes a whole database. Answers whether the
     * command may write, so its reply is followed by a fence.
     */
    private boolean dropLocally(byte[][] argv, Command cmd) {
        CommandSpec spec;
        if (cmd != null) {
            if (cmd.has(CommandFlag.READONLY)) {
                return false;
            }
            spec = cmd.spec();
        } else {
            spec = catalogSpec(argv);
            if (spec == null) {
                // unknown to Redis 7.0.15 (another server's or version's command): it may write anything
                cache.flushForWrite();
                return true;
            }
            if (spec.commandFlags().contains("READONLY")) {
                return false;
            }
        }
        switch (spec.name().toLowerCase(java.util.Locale.ROOT)) {
            case "flushall", "flushdb", "swapdb" -> {
                // Redis sends no invalidation on SWAPDB: flushing here keeps the copies right
                cache.flushForWrite();
                return true;
            }
            default -> {
            }
        }
        if (!spec.hasKeys()) {
            return spec.commandFlags().contains("WRITE");
        }
        int found = KeyFinder.find(spec, argv, argv.length, keyScratch);
        if (found < 0) {
            cache.flushForWrite();
            return true;
        }
        for (int i = 0; i < found; i++) {
            cache.dropForWrite(argv[keyScratch.position(i)]);
        }
        return true;
    }

    /**
     * SCRIPT KILL or FUNCTION KILL: sent at once on a new connection of its own, closed after the
     * reply. On the client's pooled connection it could sit behind the very script it is to kill
     * (Redis reads nothing more from a connection whose script runs), so the script would never
     * be killed. The connection logs in without SELECT: Redis refuses SELECT while a script is
     * busy, and neither kill concerns a database.
     */
    private DeferredReply kill(byte[][] argv) {
        DeferredReply slot = new DeferredReply(owner, outstanding() >= MAX_IN_FLIGHT);
        UpstreamLoop to = node;
        UpstreamUrl u = to.url;
        cache.passedThrough.increment();
        relayed++;
        upstreamInFlight++;
        UpstreamConnection c = new UpstreamConnection(new UpstreamUrl(u.tls(), u.host(), u.port(), u.user(), u.password(), 0),
                loop.loop, UpstreamConnection.Role.POOL, client.protocol(), cache.timeoutMillis(), cache.ssl(),
                new UpstreamConnection.Listener() {
                    @Override
                    public void frame(UpstreamConnection conn, ByteBuf frame) {
                        // nothing is asked for that comes unasked
                    }

                    @Override
                    public void closed(UpstreamConnection conn, String reason) {
                        // its one request hears why
                    }
                }, to.liveness);
        c.open();
        c.request(argv, new UpstreamConnection.Callback() {
            @Override
            public void reply(ByteBuf frame) {
                byte[] bytes = ByteBufUtil.getBytes(frame);
                slot.complete(r -> r.raw(bytes));
                c.close("done");
                finished();
            }

            @Override
            public void failed(String reason) {
                slot.complete(r -> r.error(NearCache.UNAVAILABLE + reason));
                finished();
            }
        });
        return slot;
    }

    /** Redis 7.0.15's description of a command damselfly does not implement, or null. */
    private static CommandSpec catalogSpec(byte[][] argv) {
        CommandSpec spec = RedisCommandCatalog.redis().get(new String(argv[0], StandardCharsets.UTF_8));
        if (spec != null && !spec.subcommands().isEmpty() && argv.length >= 2) {
            CommandSpec sub = spec.subcommands().get(new String(argv[1], StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT));
            return sub != null ? sub : spec;
        }
        return spec;
    }

    private void releaseHeld() {
        while (fetchesPending == 0 && blockingSent == 0 && !held.isEmpty()) {
            if (held.peek() instanceof OwnRequest o) {
                // what the client sent before it is not all answered yet (on its pooled
                // connection; and its scripts, for a blocking command, which goes alone)
                if (upstreamInFlight - heldRelays > 0 || (o.blocking() && scriptsSent > 0)) {
                    break;
                }
                held.poll();
                sendOwn(o);
                continue;
            }
            if (scriptsSent > 0) {
                break;
            }
            held.poll().run();
        }
        if (piped && pipe == null && pipeUrl != null && outstanding() == 0) {
            openPipe();
        }
    }

    /**
     * Sends a request on the client's pooled connection to {@code to}; the reply completes {@code
     * slot}. With a cluster upstream, {@code asking} sends ASKING first, and a first {@code -MOVED}
     * or {@code -ASK} reply is followed once ({@code redirects} counts them).
     */
    private void send(UpstreamLoop to, byte[][] argv, Command cmd, DeferredReply slot, boolean writes, boolean asking,
            int redirects) {
        cache.passedThrough.increment();
        relayed++;
        int protocol = client.protocol();
        UpstreamConnection c = to.pooled(protocol, client.id());
        if (c == null) {
            String reason = to.lastFailure(protocol, client.id());
            slot.complete(r -> r.error(NearCache.UNAVAILABLE + reason));
            return;
        }
        if (asking) {
            c.request(ASKING, IGNORED);
        }
        boolean fence = writes && cache.anyTracking();
        boolean info = cmd != null && cmd.fullName().equals("info") && wantsSection(argv);
        long sent = System.nanoTime();
        upstreamInFlight++;
        c.request(argv, new UpstreamConnection.Callback() {
            @Override
            public void reply(ByteBuf frame) {
                cache.recordRoundTrip(sent);
                if (redirects == 0 && cache.slots() != null && frame.getByte(frame.readerIndex()) == '-'
                        && redirected(frame, argv, cmd, slot, writes)) {
                    finished();
                    return;
                }
                byte[] bytes = info ? withSection(frame) : ByteBufUtil.getBytes(frame);
                if (!slot.complete(r -> r.raw(bytes))) {
                    // the client left: nothing to answer
                }
                if (fence) {
                    // the client's next reads stay upstream until the write's invalidations are in
                    cache.fenceAll(loop, UpstreamRouter.this::finished);
                } else {
                    finished();
                }
            }

            @Override
            public void failed(String reason) {
                slot.complete(r -> r.error(NearCache.UNAVAILABLE + reason));
                finished();
            }
        });
    }

    private void finished() {
        upstreamInFlight--;
        releaseHeld();
    }

    // ---- requests on a connection of the client's own: cluster blocking commands, scripts ------

    /** Blocking commands of this client queued or sent and not answered (cluster upstreams). */
    private int blockingInFlight;
    /** 1 while one is sent: the client's later requests wait behind it, as the client waits on Redis. */
    private int blockingSent;
    /** Scripts of this client held or sent and not answered. */
    private int scriptsInFlight;
    /** Scripts sent on the client's script connection and not answered: its other requests wait for them. */
    private int scriptsSent;
    /** The relays in {@link #held} (counted in {@link #upstreamInFlight} too). */
    private int heldRelays;
    /** The client's own connection per upstream node for blocking commands (no request timeout), by address. */
    private java.util.Map<String, UpstreamConnection> blockingConnections;
    /** The client's own connection per upstream node for its scripts, by address. */
    private java.util.Map<String, UpstreamConnection> scriptConnections;

    /**
     * A request waiting in {@link #held} for what the client sent before it, to go on a connection
     * of the client's own: a blocking command (cluster upstreams) or a script.
     */
    private record OwnRequest(boolean blocking, UpstreamLoop to, byte[][] argv, DeferredReply slot, boolean writes)
            implements Runnable {
        @Override
        public void run() {
            throw new IllegalStateException("sent by releaseHeld");
        }
    }

    /**
     * A blocking command (BLPOP, BLMOVE, BZPOPMIN, XREAD...) with a cluster upstream: instead of
     * pinning the client to one node's pipe for good, it runs on the client's own connection to
     * its keys' node, without the pooled connections' timeout, once everything the client sent
     * before is answered; what the client sends after it waits for its reply, as on Redis.
     */
    private DeferredReply blocking(byte[][] argv, Command cmd) {
        return holdForOwnConnection(argv, cmd, true);
    }

    /**
     * A script (EVAL, EVALSHA, FCALL and their _RO forms): on a connection of the client's own,
     * not the pooled one it shares, since a script may run for long or for ever (until SCRIPT
     * KILL): on a shared connection the other clients' requests behind it would wait for it, where
     * on Redis they get -BUSY once busy-reply-threshold has passed. Order is kept as on one
     * connection: the script goes out once the client's pooled requests before it are answered,
     * and its later pooled requests wait for its reply (consecutive scripts are pipelined).
     */
    private DeferredReply script(byte[][] argv, Command cmd) {
        return holdForOwnConnection(argv, cmd, false);
    }

    private DeferredReply holdForOwnConnection(byte[][] argv, Command cmd, boolean blocking) {
        executor.endBatch();
        boolean writes = dropLocally(argv, cmd);
        DeferredReply slot = new DeferredReply(owner, outstanding() >= MAX_IN_FLIGHT);
        if (blocking) {
            blockingInFlight++;
        } else {
            scriptsInFlight++;
        }
        held.add(new OwnRequest(blocking, node, argv, slot, writes));
        releaseHeld();
        return slot;
    }

    /** Sends a held blocking command or script on the client's own connection to its node. */
    private void sendOwn(OwnRequest o) {
        cache.passedThrough.increment();
        relayed++;
        int protocol = client.protocol();
        if (!o.blocking() && o.to().pooled(protocol, client.id()) == null) {
            // the upstream failed a moment ago: its back-off holds for this connection too
            String reason = o.to().lastFailure(protocol, client.id());
            o.slot().complete(r -> r.error(NearCache.UNAVAILABLE + reason));
            scriptsInFlight--;
            return;
        }
        java.util.Map<String, UpstreamConnection> own;
        if (o.blocking()) {
            blockingSent = 1;
            own = blockingConnections == null ? blockingConnections = new java.util.HashMap<>() : blockingConnections;
        } else {
            scriptsSent++;
            own = scriptConnections == null ? scriptConnections = new java.util.HashMap<>() : scriptConnections;
        }
        String address = o.to().url.address();
        UpstreamConnection c = own.get(address);
        if (c == null || !c.isUsable()) {
            // a blocking command's connection has no request timeout (a pipe's role); a script's
            // follows the pool's liveness checks
            c = new UpstreamConnection(o.to().url, loop.loop, o.blocking() ? UpstreamConnection.Role.PIPE : UpstreamConnection.Role.POOL,
                    protocol, cache.timeoutMillis(), cache.ssl(), new UpstreamConnection.Listener() {
                        @Override
                        public void frame(UpstreamConnection conn, ByteBuf frame) {
                            // nothing arrives unasked on it
                        }

                        @Override
                        public void closed(UpstreamConnection conn, String reason) {
                            cache.nodeTrouble();
                        }
                    }, o.to().liveness);
            own.put(address, c);
            c.open();
        }
        long sent = System.nanoTime();
        c.request(o.argv(), new UpstreamConnection.Callback() {
            @Override
            public void reply(ByteBuf frame) {
                if (!o.blocking()) {
                    cache.recordRoundTrip(sent);
                }
                byte[] bytes = ByteBufUtil.getBytes(frame);
                if (cache.slots() != null) {
                    learnMoved(bytes);
                }
                o.slot().complete(r -> r.raw(bytes));
                ownDone(o);
            }

            @Override
            public void failed(String reason) {
                o.slot().complete(r -> r.error(NearCache.UNAVAILABLE + reason));
                ownDone(o);
            }
        });
    }

    private void ownDone(OwnRequest o) {
        if (o.blocking()) {
            blockingSent = 0;
            blockingInFlight--;
        } else {
            scriptsSent--;
            scriptsInFlight--;
        }
        if (o.writes() && cache.anyTracking()) {
            // the client's next reads stay upstream until the command's invalidations are in
            upstreamInFlight++;
            cache.fenceAll(loop, this::finished);
        }
        releaseHeld();
    }

    /** A cluster node's {@code -MOVED}: the map is stale, so it learns (the client sees the node's answer, as a cluster client would once). */
    private void learnMoved(byte[] bytes) {
        if (bytes.length > 7 && bytes[0] == '-' && new String(bytes, 0, 7, StandardCharsets.US_ASCII).equals("-MOVED ")) {
            String[] parts = new String(bytes, StandardCharsets.UTF_8).trim().split(" ");
            int colon = parts.length == 3 ? parts[2].lastIndexOf(':') : -1;
            if (colon > 0) {
                try {
                    cache.slots().moved(Integer.parseInt(parts[1]), parts[2].substring(0, colon),
                            Integer.parseInt(parts[2].substring(colon + 1)));
                } catch (NumberFormatException ignored) {
                    // not a redirection after all
                }
            }
        }
    }

    private static final byte[][] ASKING = {{'A', 'S', 'K', 'I', 'N', 'G'}};
    private static final UpstreamConnection.Callback IGNORED = new UpstreamConnection.Callback() {
        @Override
        public void reply(ByteBuf frame) {
        }

        @Override
        public void failed(String reason) {
        }
    };
    static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
    /**
     * Chooses the node of a request with a cluster upstream ({@link #node}): its keys' hash slot's
     * master, or any master for a keyless command. When the request is answered here instead
     * (CROSSSLOT, an unknown slot, a command fanned out to every master), {@link #node} is left
     * null and the answer is in the reply (null returned) or a slot (returned).
     */
    private DeferredReply route(Command cmd, byte[][] argv) {
        node = loop;
        ClusterSlots slots = cache.slots();
        String name = cmd != null ? cmd.fullName() : new String(argv[0], StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
        CommandSpec spec = cmd != null ? cmd.spec() : catalogSpec(argv);
        int slot = -1;
        int single = cmd != null ? cmd.singleKeyIndex() : 0;
        if (single > 0 && single < argv.length) {
            // one key at a fixed place (GET, SET, HGET...): no key-spec walk
            slot = ClusterSlots.slot(argv[single]);
        } else if (spec != null && spec.hasKeys()) {
            int found = KeyFinder.find(spec, argv, argv.length, keyScratch);
            for (int i = 0; i < found; i++) {
                int s = ClusterSlots.slot(argv[keyScratch.position(i)]);
                if (slot >= 0 && s != slot) {
                    node = null;
                    return answered(r -> r.error(CROSSSLOT));
                }
                slot = s;
            }
        }
        UpstreamUrl owner = slot >= 0 ? slots.owner(slot) : slots.anyNode();
        if (owner == null && slot < 0) {
            // no map yet: a keyless command goes to the first seed (HELLO, PING... answered as usual)
            slots.refreshSoon();
            return null;
        }
        if (owner == null) {
            slots.refreshSoon();
            node = null;
            if (slots.nodes().isEmpty()) {
                String why = slots.lastError();
                return answered(r -> r.error(NearCache.UNAVAILABLE + (why == null ? "the slot map is not known yet" : why)));
            }
            return answered(r -> r.error("CLUSTERDOWN Hash slot not served"));
        }
        node = cache.nodeLoop(loop.loop, owner);
        if (slot < 0 && !piped) {
            switch (name) {
                case "flushall", "flushdb", "dbsize", "keys", "config|set", "config|resetstat", "script|load", "script|flush",
                        "function|load", "function|delete", "function|flush", "function|restore" -> {
                    node = null;
                    return fanOut(name, argv, cmd);
                }
                case "scan" -> {
                    node = null;
                    return answered(r -> r.error("ERR SCAN is per node in a Redis Cluster: the near-cache does not merge it"
                            + " (scan each node directly)"));
                }
                default -> {
                }
            }
        }
        return null;
    }

    private DeferredReply answered(Consumer<Reply> answer) {
        answer.accept(reply);
        return null;
    }

    /**
     * A keyless command that a cluster proxy sends to every master: FLUSHALL, FLUSHDB, CONFIG SET and
     * RESETSTAT, SCRIPT LOAD and FLUSH, FUNCTION LOAD, DELETE, FLUSH and RESTORE (the first error,
     * else the first node's reply: every node then has the script, function or setting), DBSIZE
     * (the sum), KEYS (every node's keys, one array).
     */
    private DeferredReply fanOut(String name, byte[][] argv, Command cmd) {
        executor.endBatch();
        dropLocally(argv, cmd);
        DeferredReply slot = new DeferredReply(owner, outstanding() >= MAX_IN_FLIGHT);
        List<UpstreamUrl> nodes = cache.slots().nodes();
        byte[][] replies = new byte[nodes.size()][];
        int[] left = {nodes.size()};
        int protocol = client.protocol();
        upstreamInFlight++;
        cache.passedThrough.increment();
        relayed++;
        Runnable done = () -> {
            byte[] merged = merge(name, replies);
            slot.complete(r -> r.raw(merged));
            if (name.startsWith("flush") && cache.anyTracking()) {
                cache.fenceAll(loop, this::finished);
            } else {
                finished();
            }
        };
        for (int i = 0; i < nodes.size(); i++) {
            int index = i;
            UpstreamLoop to = cache.nodeLoop(loop.loop, nodes.get(i));
            UpstreamConnection c = to.pooled(protocol, client.id());
            if (c == null) {
                replies[index] = ("-" + NearCache.UNAVAILABLE + to.lastFailure(protocol, client.id()) + "\r\n")
                        .getBytes(StandardCharsets.UTF_8);
                if (--left[0] == 0) {
                    done.run();
                }
                continue;
            }
            c.request(argv, new UpstreamConnection.Callback() {
                @Override
                public void reply(ByteBuf frame) {
                    replies[index] = ByteBufUtil.getBytes(frame);
                    if (--left[0] == 0) {
                        done.run();
                    }
                }

                @Override
                public void failed(String reason) {
                    replies[index] = ("-" + NearCache.UNAVAILABLE + reason.replace('\r', ' ').replace('\n', ' ') + "\r\n")
                            .getBytes(StandardCharsets.UTF_8);
                    if (--left[0] == 0) {
                        done.run();
                    }
                }
            });
        }
        if (nodes.isEmpty()) {
            byte[] none = ("-" + NearCache.UNAVAILABLE + "no cluster node known\r\n").getBytes(StandardCharsets.UTF_8);
            slot.complete(r -> r.raw(none));
            finished();
        }
        return slot;
    }

    /** Every node's reply to a fanned-out command, as one reply (an error wins; a shape it cannot merge, as it came). */
    static byte[] merge(String name, byte[][] replies) {
        try {
            return mergeShapes(name, replies);
        } catch (RuntimeException notMergeable) {
            return replies[0];
        }
    }

    private static byte[] mergeShapes(String name, byte[][] replies) {
        for (byte[] r : replies) {
            if (r.length == 0 || r[0] == '-' || r[0] == '!') {
                return r;
            }
        }
        switch (name) {
            case "dbsize" -> {
                long sum = 0;
                for (byte[] r : replies) {
                    if (r[0] != ':') {
                        return r;
                    }
                    sum += Long.parseLong(new String(r, 1, r.length - 3, StandardCharsets.US_ASCII));
                }
                return (":" + sum + "\r\n").getBytes(StandardCharsets.US_ASCII);
            }
            case "keys" -> {
                long count = 0;
                java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
                for (byte[] r : replies) {
                    int crlf = indexOfCrlf(r);
                    if (r[0] != '*' || crlf < 0) {
                        return r;
                    }
                    count += Long.parseLong(new String(r, 1, crlf - 1, StandardCharsets.US_ASCII));
                    body.write(r, crlf + 2, r.length - crlf - 2);
                }
                byte[] head = ("*" + count + "\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] all = new byte[head.length + body.size()];
                System.arraycopy(head, 0, all, 0, head.length);
                System.arraycopy(body.toByteArray(), 0, all, head.length, body.size());
                return all;
            }
            default -> {
                return replies[0];
            }
        }
    }

    private static int indexOfCrlf(byte[] r) {
        for (int i = 0; i + 1 < r.length; i++) {
            if (r[i] == '\r' && r[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * A cluster node's {@code -MOVED slot host:port} (the map learns it, the request goes there) or
     * {@code -ASK slot host:port} (ASKING then the request there, the map unchanged): sent again
     * once; answers whether it was one.
     */
    private boolean redirected(ByteBuf frame, byte[][] argv, Command cmd, DeferredReply slot, boolean writes) {
        String text = frame.toString(frame.readerIndex(), Math.min(frame.readableBytes(), 300), StandardCharsets.UTF_8);
        boolean moved = text.startsWith("-MOVED ");
        if (!moved && !text.startsWith("-ASK ")) {
            return false;
        }
        String[] parts = text.trim().split(" ");
        if (parts.length != 3) {
            return false;
        }
        int colon = parts[2].lastIndexOf(':');
        int slotNumber;
        int port;
        try {
            slotNumber = Integer.parseInt(parts[1]);
            port = Integer.parseInt(parts[2].substring(colon + 1));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return false;
        }
        String host = colon <= 0 ? cache.url().host() : parts[2].substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        UpstreamUrl target = cache.url().at(host, port);
        if (moved) {
            cache.slots().moved(slotNumber, host, port);
        }
        send(cache.nodeLoop(loop.loop, target), argv, cmd, slot, writes, !moved, 1);
        return true;
    }

    /** Whether an INFO asks for the default or every section, so the Nearcache one is added. */
    private static boolean wantsSection(byte[][] argv) {
        if (argv.length == 1) {
            return true;
        }
        for (int i = 1; i < argv.length; i++) {
            switch (new String(argv[i], StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT)) {
                case "default", "all", "everything", "nearcache" -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }

    /** The upstream's INFO text with damselfly's "# Nearcache" section after it, in the same frame type. */
    private byte[] withSection(ByteBuf frame) {
        RespValue v;
        try {
            v = RespDecoder.decodeAll(frame.duplicate()).get(0);
        } catch (RuntimeException e) {
            return ByteBufUtil.getBytes(frame);
        }
        byte[] text;
        boolean verbatim;
        if (v instanceof RespValue.BulkString b) {
            text = b.value();
            verbatim = false;
        } else if (v instanceof RespValue.Verbatim t) {
            text = t.text();
            verbatim = true;
        } else {
            return ByteBufUtil.getBytes(frame);
        }
        String joined = new String(text, StandardCharsets.UTF_8);
        joined = (joined.isEmpty() ? "" : joined + "\r\n") + cache.infoSection();
        byte[] all = joined.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = Unpooled.buffer(all.length + 32);
        if (verbatim) {
            RespWriter.writeVerbatim(out, "txt", all, 3);
        } else {
            RespWriter.writeBulk(out, all);
        }
        return ByteBufUtil.getBytes(out);
    }

    // ---- stateful clients: a connection of their own --------------------------------------

    private DeferredReply stateful(byte[][] argv) {
        if (cache.slots() != null && argv.length == 1 && is(argv[0], "multi")) {
            // a cluster's MULTI: +OK now, and the pipe goes to the node of the next command (its
            // keys' node), which gets the MULTI first; the node's own +OK for it is not relayed
            piped = true;
            pipeBacklog = new ArrayList<>();
            pipeBacklog.add(argv);
            pipeUrl = null;
            swallow = 1;
            reply.ok();
            return null;
        }
        piped = true;
        // a cluster client's pipe goes to the node of this command's keys, or any node when it has none
        pipeUrl = node != null ? node.url : cache.url();
        pipeBacklog = new ArrayList<>();
        pipeBacklog.add(argv);
        if (outstanding() == 0) {
            openPipe();
        }
        return null;
    }

    private void toPipe(byte[][] argv) {
        if (pipe == null) {
            pipeBacklog.add(argv);
            if (pipeUrl == null) {
                pipeUrl = pipeNode(argv);
                if (outstanding() == 0) {
                    openPipe();
                }
            }
        } else {
            pipe.requestPiped(argv);
        }
    }

    /** The cluster node of {@code argv}'s first key, or any known node when it names none. */
    private UpstreamUrl pipeNode(byte[][] argv) {
        ClusterSlots slots = cache.slots();
        Command cmd = cache.server().commands().lookup(argv[0]);
        if (cmd != null && cmd.isContainer() && argv.length >= 2) {
            Command sub = cmd.subcommand(argv[1]);
            cmd = sub != null ? sub : cmd;
        }
        CommandSpec spec = cmd != null ? cmd.spec() : catalogSpec(argv);
        UpstreamUrl owner = null;
        if (spec != null && spec.hasKeys() && KeyFinder.find(spec, argv, argv.length, keyScratch) > 0) {
            owner = slots.owner(ClusterSlots.slot(argv[keyScratch.position(0)]));
        }
        if (owner == null) {
            owner = slots.anyNode();
        }
        return owner != null ? owner : cache.url();
    }

    private void openPipe() {
        if (closed) {
            return;
        }
        pipe = new UpstreamConnection(pipeUrl != null ? pipeUrl : cache.url(), loop.loop, UpstreamConnection.Role.PIPE, client.protocol(),
                cache.timeoutMillis(), cache.ssl(), new UpstreamConnection.Listener() {
                    @Override
                    public void frame(UpstreamConnection c, ByteBuf frame) {
                        if (swallow > 0) {
                            // the reply to a command damselfly answered already (a cluster's MULTI)
                            swallow--;
                            return;
                        }
                        if (!closed) {
                            outlet.write(ByteBufUtil.getBytes(frame));
                            outlet.flush();
                            // a client that does not read what its pipe brings: Redis's output limit
                            long unwritten = outlet.unwrittenBytes();
                            if (unwritten > cache.server().config().getLong(Option.OUTPUT_BUFFER_LIMIT)) {
                                outlet.closeForOutputLimit(unwritten);
                            }
                        }
                    }

                    @Override
                    public void closed(UpstreamConnection c, String reason) {
                        if (!closed) {
                            // its state (MULTI, subscriptions, db) is gone upstream: so is the client's
                            byte[] error = ("-" + NearCache.UNAVAILABLE + reason.replace('\r', ' ').replace('\n', ' ') + "\r\n")
                                    .getBytes(StandardCharsets.UTF_8);
                            outlet.write(error);
                            outlet.flush();
                            client.connection().close();
                        }
                    }
                }, cache.nodeLoop(loop.loop, pipeUrl != null ? pipeUrl : cache.url()).liveness);
        pipe.open();
        for (byte[][] a : pipeBacklog) {
            pipe.requestPiped(a);
        }
        pipeBacklog = null;
    }

    /** The client disconnected: its own upstream connection goes with it. */
    public void closed() {
        closed = true;
        if (blockingConnections != null) {
            for (UpstreamConnection c : blockingConnections.values()) {
                loop.loop.execute(() -> c.close("client left"));
            }
        }
        if (scriptConnections != null) {
            for (UpstreamConnection c : scriptConnections.values()) {
                loop.loop.execute(() -> c.close("client left"));
            }
        }
        if (pipe != null) {
            loop.loop.execute(() -> pipe.close("client left"));
        }
    }
}
