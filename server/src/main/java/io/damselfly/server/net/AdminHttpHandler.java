package io.damselfly.server.net;

import io.damselfly.server.acl.AclCheck;
import io.damselfly.server.acl.AclStore;
import io.damselfly.server.acl.User;
import io.damselfly.server.config.Option;
import io.damselfly.server.metrics.PrometheusExposition;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP connection's endpoints: {@code /metrics} (Prometheus), {@code /health} (and Dragonfly's
 * {@code /healthz}), {@code /stats} (JSON for a dashboard) and {@code /} (the dashboard page).
 *
 * <p>Requests are answered one at a time in arrival order, as HTTP/1.1 pipelining requires: a
 * request that arrives while another is being rendered waits in {@link #pending}. GET and HEAD
 * only (405 otherwise); an unknown path is 404; a request the codec could not read (a request
 * line or headers over the limits below, garbage) is answered 400, 414 or 431 and the connection
 * closed, as the codec reads nothing more from it.
 *
 * <p>Authentication: with requirepass set, every path but {@code /health} asks for HTTP basic
 * auth, user "default" (or none) and the requirepass password, as Dragonfly's does (main_service.cc
 * ConfigureHttpHandlers); 401 with a WWW-Authenticate challenge otherwise. Unlike Dragonfly,
 * {@code /metrics} asks too: it names commands, clients and memory, which a server with a password
 * does not show to whoever connects (Prometheus sends the password with {@code basic_auth}, see
 * conf/prometheus.yml). {@code /health} stays open so that probes need no secret; it tells nothing
 * about the data. {@code --admin_nopass} opens the admin port's paths; the main port's still ask.
 */
final class AdminHttpHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminHttpHandler.class);

    /** Longest request line: the paths served are short; Netty's default. */
    static final int MAX_INITIAL_LINE = 4096;
    /** Most header bytes: Netty's default, above what browsers send. */
    static final int MAX_HEADER_BYTES = 8192;
    static final int MAX_CHUNK_BYTES = 8192;
    /** Largest body accepted (and ignored): no endpoint takes one. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** Pipelined requests held at most; past it reading stops until they are answered. */
    static final int MAX_PENDING = 16;
    /** The call a basic-auth user must be allowed to see the protected paths. */
    private static final byte[][] INFO = {"info".getBytes(StandardCharsets.US_ASCII)};
    private static final String REALM = "Basic realm=\"damselfly\", charset=\"UTF-8\"";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";
    private static final String HTML = "text/html; charset=utf-8";

    private final AdminHttp http;
    private final boolean adminPort;
    /** Requests read while an earlier one is being answered. */
    private final ArrayDeque<Request> pending = new ArrayDeque<>();
    private boolean busy;
    private ChannelHandlerContext ctx;

    AdminHttpHandler(AdminHttp http, boolean adminPort) {
        this.http = http;
        this.adminPort = adminPort;
    }

    /** What a request's answer needs, taken from the codec's message, which is released at once. */
    private record Request(DecoderResult result, HttpMethod method, String uri, String authorization, boolean keepAlive,
                           HttpVersion version) {
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        Request r;
        try {
            r = new Request(req.decoderResult(), req.method(), req.uri(), req.headers().get(HttpHeaderNames.AUTHORIZATION),
                    HttpUtil.isKeepAlive(req), req.protocolVersion());
        } finally {
            req.release();
        }
        pending.add(r);
        if (pending.size() >= MAX_PENDING) {
            // a client that pipelines faster than /metrics renders is held back by TCP
            ctx.channel().config().setAutoRead(false);
        }
        if (!busy) {
            next();
        }
    }

    /** Answers the next waiting request, if any and none is being answered. */
    private void next() {
        while (!busy && !pending.isEmpty() && ctx.channel().isActive()) {
            answer(pending.poll());
        }
        if (pending.size() < MAX_PENDING && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void answer(Request r) {
        if (r.result().isFailure()) {
            Throwable cause = r.result().cause();
            HttpResponseStatus status = HttpResponseStatus.BAD_REQUEST;
            if (cause instanceof TooLongFrameException) {
                String m = String.valueOf(cause.getMessage());
                status = m.contains("header") ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                        : m.contains("line") ? HttpResponseStatus.REQUEST_URI_TOO_LONG : HttpResponseStatus.BAD_REQUEST;
            }
            send(r, status, TEXT, status.reasonPhrase() + "\n", false);
            return;
        }
        if (!r.method().equals(HttpMethod.GET) && !r.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse res = response(r, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "Method Not Allowed\n");
            res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            write(r, res, r.keepAlive());
            return;
        }
        String path;
        try {
            path = new QueryStringDecoder(r.uri()).path();
        } catch (IllegalArgumentException e) {
            send(r, HttpResponseStatus.BAD_REQUEST, TEXT, "Bad Request\n", false);
            return;
        }
        boolean open = path.equals("/health") || path.equals("/healthz");
        if (!open && !authorized(r.authorization())) {
            FullHttpResponse res = response(r, HttpResponseStatus.UNAUTHORIZED, TEXT, "Unauthorized\n");
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, REALM);
            write(r, res, r.keepAlive());
            return;
        }
        switch (path) {
            case "/health", "/healthz" -> {
                String problem = http.health().problem();
                if (problem == null) {
                    send(r, HttpResponseStatus.OK, TEXT, "OK\n", r.keepAlive());
                } else {
                    send(r, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, problem + "\n", r.keepAlive());
                }
            }
            case "/metrics" -> render(r, PrometheusExposition.CONTENT_TYPE, http.metrics()::render);
            case "/stats" -> render(r, JSON, http.stats()::render);
            case "/" -> send(r, HttpResponseStatus.OK, HTML, http.dashboard(), r.keepAlive());
            default -> send(r, HttpResponseStatus.NOT_FOUND, TEXT, "Not Found\n", r.keepAlive());
        }
    }

    /**
     * Whether the request may see protected paths: clients need no login (the default user has
     * no password and is on), the admin port is opened by admin_nopass, or basic auth names an ACL
     * user (none means {@code default}) with its password who may run INFO, which shows what these
     * pages show.
     */
    private boolean authorized(String authorization) {
        AclStore acl = http.server().acl();
        if (!acl.authRequired() || (adminPort && http.server().config().getBool(Option.ADMIN_NOPASS))) {
            return true;
        }
        if (authorization == null || authorization.length() < 6 || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String name = decoded.substring(0, colon);
        User user = acl.authenticate(name.isEmpty() ? AclStore.DEFAULT_USER : name,
                decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
        return user != null && (user.unrestricted() || user.check(acl.commands().lookupCall(INFO), INFO, new AclCheck()) == AclCheck.OK);
    }

    /** Renders the body on the admin thread, then answers from this connection's loop. */
    private void render(Request r, String contentType, Supplier<String> body) {
        busy = true;
        try {
            http.renderer().execute(() -> {
                String text;
                try {
                    text = body.get();
                } catch (RuntimeException e) {
                    log.error("rendering {} failed", r.uri(), e);
                    ctx.executor().execute(() -> finish(r, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, "Internal Server Error\n"));
                    return;
                }
                ctx.executor().execute(() -> finish(r, HttpResponseStatus.OK, contentType, text));
            });
        } catch (RejectedExecutionException e) {
            // the admin thread is behind (or the server is closing): say so rather than queue more
            busy = false;
            send(r, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, "busy\n", r.keepAlive());
        }
    }

    /** A rendered answer, back on the loop: written, then the next request. */
    private void finish(Request r, HttpResponseStatus status, String contentType, String body) {
        busy = false;
        if (!ctx.channel().isActive()) {
            return;
        }
        send(r, status, contentType, body, r.keepAlive());
        next();
    }

    private void send(Request r, HttpResponseStatus status, String contentType, String body, boolean keepAlive) {
        write(r, response(r, status, contentType, body), keepAlive);
    }

    /** The response; for HEAD, with the length of the body it leaves out. */
    private FullHttpResponse response(Request r, HttpResponseStatus status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean head = r.method().equals(HttpMethod.HEAD);
        ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
        HttpVersion version = r.version() != null ? r.version() : HttpVersion.HTTP_1_1;
        FullHttpResponse res = new DefaultFullHttpResponse(version, status, content);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return res;
    }

    private void write(Request r, FullHttpResponse res, boolean keepAlive) {
        HttpUtil.setKeepAlive(res, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(res);
        } else {
            pending.clear();
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof ReadTimeoutException)) {
            log.debug("HTTP connection error, closing", cause);
        }
        ctx.close();
    }
}
