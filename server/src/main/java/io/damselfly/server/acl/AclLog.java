package io.damselfly.server.acl;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * ACL LOG: the latest refusals, newest first, at most acllog-max-len of them. As acl.c's
 * addACLLogEntry, a refusal like one of the ten newest entries (same reason, context, object and
 * user, within a minute) bumps that entry's count and moves it to the front instead of adding one.
 */
public final class AclLog {
    /** Entries at most this far apart in time are grouped (ACL_LOG_GROUPING_MAX_TIME_DELTA). */
    static final long GROUPING_MILLIS = 60_000;
    /** How many of the newest entries a new refusal is compared with. */
    static final int GROUPING_SCAN = 10;

    /** Contexts, as ACL LOG names them. */
    public static final String TOPLEVEL = "toplevel";
    public static final String MULTI = "multi";
    public static final String LUA = "lua";

    /** One entry; {@code count}, {@code millis} and {@code clientInfo} change when it is bumped. */
    public static final class Entry {
        public long count;
        public final String reason;
        public final String context;
        public final byte[] object;
        public final String username;
        public long millis;
        public String clientInfo;

        Entry(String reason, String context, byte[] object, String username, long millis, String clientInfo) {
            this.count = 1;
            this.reason = reason;
            this.context = context;
            this.object = object;
            this.username = username;
            this.millis = millis;
            this.clientInfo = clientInfo;
        }

        private boolean sameAs(Entry e) {
            return reason.equals(e.reason) && context.equals(e.context) && Math.abs(millis - e.millis) <= GROUPING_MILLIS
                    && java.util.Arrays.equals(object, e.object) && username.equals(e.username);
        }
    }

    private final LinkedList<Entry> entries = new LinkedList<>();
    private final LongSupplier maxLength;

    public AclLog(LongSupplier maxLength) {
        this.maxLength = maxLength;
    }

    /** Records a refusal: {@code reason} "command", "key", "channel" or "auth". */
    public synchronized void add(String reason, String context, byte[] object, String username, long millis,
            String clientInfo) {
        Entry e = new Entry(reason, context, object, username, millis, clientInfo);
        int scanned = 0;
        for (var it = entries.iterator(); it.hasNext() && scanned < GROUPING_SCAN; scanned++) {
            Entry cur = it.next();
            if (cur.sameAs(e)) {
                it.remove();
                cur.count++;
                cur.millis = millis;
                cur.clientInfo = clientInfo;
                entries.addFirst(cur);
                return;
            }
        }
        entries.addFirst(e);
        long max = maxLength.getAsLong();
        while (entries.size() > max) {
            entries.removeLast();
        }
    }

    /** The newest {@code count} entries (copies of their changing fields are not needed: read under the lock). */
    public synchronized List<Entry> newest(long count) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (out.size() >= count) {
                break;
            }
            Entry c = new Entry(e.reason, e.context, e.object, e.username, e.millis, e.clientInfo);
            c.count = e.count;
            out.add(c);
        }
        return out;
    }

    public synchronized void reset() {
        entries.clear();
    }

    /** Trims to a new acllog-max-len. */
    public synchronized void trim() {
        long max = maxLength.getAsLong();
        while (entries.size() > max) {
            entries.removeLast();
        }
    }
}
