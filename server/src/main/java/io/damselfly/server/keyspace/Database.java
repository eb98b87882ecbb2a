package io.damselfly.server.keyspace;

/**
 * What a command sees of the keyspace: one database, at one instant, with the typed operations of
 * each family ({@link #strings()}, {@link #keys()}). Each call routes the key to its shard; the
 * caller must already hold that shard's lock (the command executor takes the locks of a command's
 * declared keys before running it).
 *
 * <p>A connection keeps one instance and rebinds it before each command ({@link #bind}), so the
 * hot path allocates little. {@code now} is fixed for the whole command, as Redis fixes the time
 * per command, so a key cannot expire halfway through one. A key is hashed once per command: the
 * view holds the command's arguments and remembers the hash of each argument it was asked for
 * (found by array identity), so the executor's shard routing and the operations that follow share
 * one SipHash. Nothing but the arguments array is stored by reference per command: a reference
 * written into this long-lived object costs G1's cross-region write barrier (a StoreLoad fence),
 * which per key would cost more than hashing twice.
 *
 * <p>Lookup flavours follow Redis's lookupKey flags: {@link #read} counts a hit or miss and
 * touches the access clock (lookupKeyRead); {@link #readNoTouch} counts without touching
 * (LOOKUP_NOTOUCH: TYPE, TTL, EXISTS); {@link #find} touches without counting (lookupKeyWrite);
 * {@link #peek} does neither. Entries never leave the keyspace package: operations return values,
 * views and statuses.
 */
public final class Database {
    /** The expiry of a key without one, in the operations' absolute Unix-ms expiry arguments. */
    public static final long NO_EXPIRY = 0L;

    /** Arguments whose hashes are remembered: the first 32 (MSET of 15 pairs); later ones are hashed per use. */
    private static final int HASH_MEMO = 32;
    private static final byte[][] NO_ARGUMENTS = new byte[0][];

    private final Keyspace keyspace;
    private final StringOps strings;
    private final BitmapOps bitmaps;
    private final KeyOps keys;
    private final HashOps hashes;
    private final ListOps lists;
    private final SetOps sets;
    private final SortOps sorting;
    private final SortedSetOps sortedSets;
    private final StreamOps streams;
    private final GeoOps geo;
    private final HyperLogLogOps hyperLogLogs;
    private final long[] argumentHashes = new long[HASH_MEMO];
    /** Bit i set: {@code argumentHashes[i]} holds the hash of {@code arguments[i]}. */
    private int hashedArguments;
    private byte[][] arguments = NO_ARGUMENTS;
    private int index;
    private long now;
    /** The view of the primary's link: on a replica, expired keys read as present ({@link #obeyPrimary}). */
    private boolean asPrimary;

    public Database(Keyspace keyspace) {
        this.keyspace = keyspace;
        this.strings = new StringOps(this);
        this.bitmaps = new BitmapOps(this);
        this.keys = new KeyOps(this);
        this.hashes = new HashOps(this);
        this.lists = new ListOps(this);
        this.sets = new SetOps(this);
        this.sorting = new SortOps(this);
        this.sortedSets = new SortedSetOps(this);
        this.streams = new StreamOps(this);
        this.geo = new GeoOps(this);
        this.hyperLogLogs = new HyperLogLogOps(this);
    }

    /**
     * Makes this the view of the primary's link (Redis's master client): on a replica, keys whose
     * time has passed there are still present to it, since the primary decides when they expire
     * (Keyspace#setFollowingPrimary).
     */
    public void obeyPrimary() {
        this.asPrimary = true;
    }

    /** Binds the view to a database and an instant, for work that is not one command's. */
    public void bind(int index, long now) {
        bind(index, now, NO_ARGUMENTS);
    }

    /** Binds the view for one command: its database, its time and its arguments (argv). */
    public void bind(int index, long now, byte[][] arguments) {
        this.index = index;
        this.now = now;
        this.arguments = arguments;
        this.hashedArguments = 0;
    }

    /** The arguments of the command bound, argv[0] being its name. */
    public byte[][] arguments() {
        return arguments;
    }

    public int index() {
        return index;
    }

    public long now() {
        return now;
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    /** String operations on this database. */
    public StringOps strings() {
        return strings;
    }

    /** Bitmap operations (SETBIT, BITCOUNT, BITOP, BITFIELD ...) on this database's strings. */
    public BitmapOps bitmaps() {
        return bitmaps;
    }

    /** List operations on this database. */
    public ListOps lists() {
        return lists;
    }

    /** Operations on keys of any type: existence, deletion, expiry, renaming. */
    public KeyOps keys() {
        return keys;
    }

    /** Hash operations on this database. */
    public HashOps hashes() {
        return hashes;
    }

    /** Set operations on this database. */
    public SetOps sets() {
        return sets;
    }

    /** SORT on this database. */
    public SortOps sorting() {
        return sorting;
    }

    /** Sorted-set operations on this database. */
    public SortedSetOps sortedSets() {
        return sortedSets;
    }

    /** Stream operations on this database. */
    public StreamOps streams() {
        return streams;
    }

    /** Geo operations (on sorted sets of geohashes) on this database. */
    public GeoOps geo() {
        return geo;
    }

    /** HyperLogLog operations on this database. */
    public HyperLogLogOps hyperLogLogs() {
        return hyperLogLogs;
    }

    /** Another database of the same keyspace at the same instant (MOVE, COPY ... DB). */
    public Database other(int otherIndex) {
        Database d = new Database(keyspace);
        d.bind(otherIndex, now, arguments);
        return d;
    }

    // ---- hashing ---------------------------------------------------------------------------

    /** The key's 64-bit hash, computed once per command for the same key array. */
    long hash(byte[] key) {
        byte[][] args = arguments;
        int n = Math.min(args.length, HASH_MEMO);
        for (int i = 1; i < n; i++) {
            if (args[i] == key) {
                if ((hashedArguments & (1 << i)) == 0) {
                    argumentHashes[i] = Keyspace.hash(key);
                    hashedArguments |= 1 << i;
                }
                return argumentHashes[i];
            }
        }
        return Keyspace.hash(key);
    }

    /** The index of the shard that holds a key, for the executor's locking. */
    public int shardIndex(byte[] key) {
        return keyspace.shardIndexOfHash(hash(key));
    }

    Shard shard(long hash) {
        return keyspace.shardOfHash(hash);
    }

    // ---- lookups ---------------------------------------------------------------------------

    Object read(byte[] key) {
        Object e = lookup(key, true);
        if (e != null) {
            keyspace.touch(e, now);
            recordAccess(key);
        }
        return e;
    }

    /** Counts an access to a key found (allkeys-tinylfu's sketch); its hash is memoised by now. */
    private void recordAccess(byte[] key) {
        if (keyspace.isSketching()) {
            long h = hash(key);
            shard(h).recordAccess(Keyspace.tableHash(h));
        }
    }

    /**
     * Counts accesses to the key until its shard's sketch estimates at least {@code frequency}
     * (capped at the sketch's 15): RESTORE ... FREQ under allkeys-tinylfu, so that a key moved
     * from another server keeps its standing for admission and eviction.
     */
    void seedFrequency(byte[] key, int frequency) {
        if (!keyspace.isSketching()) {
            return;
        }
        long h = hash(key);
        Shard shard = shard(h);
        int hash = Keyspace.tableHash(h);
        int target = Math.min(frequency, FrequencySketch.MAX_COUNT);
        // each increment raises the estimate by at most one: bounded by the target
        for (int i = 0; i < target && shard.sketchFrequency(hash) < target; i++) {
            shard.recordAccess(hash);
        }
    }

    /** The key's estimated access frequency in its shard's sketch (OBJECT FREQ under allkeys-tinylfu). */
    int sketchFrequency(byte[] key) {
        long h = hash(key);
        return shard(h).sketchFrequency(Keyspace.tableHash(h));
    }

    Object readNoTouch(byte[] key) {
        return lookup(key, true);
    }

    Object find(byte[] key) {
        Object e = lookup(key, false);
        if (e != null) {
            keyspace.touch(e, now);
            recordAccess(key);
        }
        return e;
    }

    Object peek(byte[] key) {
        return lookup(key, false);
    }

    /** The entry even when logically expired, which stays: nothing expired, counted or touched (DEBUG OBJECT). */
    Object peekEvenExpired(byte[] key) {
        long h = hash(key);
        return shard(h).findEvenExpired(index, key, Keyspace.tableHash(h));
    }

    private Object lookup(byte[] key, boolean countStats) {
        long h = hash(key);
        Shard s = shard(h);
        Object e = s.lookup(index, key, Keyspace.tableHash(h), now, asPrimary);
        if (countStats) {
            s.countLookup(e != null);
            if (e == null) {
                // Redis's lookupKey: a counted miss is also a "keymiss" event (class m)
                s.announceMiss(index, key);
            }
        }
        return e;
    }

    /** The view of a string entry's value, or {@link StringView#WRONG_TYPE}. */
    StringView viewOf(Object e) {
        if (e instanceof StringRecord r) {
            return new StringView(r.page(), r.valueOffset(), r.valueLength());
        }
        if (((ObjectEntry) e).value instanceof StringValue s) {
            return new StringView(s.array(), 0, s.length(), s);
        }
        return StringView.WRONG_TYPE;
    }

    // ---- writes: each goes to the owning shard's write path --------------------------------

    /** Adds an entry for a key the caller found absent. */
    void insert(byte[] key, Object entry, KeyEvent event) {
        long h = hash(key);
        Shard s = shard(h);
        s.insert(index, key, Keyspace.tableHash(h), entry, event);
        noteOwnExpiry(s, key, entry);
    }

    /** Puts {@code entry} in the place of {@code old} (same key), or adds it when old is null. */
    void put(byte[] key, Object old, Object entry, KeyEvent event) {
        if (old == null) {
            insert(key, entry, event);
            return;
        }
        long h = hash(key);
        Shard s = shard(h);
        s.replace(index, key, Keyspace.tableHash(h), old, entry, event);
        noteOwnExpiry(s, key, entry);
    }

    /** Writes a value of the same length and an expiry into a string record in place. */
    void overwrite(byte[] key, StringRecord record, byte[] value, long expiresAt, KeyEvent event) {
        changeInPlace(key, record, () -> {
            record.overwrite(value, expiresAt);
            return 0;
        }, event);
        noteOwnExpiry(key, expiresAt);
    }

    /**
     * A write by a client of a writable replica (replica-read-only no) that leaves its key an
     * expiry: the replica expires such keys itself, as Redis's rememberSlaveKeyWithExpire, where
     * the primary's keys go only by its DELs ({@link Keyspace#setFollowingPrimary}). This form
     * for a write that has its shard: the shard's flag first (two field reads on a primary), the
     * entry's expiry only on a replica.
     */
    private void noteOwnExpiry(Shard s, byte[] key, Object entry) {
        if (tracksOwnExpiries(s) && Entries.expiresAt(entry) != NO_EXPIRY) {
            s.rememberOwnExpiry(index, key);
        }
    }

    /** The same for a write that knows the expiry but not the shard: the shard only for an expiry. */
    private void noteOwnExpiry(byte[] key, long expiresAt) {
        if (expiresAt != NO_EXPIRY) {
            Shard s = shard(hash(key));
            if (tracksOwnExpiries(s)) {
                s.rememberOwnExpiry(index, key);
            }
        }
    }

    /** Whether this view's writes on {@code s} are a replica's own clients'. */
    private boolean tracksOwnExpiries(Shard s) {
        return !asPrimary && s.followsPrimary();
    }

    /**
     * A new entry for a string set whole under {@code key}: a record in the arena of the key's
     * shard, or, when the record would not fit a slot or the arena has no memory, an object
     * entry on the heap that keeps {@code value} itself (pass an array nobody else holds).
     */
    Object newString(byte[] key, byte[] value, long expiresAt, int access) {
        StringRecord r = StringRecord.create(shard(hash(key)).arena(), key, value, 0, value.length, expiresAt, access);
        return r != null ? r : ObjectEntry.of(key, new StringValue(value), expiresAt, access);
    }

    /** A copy of a string record under {@code newKey} in its shard's arena (RENAME, COPY, MOVE), or an object entry. */
    Object rekeyedString(StringRecord r, byte[] newKey, int access) {
        StringRecord copy = r.rekeyed(shard(hash(newKey)).arena(), newKey);
        if (copy == null) {
            return r.onHeap(newKey, r.expiresAt(), access);
        }
        copy.setAccess(access);
        return copy;
    }

    /**
     * Runs a change made inside an entry (its value or expiry) through the write path: the
     * observers before it, then the books after it (footprint, expiry count, event, an emptied
     * collection's removal). Answers what the change answers.
     */
    int changeInPlace(byte[] key, Object entry, java.util.function.IntSupplier change, KeyEvent event) {
        long h = hash(key);
        int tableHash = Keyspace.tableHash(h);
        Shard s = shard(h);
        boolean had = Entries.hasExpiry(entry);
        long before = Entries.footprint(entry);
        s.beforeChange(index, key, tableHash);
        int result = change.getAsInt();
        s.expiryChangedInPlace(index, had, Entries.hasExpiry(entry));
        s.changedInPlace(index, key, tableHash, entry, before, event);
        return result;
    }

    /**
     * Runs a change inside an entry that Redis does not treat as a write of the key (no event, no
     * WATCH version, no dirty count: a stream group's deliveries and acknowledgements), keeping
     * the memory account and the snapshot's copy-before-change right.
     */
    int changeQuietly(byte[] key, Object entry, java.util.function.IntSupplier change) {
        long h = hash(key);
        Shard s = shard(h);
        long before = Entries.footprint(entry);
        s.beforeChange(index, key, Keyspace.tableHash(h));
        int result = change.getAsInt();
        s.changedQuietly(Entries.footprint(entry) - before);
        return result;
    }

    /**
     * A change that Redis counts for persistence but neither signals nor notifies (PFDEBUG's
     * conversion of a sparse HyperLogLog to dense: "force propagation on encoding change").
     */
    int changeCountedOnly(byte[] key, Object entry, java.util.function.IntSupplier change) {
        int result = changeQuietly(key, entry, change);
        shard(hash(key)).addChanges(1);
        return result;
    }

    /**
     * HDEL, SREM, ZREM: removes the members {@code args[from..]} from the collection {@code
     * value} of {@code entry}, found for a write; answers how many were removed, each one a
     * change as Redis counts them. Nothing is written (no event, no dirty count) when none of
     * them is present, as Redis signals only when something was deleted; the emptied collection
     * goes with its key.
     */
    int removeMembers(byte[] key, Object entry, Value value, byte[][] args, int from,
            java.util.function.Predicate<byte[]> present, java.util.function.Predicate<byte[]> remove, KeyEvent event) {
        int first = from;
        while (first < args.length && !present.test(args[first])) {
            first++;
        }
        if (first == args.length) {
            return 0;
        }
        int start = first;
        int removed = changeInPlace(key, entry, () -> {
            int n = 0;
            for (int i = start; i < args.length && !value.isEmpty(); i++) {
                if (remove.test(args[i])) {
                    n++;
                }
            }
            return n;
        }, event);
        countChanges(key, removed);
        return removed;
    }

    /**
     * The write of {@code key} just made counts as {@code changes} changes. Redis counts a write
     * by what it changed ({@code server.dirty += n}: LPUSH of three values is three changes, a
     * RENAME one though two keys change, an LTRIM that removed nothing none), which save points
     * and INFO's rdb_changes_since_last_save see; the write path counts one per write, and an
     * operation whose count differs says so here.
     */
    void countChanges(byte[] key, long changes) {
        if (changes != 1) {
            shard(hash(key)).addChanges(changes - 1);
        }
    }

    /**
     * Adds {@code delta} to the changes counted on {@code key}'s shard, for what Redis counts
     * apart from the writes themselves: XREADGROUP's one per stream it reads at once, and, negative,
     * the pops of a served BLPOP, BRPOP or BLMOVE, which Redis makes without counting them. The
     * key's shard is held.
     */
    void adjustChanges(byte[] key, long delta) {
        shard(hash(key)).addChanges(delta);
    }

    /**
     * Reports a second event for a key the command just wrote, with no change of its own (SET
     * with an expiry: "set", then "expire", as Redis notifies both).
     */
    void announce(byte[] key, KeyEvent event) {
        shard(hash(key)).announce(index, key, event);
    }

    /** Puts another form of the same value in the place of {@code old}: accounted, but not a write. */
    void reform(byte[] key, Object old, Object entry) {
        long h = hash(key);
        shard(h).reform(index, key, Keyspace.tableHash(h), old, entry);
    }

    void remove(byte[] key, Object entry, KeyEvent event) {
        long h = hash(key);
        shard(h).remove(index, key, Keyspace.tableHash(h), entry, event);
    }

    /**
     * Sets an entry's absolute expiry ({@link #NO_EXPIRY} clears it), in place where its form
     * allows, and books the change under {@code event}.
     */
    void setExpiry(byte[] key, Object e, long expiresAt, KeyEvent event) {
        noteOwnExpiry(key, expiresAt);
        if (e instanceof StringRecord r && !r.hasExpiryField()) {
            StringRecord copy = r.withExpiryField(expiresAt);
            put(key, r, copy != null ? copy : r.onHeap(key, expiresAt, r.access()), event);
            return;
        }
        if (e instanceof ObjectEntry o && !(o instanceof ObjectEntry.Expiring)) {
            if (expiresAt != NO_EXPIRY) {
                // an entry made without an expiry field: the same key and value in one with it
                put(key, o, ObjectEntry.of(o.key, o.value, expiresAt, o.access), event);
            }
            return;
        }
        changeInPlace(key, e, () -> {
            if (e instanceof StringRecord r) {
                r.setExpiryInPlace(expiresAt);
            } else {
                ((ObjectEntry.Expiring) e).expiresAt = expiresAt;
            }
            return 0;
        }, event);
    }

    /** The access clock a new entry starts with. */
    int initialAccess() {
        return keyspace.initialAccess(now);
    }
}
