package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.ARBITRARY_KEYS;

import io.damselfly.server.acl.User;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.keyspace.SortOps;
import java.util.ArrayList;
import java.util.List;

/**
 * SORT and SORT_RO (Redis group "generic"), as sort.c of Redis 7.0 parses and answers them; the
 * sorting itself is {@code db.sorting()}'s. Their BY and GET patterns name keys that only the
 * sorted values reveal, so the executor holds every shard while they run (their key specs are
 * "unknown").
 */
public final class SortCommands {
    private SortCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("sort", c -> sort(c, false), ARBITRARY_KEYS);
        t.add("sort_ro", c -> sort(c, true), ARBITRARY_KEYS);
    }

    /**
     * SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE
     * destination]; SORT_RO the same without STORE.
     */
    /**
     * sort.c's user_has_full_key_access: BY with a pattern and GET read keys no argument names,
     * so they need a user that may read every key.
     */
    private static boolean mayReadEveryKey(CommandContext c) {
        User u = c.client().aclUser();
        return u == null || u.mayReadEveryKey(c.server().acl().commands(), c.command(), c.argv());
    }

    private static boolean hasStar(byte[] pattern) {
        for (byte b : pattern) {
            if (b == '*') {
                return true;
            }
        }
        return false;
    }

    static void sort(CommandContext c, boolean readOnly) {
        boolean desc = false;
        boolean alpha = false;
        long limitStart = 0;
        long limitCount = -1;
        byte[] by = null;
        byte[] store = null;
        List<byte[]> gets = new ArrayList<>();
        for (int j = 2; j < c.argc(); j++) {
            int left = c.argc() - j - 1;
            if (c.argIs(j, "asc")) {
                desc = false;
            } else if (c.argIs(j, "desc")) {
                desc = true;
            } else if (c.argIs(j, "alpha")) {
                alpha = true;
            } else if (c.argIs(j, "limit") && left >= 2) {
                limitStart = c.longArg(j + 1);
                limitCount = c.longArg(j + 2);
                j += 2;
            } else if (!readOnly && c.argIs(j, "store") && left >= 1) {
                store = c.arg(++j);
            } else if (c.argIs(j, "by") && left >= 1) {
                by = c.arg(++j);
                if (hasStar(by) && !mayReadEveryKey(c)) {
                    c.reply().error("ERR BY option of SORT denied due to insufficient ACL permissions.");
                    return;
                }
            } else if (c.argIs(j, "get") && left >= 1) {
                gets.add(c.arg(++j));
                if (!mayReadEveryKey(c)) {
                    c.reply().error("ERR GET option of SORT denied due to insufficient ACL permissions.");
                    return;
                }
            } else {
                throw c.syntaxError();
            }
        }
        SortOps.Result r = c.db().sorting().sort(new SortOps.Request(c.arg(1), by, gets, desc, alpha, limitStart,
                limitCount, store, c.client().isScriptClient()));
        switch (r.status()) {
            case WRONG_TYPE -> c.reply().error(Errors.WRONGTYPE);
            case NOT_FLOAT -> c.reply().error("ERR One or more scores can't be converted into double");
            case OK -> {
                if (store != null) {
                    c.reply().integer(r.stored());
                } else {
                    c.reply().array(r.elements().size());
                    for (byte[] e : r.elements()) {
                        c.reply().bulkOrNull(e);
                    }
                }
            }
            default -> throw new IllegalStateException("unexpected " + r.status());
        }
    }
}
