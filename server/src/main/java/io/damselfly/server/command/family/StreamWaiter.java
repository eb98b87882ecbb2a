package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.keyspace.BlockedKeys;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.StreamId;
import io.damselfly.server.keyspace.StreamOps;
import io.damselfly.server.keyspace.StreamValue;
import io.damselfly.server.keyspace.ValueType;
import io.damselfly.server.replication.Propagation;
import java.util.Arrays;
import java.util.List;

/**
 * A client blocked in XREAD or XREADGROUP with BLOCK, as the keyspace's {@link BlockedKeys} sees
 * it: per key the ID it reads after, and for a group reader the group and consumer.
 * Served as serveClientsBlockedOnStreamKey serves (blocked.c): an XREAD reader when its key's
 * last ID passes its own, a group reader when the last ID passes the group's (and as an error
 * when the group or the key is gone); the reply holds the one key that served it. A group reader
 * served propagates what its read changed as one unit of its own, MULTI/EXEC around several
 * commands, as Redis propagates each served client after it (afterCommand).
 */
final class StreamWaiter implements BlockedKeys.Waiter {
    private final DeferredReply slot;
    private final byte[][] keys;
    /** Per key: read after this ID (XREAD), or null (XREADGROUP's ">": after the group's last). */
    private final StreamId[] after;
    private final long count;
    private final byte[] group;
    private final byte[] consumer;
    private final boolean noAck;
    private final Propagation propagation;

    private StreamWaiter(DeferredReply slot, byte[][] keys, StreamId[] after, long count, byte[] group,
                         byte[] consumer, boolean noAck, Propagation propagation) {
        this.slot = slot;
        this.keys = keys;
        this.after = after;
        this.count = count;
        this.group = group;
        this.consumer = consumer;
        this.noAck = noAck;
        this.propagation = propagation;
    }

    /** Answers with an error, a failed call as Redis counts an unblocked client's error. */
    private void refuse(String error) {
        slot.fail(error);
    }

    @Override
    public ValueType type() {
        return ValueType.STREAM;
    }

    @Override
    public boolean isGone() {
        return slot.isResolved();
    }

    @Override
    public void runLater(Runnable task) {
        slot.execute(task);
    }

    @Override
    public boolean serveStream(Database view, byte[] key) {
        StreamOps ops = view.streams();
        StreamValue s = ops.readForWrite(key);
        boolean missing = s == null || s == StreamOps.WRONG_TYPE;
        if (group != null) {
            if (missing) {
                refuse(StreamCommands.BLOCKED_KEY_GONE);
                return true;
            }
            if (s.group(group) == null) {
                refuse(StreamCommands.BLOCKED_GROUP_GONE);
                return true;
            }
            StreamValue.Group g = s.group(group);
            boolean hadConsumer = g.consumers().containsKey(consumer);
            boolean[] delivered = {false};
            List<StreamValue.Entry> out = ops.readGroup(key, group, consumer, null, count, noAck, false,
                    entries -> delivered[0] = slot.complete(r -> replyOne(r, key, entries)));
            if (delivered[0]) {
                propagate(view.index(), key, g, !hadConsumer, out);
            }
            return out != null;
        }
        if (missing) {
            return false;
        }
        StreamId gt = after[indexOf(key)];
        if (s.lastId().compareTo(gt) <= 0) {
            return false;
        }
        List<StreamValue.Entry> out = s.after(gt, count);
        slot.complete(r -> replyOne(r, key, out));
        return true;
    }

    /** What this reader's read changed, as one unit (the key's shard is held). */
    private void propagate(int db, byte[] key, StreamValue.Group g, boolean consumerCreated, List<StreamValue.Entry> out) {
        Propagation.Unit unit = propagation.open();
        if (unit == null) {
            return;
        }
        try {
            StreamCommands.propagateGroupRead(argv -> propagation.add(db, argv), key, group, consumer, g,
                    consumerCreated, true, noAck, out);
        } finally {
            propagation.close(unit);
        }
    }

    private int indexOf(byte[] key) {
        for (int i = 0; i < keys.length; i++) {
            if (Arrays.equals(keys[i], key)) {
                return i;
            }
        }
        throw new IllegalStateException("served by a key it does not wait on");
    }

    private static void replyOne(io.damselfly.server.command.Reply r, byte[] key, List<StreamValue.Entry> entries) {
        StreamCommands.replyRead(r, List.of(key), List.of(entries));
    }

    /**
     * Blocks an XREAD or XREADGROUP on its {@code numKeys} keys from {@code firstKey}, reading
     * after {@code after} (null entries: the group's last ID); a null array on timeout.
     */
    static void block(CommandContext c, int firstKey, int numKeys, long timeout, StreamId[] after, long count,
                      byte[] group, byte[] consumer, boolean noAck) {
        DeferredReply slot = c.deferReply(true);
        byte[][] keys = Arrays.copyOfRange(c.argv(), firstKey, firstKey + numKeys);
        StreamWaiter w = new StreamWaiter(slot, keys, after, count, group, consumer, noAck, c.server().propagation());
        PopWaiter.park(c, slot, w, firstKey, numKeys, timeout, r -> r.nullArray());
    }
}
