package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.BlockedKeys;
import io.damselfly.server.keyspace.ListOps.End;
import io.damselfly.server.keyspace.OpStatus;
import io.damselfly.server.keyspace.ValueType;
import io.damselfly.server.replication.Propagation;

/**
 * A client blocked in a list pop or a sorted-set pop, as the keyspace's {@link BlockedKeys} sees
 * it: what it pops, and its deferred reply, which whoever serves it completes (from any thread)
 * with the reply shape of its command.
 *
 * <p>A waiter served by another client's write propagates its own pop, as Redis's blocked.c does
 * for each client it serves (serveClientBlockedOnList, serveClientsBlockedOnSortedSetKey): BLPOP
 * and BRPOP as {@code LPOP|RPOP key}, BLMPOP as {@code LPOP|RPOP key n}, BLMOVE as LMOVE with
 * the ends spelt {@code left|right}, BRPOPLPUSH as RPOPLPUSH, BZPOPMIN and BZPOPMAX as {@code
 * ZPOPMIN|ZPOPMAX key}, BZMPOP as {@code ZPOPMIN|ZPOPMAX key n}, n being what it got. Serving
 * runs after the waker's own unit was appended, so each goes out alone, after it.
 */
final class PopWaiter implements BlockedKeys.Waiter {
    /** The reply each blocking command gives. */
    enum Shape {
        /** BLPOP, BRPOP: [key, element]; a null array on timeout. */
        KEY_AND_ELEMENT,
        /** BLMPOP: [key, [element ...]]; a null array on timeout. */
        KEY_AND_ELEMENTS,
        /** BLMOVE, BRPOPLPUSH: the element; a null bulk on timeout. */
        ELEMENT,
        /** BZPOPMIN, BZPOPMAX: [key, member, score]; a null array on timeout. */
        KEY_MEMBER_SCORE,
        /** BZMPOP: [key, [[member, score] ...]]; a null array on timeout. */
        KEY_AND_SCORED_MEMBERS;

        boolean isSortedSet() {
            return this == KEY_MEMBER_SCORE || this == KEY_AND_SCORED_MEMBERS;
        }
    }

    private final DeferredReply slot;
    private final Shape shape;
    private final Propagation propagation;
    private final int db;
    /** BRPOPLPUSH, which propagates as RPOPLPUSH where BLMOVE propagates as LMOVE. */
    private final boolean rpoplpush;
    private final End end;
    private final long count;
    private final byte[] destination;
    private final End destinationEnd;

    PopWaiter(DeferredReply slot, Shape shape, End end, long count, byte[] destination, End destinationEnd,
              Propagation propagation, int db, boolean rpoplpush) {
        this.slot = slot;
        this.shape = shape;
        this.propagation = propagation;
        this.db = db;
        this.rpoplpush = rpoplpush;
        this.end = end;
        this.count = count;
        this.destination = destination;
        this.destinationEnd = destinationEnd;
    }

    @Override
    public ValueType type() {
        return shape.isSortedSet() ? ValueType.ZSET : ValueType.LIST;
    }

    @Override
    public End end() {
        return end;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public byte[] destination() {
        return destination;
    }

    @Override
    public End destinationEnd() {
        return destinationEnd;
    }

    @Override
    public boolean countsServedChanges() {
        // Redis counts a served BLMPOP's and sorted-set pop's elements, not a served BLPOP, BRPOP or BLMOVE
        return shape != Shape.KEY_AND_ELEMENT && shape != Shape.ELEMENT;
    }

    @Override
    public boolean isGone() {
        return slot.isResolved();
    }

    @Override
    public boolean take(byte[] key, byte[][] elements) {
        boolean taken = slot.complete(r -> {
            switch (shape) {
                case KEY_AND_ELEMENT -> {
                    r.array(2);
                    r.bulk(key);
                    r.bulk(elements[0]);
                }
                case KEY_AND_ELEMENTS -> ListCommands.replyKeyAndElements(r, key, elements);
                case ELEMENT -> r.bulk(elements[0]);
                default -> throw new IllegalStateException("a sorted-set waiter given list elements");
            }
        });
        if (taken && propagation.active()) {
            propagation.add(db, switch (shape) {
                case KEY_AND_ELEMENT -> ListCommands.popForm(end, key, -1);
                case KEY_AND_ELEMENTS -> ListCommands.popForm(end, key, elements.length);
                default -> rpoplpush
                        ? new byte[][] {ReplicatedForms.RPOPLPUSH, key, destination}
                        : new byte[][] {ReplicatedForms.LMOVE, key, destination, endWord(end), endWord(destinationEnd)};
            });
        }
        return taken;
    }

    @Override
    public boolean takeScored(byte[] key, byte[][] members, double[] scores) {
        boolean taken = slot.complete(r -> {
            if (shape == Shape.KEY_MEMBER_SCORE) {
                SortedSetCommands.replyKeyMemberScore(r, key, members[0], scores[0]);
            } else {
                SortedSetCommands.replyKeyAndScoredMembers(r, key, members, scores);
            }
        });
        if (taken && propagation.active()) {
            propagation.add(db, SortedSetCommands.popForm(end == End.RIGHT, key,
                    shape == Shape.KEY_MEMBER_SCORE ? -1 : members.length));
        }
        return taken;
    }

    private static byte[] endWord(End end) {
        return end == End.LEFT ? ReplicatedForms.LEFT : ReplicatedForms.RIGHT;
    }

    @Override
    public boolean refuse(OpStatus status) {
        if (status != OpStatus.WRONG_TYPE) {
            throw new IllegalArgumentException("unexpected " + status);
        }
        return slot.complete(r -> r.error(Errors.WRONGTYPE));
    }

    @Override
    public void runLater(Runnable task) {
        slot.execute(task);
    }

    /** The reply on timeout, or where the client cannot block (Redis's CLIENT_DENY_BLOCKING). */
    static void replyTimedOut(Reply r, Shape shape) {
        if (shape == Shape.ELEMENT) {
            r.nullBulk();
        } else {
            r.nullArray();
        }
    }

    /**
     * Blocks the client on {@code numKeys} keys from {@code firstKey}: a deferred reply that
     * blocks its later requests, registered with the keyspace's {@link BlockedKeys} until it is
     * served, times out ({@code timeout} ms; 0 = never) or its connection closes, and then taken
     * out of every key's queue. Where the client cannot wait (a script, a transaction) it answers
     * as on timeout, as Redis does.
     */
    static void block(CommandContext c, int firstKey, int numKeys, long timeout, Shape shape,
                      End end, long count, byte[] destination, End destinationEnd) {
        if (!c.canDefer()) {
            replyTimedOut(c.reply(), shape);
            return;
        }
        DeferredReply slot = c.deferReply(true);
        PopWaiter waiter = new PopWaiter(slot, shape, end, count, destination, destinationEnd,
                c.server().propagation(), c.db().index(), c.command().name().equals("brpoplpush"));
        park(c, slot, waiter, firstKey, numKeys, timeout, r -> replyTimedOut(r, shape));
    }

    /**
     * Registers any blocked client ({@code waiter}, answering through {@code slot}) on {@code
     * numKeys} keys from {@code firstKey} with the keyspace's {@link BlockedKeys}, takes it out of
     * every queue once the slot resolves, and arms its timeout ({@code timeout} ms, 0 = never)
     * with the reply {@code onTimeout} writes (also what CLIENT UNBLOCK ... TIMEOUT answers).
     */
    static void park(CommandContext c, DeferredReply slot, BlockedKeys.Waiter waiter, int firstKey, int numKeys,
                     long timeout, java.util.function.Consumer<Reply> onTimeout) {
        BlockedKeys blocked = c.server().keyspace().blockedKeys();
        BlockedKeys.Registration registration = blocked.register(waiter, c.db().index(), c.argv(), firstKey, firstKey + numKeys);
        slot.onResolved(() -> blocked.unregister(registration));
        // 0 = no timer; the timeout reply is still what CLIENT UNBLOCK ... TIMEOUT answers
        slot.timeoutAfter(timeout, onTimeout);
    }
}
