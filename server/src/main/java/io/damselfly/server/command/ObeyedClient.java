package io.damselfly.server.command;

import io.damselfly.server.client.ClientConnection;
import io.damselfly.server.client.ClientSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A client with no connection that runs commands as the primary's link does (Redis's
 * CLIENT_MASTER, and its fake AOF client): obeyed, never refused by ACL, memory, MISCONF or
 * READONLY checks; each command its own batch; its replies looked at once and dropped. The replica
 * runs its primary's stream through one, an AOF replay one per file. Used by one thread at a time.
 */
public final class ObeyedClient {
    /** The most of an error reply {@link #execute} answers. */
    private static final int ERROR_TEXT_MAX = 200;

    private final ByteBuf replies = Unpooled.buffer(256);
    private final CommandExecutor executor;

    public ObeyedClient(ServerContext server) {
        this(server, new ClientSession(-1, ClientConnection.NONE, true, System.currentTimeMillis()));
    }

    /** Runs commands as {@code session} (a replica's link, listed among the clients). */
    public ObeyedClient(ServerContext server, ClientSession session) {
        session.markPrimaryLink();
        Reply reply = new Reply(session);
        reply.bind(replies);
        this.executor = new CommandExecutor(server, session, reply, null);
    }

    /** Runs {@code argv}; answers the start of its reply when that was an error, else null. */
    public String execute(byte[][] argv) {
        replies.clear();
        executor.execute(argv);
        // no batch spans commands here: a shard lock squashed across a batch would stay held after
        // the last command (the primary's stream pausing), and other loops' commands would wait on it
        executor.endBatch();
        String error = null;
        if (replies.isReadable() && replies.getByte(replies.readerIndex()) == '-') {
            error = replies.toString(replies.readerIndex(), Math.min(ERROR_TEXT_MAX, replies.readableBytes()),
                    StandardCharsets.ISO_8859_1).trim();
        }
        replies.clear();
        if (replies.capacity() > 1 << 20) {
            replies.capacity(256);
        }
        return error;
    }

    /** Its MULTI/EXEC state (an AOF replay drops a MULTI left open at a file's end). */
    public Transaction transaction() {
        return executor.transaction();
    }

    /** Gives back the reply buffer; the client is not used after. */
    public void release() {
        replies.release();
    }
}
