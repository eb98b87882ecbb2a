package io.damselfly.server.net;

import io.netty.channel.EventLoop;
import java.util.ArrayList;

/**
 * The connections one event loop serves, for {@link LoopBalancer}: changed only on that loop's
 * thread (a connection joins when it starts or arrives there, leaves when it closes or moves),
 * its size read by the balancer from any thread.
 */
final class LoopConnections {
    /** A connection a loop serves. */
    interface Member {
        /** Its place in the registry, kept by the registry; -1 outside. */
        int memberIndex();

        void memberIndex(int index);

        /** Whether it may move to another loop now (on its loop). */
        boolean movable();

        /** Moves to {@code target} (on its loop, after it left this registry). */
        void moveTo(EventLoop target);
    }

    private final ArrayList<Member> members = new ArrayList<>();
    private volatile int size;
    /** Connections that left this loop for another, ever. */
    private volatile long movedOut;

    void join(Member m) {
        m.memberIndex(members.size());
        members.add(m);
        size = members.size();
    }

    void leave(Member m) {
        int i = m.memberIndex();
        if (i < 0) {
            return;
        }
        Member last = members.remove(members.size() - 1);
        if (last != m) {
            members.set(i, last);
            last.memberIndex(i);
        }
        m.memberIndex(-1);
        size = members.size();
    }

    int size() {
        return size;
    }

    /**
     * On this registry's loop: moves every other movable connection to {@code target}, half of
     * them; returns how many moved.
     */
    int spread(EventLoop target) {
        ArrayList<Member> moving = new ArrayList<>();
        boolean take = false;
        for (Member m : members) {
            if (m.movable()) {
                if (take) {
                    moving.add(m);
                }
                take = !take;
            }
        }
        for (Member m : moving) {
            leave(m);
            m.moveTo(target);
        }
        movedOut += moving.size();
        return moving.size();
    }

    long movedOut() {
        return movedOut;
    }
}
