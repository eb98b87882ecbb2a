package io.damselfly.server.client;

/**
 * What a blocked client waits in (a blocking command's deferred reply), as CLIENT UNBLOCK sees it
 * from another connection.
 */
public interface Blocking {
    /**
     * Ends the wait as if it timed out, or with Redis's UNBLOCKED error; from any thread. Answers
     * false when the wait had already ended or cannot be ended this way.
     */
    boolean unblock(boolean asError);

    /**
     * Ends the wait with {@code error} (a server becoming a replica ends every client's), from
     * any thread; false as {@link #unblock}.
     */
    boolean abort(String error);
}
