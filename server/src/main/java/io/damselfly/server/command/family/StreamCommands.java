package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.config.Option;
import io.damselfly.server.keyspace.StreamId;
import io.damselfly.server.keyspace.StreamOps;
import io.damselfly.server.keyspace.StreamOps.Status;
import io.damselfly.server.keyspace.StreamOps.Trim;
import io.damselfly.server.keyspace.StreamValue;
import io.damselfly.server.keyspace.StreamValue.Entry;
import io.damselfly.server.keyspace.StreamValue.Group;
import io.damselfly.server.keyspace.StreamValue.Nack;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Stream commands (Redis group "stream"), as t_stream.c of Redis 7.0.15 implements them: XADD
 * XLEN XRANGE XREVRANGE XDEL XTRIM XSETID XGROUP XREAD XREADGROUP XACK XPENDING XCLAIM
 * XAUTOCLAIM XINFO. Handlers parse in Redis's order (so the first error is Redis's) and reply;
 * {@code db.streams()} does the work. Blocked readers wait as {@link StreamWaiter}s.
 *
 * <p>Propagation follows t_stream.c: XADD propagates the ID it assigned in place of {@code *} or
 * {@code ms-*}; XADD and XTRIM with {@code ~} propagate {@code =} and the threshold they reached
 * (the stream's length, or its first ID, deleted or not), since approximate trimming depends on
 * node boundaries a replica need not share. XREADGROUP, XCLAIM and XAUTOCLAIM never propagate
 * themselves: each pending entry they create, move or drop goes out as an idempotent XCLAIM
 * ({@link #xclaimForm}), a NOACK read's progress as XGROUP SETID, and a consumer a NOACK read
 * created as XGROUP CREATECONSUMER, since no XCLAIM would create it on the replica.
 */
public final class StreamCommands {
    static final String INVALID_ID = "ERR Invalid stream ID specified as stream command argument";
    static final String XADD_ZERO = "ERR The ID specified in XADD must be greater than 0-0";
    static final String XADD_TOO_SMALL = "ERR The ID specified in XADD is equal or smaller than the target stream top item";
    static final String EXHAUSTED = "ERR The stream has exhausted the last possible ID, unable to add more items";
    static final String TOO_LARGE = "ERR Elements are too large to be stored";
    static final String MAXLEN_AND_MINID = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
    static final String MAXLEN_NEGATIVE = "ERR The MAXLEN argument must be >= 0.";
    static final String LIMIT_NEGATIVE = "ERR The LIMIT argument must be >= 0.";
    static final String LIMIT_WITHOUT_STRATEGY = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
    static final String XTRIM_WITHOUT_STRATEGY = "ERR syntax error, XTRIM must be called with a trimming strategy";
    static final String LIMIT_WITHOUT_APPROX = "ERR syntax error, LIMIT cannot be used without the special ~ option";
    static final String INVALID_START = "ERR invalid start ID for the interval";
    static final String INVALID_END = "ERR invalid end ID for the interval";
    static final String UNBALANCED = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
    static final String GROUP_ONLY_XREADGROUP = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
    static final String NOACK_ONLY_XREADGROUP = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
    static final String MISSING_GROUP = "ERR Missing GROUP option for XREADGROUP";
    static final String DOLLAR_IN_XREADGROUP = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history "
            + "of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.";
    static final String GT_IN_XREAD = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.";
    static final String ENTRIESREAD_NEGATIVE = "ERR value for ENTRIESREAD must be positive or -1";
    static final String XGROUP_NO_KEY = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to "
            + "use the MKSTREAM option to create an empty stream automatically.";
    static final String BUSYGROUP = "BUSYGROUP Consumer Group name already exists";
    static final String ENTRIES_ADDED_NEGATIVE = "ERR entries_added must be positive";
    static final String SETID_BELOW_MAXDELETED = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
    static final String SETID_BELOW_TOP = "ERR The ID specified in XSETID is smaller than the target stream top item";
    static final String SETID_ENTRIES_ADDED = "ERR The entries_added specified in XSETID is smaller than the target stream length";
    static final String BLOCKED_GROUP_GONE = "NOGROUP the consumer group this client was blocked on no longer exists";
    static final String BLOCKED_KEY_GONE = "UNBLOCKED the stream key no longer exists";
    /** XREAD_BLOCKED_DEFAULT_COUNT: a blocked reader without COUNT gets at most this many entries. */
    static final long BLOCKED_DEFAULT_COUNT = 1000;

    private static final byte[] EQUALS = ReplicatedForms.word("=");
    private static final byte[] XCLAIM = ReplicatedForms.word("XCLAIM");
    private static final byte[] ZERO = ReplicatedForms.word("0");
    private static final byte[] TIME = ReplicatedForms.word("TIME");
    private static final byte[] RETRYCOUNT = ReplicatedForms.word("RETRYCOUNT");
    private static final byte[] FORCE = ReplicatedForms.word("FORCE");
    private static final byte[] JUSTID = ReplicatedForms.word("JUSTID");
    private static final byte[] LASTID = ReplicatedForms.word("LASTID");
    private static final byte[] XGROUP = ReplicatedForms.word("XGROUP");
    private static final byte[] SETID = ReplicatedForms.word("SETID");
    private static final byte[] ENTRIESREAD = ReplicatedForms.word("ENTRIESREAD");
    private static final byte[] CREATECONSUMER = ReplicatedForms.word("CREATECONSUMER");

    private StreamCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("xadd", StreamCommands::xadd);
        t.add("xlen", StreamCommands::xlen);
        t.add("xrange", c -> xrange(c, false));
        t.add("xrevrange", c -> xrange(c, true));
        t.add("xdel", StreamCommands::xdel);
        t.add("xtrim", StreamCommands::xtrim);
        t.add("xsetid", StreamCommands::xsetid);
        t.add("xread", StreamCommands::xread);
        t.add("xreadgroup", StreamCommands::xread);
        t.add("xack", StreamCommands::xack);
        t.add("xpending", StreamCommands::xpending);
        t.add("xclaim", StreamCommands::xclaim);
        t.add("xautoclaim", StreamCommands::xautoclaim);
        t.container("xgroup", g -> g
                .add("create", StreamCommands::xgroup)
                .add("setid", StreamCommands::xgroup)
                .add("destroy", StreamCommands::xgroup)
                .add("createconsumer", StreamCommands::xgroup)
                .add("delconsumer", StreamCommands::xgroup)
                .add("help", StreamCommands::xgroupHelp));
        t.container("xinfo", g -> g
                .add("stream", StreamCommands::xinfo)
                .add("groups", StreamCommands::xinfo)
                .add("consumers", StreamCommands::xinfo)
                .add("help", StreamCommands::xinfoHelp));
    }

    // ---- parsing helpers ----------------------------------------------------------------------

    /** A strict ID ("-" and "+" refused), or ERR Invalid stream ID. */
    static StreamId strictId(CommandContext c, int i) {
        StreamId id = StreamId.parse(c.arg(i), 0, true);
        if (id == null) {
            throw new CommandError(INVALID_ID);
        }
        return id;
    }

    /** streamParseIntervalIDOrReply: "(" makes it exclusive (then strict); incomplete IDs take {@code missingSeq}. */
    static StreamId intervalId(CommandContext c, int i, long missingSeq, boolean start) {
        byte[] a = c.arg(i);
        boolean exclusive = a.length > 1 && a[0] == '(';
        StreamId id = exclusive ? StreamId.parse(Arrays.copyOfRange(a, 1, a.length), missingSeq, true)
                : StreamId.parse(a, missingSeq, false);
        if (id == null) {
            throw new CommandError(INVALID_ID);
        }
        if (exclusive) {
            id = start ? id.next() : id.previous();
            if (id == null) {
                throw new CommandError(start ? INVALID_START : INVALID_END);
            }
        }
        return id;
    }

    /** Redis's error for a formatted text: CR and LF become spaces (addReplyErrorFormat). */
    static String format(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }

    static String noGroup(byte[] key, byte[] group) {
        return format("NOGROUP No such key '" + Errors.echo(key) + "' or consumer group '" + Errors.echo(group) + "'");
    }

    static String noSuchGroupForKey(byte[] group, byte[] key) {
        return format("NOGROUP No such consumer group '" + Errors.echo(group) + "' for key name '" + Errors.echo(key) + "'");
    }

    private static void wrongType(CommandContext c) {
        c.reply().error(Errors.WRONGTYPE);
    }

    // ---- replies ------------------------------------------------------------------------------

    static void replyId(Reply r, StreamId id) {
        r.bulk(id.toBytes());
    }

    static void replyEntry(Reply r, StreamId id, byte[][] fv) {
        r.array(2);
        replyId(r, id);
        if (fv == null) {
            r.nullArray();
            return;
        }
        r.array(fv.length);
        for (byte[] b : fv) {
            r.bulk(b);
        }
    }

    static void replyEntries(Reply r, List<Entry> entries) {
        r.array(entries.size());
        for (Entry e : entries) {
            replyEntry(r, e.id(), e.fieldsAndValues());
        }
    }

    // ---- propagated forms ------------------------------------------------------------------------

    /** Where a propagated command goes: the call's unit, or a served blocked reader's own. */
    @FunctionalInterface
    interface Propagated {
        void add(byte[][] argv);
    }

    /**
     * streamPropagateXCLAIM: {@code XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE
     * JUSTID LASTID last}, which sets the pending entry exactly as {@code nack} has it on a replica
     * (or drops it there when the entry is gone), and moves the group's last ID.
     */
    static byte[][] xclaimForm(byte[] key, byte[] group, byte[] id, Nack nack, StreamId groupLast) {
        return new byte[][] {XCLAIM, key, group, nack.consumer().name(), ZERO, id,
            TIME, ReplicatedForms.number(nack.deliveryTime()), RETRYCOUNT, ReplicatedForms.number(nack.deliveryCount()),
            FORCE, JUSTID, LASTID, groupLast.toBytes()};
    }

    /** streamPropagateGroupID: {@code XGROUP SETID key group last ENTRIESREAD n}. */
    static byte[][] setIdForm(byte[] key, byte[] group, Group g) {
        return new byte[][] {XGROUP, SETID, key, group, g.lastId().toBytes(), ENTRIESREAD, ReplicatedForms.number(g.entriesRead())};
    }

    /**
     * What a group read of {@code key} propagates (xreadCommand, serveClientsBlockedOnStreamKey
     * and streamReplyWithRange): the consumer it created if NOACK (XGROUP CREATECONSUMER), then
     * for new entries ({@code newEntries}, the ">" ID) one XCLAIM per entry now pending, or under
     * NOACK the group's new last ID. Reading a consumer's history propagates nothing else.
     */
    static void propagateGroupRead(Propagated out, byte[] key, byte[] group, byte[] consumer, Group g,
                                   boolean consumerCreated, boolean newEntries, boolean noAck, List<Entry> delivered) {
        if (consumerCreated && noAck) {
            out.add(new byte[][] {XGROUP, CREATECONSUMER, key, group, consumer});
        }
        if (!newEntries || delivered.isEmpty()) {
            return;
        }
        if (noAck) {
            out.add(setIdForm(key, group, g));
            return;
        }
        for (Entry d : delivered) {
            // each new entry moved the group's last ID to itself before its XCLAIM went out
            byte[] id = d.id().toBytes();
            out.add(xclaimForm(key, group, id, g.pel().get(d.id()), d.id()));
        }
    }

    /**
     * streamRewriteApproxSpecifier and streamRewriteTrimArgument: {@code ~} becomes {@code =} and
     * the threshold what the trim reached, the length for MAXLEN, the first ID (deleted or not)
     * for MINID. Redis leaves a LIMIT in place; a replica ignores it for its primary's commands.
     */
    private static void rewriteTrim(CommandContext c, byte[][] form, AddArgs a) {
        StreamValue s = c.db().streams().readForWrite(c.arg(1));
        form[a.trimArg - 1] = EQUALS;
        form[a.trimArg] = a.trim.maxLen() >= 0 ? ReplicatedForms.number(s.length()) : s.firstIdWithDeleted().toBytes();
    }

    // ---- XADD XTRIM ---------------------------------------------------------------------------

    /** What streamParseAddOrTrimArgsOrReply parses. */
    private record AddArgs(int idPos, StreamId id, boolean seqGiven, boolean noMkStream, Trim trim, int trimArg) {
    }

    /** streamParseAddOrTrimArgsOrReply, with Redis's checks in its order. */
    private static AddArgs parseAddOrTrim(CommandContext c, boolean xadd) {
        int i = 2;
        long maxLen = -1;
        StreamId minId = null;
        boolean approx = false;
        long limit = 0;
        boolean limitGiven = false;
        boolean noMkStream = false;
        StreamId id = null;
        boolean seqGiven = true;
        int trimArg = -1;
        int argc = c.argc();
        for (; i < argc; i++) {
            int more = argc - 1 - i;
            byte[] opt = c.arg(i);
            if (xadd && opt.length == 1 && opt[0] == '*') {
                break;
            } else if (c.argIs(i, "maxlen") && more > 0) {
                if (maxLen >= 0 || minId != null) {
                    throw new CommandError(MAXLEN_AND_MINID);
                }
                approx = false;
                if (more >= 2 && c.argIs(i + 1, "~")) {
                    approx = true;
                    i++;
                } else if (more >= 2 && c.argIs(i + 1, "=")) {
                    i++;
                }
                long v = c.longArg(i + 1);
                if (v < 0) {
                    throw new CommandError(MAXLEN_NEGATIVE);
                }
                maxLen = v;
                i++;
                trimArg = i;
            } else if (c.argIs(i, "minid") && more > 0) {
                if (maxLen >= 0 || minId != null) {
                    throw new CommandError(MAXLEN_AND_MINID);
                }
                approx = false;
                if (more >= 2 && c.argIs(i + 1, "~")) {
                    approx = true;
                    i++;
                } else if (more >= 2 && c.argIs(i + 1, "=")) {
                    i++;
                }
                minId = strictId(c, i + 1);
                i++;
                trimArg = i;
            } else if (c.argIs(i, "limit") && more > 0) {
                limit = c.longArg(i + 1);
                if (limit < 0) {
                    throw new CommandError(LIMIT_NEGATIVE);
                }
                limitGiven = true;
                i++;
            } else if (xadd && c.argIs(i, "nomkstream")) {
                noMkStream = true;
            } else if (xadd) {
                StreamId.Parsed p = StreamId.parse(c.arg(i), 0, true, true);
                if (p == null) {
                    throw new CommandError(INVALID_ID);
                }
                id = p.id();
                seqGiven = p.seqGiven();
                break;
            } else {
                throw c.syntaxError();
            }
        }
        boolean none = maxLen < 0 && minId == null;
        if (limit != 0 && none) {
            throw new CommandError(LIMIT_WITHOUT_STRATEGY);
        }
        if (!xadd && none) {
            throw new CommandError(XTRIM_WITHOUT_STRATEGY);
        }
        if (c.client().isPrimaryLink()) {
            // as mustObeyClient: the primary rewrote its trim to an exact one, LIMIT kept, none applied
            limit = 0;
        } else if (limitGiven) {
            if (!approx) {
                throw new CommandError(LIMIT_WITHOUT_APPROX);
            }
        } else if (approx) {
            long entries = c.server().config().getLong(Option.STREAM_NODE_MAX_ENTRIES);
            limit = entries > Long.MAX_VALUE / 100 ? 1000000 : 100 * entries;
            if (limit <= 0) {
                limit = 10000;
            }
            if (limit > 1000000) {
                limit = 1000000;
            }
        } else {
            limit = 0;
        }
        Trim trim = none ? Trim.NONE : new Trim(maxLen, minId, approx, limit);
        return new AddArgs(i, id, seqGiven, noMkStream, trim, trimArg);
    }

    /** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...] */
    static void xadd(CommandContext c) {
        AddArgs a = parseAddOrTrim(c, true);
        int fieldPos = a.idPos + 1;
        int n = c.argc() - fieldPos;
        if (n < 2 || n % 2 == 1) {
            throw new CommandError(Errors.wrongArity(c.command().fullName()));
        }
        if (a.id != null && a.seqGiven && a.id.isZero()) {
            throw new CommandError(XADD_ZERO);
        }
        StreamOps.Added r = c.db().streams().add(c.arg(1), a.noMkStream, a.id, a.seqGiven, c.argv(), fieldPos, a.trim);
        if (r.status() == Status.OK && c.propagating()) {
            byte[][] form = null;
            if (a.trim.approx()) {
                form = c.argv().clone();
                rewriteTrim(c, form, a);
            }
            if (a.id == null || !a.seqGiven) {
                if (form == null) {
                    form = c.argv().clone();
                }
                form[a.idPos] = r.id().toBytes();
            }
            if (form != null) {
                c.propagateAs(form);
            }
        }
        switch (r.status()) {
            case OK -> replyId(c.reply(), r.id());
            case NO_KEY -> c.reply().nullBulk();
            case WRONG_TYPE -> wrongType(c);
            case EXHAUSTED -> c.reply().error(EXHAUSTED);
            case ID_TOO_SMALL -> c.reply().error(XADD_TOO_SMALL);
            case TOO_LARGE -> c.reply().error(TOO_LARGE);
            default -> throw new IllegalStateException("unexpected " + r.status());
        }
    }

    /** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
    static void xtrim(CommandContext c) {
        AddArgs a = parseAddOrTrim(c, false);
        StreamOps.Counted r = c.db().streams().trim(c.arg(1), a.trim);
        if (r.status() == Status.WRONG_TYPE) {
            wrongType(c);
        } else {
            if (r.count() > 0 && a.trim.approx() && c.propagating()) {
                byte[][] form = c.argv().clone();
                rewriteTrim(c, form, a);
                c.propagateAs(form);
            }
            c.reply().integer(r.count());
        }
    }

    // ---- XLEN XRANGE XDEL XSETID ----------------------------------------------------------------

    /** XLEN key */
    static void xlen(CommandContext c) {
        StreamValue s = c.db().streams().read(c.arg(1));
        if (s == StreamOps.WRONG_TYPE) {
            wrongType(c);
        } else {
            c.reply().integer(s == null ? 0 : s.length());
        }
    }

    /** XRANGE key start end [COUNT count] and XREVRANGE key end start [COUNT count] */
    static void xrange(CommandContext c, boolean rev) {
        int startArg = rev ? 3 : 2;
        int endArg = rev ? 2 : 3;
        StreamId start = intervalId(c, startArg, 0, true);
        StreamId end = intervalId(c, endArg, -1L, false);
        long count = -1;
        for (int j = 4; j < c.argc(); j++) {
            if (c.argIs(j, "count") && c.argc() - j - 1 >= 1) {
                count = c.longArg(j + 1);
                if (count < 0) {
                    count = 0;
                }
                j++;
            } else {
                throw c.syntaxError();
            }
        }
        StreamValue s = c.db().streams().read(c.arg(1));
        if (s == null) {
            c.reply().emptyArray();
            return;
        }
        if (s == StreamOps.WRONG_TYPE) {
            wrongType(c);
            return;
        }
        if (count == 0) {
            c.reply().nullArray();
            return;
        }
        replyEntries(c.reply(), s.range(start, end, rev, count == -1 ? 0 : count));
    }

    /** XDEL key id [id ...] */
    static void xdel(CommandContext c) {
        StreamValue s = c.db().streams().readForWrite(c.arg(1));
        if (s == null) {
            c.reply().integer(0);
            return;
        }
        if (s == StreamOps.WRONG_TYPE) {
            wrongType(c);
            return;
        }
        StreamId[] ids = new StreamId[c.argc() - 2];
        for (int j = 2; j < c.argc(); j++) {
            ids[j - 2] = strictId(c, j);
        }
        c.reply().integer(c.db().streams().delete(c.arg(1), ids).count());
    }

    /** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
    static void xsetid(CommandContext c) {
        StreamId id = strictId(c, 2);
        long entriesAdded = -1;
        StreamId maxDeleted = StreamId.MIN;
        int i = 3;
        while (i < c.argc()) {
            int more = c.argc() - 1 - i;
            if (c.argIs(i, "entriesadded") && more > 0) {
                entriesAdded = c.longArg(i + 1);
                if (entriesAdded < 0) {
                    throw new CommandError(ENTRIES_ADDED_NEGATIVE);
                }
                i += 2;
            } else if (c.argIs(i, "maxdeletedid") && more > 0) {
                maxDeleted = strictId(c, i + 1);
                if (id.compareTo(maxDeleted) < 0) {
                    throw new CommandError(SETID_BELOW_MAXDELETED);
                }
                i += 2;
            } else {
                throw c.syntaxError();
            }
        }
        switch (c.db().streams().setId(c.arg(1), id, entriesAdded, maxDeleted)) {
            case OK -> c.reply().ok();
            case NO_KEY -> c.reply().error(Errors.NO_SUCH_KEY);
            case WRONG_TYPE -> wrongType(c);
            case SETID_TOO_SMALL -> c.reply().error(SETID_BELOW_TOP);
            case ENTRIES_ADDED_TOO_SMALL -> c.reply().error(SETID_ENTRIES_ADDED);
            default -> throw new IllegalStateException();
        }
    }

    // ---- XGROUP -----------------------------------------------------------------------------------

    private static final List<String> XGROUP_HELP = List.of(
            "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CREATE <key> <groupname> <id|$> [option]",
            "    Create a new consumer group. Options are:",
            "    * MKSTREAM",
            "      Create the empty stream if it does not exist.",
            "    * ENTRIESREAD entries_read",
            "      Set the group's entries_read counter (internal use).",
            "CREATECONSUMER <key> <groupname> <consumer>",
            "    Create a new consumer in the specified group.",
            "DELCONSUMER <key> <groupname> <consumer>",
            "    Remove the specified consumer.",
            "DESTROY <key> <groupname>",
            "    Remove the specified group.",
            "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
            "    Set the current group ID and entries_read counter.",
            "HELP",
            "    Prints this help.");

    /** XGROUP HELP */
    static void xgroupHelp(CommandContext c) {
        ServerCommands.help(c.reply(), XGROUP_HELP);
    }

    /** XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER key group ... (xgroupCommand) */
    static void xgroup(CommandContext c) {
        String sub = c.command().name();
        boolean create = sub.equals("create");
        boolean setid = sub.equals("setid");
        boolean mkStream = false;
        long entriesRead = StreamValue.INVALID_ENTRIES_READ;
        int argc = c.argc();
        for (int i = 5; i < argc; ) {
            if (create && c.argIs(i, "mkstream")) {
                mkStream = true;
                i++;
            } else if ((create || setid) && c.argIs(i, "entriesread") && i + 1 < argc) {
                entriesRead = c.longArg(i + 1);
                if (entriesRead < 0 && entriesRead != StreamValue.INVALID_ENTRIES_READ) {
                    throw new CommandError(ENTRIESREAD_NEGATIVE);
                }
                i += 2;
            } else {
                throw new CommandError(Errors.subcommandSyntax(c.arg(1), "xgroup"));
            }
        }
        byte[] key = c.arg(2);
        byte[] group = c.arg(3);
        boolean needGroup = setid || sub.equals("createconsumer") || sub.equals("delconsumer");
        StreamOps ops = c.db().streams();
        switch (ops.groupCheck(key, group, mkStream, needGroup)) {
            case WRONG_TYPE -> {
                wrongType(c);
                return;
            }
            case NO_KEY -> {
                c.reply().error(XGROUP_NO_KEY);
                return;
            }
            case NO_GROUP -> {
                c.reply().error(noSuchGroupForKey(group, key));
                return;
            }
            default -> {
            }
        }
        if (create && argc >= 5 && argc <= 8) {
            StreamId id = c.argIs(4, "$") && c.arg(4).length == 1 ? null : strictId(c, 4);
            if (ops.createGroup(key, group, id, mkStream, entriesRead) == Status.BUSY_GROUP) {
                c.reply().error(BUSYGROUP);
            } else {
                c.reply().ok();
            }
        } else if (setid && (argc == 5 || argc == 7)) {
            StreamId id = null;
            if (!(c.arg(4).length == 1 && c.arg(4)[0] == '$')) {
                id = StreamId.parse(c.arg(4), 0, false);
                if (id == null) {
                    throw new CommandError(INVALID_ID);
                }
            }
            ops.setGroupId(key, group, id, entriesRead);
            c.reply().ok();
        } else if (sub.equals("destroy") && argc == 4) {
            c.reply().integer(ops.destroyGroup(key, group));
        } else if (sub.equals("createconsumer") && argc == 5) {
            c.reply().integer(ops.createConsumer(key, group, c.arg(4)));
        } else if (sub.equals("delconsumer") && argc == 5) {
            c.reply().integer(ops.deleteConsumer(key, group, c.arg(4)));
        } else {
            throw new CommandError(Errors.subcommandSyntax(c.arg(1), "xgroup"));
        }
    }

    // ---- XREAD XREADGROUP ---------------------------------------------------------------------------

    /**
     * XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...] and XREADGROUP
     * GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id
     * [id ...] (xreadCommand).
     */
    static void xread(CommandContext c) {
        boolean group = c.command().name().equals("xreadgroup");
        long timeout = -1;
        long count = 0;
        int streamsArg = 0;
        int streams = 0;
        boolean noAck = false;
        byte[] groupName = null;
        byte[] consumer = null;
        int argc = c.argc();
        for (int i = 1; i < argc; i++) {
            int more = argc - i - 1;
            if (c.argIs(i, "block") && more > 0) {
                if (c.client().isScriptClient()) {
                    throw new CommandError(format("ERR " + Errors.echo(c.arg(0)) + " command is not allowed with BLOCK option from scripts"));
                }
                i++;
                timeout = Timeouts.millis(c, i);
            } else if (c.argIs(i, "count") && more > 0) {
                i++;
                count = c.longArg(i);
                if (count < 0) {
                    count = 0;
                }
            } else if (c.argIs(i, "streams") && more > 0) {
                streamsArg = i + 1;
                streams = argc - streamsArg;
                if (streams % 2 != 0) {
                    throw new CommandError(UNBALANCED);
                }
                streams /= 2;
                break;
            } else if (c.argIs(i, "group") && more >= 2) {
                if (!group) {
                    throw new CommandError(GROUP_ONLY_XREADGROUP);
                }
                groupName = c.arg(i + 1);
                consumer = c.arg(i + 2);
                i += 2;
            } else if (c.argIs(i, "noack")) {
                if (!group) {
                    throw new CommandError(NOACK_ONLY_XREADGROUP);
                }
                noAck = true;
            } else {
                throw c.syntaxError();
            }
        }
        if (streamsArg == 0) {
            throw c.syntaxError();
        }
        if (group && groupName == null) {
            throw new CommandError(MISSING_GROUP);
        }
        // what a group read changes goes out as XCLAIM and XGROUP forms (propagateGroupRead)
        c.preventPropagation();
        StreamOps ops = c.db().streams();
        // null: ">" (XREADGROUP's new entries)
        StreamId[] ids = new StreamId[streams];
        for (int k = 0; k < streams; k++) {
            byte[] key = c.arg(streamsArg + k);
            byte[] idArg = c.arg(streamsArg + streams + k);
            StreamValue s = ops.read(key);
            if (s == StreamOps.WRONG_TYPE) {
                wrongType(c);
                return;
            }
            if (groupName != null && (s == null || s.group(groupName) == null)) {
                c.reply().error(format("NOGROUP No such key '" + Errors.echo(key) + "' or consumer group '"
                        + Errors.echo(groupName) + "' in XREADGROUP with GROUP option"));
                return;
            }
            if (idArg.length == 1 && idArg[0] == '$') {
                if (group) {
                    throw new CommandError(DOLLAR_IN_XREADGROUP);
                }
                ids[k] = s == null ? StreamId.MIN : s.lastId();
                continue;
            }
            if (idArg.length == 1 && idArg[0] == '>') {
                if (!group) {
                    throw new CommandError(GT_IN_XREAD);
                }
                ids[k] = null;
                continue;
            }
            ids[k] = strictId(c, streamsArg + streams + k);
            if (group && ids[k].equals(StreamId.MAX)) {
                // Redis marks ">" with the largest ID: given explicitly, it reads as ">" too
                ids[k] = null;
            }
        }
        List<byte[]> servedKeys = new ArrayList<>();
        List<List<Entry>> served = new ArrayList<>();
        for (int k = 0; k < streams; k++) {
            byte[] key = c.arg(streamsArg + k);
            StreamValue s = ops.read(key);
            if (s == null) {
                continue;
            }
            List<Entry> out;
            if (groupName != null) {
                Group g = s.group(groupName);
                boolean hadConsumer = g.consumers().containsKey(consumer);
                out = ops.readGroup(key, groupName, consumer, ids[k], count, noAck, true, x -> true);
                if (out != null && c.propagating()) {
                    propagateGroupRead(c::alsoPropagate, key, groupName, consumer, g,
                            !hadConsumer, ids[k] == null, noAck, out);
                }
            } else {
                out = s.length() > 0 && s.lastValidId().compareTo(ids[k]) > 0 ? s.after(ids[k], count) : null;
            }
            if (out != null) {
                servedKeys.add(key);
                served.add(out);
            }
        }
        Reply r = c.reply();
        if (!servedKeys.isEmpty()) {
            replyRead(r, servedKeys, served);
            return;
        }
        if (timeout != -1) {
            if (!c.canDefer()) {
                r.nullArray();
                return;
            }
            StreamWaiter.block(c, streamsArg, streams, timeout, ids, count == 0 ? BLOCKED_DEFAULT_COUNT : count,
                    groupName, consumer, noAck);
            return;
        }
        r.nullArray();
    }

    /** XREAD's reply: per key [key, entries] (RESP2), or a map key -> entries (RESP3). */
    static void replyRead(Reply r, List<byte[]> keys, List<List<Entry>> entries) {
        if (r.isResp3()) {
            r.map(keys.size());
        } else {
            r.array(keys.size());
        }
        for (int i = 0; i < keys.size(); i++) {
            if (!r.isResp3()) {
                r.array(2);
            }
            r.bulk(keys.get(i));
            replyEntries(r, entries.get(i));
        }
    }

    // ---- XACK XPENDING XCLAIM XAUTOCLAIM ---------------------------------------------------------

    /** XACK key group id [id ...] */
    static void xack(CommandContext c) {
        StreamValue s = c.db().streams().read(c.arg(1));
        if (s == StreamOps.WRONG_TYPE) {
            wrongType(c);
            return;
        }
        if (s == null || s.group(c.arg(2)) == null) {
            c.reply().integer(0);
            return;
        }
        StreamId[] ids = new StreamId[c.argc() - 3];
        for (int j = 3; j < c.argc(); j++) {
            ids[j - 3] = strictId(c, j);
        }
        c.reply().integer(c.db().streams().ack(c.arg(1), c.arg(2), ids));
    }

    /** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
    static void xpending(CommandContext c) {
        int argc = c.argc();
        boolean justInfo = argc == 3;
        if (argc != 3 && (argc < 6 || argc > 9)) {
            throw c.syntaxError();
        }
        StreamId start = null;
        StreamId end = null;
        long count = 0;
        long minIdle = 0;
        byte[] consumerName = null;
        if (argc >= 6) {
            int startIdx = 3;
            if (c.argIs(3, "idle")) {
                minIdle = c.longArg(4);
                if (argc < 8) {
                    throw c.syntaxError();
                }
                startIdx += 2;
            }
            count = c.longArg(startIdx + 2);
            if (count < 0) {
                count = 0;
            }
            start = intervalId(c, startIdx, 0, true);
            end = intervalId(c, startIdx + 1, -1L, false);
            if (startIdx + 3 < argc) {
                consumerName = c.arg(startIdx + 3);
            }
        }
        StreamValue s = c.db().streams().read(c.arg(1));
        if (s == StreamOps.WRONG_TYPE) {
            wrongType(c);
            return;
        }
        Group g = s == null ? null : s.group(c.arg(2));
        if (g == null) {
            c.reply().error(noGroup(c.arg(1), c.arg(2)));
            return;
        }
        Reply r = c.reply();
        if (justInfo) {
            r.array(4);
            r.integer(g.pel().size());
            if (g.pel().isEmpty()) {
                r.nullBulk();
                r.nullBulk();
                r.nullArray();
                return;
            }
            replyId(r, g.pel().firstKey());
            replyId(r, g.pel().lastKey());
            List<StreamValue.Consumer> owners = new ArrayList<>();
            for (StreamValue.Consumer sc : g.consumers().values()) {
                if (!sc.pel().isEmpty()) {
                    owners.add(sc);
                }
            }
            r.array(owners.size());
            for (StreamValue.Consumer sc : owners) {
                r.array(2);
                r.bulk(sc.name());
                r.bulk(Long.toString(sc.pel().size()));
            }
            return;
        }
        java.util.TreeMap<StreamId, Nack> pel;
        if (consumerName != null) {
            StreamValue.Consumer sc = g.consumers().get(consumerName);
            if (sc == null) {
                r.emptyArray();
                return;
            }
            pel = sc.pel();
        } else {
            pel = g.pel();
        }
        long now = System.currentTimeMillis();
        List<Map.Entry<StreamId, Nack>> rows = new ArrayList<>();
        if (start.compareTo(end) <= 0) {
            for (Map.Entry<StreamId, Nack> e : pel.subMap(start, true, end, true).entrySet()) {
                if (count == 0) {
                    break;
                }
                if (minIdle != 0 && now - e.getValue().deliveryTime() < minIdle) {
                    continue;
                }
                rows.add(e);
                count--;
            }
        }
        r.array(rows.size());
        for (Map.Entry<StreamId, Nack> e : rows) {
            r.array(4);
            replyId(r, e.getKey());
            r.bulk(e.getValue().consumer().name());
            r.integer(Math.max(0, now - e.getValue().deliveryTime()));
            r.integer(e.getValue().deliveryCount());
        }
    }

    /**
     * XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds]
     * [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
     */
    static void xclaim(CommandContext c) {
        StreamValue s = c.db().streams().read(c.arg(1));
        if (s == StreamOps.WRONG_TYPE) {
            wrongType(c);
            return;
        }
        if (s == null || s.group(c.arg(2)) == null) {
            c.reply().error(noGroup(c.arg(1), c.arg(2)));
            return;
        }
        long minIdle = c.longArg(4, "ERR Invalid min-idle-time argument for XCLAIM");
        if (minIdle < 0) {
            minIdle = 0;
        }
        int j = 5;
        List<StreamId> ids = new ArrayList<>();
        for (; j < c.argc(); j++) {
            StreamId id = StreamId.parse(c.arg(j), 0, true);
            if (id == null) {
                break;
            }
            ids.add(id);
        }
        long now = System.currentTimeMillis();
        long deliveryTime = -1;
        long retryCount = -1;
        boolean force = false;
        boolean justId = false;
        StreamId lastId = null;
        for (; j < c.argc(); j++) {
            int more = c.argc() - 1 - j;
            if (c.argIs(j, "force")) {
                force = true;
            } else if (c.argIs(j, "justid")) {
                justId = true;
            } else if (c.argIs(j, "idle") && more > 0) {
                j++;
                deliveryTime = now - c.longArg(j, "ERR Invalid IDLE option argument for XCLAIM");
            } else if (c.argIs(j, "time") && more > 0) {
                j++;
                deliveryTime = c.longArg(j, "ERR Invalid TIME option argument for XCLAIM");
            } else if (c.argIs(j, "retrycount") && more > 0) {
                j++;
                retryCount = c.longArg(j, "ERR Invalid RETRYCOUNT option argument for XCLAIM");
            } else if (c.argIs(j, "lastid") && more > 0) {
                j++;
                lastId = strictId(c, j);
            } else {
                throw new CommandError(format("ERR Unrecognized XCLAIM option '" + Errors.echo(c.arg(j)) + "'"));
            }
        }
        if (deliveryTime != -1) {
            if (deliveryTime < 0 || deliveryTime > now) {
                deliveryTime = now;
            }
        } else {
            deliveryTime = now;
        }
        // each pending entry claimed or dropped goes out as an XCLAIM of its own (xclaimForm)
        c.preventPropagation();
        Group g = s.group(c.arg(2));
        StreamId lastBefore = g.lastId();
        boolean[] propagated = {false};
        StreamOps.PendingChange changes = null;
        if (c.propagating()) {
            changes = (index, id, nack) -> {
                propagated[0] = true;
                c.alsoPropagate(xclaimForm(c.arg(1), c.arg(2), c.arg(5 + index), nack, g.lastId()));
            };
        }
        List<Entry> claimed = c.db().streams().claim(c.arg(1), c.arg(2), c.arg(3), minIdle,
                ids.toArray(new StreamId[0]), deliveryTime, retryCount, force, justId, lastId, changes);
        if (changes != null && !propagated[0] && g.lastId().compareTo(lastBefore) > 0) {
            // LASTID moved the group and no XCLAIM carries it
            c.alsoPropagate(setIdForm(c.arg(1), c.arg(2), g));
        }
        Reply r = c.reply();
        r.array(claimed.size());
        for (Entry d : claimed) {
            if (justId) {
                replyId(r, d.id());
            } else {
                replyEntry(r, d.id(), d.fieldsAndValues());
            }
        }
    }

    /** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
    static void xautoclaim(CommandContext c) {
        long minIdle = c.longArg(4, "ERR Invalid min-idle-time argument for XAUTOCLAIM");
        if (minIdle < 0) {
            minIdle = 0;
        }
        StreamId start = intervalId(c, 5, 0, true);
        long count = 100;
        boolean justId = false;
        // LONG_MAX / max(sizeof(streamID), attempts_factor)
        long maxCount = Long.MAX_VALUE / 16;
        for (int j = 6; j < c.argc(); j++) {
            int more = c.argc() - 1 - j;
            if (c.argIs(j, "count") && more > 0) {
                count = c.longArg(j + 1, "ERR COUNT must be > 0");
                if (count < 1 || count > maxCount) {
                    throw new CommandError("ERR COUNT must be > 0");
                }
                j++;
            } else if (c.argIs(j, "justid")) {
                justId = true;
            } else {
                throw c.syntaxError();
            }
        }
        StreamValue s = c.db().streams().read(c.arg(1));
        if (s == StreamOps.WRONG_TYPE) {
            wrongType(c);
            return;
        }
        if (s == null || s.group(c.arg(2)) == null) {
            c.reply().error(noGroup(c.arg(1), c.arg(2)));
            return;
        }
        // each pending entry claimed or dropped goes out as an XCLAIM of its own (xclaimForm)
        c.preventPropagation();
        Group g = s.group(c.arg(2));
        StreamOps.PendingChange changes = null;
        if (c.propagating()) {
            changes = (index, id, nack) -> c.alsoPropagate(xclaimForm(c.arg(1), c.arg(2), id.toBytes(), nack, g.lastId()));
        }
        StreamOps.AutoClaimed a = c.db().streams().autoClaim(c.arg(1), c.arg(2), c.arg(3), minIdle, start, count, justId, changes);
        Reply r = c.reply();
        r.array(3);
        replyId(r, a.next());
        r.array(a.claimed().size());
        for (Entry d : a.claimed()) {
            if (justId) {
                replyId(r, d.id());
            } else {
                replyEntry(r, d.id(), d.fieldsAndValues());
            }
        }
        r.array(a.deleted().size());
        for (StreamId id : a.deleted()) {
            replyId(r, id);
        }
    }

    // ---- XINFO -----------------------------------------------------------------------------------

    private static final List<String> XINFO_HELP = List.of(
            "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.",
            "HELP",
            "    Prints this help.");

    /** XINFO HELP */
    static void xinfoHelp(CommandContext c) {
        ServerCommands.help(c.reply(), XINFO_HELP);
    }

    /** XINFO STREAM key [FULL [COUNT count]], XINFO GROUPS key, XINFO CONSUMERS key group (xinfoCommand) */
    static void xinfo(CommandContext c) {
        String sub = c.command().name();
        byte[] key = c.arg(2);
        StreamValue s = c.db().streams().read(key);
        if (s == null) {
            c.reply().error(Errors.NO_SUCH_KEY);
            return;
        }
        if (s == StreamOps.WRONG_TYPE) {
            wrongType(c);
            return;
        }
        Reply r = c.reply();
        switch (sub) {
            case "consumers" -> {
                if (c.argc() != 4) {
                    throw new CommandError(Errors.subcommandSyntax(c.arg(1), "xinfo"));
                }
                Group g = s.group(c.arg(3));
                if (g == null) {
                    r.error(noSuchGroupForKey(c.arg(3), key));
                    return;
                }
                long now = System.currentTimeMillis();
                r.array(g.consumers().size());
                for (StreamValue.Consumer sc : g.consumers().values()) {
                    r.map(3);
                    r.bulk("name");
                    r.bulk(sc.name());
                    r.bulk("pending");
                    r.integer(sc.pel().size());
                    r.bulk("idle");
                    r.integer(Math.max(0, now - sc.seenTime()));
                }
            }
            case "groups" -> {
                if (c.argc() != 3) {
                    throw new CommandError(Errors.subcommandSyntax(c.arg(1), "xinfo"));
                }
                r.array(s.groupCount());
                for (Group g : s.groups()) {
                    r.map(6);
                    r.bulk("name");
                    r.bulk(g.name());
                    r.bulk("consumers");
                    r.integer(g.consumers().size());
                    r.bulk("pending");
                    r.integer(g.pel().size());
                    r.bulk("last-delivered-id");
                    replyId(r, g.lastId());
                    r.bulk("entries-read");
                    replyEntriesRead(r, g);
                    r.bulk("lag");
                    replyLag(r, s, g);
                }
            }
            default -> xinfoStream(c, s);
        }
    }

    private static void replyEntriesRead(Reply r, Group g) {
        if (g.entriesRead() != StreamValue.INVALID_ENTRIES_READ) {
            r.integer(g.entriesRead());
        } else {
            r.nullBulk();
        }
    }

    private static void replyLag(Reply r, StreamValue s, Group g) {
        Long lag = s.lag(g);
        if (lag == null) {
            r.nullBulk();
        } else {
            r.integer(lag);
        }
    }

    /** xinfoReplyWithStreamInfo */
    private static void xinfoStream(CommandContext c, StreamValue s) {
        boolean full = true;
        long count = 10;
        int optc = c.argc() - 3;
        if (optc == 0) {
            full = false;
        } else {
            if (optc != 1 && optc != 3) {
                throw new CommandError(Errors.subcommandSyntax(c.arg(1), "xinfo"));
            }
            if (!c.argIs(3, "full")) {
                throw new CommandError(Errors.subcommandSyntax(c.arg(1), "xinfo"));
            }
            if (optc == 3) {
                if (!c.argIs(4, "count")) {
                    throw new CommandError(Errors.subcommandSyntax(c.arg(1), "xinfo"));
                }
                count = c.longArg(5);
                if (count < 0) {
                    count = 10;
                }
            }
        }
        Reply r = c.reply();
        r.map(full ? 9 : 10);
        r.bulk("length");
        r.integer(s.length());
        r.bulk("radix-tree-keys");
        r.integer(s.nodeCount());
        r.bulk("radix-tree-nodes");
        r.integer(s.radixTreeNodes());
        r.bulk("last-generated-id");
        replyId(r, s.lastId());
        r.bulk("max-deleted-entry-id");
        replyId(r, s.maxDeletedId());
        r.bulk("entries-added");
        r.integer(s.entriesAdded());
        r.bulk("recorded-first-entry-id");
        replyId(r, s.firstId());
        if (!full) {
            r.bulk("groups");
            r.integer(s.groupCount());
            List<Entry> first = s.range(StreamId.MIN, StreamId.MAX, false, 1);
            r.bulk("first-entry");
            if (first.isEmpty()) {
                r.nullBulk();
            } else {
                replyEntry(r, first.get(0).id(), first.get(0).fieldsAndValues());
            }
            List<Entry> last = s.range(StreamId.MIN, StreamId.MAX, true, 1);
            r.bulk("last-entry");
            if (last.isEmpty()) {
                r.nullBulk();
            } else {
                replyEntry(r, last.get(0).id(), last.get(0).fieldsAndValues());
            }
            return;
        }
        r.bulk("entries");
        replyEntries(r, s.range(StreamId.MIN, StreamId.MAX, false, count));
        r.bulk("groups");
        r.array(s.groupCount());
        for (Group g : s.groups()) {
            r.map(7);
            r.bulk("name");
            r.bulk(g.name());
            r.bulk("last-delivered-id");
            replyId(r, g.lastId());
            r.bulk("entries-read");
            replyEntriesRead(r, g);
            r.bulk("lag");
            replyLag(r, s, g);
            r.bulk("pel-count");
            r.integer(g.pel().size());
            r.bulk("pending");
            int n = (int) (count == 0 ? g.pel().size() : Math.min(count, g.pel().size()));
            r.array(n);
            int k = 0;
            for (Map.Entry<StreamId, Nack> e : g.pel().entrySet()) {
                if (k++ == n) {
                    break;
                }
                r.array(4);
                replyId(r, e.getKey());
                r.bulk(e.getValue().consumer().name());
                r.integer(e.getValue().deliveryTime());
                r.integer(e.getValue().deliveryCount());
            }
            r.bulk("consumers");
            r.array(g.consumers().size());
            for (StreamValue.Consumer sc : g.consumers().values()) {
                r.map(4);
                r.bulk("name");
                r.bulk(sc.name());
                r.bulk("seen-time");
                r.integer(sc.seenTime());
                r.bulk("pel-count");
                r.integer(sc.pel().size());
                r.bulk("pending");
                int m = (int) (count == 0 ? sc.pel().size() : Math.min(count, sc.pel().size()));
                r.array(m);
                int q = 0;
                for (Map.Entry<StreamId, Nack> e : sc.pel().entrySet()) {
                    if (q++ == m) {
                        break;
                    }
                    r.array(3);
                    replyId(r, e.getKey());
                    r.integer(e.getValue().deliveryTime());
                    r.integer(e.getValue().deliveryCount());
                }
            }
        }
    }
}
