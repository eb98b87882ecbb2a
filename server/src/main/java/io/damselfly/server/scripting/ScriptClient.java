package io.damselfly.server.scripting;

import io.damselfly.server.client.ClientConnection;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.CommandExecutor;
import io.damselfly.server.command.Reply;
import io.damselfly.server.command.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The client a script's redis.call runs as (Redis's lua_client): its own session (database and
 * protocol of its own: a SELECT or redis.setresp inside the script changes only this), a reply
 * rendered into a heap buffer that the engine reads back into Lua after each command, and an
 * executor made by {@link CommandExecutor#forScript}, which runs inside the caller's atomic block.
 * One per thread that runs scripts (an executor records statistics for its own thread), reused
 * across scripts and reset at each start.
 */
final class ScriptClient {
    /** Redis's script client shows no id of its own to users; damselfly gives it 0. */
    static final long ID = 0;

    final ClientSession session;
    final Reply reply;
    final ByteBuf buffer = Unpooled.buffer(256);
    final CommandExecutor executor;

    ScriptClient(ServerContext server) {
        this.session = new ClientSession(ID, ClientConnection.NONE, true, System.currentTimeMillis());
        session.markScriptClient();
        this.reply = new Reply(session);
        reply.bind(buffer);
        this.executor = CommandExecutor.forScript(server, session, reply);
    }

    /**
     * Prepares for a script starting now, run by {@code db}'s client: RESP2, that database,
     * nothing buffered, and the script's start as the time all its commands see.
     */
    void reset(int db) {
        executor.pinTimeForScript(System.currentTimeMillis());
        session.setDb(db);
        session.setProtocol(2);
        buffer.clear();
        if (buffer.capacity() > 1 << 20) {
            buffer.capacity(256);
        }
    }
}
