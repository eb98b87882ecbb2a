package io.damselfly.server.client;

import java.util.List;

/**
 * One client's CLIENT TRACKING mode, from one CLIENT TRACKING ON to the next change: the options
 * are fixed for the object's life (a new ON makes a new state), so threads that invalidate read
 * them without locks. What changes: CLIENT CACHING's one-command flag (owned by the client's own
 * thread) and the broken-redirect mark (set by whichever thread found the redirect gone).
 */
public final class TrackingState {
    final ClientSession session;
    final long redirect;
    final boolean bcast;
    final boolean optin;
    final boolean optout;
    final boolean noloop;
    /** BCAST prefixes in the order Redis lists them (bytewise ascending); empty means every key. */
    final List<byte[]> prefixes;

    /** CLIENT CACHING yes (OPTIN) or no (OPTOUT) given for the next command; the client's thread only. */
    boolean caching;
    /** The redirect client was found gone (CLIENT LIST flag R, TRACKINGINFO broken_redirect). */
    volatile boolean brokenRedirect;
    /** Cleared when tracking is turned off or the client goes: nothing more is sent. */
    volatile boolean active = true;

    TrackingState(ClientSession session, long redirect, boolean bcast, boolean optin, boolean optout, boolean noloop,
            List<byte[]> prefixes) {
        this.session = session;
        this.redirect = redirect;
        this.bcast = bcast;
        this.optin = optin;
        this.optout = optout;
        this.noloop = noloop;
        this.prefixes = prefixes;
    }

    public long clientId() {
        return session.id();
    }

    /** The client id invalidations go to instead of this connection, or 0. */
    public long redirect() {
        return redirect;
    }

    public boolean bcast() {
        return bcast;
    }

    public boolean optin() {
        return optin;
    }

    public boolean optout() {
        return optout;
    }

    public boolean noloop() {
        return noloop;
    }

    public boolean brokenRedirect() {
        return brokenRedirect;
    }

    /** The BCAST prefixes, bytewise ascending (empty for BCAST without PREFIX and outside BCAST). */
    public List<byte[]> prefixes() {
        return prefixes;
    }

    /** Whether CLIENT CACHING was given for the command that runs next. */
    public boolean caching() {
        return caching;
    }

    /** CLIENT CACHING yes|no: the next command (or MULTI ... EXEC) is the exception to the mode. */
    public void setCaching() {
        caching = true;
    }

    /** Called after each command: CACHING lasts one command, a transaction, or across CLIENT calls. */
    public void commandDone(boolean keep) {
        if (!keep) {
            caching = false;
        }
    }

    /**
     * Whether a read now is remembered (Redis's trackingRememberKeys): always in default mode;
     * in OPTIN mode only after CLIENT CACHING yes; in OPTOUT mode unless CLIENT CACHING no.
     */
    public boolean remembersReads() {
        if (bcast) {
            return false;
        }
        return !((optin && !caching) || (optout && caching));
    }
}
