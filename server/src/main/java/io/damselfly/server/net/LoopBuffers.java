package io.damselfly.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.function.Supplier;

/**
 * The buffers an event loop reads requests into and writes replies into, handed out again and
 * again instead of taken from the pooled allocator for every read and every reply batch.
 *
 * <p>Why: a pooled allocation and its release are a fair share of an unpipelined request's user
 * time (profiled, redis-benchmark GET -c 50: 14-17% of the loops' user time, about half for the
 * read buffer and half for the reply buffer; Netty 4.1's pooled buffers count pinned memory with
 * an atomic add at each allocation and each release, and return through a recycler and a queue);
 * with the rings, 5%. Redis keeps its clients' query and reply buffers alike, not allocating per
 * request.
 *
 * <p>How: a short ring of buffers per loop and per use, each held by the ring with one reference.
 * {@link Ring#take} looks at the next slot: a buffer whose only reference is the ring's (every
 * holder it was handed to has released it: the decoder that read it, the channel that wrote it)
 * is cleared and handed out again, retained once more; a buffer still held elsewhere (a partial
 * request kept as the decoder's cumulation, a reply the client has not read yet) is left to its
 * holder, the ring drops its reference, and a new buffer takes the slot. Reference counts are the
 * only signal, so a holder cannot see a buffer reused under it: it holds a reference until it is
 * done, as with any pooled buffer. A buffer that grew past the ring's keep limit while handed out
 * is dropped the same way instead of kept. Replies of one loop pass are flushed together
 * ({@link LoopFlushes}), so the reply ring holds one buffer for each connection of a pass, up to
 * its length; a longer pass allocates for the rest, as before.
 *
 * <p>Bounds: per loop, the read ring holds at most {@link #READ_SLOTS} buffers of at most
 * {@link #READ_CAPACITY} bytes, and the reply ring {@link #REPLY_SLOTS} of at most {@link
 * #REPLY_KEEP_LIMIT}. A read buffer kept by a decoder for a partial request is as big as
 * {@link #READ_CAPACITY} (Redis's query buffer for such a client is 16 KiB or more too).
 *
 * <p>Only the loop's own thread uses its rings. When the loop's thread ends, its rings release
 * their buffers (Netty's loop threads clear their thread-locals as they end; any other thread
 * allocates as before).
 */
final class LoopBuffers {
    /** Bytes a request read may bring at once: Redis reads 16 KiB at a time (PROTO_IOBUF_LEN). */
    static final int READ_CAPACITY = 16 * 1024;
    /** Reads of one readiness event at most, while each fills its buffer (Netty's stream default). */
    static final int READS_PER_EVENT = 16;
    /** One read is in the decoder at a time; a second slot covers a buffer kept as a cumulation. */
    static final int READ_SLOTS = 2;
    /** Connections of one loop pass whose reply buffers are reused, each; more allocate. */
    static final int REPLY_SLOTS = 64;
    /** A reply buffer grown past this is not kept: Redis's reply buffer chunk, 16 KiB. */
    static final int REPLY_KEEP_LIMIT = 16 * 1024;

    private static final FastThreadLocal<LoopBuffers> OF_LOOP = new FastThreadLocal<>() {
        @Override
        protected LoopBuffers initialValue() {
            return new LoopBuffers();
        }

        @Override
        protected void onRemoval(LoopBuffers buffers) {
            buffers.reads.releaseAll();
            buffers.replies.releaseAll();
        }
    };

    private final Ring reads = new Ring(READ_SLOTS, READ_CAPACITY, READ_CAPACITY);
    private final Ring replies = new Ring(REPLY_SLOTS, 0, REPLY_KEEP_LIMIT);

    private LoopBuffers() {
    }

    /** The calling loop thread's buffers. */
    static LoopBuffers ofThisLoop() {
        return OF_LOOP.get();
    }

    /**
     * Reply buffers for a connection, each to be released by whoever takes it: from the ring of
     * the loop thread that asks (the connection's own), from {@code alloc} when none is free or
     * when the thread is not one whose rings are released at its end.
     */
    static Supplier<ByteBuf> replies(ByteBufAllocator alloc) {
        return () -> FastThreadLocalThread.willCleanupFastThreadLocals(Thread.currentThread())
                ? ofThisLoop().replies.take(alloc) : alloc.ioBuffer();
    }

    /**
     * The channel option that makes a connection read into its loop's read ring, {@link
     * #READ_CAPACITY} bytes at most per read, and read again in the same event (up to {@link
     * #READS_PER_EVENT} times) only while reads fill the buffer, as Netty's default for streams.
     */
    static final class ReadAllocator extends DefaultMaxMessagesRecvByteBufAllocator {
        ReadAllocator() {
            super(READS_PER_EVENT);
        }

        @Override
        public Handle newHandle() {
            return new ReadHandle();
        }

        private final class ReadHandle extends MaxMessageHandle {
            @Override
            public int guess() {
                return READ_CAPACITY;
            }

            @Override
            public ByteBuf allocate(ByteBufAllocator alloc) {
                // alloc is the transport's, which gives the direct buffers the transport reads into
                return ofThisLoop().reads.take(alloc);
            }
        }
    }

    /** Buffers reused while nothing but the ring holds them; see {@link LoopBuffers}. */
    static final class Ring {
        private final ByteBuf[] slots;
        /** Capacity of a new buffer; 0 for the allocator's default (which grows as written). */
        private final int capacity;
        /** A buffer that grew beyond this is not kept. */
        private final int keepLimit;
        /** The slot handed out last: reused first while free, so one connection keeps one warm buffer. */
        private int last;
        private int next;

        Ring(int slots, int capacity, int keepLimit) {
            this.slots = new ByteBuf[slots];
            this.capacity = capacity;
            this.keepLimit = keepLimit;
        }

        /** A buffer with no data, its release owed by the caller. */
        ByteBuf take(ByteBufAllocator alloc) {
            ByteBuf b = slots[last];
            if (b != null && free(b)) {
                return b.clear().retain();
            }
            int i = next;
            next = i + 1 == slots.length ? 0 : i + 1;
            last = i;
            b = slots[i];
            if (b != null) {
                if (free(b)) {
                    return b.clear().retain();
                }
                // still held by whoever it was handed to, or grown: theirs alone from now on
                b.release();
            }
            b = capacity == 0 ? alloc.ioBuffer() : alloc.ioBuffer(capacity);
            slots[i] = b;
            return b.retain();
        }

        /** Whether only the ring holds {@code b}, and it may be kept at its size. */
        private boolean free(ByteBuf b) {
            return b.refCnt() == 1 && b.capacity() <= keepLimit;
        }

        void releaseAll() {
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] != null) {
                    slots[i].release();
                    slots[i] = null;
                }
            }
        }
    }
}
