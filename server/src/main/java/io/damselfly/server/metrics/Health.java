package io.damselfly.server.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Whether the server is fit to serve, for {@code GET /health}: the server's own state (starting,
 * serving, shutting down, or any reason a part sets, such as "loading") and any number of checks
 * other parts register, each answering null when fine or a short reason when not. The near-cache
 * sidecar registers one that answers "upstream unreachable" while its upstream is down.
 *
 * <p>Read by an HTTP request on an event loop, so the state is a volatile field and every check
 * must answer at once from what its owner already knows (a flag it keeps), never by doing I/O.
 */
public final class Health {
    /** The reason given before {@link #serving()} is called. */
    public static final String STARTING = "starting";
    /** The reason given once the server is closing. */
    public static final String SHUTTING_DOWN = "shutting down";

    private volatile String unavailable = STARTING;
    private final List<Supplier<String>> checks = new CopyOnWriteArrayList<>();

    /** The server serves: healthy unless a check says otherwise. */
    public void serving() {
        unavailable = null;
    }

    /** The server does not serve now, for {@code reason} (e.g. "loading", "shutting down"). */
    public void unavailable(String reason) {
        unavailable = reason;
    }

    /** Adds a check: null when fine, else the reason the server cannot serve. */
    public void addCheck(Supplier<String> check) {
        checks.add(check);
    }

    public void removeCheck(Supplier<String> check) {
        checks.remove(check);
    }

    /** Null when healthy; otherwise every reason known, joined by "; ". */
    public String problem() {
        String own = unavailable;
        StringBuilder reasons = own != null ? new StringBuilder(own) : null;
        for (Supplier<String> c : checks) {
            String p;
            try {
                p = c.get();
            } catch (RuntimeException e) {
                p = "health check failed: " + e;
            }
            if (p != null) {
                if (reasons == null) {
                    reasons = new StringBuilder(p);
                } else {
                    reasons.append("; ").append(p);
                }
            }
        }
        return reasons == null ? null : reasons.toString();
    }
}
