package io.damselfly.server.keyspace;

/** For keyspace tests without a server: runs a body as a command holding every shard would. */
final class KeyspaceLocks {
    private KeyspaceLocks() {
    }

    /** Runs {@code body} with every shard of {@code ks} locked. */
    static void locked(Keyspace ks, Runnable body) {
        ks.lockAll();
        try {
            body.run();
        } finally {
            ks.unlockAll();
        }
    }
}
