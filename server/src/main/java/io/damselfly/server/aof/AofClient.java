package io.damselfly.server.aof;

import io.damselfly.server.command.ObeyedClient;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.config.Option;
import io.damselfly.server.rdb.RdbLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The server's side of replaying an AOF ({@link AofLoading.Replay}): an RDB base or preamble
 * loaded into the keyspace, and each file's commands run by a client of its own as Redis's fake
 * AOF client (createAOFClient) runs them: obeyed as the primary's link is (never refused by ACL,
 * memory, MISCONF or READONLY checks), replies dropped. The caller holds every shard and runs the
 * replay with nothing propagated ({@link io.damselfly.server.replication.Propagation#withoutPropagating}),
 * as Redis propagates nothing while loading. Used on the loading thread only.
 */
public final class AofClient implements AofLoading.Replay {
    private final ServerContext server;

    private AofClient(ServerContext server) {
        this.server = server;
    }

    /**
     * Replays {@code manifest}'s files from the AOF directory under {@code dir} (an old-style file
     * in {@code dir} upgraded into it first), with aof-load-truncated and key-load-delay as
     * configured.
     */
    public static AofLoading.Result load(ServerContext server, AofManifest manifest, Path dir, Path aofDir, String fileName)
            throws IOException {
        AofLoading.Settings settings = new AofLoading.Settings(server.config().getBool(Option.AOF_LOAD_TRUNCATED),
                server.config().getInt(Option.KEY_LOAD_DELAY), server.config().getLong(Option.PROTO_MAX_BULK_LEN));
        return new AofLoading(dir, aofDir, fileName, settings, new AofClient(server)).load(manifest);
    }

    @Override
    public long rdb(InputStream in, long fileLength, String fileName) {
        // a bad or cut image fails the load, as Redis exits on it (RdbLoadException)
        return new RdbLoader(server.keyspace(), code -> server.scripts().functions().load(code, false), false)
                .load(in, fileLength, fileName).bytes();
    }

    @Override
    public Client newClient() {
        return new FileClient();
    }

    /** The AOF client of one file. */
    private final class FileClient implements Client {
        private final ObeyedClient client = new ObeyedClient(server);

        @Override
        public boolean knowsCommand(byte[][] argv) {
            return server.commands().lookup(argv[0]) != null;
        }

        @Override
        public void command(byte[][] argv) {
            // replies, errors included, are dropped, as the fake AOF client's
            client.execute(argv);
        }

        @Override
        public boolean inMulti() {
            return client.transaction().isOpen();
        }

        @Override
        public void close() {
            client.transaction().discard();
            client.release();
        }
    }
}
