package io.damselfly.server.command.family;

import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.BlockedKeys;
import io.damselfly.server.keyspace.ListOps.End;
import io.damselfly.server.keyspace.OpStatus;

/**
 * A client blocked in a list pop, as the keyspace's {@link BlockedKeys} sees it: what it pops,
 * and its deferred reply, which whoever serves it completes (from any thread) with the reply
 * shape of its command.
 */
final class ListWaiter implements BlockedKeys.Waiter {
    /** The reply each blocking command gives. */
    enum Shape {
        /** BLPOP, BRPOP: [key, element]; a null array on timeout. */
        KEY_AND_ELEMENT,
        /** BLMPOP: [key, [element ...]]; a null array on timeout. */
        KEY_AND_ELEMENTS,
        /** BLMOVE, BRPOPLPUSH: the element; a null bulk on timeout. */
        ELEMENT
    }

    private final DeferredReply slot;
    private final Shape shape;
    private final End end;
    private final long count;
    private final byte[] destination;
    private final End destinationEnd;

    ListWaiter(DeferredReply slot, Shape shape, End end, long count, byte[] destination, End destinationEnd) {
        this.slot = slot;
        this.shape = shape;
        this.end = end;
        this.count = count;
        this.destination = destination;
        this.destinationEnd = destinationEnd;
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
    public boolean isGone() {
        return slot.isResolved();
    }

    @Override
    public boolean take(byte[] key, byte[][] elements) {
        return slot.complete(r -> {
            switch (shape) {
                case KEY_AND_ELEMENT -> {
                    r.array(2);
                    r.bulk(key);
                    r.bulk(elements[0]);
                }
                case KEY_AND_ELEMENTS -> ListCommands.replyKeyAndElements(r, key, elements);
                case ELEMENT -> r.bulk(elements[0]);
            }
        });
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
}
