package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.CACHEABLE;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.config.Option;
import io.damselfly.server.keyspace.BitmapOps;
import io.damselfly.server.keyspace.BitmapOps.FieldOp;
import io.damselfly.server.keyspace.BitmapOps.FieldResults;
import io.damselfly.server.keyspace.LongResult;
import io.damselfly.server.keyspace.Numbers;
import io.damselfly.server.keyspace.StringView;
import java.util.ArrayList;
import java.util.List;

/**
 * Bitmap commands (Redis group "bitmap"), as bitops.c of Redis 7.0 implements them: SETBIT GETBIT
 * BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO. They parse and reply; {@link BitmapOps} does the work.
 * The order of checks is Redis's, since it decides which error a bad request gets: BITCOUNT and
 * BITPOS look the key up before they parse their range (a missing key answers 0, or BITPOS's
 * -1/0, whatever follows), the others parse everything first.
 *
 * <p>The reads are CACHEABLE, as GET is: their reply depends only on the key's string, which the
 * near-cache holds whole.
 */
public final class BitmapCommands {
    private BitmapCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("setbit", BitmapCommands::setbit);
        t.add("getbit", BitmapCommands::getbit, CACHEABLE);
        t.add("bitcount", BitmapCommands::bitcount, CACHEABLE);
        t.add("bitpos", BitmapCommands::bitpos, CACHEABLE);
        t.add("bitop", BitmapCommands::bitop);
        t.add("bitfield", BitmapCommands::bitfield);
        t.add("bitfield_ro", BitmapCommands::bitfieldRo, CACHEABLE);
    }

    // the error texts of bitops.c
    static final String BIT_OFFSET = "ERR bit offset is not an integer or out of range";
    static final String BIT_VALUE = "ERR bit is not an integer or out of range";
    static final String BIT_ARGUMENT = "ERR The bit argument must be 1 or 0.";
    static final String BITOP_NOT_ONE_KEY = "ERR BITOP NOT must be called with a single source key.";
    static final String BITFIELD_TYPE =
            "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
    static final String BITFIELD_OVERFLOW = "ERR Invalid OVERFLOW type specified";
    static final String BITFIELD_RO_GET_ONLY = "ERR BITFIELD_RO only supports the GET subcommand";

    /** SETBIT key offset value */
    static void setbit(CommandContext c) {
        long offset = bitOffset(c, 2, 0);
        long on = c.longArg(3, BIT_VALUE);
        if ((on & ~1L) != 0) {
            throw new CommandError(BIT_VALUE);
        }
        replyInteger(c, c.db().bitmaps().setBit(c.arg(1), offset, (int) on));
    }

    /** GETBIT key offset */
    static void getbit(CommandContext c) {
        long offset = bitOffset(c, 2, 0);
        replyInteger(c, c.db().bitmaps().getBit(c.arg(1), offset));
    }

    /** BITCOUNT key [start end [BYTE | BIT]] */
    static void bitcount(CommandContext c) {
        StringView v = c.db().bitmaps().read(c.arg(1));
        if (v == null) {
            c.reply().integer(0);
            return;
        }
        if (v == StringView.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        int argc = c.argc();
        if (argc == 2) {
            c.reply().integer(BitmapOps.count(v, 0, -1, false));
            return;
        }
        if (argc != 4 && argc != 5) {
            throw c.syntaxError();
        }
        long start = c.longArg(2);
        long end = c.longArg(3);
        if (start < 0 && end < 0 && start > end) {
            c.reply().integer(0);
            return;
        }
        boolean inBits = argc == 5 && inBits(c, 4);
        c.reply().integer(BitmapOps.count(v, start, end, inBits));
    }

    /** BITPOS key bit [start [end [BYTE | BIT]]] */
    static void bitpos(CommandContext c) {
        long bit = c.longArg(2);
        if (bit != 0 && bit != 1) {
            throw new CommandError(BIT_ARGUMENT);
        }
        StringView v = c.db().bitmaps().read(c.arg(1));
        if (v == null) {
            // a missing key is an endless run of zeros
            c.reply().integer(bit == 1 ? -1 : 0);
            return;
        }
        if (v == StringView.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        int argc = c.argc();
        if (argc == 3) {
            c.reply().integer(BitmapOps.position(v, (int) bit, 0, -1, false, false));
            return;
        }
        if (argc > 6) {
            throw c.syntaxError();
        }
        long start = c.longArg(3);
        // as Redis: the unit is read before the end
        boolean inBits = argc == 6 && inBits(c, 5);
        boolean endGiven = argc >= 5;
        long end = endGiven ? c.longArg(4) : -1;
        c.reply().integer(BitmapOps.position(v, (int) bit, start, end, endGiven, inBits));
    }

    /** BITOP AND | OR | XOR | NOT destkey key [key ...] */
    static void bitop(CommandContext c) {
        int op;
        if (c.argIs(1, "and")) {
            op = BitmapOps.AND;
        } else if (c.argIs(1, "or")) {
            op = BitmapOps.OR;
        } else if (c.argIs(1, "xor")) {
            op = BitmapOps.XOR;
        } else if (c.argIs(1, "not")) {
            op = BitmapOps.NOT;
        } else {
            throw c.syntaxError();
        }
        if (op == BitmapOps.NOT && c.argc() != 4) {
            throw new CommandError(BITOP_NOT_ONE_KEY);
        }
        replyInteger(c, c.db().bitmaps().bitop(op, c.arg(2), c.argv(), 3));
    }

    /**
     * BITFIELD key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL] SET encoding offset value |
     * INCRBY encoding offset increment ...]
     */
    static void bitfield(CommandContext c) {
        bitfield(c, false);
    }

    /** BITFIELD_RO key [GET encoding offset ...] */
    static void bitfieldRo(CommandContext c) {
        bitfield(c, true);
    }

    private static void bitfield(CommandContext c, boolean readOnly) {
        List<FieldOp> ops = new ArrayList<>();
        int overflow = BitmapOps.WRAP;
        boolean writes = false;
        int argc = c.argc();
        for (int j = 2; j < argc; j++) {
            int remaining = argc - j - 1;
            int kind;
            if (c.argIs(j, "get") && remaining >= 2) {
                kind = BitmapOps.GET;
            } else if (c.argIs(j, "set") && remaining >= 3) {
                kind = BitmapOps.SET;
            } else if (c.argIs(j, "incrby") && remaining >= 3) {
                kind = BitmapOps.INCRBY;
            } else if (c.argIs(j, "overflow") && remaining >= 1) {
                j++;
                if (c.argIs(j, "wrap")) {
                    overflow = BitmapOps.WRAP;
                } else if (c.argIs(j, "sat")) {
                    overflow = BitmapOps.SAT;
                } else if (c.argIs(j, "fail")) {
                    overflow = BitmapOps.FAIL;
                } else {
                    throw new CommandError(BITFIELD_OVERFLOW);
                }
                continue;
            } else {
                throw c.syntaxError();
            }
            byte[] type = c.arg(j + 1);
            boolean signed = type.length > 0 && type[0] == 'i';
            int bits = fieldBits(type);
            long offset = bitOffset(c, j + 2, bits);
            long value = 0;
            if (kind != BitmapOps.GET) {
                writes = true;
                value = c.longArg(j + 3);
            }
            ops.add(new FieldOp(kind, signed, bits, offset, value, overflow));
            j += kind == BitmapOps.GET ? 2 : 3;
        }
        if (readOnly && writes) {
            throw new CommandError(BITFIELD_RO_GET_ONLY);
        }
        FieldResults r = c.db().bitmaps().bitfield(c.arg(1), ops);
        switch (r.status()) {
            case OK -> {
                c.reply().array(ops.size());
                for (int i = 0; i < ops.size(); i++) {
                    if (r.failed()[i]) {
                        c.reply().nullBulk();
                    } else {
                        c.reply().integer(r.values()[i]);
                    }
                }
            }
            case WRONG_TYPE -> c.reply().error(Errors.WRONGTYPE);
            default -> throw new IllegalStateException("unexpected " + r.status());
        }
    }

    /**
     * The width of a field type: 'i' and 1..64, or 'u' and 1..63 (an unsigned 64-bit value would
     * not fit the reply's signed integer). The digits end at a NUL, as Redis reads them with strlen.
     */
    private static int fieldBits(byte[] type) {
        if (type.length == 0 || (type[0] != 'i' && type[0] != 'u')) {
            throw new CommandError(BITFIELD_TYPE);
        }
        int end = 1;
        while (end < type.length && type[end] != 0) {
            end++;
        }
        Long bits = Numbers.parseCanonicalLong(type, 1, end - 1);
        if (bits == null || bits < 1 || bits > (type[0] == 'i' ? 64 : 63)) {
            throw new CommandError(BITFIELD_TYPE);
        }
        return bits.intValue();
    }

    /**
     * Redis's getBitOffsetFromArgument: a bit offset, or with {@code hashBits} > 0 also "#N", the
     * N-th field of that width; it must address a byte below the string length limit.
     */
    private static long bitOffset(CommandContext c, int i, int hashBits) {
        byte[] a = c.arg(i);
        boolean hash = hashBits > 0 && a.length > 0 && a[0] == '#';
        Long parsed = hash ? Numbers.parseCanonicalLong(a, 1, a.length - 1) : Numbers.parseLong(a);
        if (parsed == null) {
            throw new CommandError(BIT_OFFSET);
        }
        long offset = hash ? parsed * hashBits : parsed;
        if (offset < 0 || (offset >>> 3) >= maxStringLength(c)) {
            throw new CommandError(BIT_OFFSET);
        }
        return offset;
    }

    /** BITCOUNT's and BITPOS's unit: BIT, or BYTE (the default); anything else is a syntax error. */
    private static boolean inBits(CommandContext c, int i) {
        if (c.argIs(i, "bit")) {
            return true;
        }
        if (c.argIs(i, "byte")) {
            return false;
        }
        throw c.syntaxError();
    }

    /** The string length limit, as StringCommands bounds APPEND and SETRANGE: proto-max-bulk-len. */
    private static long maxStringLength(CommandContext c) {
        return Math.min(c.server().config().getLong(Option.PROTO_MAX_BULK_LEN), MAX_ARRAY_LENGTH);
    }

    /** The largest byte[] HotSpot allocates reliably, less a field's eight bytes past the last offset. */
    private static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 16;

    private static void replyInteger(CommandContext c, LongResult r) {
        switch (r.status()) {
            case OK -> c.reply().integer(r.value());
            case WRONG_TYPE -> c.reply().error(Errors.WRONGTYPE);
            default -> throw new IllegalStateException("unexpected " + r.status());
        }
    }
}
