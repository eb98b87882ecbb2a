package io.damselfly.server.upstream;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where the near-cache's upstream is and how to log in: {@code redis://[user:pass@]host:port[/db]}
 * or {@code rediss://} for TLS, as Redis clients write it (a password alone is {@code :pass@};
 * user and password are percent-decoded). The port defaults to 6379, the database to 0.
 */
public record UpstreamUrl(boolean tls, String host, int port, String user, String password, int db) {

    /** Parses {@code text}; throws IllegalArgumentException saying what is wrong. */
    public static UpstreamUrl parse(String text) {
        String rest;
        boolean tls;
        if (text.startsWith("redis://")) {
            tls = false;
            rest = text.substring("redis://".length());
        } else if (text.startsWith("rediss://")) {
            tls = true;
            rest = text.substring("rediss://".length());
        } else if (text.startsWith("redis-cluster://")) {
            throw new IllegalArgumentException("upstream: a redis-cluster:// URL names seed nodes, not one upstream (see seeds)");
        } else {
            throw new IllegalArgumentException("upstream: expected redis://[user:pass@]host:port[/db] or rediss://..., got " + text);
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            if (colon < 0) {
                // redis://secret@host: a password alone, as Lettuce and redis-py read it
                password = decode(credentials);
            } else {
                user = colon == 0 ? null : decode(credentials.substring(0, colon));
                password = decode(credentials.substring(colon + 1));
            }
            if (password != null && password.isEmpty()) {
                password = null;
            }
        }
        int db = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String dbText = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!dbText.isEmpty()) {
                try {
                    db = Integer.parseInt(dbText);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("upstream: database '" + dbText + "' is not a number");
                }
                if (db < 0) {
                    throw new IllegalArgumentException("upstream: database must not be negative");
                }
            }
        }
        String host;
        int port = 6379;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("upstream: unclosed [ in " + text);
            }
            host = rest.substring(1, close);
            rest = rest.substring(close + 1);
            if (rest.startsWith(":")) {
                port = port(rest.substring(1));
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("upstream: unexpected '" + rest + "' after the host");
            }
        } else {
            int colon = rest.lastIndexOf(':');
            host = colon < 0 ? rest : rest.substring(0, colon);
            if (colon >= 0) {
                port = port(rest.substring(colon + 1));
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("upstream: no host in " + text);
        }
        return new UpstreamUrl(tls, host, port, user, password, db);
    }

    /** Whether {@code text} names a Redis Cluster ({@code redis-cluster://}). */
    public static boolean isCluster(String text) {
        return text.startsWith("redis-cluster://") || text.startsWith("rediss-cluster://");
    }

    /**
     * The seed nodes of {@code redis-cluster://[user:pass@]host:port[,host:port...]} (or {@code
     * rediss-cluster://} for TLS), each with the URL's credentials; database 0 only, as Redis
     * Cluster has no other. Throws IllegalArgumentException saying what is wrong.
     */
    public static java.util.List<UpstreamUrl> seeds(String text) {
        boolean tls = text.startsWith("rediss-cluster://");
        if (!isCluster(text)) {
            throw new IllegalArgumentException("upstream: expected redis-cluster://[user:pass@]host:port[,host:port...], got " + text);
        }
        String rest = text.substring(text.indexOf("://") + 3);
        String credentials = "";
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            credentials = rest.substring(0, at + 1);
            rest = rest.substring(at + 1);
        }
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String dbText = rest.substring(slash + 1);
            if (!dbText.isEmpty() && !dbText.equals("0")) {
                throw new IllegalArgumentException("upstream: Redis Cluster has only database 0, not '" + dbText + "'");
            }
            rest = rest.substring(0, slash);
        }
        java.util.List<UpstreamUrl> seeds = new java.util.ArrayList<>();
        for (String node : rest.split(",", -1)) {
            if (node.isEmpty()) {
                throw new IllegalArgumentException("upstream: an empty seed node in " + text);
            }
            seeds.add(parse((tls ? "rediss://" : "redis://") + credentials + node));
        }
        return java.util.List.copyOf(seeds);
    }

    /** The same login at another node's address (a cluster node learnt from the slot map). */
    public UpstreamUrl at(String otherHost, int otherPort) {
        return new UpstreamUrl(tls, otherHost, otherPort, user, password, db);
    }

    private static int port(String text) {
        try {
            int p = Integer.parseInt(text);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("upstream: port '" + text + "' is not a number from 1 to 65535");
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** host:port, for messages and INFO (never the credentials). */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
