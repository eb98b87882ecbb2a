package io.damselfly.server.keyspace;

/**
 * The HyperLogLog operations of one {@link Database} (Redis's hyperloglog.c, below the reply
 * layer). A HyperLogLog is a string in {@link HyperLogLog}'s format; these operations find it,
 * check it, and write it back through the string write path.
 *
 * <p>Writes follow the commands of Redis 7.0.15. A key written here is first made growable
 * ({@link StringOps#growable}, as Redis's dbUnshareStringValue turns the string raw), then changed
 * through {@link Database#changeInPlace}: a dense HLL in its own buffer (12304 bytes, under
 * the size replies lend, so never lent), a sparse one as a new buffer from a working copy. PFADD
 * and PFMERGE are "pfadd" events; PFCOUNT storing a recomputed cardinality is signalled (WATCH,
 * client tracking) but not notified ({@link KeyEvent#PFCOUNT_CACHE}), as pfcountCommand does;
 * a PFADD that stops at a corrupt sparse form leaves the registers it already raised without any
 * signal, as Redis leaves them, and PFDEBUG's conversions are quiet too (counted as a change
 * only, as Redis counts them). A PFADD counts a change per register it raised (and one for
 * creating the key), as Redis does.
 */
public final class HyperLogLogOps {
    /** What stopped an operation, for the command layer to word. */
    public enum Status {
        OK,
        /** The key holds another type than string. */
        WRONG_TYPE,
        /** A string that is not a HyperLogLog ("WRONGTYPE Key is not a valid HyperLogLog string value."). */
        NOT_HLL,
        /** A sparse HyperLogLog whose opcodes do not cover its registers ("INVALIDOBJ Corrupted HLL object detected"). */
        CORRUPT,
        /** PFDEBUG on a missing key. */
        NO_KEY,
        /** PFDEBUG DECODE of a dense HyperLogLog. */
        NOT_SPARSE
    }

    /** A status with a number (PFADD's 0 or 1, a cardinality, PFDEBUG TODENSE's 0 or 1, PFDEBUG ENCODING's encoding). */
    public record Counted(Status status, long value) {
        static Counted ok(long value) {
            return new Counted(Status.OK, value);
        }

        static Counted failed(Status status) {
            return new Counted(status, 0);
        }
    }

    /** PFDEBUG GETREG's registers, or the status that stopped it. */
    public record Registers(Status status, int[] registers) {
    }

    /** PFDEBUG DECODE's text, or the status that stopped it. */
    public record Decoded(Status status, String text) {
    }

    /** PFDEBUG ENCODING's answer for a dense HyperLogLog ({@link Counted#value()}). */
    public static final int DENSE = HyperLogLog.DENSE;
    /** PFDEBUG ENCODING's answer for a sparse HyperLogLog. */
    public static final int SPARSE = HyperLogLog.SPARSE;

    private final Database db;

    HyperLogLogOps(Database db) {
        this.db = db;
    }

    /**
     * The status of a string entry as an HLL (isHLLObjectOrReply): OK, WRONG_TYPE or NOT_HLL.
     */
    private Status check(Object e) {
        StringView v = db.viewOf(e);
        if (v == StringView.WRONG_TYPE) {
            return Status.WRONG_TYPE;
        }
        int len = v.length();
        if (len < HyperLogLog.HEADER) {
            return Status.NOT_HLL;
        }
        byte[] a = v.array();
        int off = v.offset();
        if (a == null) {
            // a string record (at most 16 KiB): its header and length are all that is checked
            a = new byte[HyperLogLog.HEADER];
            v.buffer().get(off, a, 0, HyperLogLog.HEADER);
            off = 0;
        }
        return HyperLogLog.isValid(a, off, HyperLogLog.HEADER, len) ? Status.OK : Status.NOT_HLL;
    }

    /** The growable form of an HLL entry found valid, as dbUnshareStringValue makes it before a command works on it. */
    private ObjectEntry entryOf(byte[] key, Object e) {
        return db.strings().growable(key, e);
    }

    /** A new key holding an HLL's bytes, as a raw string (createHLLObject makes it raw). */
    private void insert(byte[] key, HyperLogLog h, KeyEvent event) {
        db.insert(key, ObjectEntry.of(key, StringValue.raw(h.toByteArray()), Database.NO_EXPIRY, db.initialAccess()), event);
    }

    // ---- PFADD ------------------------------------------------------------------------------

    /**
     * PFADD key element...: 1 when the key was created or a register rose, else 0; WRONG_TYPE,
     * NOT_HLL or CORRUPT.
     */
    public Counted add(byte[] key, byte[][] args, int from) {
        long sparseMax = db.keyspace().hllSparseMaxBytes();
        Object e = db.find(key);
        if (e == null) {
            HyperLogLog h = HyperLogLog.empty();
            int raised = 0;
            for (int i = from; i < args.length; i++) {
                raised += h.add(args[i], sparseMax);
            }
            h.invalidateCache();
            insert(key, h, KeyEvent.PFADD);
            // as Redis: the creation and each element that raised a register
            db.countChanges(key, 1 + raised);
            return Counted.ok(1);
        }
        Status s = check(e);
        if (s != Status.OK) {
            return Counted.failed(s);
        }
        ObjectEntry o = entryOf(key, e);
        StringValue value = (StringValue) o.value;
        if (value.array()[4] == HyperLogLog.DENSE) {
            return Counted.ok(addDense(key, o, value, args, from));
        }
        HyperLogLog h = HyperLogLog.copyOf(value.array(), 0, value.length());
        int updated = 0;
        for (int i = from; i < args.length; i++) {
            int r = h.add(args[i], sparseMax);
            if (r == HyperLogLog.CORRUPT) {
                if (updated > 0 || h.length() != value.length()) {
                    // what was raised before the corrupt part stays, unsignalled, as in Redis
                    db.changeQuietly(key, o, () -> value.replace(h.bytes(), h.length()));
                }
                return Counted.failed(Status.CORRUPT);
            }
            updated += r;
        }
        if (updated == 0) {
            return Counted.ok(0);
        }
        h.invalidateCache();
        db.changeInPlace(key, o, () -> value.replace(h.bytes(), h.length()), KeyEvent.PFADD);
        db.countChanges(key, updated);
        return Counted.ok(1);
    }

    /**
     * PFADD into a dense HLL, in its buffer: the elements before the first that raises a
     * register change nothing, so the write starts there, and none is a read only.
     */
    private int addDense(byte[] key, ObjectEntry o, StringValue value, byte[][] args, int from) {
        byte[] a = value.array();
        int firstPattern = 0;
        int i = from;
        for (; i < args.length; i++) {
            int pattern = HyperLogLog.pattern(args[i]);
            if ((pattern & 0xff) > HyperLogLog.denseRegister(a, HyperLogLog.HEADER, pattern >>> 8)) {
                firstPattern = pattern;
                break;
            }
        }
        if (i == args.length) {
            return 0;
        }
        int start = i;
        int raised = firstPattern;
        int updated = db.changeInPlace(key, o, () -> {
            byte[] w = value.writableArray();
            int n = HyperLogLog.denseSet(w, 0, raised >>> 8, raised & 0xff);
            for (int j = start + 1; j < args.length; j++) {
                int pattern = HyperLogLog.pattern(args[j]);
                n += HyperLogLog.denseSet(w, 0, pattern >>> 8, pattern & 0xff);
            }
            HyperLogLog.invalidateCache(w, 0);
            return n;
        }, KeyEvent.PFADD);
        db.countChanges(key, updated);
        return 1;
    }

    // ---- PFCOUNT ----------------------------------------------------------------------------

    /**
     * PFCOUNT key: the cached cardinality when valid, else the estimate, stored in the cache
     * (a signalled, unnotified change); 0 for a missing key; WRONG_TYPE, NOT_HLL or CORRUPT.
     */
    public Counted count(byte[] key) {
        Object e = db.read(key);
        if (e == null) {
            return Counted.ok(0);
        }
        Status s = check(e);
        if (s != Status.OK) {
            return Counted.failed(s);
        }
        ObjectEntry o = entryOf(key, e);
        StringValue value = (StringValue) o.value;
        byte[] a = value.array();
        if (HyperLogLog.cacheValid(a, 0)) {
            return Counted.ok(HyperLogLog.cachedCardinality(a, 0));
        }
        long card = HyperLogLog.count(a, 0, value.length());
        if (card == HyperLogLog.CORRUPT) {
            return Counted.failed(Status.CORRUPT);
        }
        db.changeInPlace(key, o, () -> {
            HyperLogLog.setCachedCardinality(value.writableArray(), 0, card);
            return 0;
        }, KeyEvent.PFCOUNT_CACHE);
        return Counted.ok(card);
    }

    /**
     * PFCOUNT key key...: the estimate of the union, merged into a scratch array of one byte per
     * register; missing keys count as empty; nothing is written.
     */
    public Counted countUnion(byte[][] keys, int from) {
        byte[] max = new byte[HyperLogLog.REGISTERS];
        for (int i = from; i < keys.length; i++) {
            Status s = mergeInto(max, keys[i]);
            if (s != Status.OK) {
                return Counted.failed(s);
            }
        }
        return Counted.ok(HyperLogLog.countRaw(max));
    }

    /** Merges one key's registers into {@code max}: OK (also for a missing key), or what stopped it. */
    private Status mergeInto(byte[] max, byte[] key) {
        return mergeInto(max, key, null);
    }

    private Status mergeInto(byte[] max, byte[] key, boolean[] dense) {
        Object e = db.read(key);
        if (e == null) {
            return Status.OK;
        }
        Status s = check(e);
        if (s != Status.OK) {
            return s;
        }
        StringView v = db.viewOf(e);
        byte[] a = v.array();
        int off = v.offset();
        if (a == null) {
            a = v.toByteArray();
            off = 0;
        }
        if (dense != null && a[off + 4] == HyperLogLog.DENSE) {
            dense[0] = true;
        }
        return HyperLogLog.merge(max, a, off, v.length()) ? Status.OK : Status.CORRUPT;
    }

    // ---- PFMERGE ----------------------------------------------------------------------------

    /**
     * PFMERGE destkey [sourcekey...]: the union of the destination and the sources into the
     * destination, created when missing; dense when any input is dense, else sparse until it
     * outgrows hll-sparse-max-bytes. WRONG_TYPE, NOT_HLL or CORRUPT leave everything unchanged.
     */
    public Status merge(byte[] dest, byte[][] keys, int from) {
        byte[] max = new byte[HyperLogLog.REGISTERS];
        boolean[] dense = {false};
        // the destination is merged too: it is the first of the keys, as in Redis
        Status s = mergeInto(max, dest, dense);
        for (int i = from; s == Status.OK && i < keys.length; i++) {
            s = mergeInto(max, keys[i], dense);
        }
        if (s != Status.OK) {
            return s;
        }
        long sparseMax = db.keyspace().hllSparseMaxBytes();
        Object e = db.find(dest);
        StringValue value = null;
        ObjectEntry o = null;
        HyperLogLog h;
        if (e == null) {
            h = HyperLogLog.empty();
        } else {
            o = entryOf(dest, e);
            value = (StringValue) o.value;
            h = HyperLogLog.copyOf(value.array(), 0, value.length());
        }
        if (dense[0] && !h.toDense()) {
            return Status.CORRUPT;
        }
        for (int j = 0; j < HyperLogLog.REGISTERS; j++) {
            if (max[j] != 0) {
                h.set(j, max[j], sparseMax);
            }
        }
        h.invalidateCache();
        if (e == null) {
            insert(dest, h, KeyEvent.PFADD);
        } else {
            StringValue target = value;
            db.changeInPlace(dest, o, () -> target.replace(h.bytes(), h.length()), KeyEvent.PFADD);
        }
        return Status.OK;
    }

    // ---- PFDEBUG ----------------------------------------------------------------------------

    /** The entry PFDEBUG works on (lookupKeyWrite, checked, unshared), or null with the status in {@code status[0]}. */
    private ObjectEntry debugEntry(byte[] key, Status[] status) {
        Object e = db.find(key);
        if (e == null) {
            status[0] = Status.NO_KEY;
            return null;
        }
        Status s = check(e);
        if (s != Status.OK) {
            status[0] = s;
            return null;
        }
        status[0] = Status.OK;
        return entryOf(key, e);
    }

    /** PFDEBUG ENCODING key: {@link #DENSE} or {@link #SPARSE}; also what PFDEBUG checks before any subcommand. */
    public Counted debugEncoding(byte[] key) {
        Status[] s = new Status[1];
        ObjectEntry o = debugEntry(key, s);
        if (o == null) {
            return Counted.failed(s[0]);
        }
        return Counted.ok(((StringValue) o.value).array()[4]);
    }

    /** PFDEBUG TODENSE key: 1 when a sparse HLL was turned dense, 0 when it was dense. */
    public Counted debugToDense(byte[] key) {
        Status[] s = new Status[1];
        ObjectEntry o = debugEntry(key, s);
        if (o == null) {
            return Counted.failed(s[0]);
        }
        return switch (toDenseQuietly(key, o)) {
            case 1 -> Counted.ok(1);
            case 0 -> Counted.ok(0);
            default -> Counted.failed(Status.CORRUPT);
        };
    }

    /** Turns a sparse HLL dense without a signal (a counted change): 1 if converted, 0 if already dense, CORRUPT. */
    private int toDenseQuietly(byte[] key, ObjectEntry o) {
        StringValue value = (StringValue) o.value;
        if (value.array()[4] == HyperLogLog.DENSE) {
            return 0;
        }
        HyperLogLog h = HyperLogLog.copyOf(value.array(), 0, value.length());
        if (!h.toDense()) {
            return HyperLogLog.CORRUPT;
        }
        db.changeCountedOnly(key, o, () -> value.replace(h.bytes(), h.length()));
        return 1;
    }

    /** PFDEBUG GETREG key: the 16384 register values, the HLL turned dense first if sparse. */
    public Registers debugRegisters(byte[] key) {
        Status[] s = new Status[1];
        ObjectEntry o = debugEntry(key, s);
        if (o == null) {
            return new Registers(s[0], null);
        }
        if (toDenseQuietly(key, o) == HyperLogLog.CORRUPT) {
            return new Registers(Status.CORRUPT, null);
        }
        byte[] a = ((StringValue) o.value).array();
        int[] registers = new int[HyperLogLog.REGISTERS];
        for (int i = 0; i < registers.length; i++) {
            registers[i] = HyperLogLog.denseRegister(a, HyperLogLog.HEADER, i);
        }
        return new Registers(Status.OK, registers);
    }

    /** PFDEBUG DECODE key: the opcodes of a sparse HLL as text; NOT_SPARSE for a dense one. */
    public Decoded debugDecode(byte[] key) {
        Status[] s = new Status[1];
        ObjectEntry o = debugEntry(key, s);
        if (o == null) {
            return new Decoded(s[0], null);
        }
        StringValue value = (StringValue) o.value;
        if (value.array()[4] != HyperLogLog.SPARSE) {
            return new Decoded(Status.NOT_SPARSE, null);
        }
        return new Decoded(Status.OK, HyperLogLog.copyOf(value.array(), 0, value.length()).decode());
    }

    /** PFSELFTEST: null when the register access and the estimator pass, else the failure. */
    public static String selfTest(long sparseMaxBytes) {
        return HyperLogLog.selfTest(new java.util.Random(), sparseMaxBytes);
    }
}
