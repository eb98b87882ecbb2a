package io.damselfly.server.keyspace;

import io.damselfly.server.keyspace.StreamValue.Consumer;
import io.damselfly.server.keyspace.StreamValue.Entry;
import io.damselfly.server.keyspace.StreamValue.Group;
import io.damselfly.server.keyspace.StreamValue.Nack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The stream operations of one {@link Database} (Redis's t_stream.c below the reply layer). A
 * stream is a {@link StreamValue} in an {@link ObjectEntry}. Writes Redis notifies (XADD, XTRIM,
 * XDEL, XSETID, XGROUP ...) go through {@link Database#changeInPlace} with t_stream.c's event
 * names; what Redis does not treat as a write of the key (a group's deliveries, XACK, XCLAIM's
 * ownership moves) goes through {@link Database#changeQuietly}, which still keeps the memory
 * account and snapshots right. Reads hand out the value itself for the time the lock is held
 * ({@link #read}): callers must only read it.
 */
public final class StreamOps {
    /** What stopped an operation, for the command layer to word. */
    public enum Status {
        OK,
        WRONG_TYPE,
        NO_KEY,
        NO_GROUP,
        BUSY_GROUP,
        /** XADD: the ID is equal or smaller than the top item. */
        ID_TOO_SMALL,
        /** XADD: the last possible ID was used. */
        EXHAUSTED,
        /** XADD: more than a node can hold. */
        TOO_LARGE,
        /** XSETID: the ID is smaller than the top item. */
        SETID_TOO_SMALL,
        /** XSETID: entries added below the length. */
        ENTRIES_ADDED_TOO_SMALL
    }

    /** The read answer for a key of another type (compared by identity). */
    public static final StreamValue WRONG_TYPE = new StreamValue();

    /** A trimming request (XADD's and XTRIM's MAXLEN or MINID), or none. */
    public record Trim(long maxLen, StreamId minId, boolean approx, long limit) {
        public static final Trim NONE = new Trim(-1, null, false, 0);

        public boolean isNone() {
            return maxLen < 0 && minId == null;
        }
    }

    /** XADD's answer: the ID added, or the status that stopped it (NO_KEY: NOMKSTREAM on a missing key). */
    public record Added(Status status, StreamId id) {
    }

    /** A status with a count. */
    public record Counted(Status status, long count) {
    }

    /**
     * Told of each pending entry a claim gives to its consumer or drops because its entry is
     * gone, in the order Redis propagates them (streamPropagateXCLAIM): {@code index} is the
     * ID's position among XCLAIM's IDs (-1 for XAUTOCLAIM), {@code nack} the entry as it stands
     * then (for a dropped one, as it was, with its old owner). Read it at once: it changes later.
     */
    @FunctionalInterface
    public interface PendingChange {
        void changed(int index, StreamId id, Nack nack);
    }

    /** XAUTOCLAIM's answer: the claimed entries (fields null under JUSTID), the next cursor, the IDs dropped. */
    public record AutoClaimed(List<Entry> claimed, StreamId next, List<StreamId> deleted) {
    }

    private final Database db;

    StreamOps(Database db) {
        this.db = db;
    }

    private static StreamValue streamOf(Object e) {
        return e instanceof ObjectEntry o && o.value instanceof StreamValue s ? s : null;
    }

    /** A counted read (lookupKeyRead): the stream, null when missing, or {@link #WRONG_TYPE}. */
    public StreamValue read(byte[] key) {
        return typed(db.read(key));
    }

    /** A write lookup (lookupKeyWrite): the stream, null when missing, or {@link #WRONG_TYPE}. */
    public StreamValue readForWrite(byte[] key) {
        return typed(db.find(key));
    }

    private static StreamValue typed(Object e) {
        if (e == null) {
            return null;
        }
        StreamValue s = streamOf(e);
        return s == null ? WRONG_TYPE : s;
    }

    private long maxBytes() {
        return db.keyspace().streamNodeMaxBytes();
    }

    private long maxEntries() {
        return db.keyspace().streamNodeMaxEntries();
    }

    // ---- XADD XDEL XTRIM XSETID ---------------------------------------------------------------

    /**
     * XADD (xaddCommand): appends {@code args[from..]} (field, value pairs) under {@code id}
     * (null: the next automatic ID; {@code seqGiven} false: {@code ms-*}), creating the stream
     * unless {@code noMkStream}, then trims. Events: xadd, then xtrim if anything was trimmed.
     */
    public Added add(byte[] key, boolean noMkStream, StreamId id, boolean seqGiven, byte[][] args, int from, Trim trim) {
        Object e = db.find(key);
        StreamValue s;
        boolean created = false;
        if (e == null) {
            if (noMkStream) {
                return new Added(Status.NO_KEY, null);
            }
            s = new StreamValue();
            created = true;
        } else {
            s = streamOf(e);
            if (s == null) {
                return new Added(Status.WRONG_TYPE, null);
            }
        }
        StreamId last = s.lastId();
        if (last.ms() == -1L && last.seq() == -1L) {
            return new Added(Status.EXHAUSTED, null);
        }
        StreamId newId;
        if (id == null) {
            long ms = db.now();
            newId = Long.compareUnsigned(last.ms(), ms) < 0 ? new StreamId(ms, 0) : last.next();
        } else if (!seqGiven) {
            if (last.ms() == id.ms()) {
                if (last.seq() == -1L) {
                    return new Added(Status.ID_TOO_SMALL, null);
                }
                newId = new StreamId(last.ms(), last.seq() + 1);
            } else {
                newId = id;
            }
        } else {
            newId = id;
        }
        if (newId.compareTo(last) <= 0) {
            return new Added(Status.ID_TOO_SMALL, null);
        }
        long total = 0;
        byte[][] fv = new byte[args.length - from][];
        for (int i = from; i < args.length; i++) {
            fv[i - from] = args[i];
            total += args[i].length;
        }
        if (total > StreamValue.LISTPACK_MAX_SIZE) {
            return new Added(Status.TOO_LARGE, null);
        }
        long maxBytes = maxBytes();
        long maxEntries = maxEntries();
        long[] trimmed = new long[1];
        java.util.function.IntSupplier write = () -> {
            s.append(newId.ms(), newId.seq(), fv, maxBytes, maxEntries);
            if (!trim.isNone()) {
                trimmed[0] = s.trim(trim.maxLen(), trim.minId(), trim.approx(), trim.limit());
            }
            return 0;
        };
        if (created) {
            write.getAsInt();
            db.insert(key, ObjectEntry.of(key, s, Database.NO_EXPIRY, db.initialAccess()), KeyEvent.XADD);
        } else {
            db.changeInPlace(key, e, write, KeyEvent.XADD);
        }
        if (trimmed[0] > 0) {
            db.announce(key, KeyEvent.XTRIM);
        }
        return new Added(Status.OK, newId);
    }

    /** XDEL: how many of the IDs were live entries and are now deleted. */
    public Counted delete(byte[] key, StreamId[] ids) {
        Object e = db.find(key);
        if (e == null) {
            return new Counted(Status.OK, 0);
        }
        StreamValue s = streamOf(e);
        if (s == null) {
            return new Counted(Status.WRONG_TYPE, 0);
        }
        boolean any = false;
        for (StreamId id : ids) {
            if (s.contains(id)) {
                any = true;
                break;
            }
        }
        if (!any) {
            return new Counted(Status.OK, 0);
        }
        int n = db.changeInPlace(key, e, () -> {
            int deleted = 0;
            boolean firstDeleted = false;
            StreamId maxDeleted = StreamId.MIN;
            for (StreamId id : ids) {
                StreamId first = s.firstId();
                if (s.delete(id)) {
                    if (id.equals(first)) {
                        firstDeleted = true;
                    }
                    if (id.compareTo(maxDeleted) > 0) {
                        maxDeleted = id;
                    }
                    deleted++;
                }
            }
            s.afterDeletes(maxDeleted, firstDeleted);
            return deleted;
        }, KeyEvent.XDEL);
        db.countChanges(key, n);
        return new Counted(Status.OK, n);
    }

    /** XTRIM: how many entries were removed (event xtrim when any). */
    public Counted trim(byte[] key, Trim trim) {
        Object e = db.find(key);
        if (e == null) {
            return new Counted(Status.OK, 0);
        }
        StreamValue s = streamOf(e);
        if (s == null) {
            return new Counted(Status.WRONG_TYPE, 0);
        }
        // a trial on a copy would cost as much as the trim: trim, then report the event if needed
        long[] removed = new long[1];
        db.changeQuietly(key, e, () -> {
            removed[0] = s.trim(trim.maxLen(), trim.minId(), trim.approx(), trim.limit());
            return 0;
        });
        if (removed[0] > 0) {
            db.changeInPlace(key, e, () -> 0, KeyEvent.XTRIM);
            db.countChanges(key, removed[0]);
        }
        return new Counted(Status.OK, removed[0]);
    }

    /** XSETID's checks and write (xsetidCommand). */
    public Status setId(byte[] key, StreamId id, long entriesAdded, StreamId maxDeleted) {
        Object e = db.find(key);
        if (e == null) {
            return Status.NO_KEY;
        }
        StreamValue s = streamOf(e);
        if (s == null) {
            return Status.WRONG_TYPE;
        }
        if (s.length() > 0) {
            if (id.compareTo(s.lastValidId()) < 0) {
                return Status.SETID_TOO_SMALL;
            }
            if (entriesAdded != -1 && s.length() > entriesAdded) {
                return Status.ENTRIES_ADDED_TOO_SMALL;
            }
        }
        db.changeInPlace(key, e, () -> {
            s.setId(id, entriesAdded, maxDeleted);
            return 0;
        }, KeyEvent.XSETID);
        return Status.OK;
    }

    // ---- XGROUP --------------------------------------------------------------------------------

    /**
     * XGROUP's common checks, in xgroupCommand's order: the key's type, its existence (unless
     * {@code mkStream}), and the group's when {@code needGroup}.
     */
    public Status groupCheck(byte[] key, byte[] group, boolean mkStream, boolean needGroup) {
        StreamValue s = readForWrite(key);
        if (s == WRONG_TYPE) {
            return Status.WRONG_TYPE;
        }
        if (mkStream) {
            return Status.OK;
        }
        if (s == null) {
            return Status.NO_KEY;
        }
        if (needGroup && s.group(group) == null) {
            return Status.NO_GROUP;
        }
        return Status.OK;
    }

    /** XGROUP CREATE after {@link #groupCheck}: {@code id} null means "$". BUSY_GROUP when it exists. */
    public Status createGroup(byte[] key, byte[] name, StreamId id, boolean mkStream, long entriesRead) {
        Object e = db.find(key);
        StreamValue s = streamOf(e);
        if (s == null) {
            if (!mkStream) {
                return Status.NO_KEY;
            }
            StreamValue created = new StreamValue();
            created.createGroup(name, id == null ? StreamId.MIN : id, entriesRead);
            db.insert(key, ObjectEntry.of(key, created, Database.NO_EXPIRY, db.initialAccess()), KeyEvent.XGROUP_CREATE_MKSTREAM);
            return Status.OK;
        }
        if (s.group(name) != null) {
            return Status.BUSY_GROUP;
        }
        StreamId start = id == null ? s.lastId() : id;
        db.changeInPlace(key, e, () -> {
            s.createGroup(name, start, entriesRead);
            return 0;
        }, KeyEvent.XGROUP_CREATE);
        return Status.OK;
    }

    /** XGROUP SETID after {@link #groupCheck}: {@code id} null means "$". */
    public void setGroupId(byte[] key, byte[] name, StreamId id, long entriesRead) {
        Object e = db.find(key);
        StreamValue s = streamOf(e);
        Group g = s.group(name);
        StreamId last = id == null ? s.lastId() : id;
        db.changeInPlace(key, e, () -> {
            s.setGroupId(g, last, entriesRead);
            return 0;
        }, KeyEvent.XGROUP_SETID);
    }

    /** XGROUP DESTROY after {@link #groupCheck}: 1 if the group was there. */
    public long destroyGroup(byte[] key, byte[] name) {
        Object e = db.find(key);
        StreamValue s = streamOf(e);
        if (s.group(name) == null) {
            return 0;
        }
        db.changeInPlace(key, e, () -> s.destroyGroup(name) ? 1 : 0, KeyEvent.XGROUP_DESTROY);
        return 1;
    }

    /** XGROUP CREATECONSUMER after {@link #groupCheck}: 1 if created. */
    public long createConsumer(byte[] key, byte[] group, byte[] consumer) {
        Object e = db.find(key);
        StreamValue s = streamOf(e);
        Group g = s.group(group);
        if (g.consumers.containsKey(consumer)) {
            return 0;
        }
        db.changeInPlace(key, e, () -> {
            s.createConsumer(g, consumer, System.currentTimeMillis());
            return 0;
        }, KeyEvent.XGROUP_CREATECONSUMER);
        return 1;
    }

    /** XGROUP DELCONSUMER after {@link #groupCheck}: the consumer's pending count (0 if absent). */
    public long deleteConsumer(byte[] key, byte[] group, byte[] consumer) {
        Object e = db.find(key);
        StreamValue s = streamOf(e);
        Group g = s.group(group);
        Consumer c = g.consumers.get(consumer);
        if (c == null) {
            return 0;
        }
        long pending = c.pel.size();
        db.changeInPlace(key, e, () -> {
            s.deleteConsumer(g, c);
            return 0;
        }, KeyEvent.XGROUP_DELCONSUMER);
        return pending;
    }

    // ---- reading in a group ----------------------------------------------------------------------

    /** Finds a consumer, creating it (event xgroup-createconsumer), and marks it seen now. */
    private Consumer consumer(byte[] key, Object e, StreamValue s, Group g, byte[] name) {
        Consumer c = g.consumers.get(name);
        long now = System.currentTimeMillis();
        if (c == null) {
            Consumer[] made = new Consumer[1];
            db.changeInPlace(key, e, () -> {
                made[0] = s.createConsumer(g, name, now);
                return 0;
            }, KeyEvent.XGROUP_CREATECONSUMER);
            return made[0];
        }
        // inside the entry: a snapshot under way copies the stream before its seen-time moves
        db.changeQuietly(key, e, () -> {
            c.seenTime = now;
            return 0;
        });
        return c;
    }

    /**
     * What XREADGROUP reads from one stream for consumer {@code consumer} of group {@code
     * group} (streamReplyWithRange with a group): with {@code after} null (the ">" ID) the
     * entries after the group's last delivered ID, each becoming pending for the consumer
     * (unless {@code noAck}) and moving the group on; else the consumer's own pending entries
     * after {@code after}, their delivery counted again (fields null for entries since deleted).
     * {@code deliver} sees the entries first and may refuse them (a blocked reader that left),
     * in which case nothing changes. For ">", null when the stream has nothing new: with {@code
     * sync} (a command's own read) when no live entry is past the group's last ID, else (serving
     * a blocked reader) when the stream's last ID is not past it, as xreadCommand and
     * serveClientsBlockedOnStreamKey test. The caller checked the key holds a stream with that
     * group.
     */
    public List<Entry> readGroup(byte[] key, byte[] group, byte[] consumer, StreamId after, long count,
            boolean noAck, boolean sync, Predicate<List<Entry>> deliver) {
        Object e = db.find(key);
        StreamValue s = streamOf(e);
        Group g = s.group(group);
        long now = System.currentTimeMillis();
        List<Entry> out = new ArrayList<>();
        if (after != null) {
            Consumer c = g.consumers.get(consumer);
            if (c != null) {
                StreamId from = after.next();
                if (from != null) {
                    for (Map.Entry<StreamId, Nack> p : c.pel.tailMap(from, true).entrySet()) {
                        if (count != 0 && out.size() >= count) {
                            break;
                        }
                        Entry entry = s.get(p.getKey());
                        out.add(new Entry(p.getKey(), entry == null ? null : entry.fieldsAndValues()));
                    }
                }
            }
            if (!deliver.test(out)) {
                return out;
            }
            Consumer owner = consumer(key, e, s, g, consumer);
            if (!out.isEmpty()) {
                db.changeQuietly(key, e, () -> {
                    for (Entry d : out) {
                        if (d.fieldsAndValues() != null) {
                            Nack n = owner.pel.get(d.id());
                            n.deliveryTime = now;
                            n.deliveryCount++;
                        }
                    }
                    return 0;
                });
            }
            countSyncRead(key, sync);
            return out;
        }
        StreamId last = g.lastId();
        if (sync ? s.length() == 0 || s.lastValidId().compareTo(last) <= 0 : s.lastId().compareTo(last) <= 0) {
            return null;
        }
        out.addAll(s.after(last, count));
        if (!deliver.test(out)) {
            return out;
        }
        Consumer owner = consumer(key, e, s, g, consumer);
        db.changeQuietly(key, e, () -> {
            for (Entry d : out) {
                s.advanceGroup(g, d.id());
                if (noAck) {
                    continue;
                }
                Nack n = g.pel.get(d.id());
                if (n == null) {
                    s.addPending(g, d.id(), owner, now, 1);
                } else {
                    StreamValue.reassign(n, d.id(), owner);
                    n.deliveryTime = now;
                    n.deliveryCount = 1;
                }
            }
            return 0;
        });
        countSyncRead(key, sync);
        return out;
    }

    /**
     * xreadCommand counts one change for each stream a group read serves at once ("if (groups)
     * server.dirty++"), on top of the consumer it creates; serving a blocked reader
     * (serveClientsBlockedOnStreamKey) counts only the consumer.
     */
    private void countSyncRead(byte[] key, boolean sync) {
        if (sync) {
            db.adjustChanges(key, 1);
        }
    }

    // ---- XACK XCLAIM XAUTOCLAIM ----------------------------------------------------------------

    /** XACK after the caller found the group: how many IDs were pending and are acknowledged. */
    public long ack(byte[] key, byte[] group, StreamId[] ids) {
        Object e = db.find(key);
        StreamValue s = streamOf(e);
        Group g = s.group(group);
        int acked = db.changeQuietly(key, e, () -> {
            int n = 0;
            for (StreamId id : ids) {
                if (s.removePending(g, id)) {
                    n++;
                }
            }
            return n;
        });
        // xackCommand counts each acknowledgement (server.dirty++), so XACK propagates as itself
        db.adjustChanges(key, acked);
        return acked;
    }

    /**
     * XCLAIM after the caller found the group and parsed everything (xclaimCommand): {@code
     * deliveryTime} is the new last delivery (already defaulted to now), {@code retryCount} -1
     * when not given, {@code lastId} null when not given. {@code changes} (may be null) hears of
     * each pending entry claimed or dropped. Counts a change for each, and one for a LASTID that
     * moved the group when nothing else changed, as xclaimCommand does.
     */
    public List<Entry> claim(byte[] key, byte[] group, byte[] consumer, long minIdle, StreamId[] ids,
            long deliveryTime, long retryCount, boolean force, boolean justId, StreamId lastId,
            PendingChange changes) {
        Object e = db.find(key);
        StreamValue s = streamOf(e);
        Group g = s.group(group);
        long now = System.currentTimeMillis();
        List<Entry> out = new ArrayList<>();
        Consumer[] owner = new Consumer[1];
        boolean movedLastId = db.changeQuietly(key, e, () -> {
            if (lastId != null && lastId.compareTo(g.lastId()) > 0) {
                g.lastMs = lastId.ms();
                g.lastSeq = lastId.seq();
                return 1;
            }
            return 0;
        }) == 1;
        long changed = 0;
        for (int i = 0; i < ids.length; i++) {
            StreamId id = ids[i];
            Nack existing = g.pel.get(id);
            if (!s.contains(id)) {
                if (existing != null) {
                    if (changes != null) {
                        changes.changed(i, id, existing);
                    }
                    changed++;
                    db.changeQuietly(key, e, () -> s.removePending(g, id) ? 1 : 0);
                }
                continue;
            }
            if (existing == null && !force) {
                continue;
            }
            if (existing != null && existing.consumer != null && minIdle != 0 && now - existing.deliveryTime < minIdle) {
                continue;
            }
            if (owner[0] == null) {
                owner[0] = consumer(key, e, s, g, consumer);
            }
            db.changeQuietly(key, e, () -> {
                Nack n = existing != null ? existing : s.addPending(g, id, null, deliveryTime, 1);
                n.deliveryTime = deliveryTime;
                if (retryCount >= 0) {
                    n.deliveryCount = retryCount;
                } else if (!justId) {
                    n.deliveryCount++;
                }
                StreamValue.reassign(n, id, owner[0]);
                return 0;
            });
            out.add(new Entry(id, justId ? null : s.get(id).fieldsAndValues()));
            if (changes != null) {
                changes.changed(i, id, g.pel.get(id));
            }
            changed++;
        }
        if (changed == 0 && movedLastId) {
            changed = 1;
        }
        db.adjustChanges(key, changed);
        return out;
    }

    /**
     * XAUTOCLAIM after the caller found the group (xautoclaimCommand); {@code changes} (may be
     * null) hears of each pending entry claimed or dropped, each counted as a change.
     */
    public AutoClaimed autoClaim(byte[] key, byte[] group, byte[] consumer, long minIdle, StreamId start,
            long count, boolean justId, PendingChange changes) {
        Object e = db.find(key);
        StreamValue s = streamOf(e);
        Group g = s.group(group);
        long now = System.currentTimeMillis();
        long attempts = count * 10;
        List<Entry> claimed = new ArrayList<>();
        List<StreamId> deleted = new ArrayList<>();
        Consumer owner = null;
        StreamId cursor = start;
        StreamId next = StreamId.MIN;
        long left = count;
        while (true) {
            if (attempts-- == 0 || left == 0) {
                Map.Entry<StreamId, Nack> after = cursor == null ? null : g.pel.ceilingEntry(cursor);
                next = after == null ? StreamId.MIN : after.getKey();
                break;
            }
            Map.Entry<StreamId, Nack> p = cursor == null ? null : g.pel.ceilingEntry(cursor);
            if (p == null) {
                next = StreamId.MIN;
                break;
            }
            StreamId id = p.getKey();
            Nack n = p.getValue();
            cursor = id.next();
            if (!s.contains(id)) {
                if (changes != null) {
                    changes.changed(-1, id, n);
                }
                db.changeQuietly(key, e, () -> s.removePending(g, id) ? 1 : 0);
                deleted.add(id);
                left--;
                continue;
            }
            if (minIdle != 0 && now - n.deliveryTime < minIdle) {
                continue;
            }
            if (owner == null) {
                owner = consumer(key, e, s, g, consumer);
            }
            Consumer to = owner;
            db.changeQuietly(key, e, () -> {
                n.deliveryTime = now;
                if (!justId) {
                    n.deliveryCount++;
                }
                StreamValue.reassign(n, id, to);
                return 0;
            });
            claimed.add(new Entry(id, justId ? null : s.get(id).fieldsAndValues()));
            if (changes != null) {
                changes.changed(-1, id, n);
            }
            left--;
        }
        db.adjustChanges(key, claimed.size() + deleted.size());
        return new AutoClaimed(claimed, next, deleted);
    }
}
