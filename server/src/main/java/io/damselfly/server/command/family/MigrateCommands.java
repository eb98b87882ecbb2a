package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.KeyOps;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.migrate.Migration;
import io.damselfly.server.replication.Propagation;
import io.damselfly.server.rdb.DumpPayload;
import io.netty.channel.EventLoop;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * MIGRATE and RESTORE-ASKING (Redis group "generic", cluster.c): keys moved to another instance
 * as DUMP payloads restored there, the source keys deleted once the target acknowledged them.
 *
 * <p>Design. Redis's migrateCommand blocks its only thread while it talks to the target; here
 * the command serializes its keys and reads their TTLs under their shard locks as it runs (as
 * DUMP does), registers a WATCH version on each, and hands the exchange to a {@link Migration}
 * on Netty (the {@code migrate} package), answering through a deferred reply that blocks only
 * its own client. When the target has answered, the acknowledged keys are deleted on the
 * client's loop with an ordinary keyspace delete, but only a key whose version has not moved:
 * another client may have written it while the target was answering, which Redis, blocked, can
 * never see, and that write wins over the migration (the key stays, changed, on both sides).
 */
public final class MigrateCommands {
    static final String KEYS_NEEDS_EMPTY_KEY =
            "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";
    /**
     * Inside MULTI/EXEC or a script nothing can wait: Redis runs MIGRATE there with blocking I/O
     * while holding the whole server; damselfly would have to block its event loop with every
     * shard locked (and a MIGRATE to itself could never be answered), so it refuses instead.
     */
    static final String NOT_IN_ATOMIC =
            "ERR MIGRATE is not supported inside MULTI/EXEC or scripts by damselfly (it would block the server)";
    /** Redis's default when MIGRATE's timeout is 0 or negative, in ms. */
    static final long DEFAULT_TIMEOUT_MILLIS = 1000;

    /** How long the deletions wait before trying again for a shard a script holds, in ms. */
    static final long SHARD_RETRY_MILLIS = 1;

    private MigrateCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("migrate", MigrateCommands::migrate);
        // without a cluster, RESTORE-ASKING is RESTORE (Redis binds both to restoreCommand)
        t.add("restore-asking", DumpCommands::restore);
    }

    /**
     * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password | AUTH2
     * username password] [KEYS key [key ...]]
     */
    static void migrate(CommandContext c) {
        boolean copy = false;
        boolean replace = false;
        byte[] username = null;
        byte[] password = null;
        int firstKey = 3;
        int numKeys = 1;
        // migrateCommand's order: options, then the timeout, then the database
        for (int j = 6; j < c.argc(); j++) {
            int more = c.argc() - 1 - j;
            if (c.argIs(j, "copy")) {
                copy = true;
            } else if (c.argIs(j, "replace")) {
                replace = true;
            } else if (c.argIs(j, "auth")) {
                if (more < 1) {
                    throw c.syntaxError();
                }
                password = c.arg(++j);
                c.redact(j);
            } else if (c.argIs(j, "auth2")) {
                if (more < 2) {
                    throw c.syntaxError();
                }
                username = c.arg(++j);
                c.redact(j);
                password = c.arg(++j);
                c.redact(j);
            } else if (c.argIs(j, "keys")) {
                if (c.arg(3).length != 0) {
                    throw new CommandError(KEYS_NEEDS_EMPTY_KEY);
                }
                firstKey = j + 1;
                numKeys = c.argc() - j - 1;
                break;
            } else {
                throw c.syntaxError();
            }
        }
        long timeout = c.longArg(5);
        long dbid = c.longArg(4);
        if (timeout <= 0) {
            timeout = DEFAULT_TIMEOUT_MILLIS;
        }

        // the keys that exist, serialized now, under the locks the executor took for them
        Database db = c.db();
        byte[][] keys = new byte[numKeys][];
        byte[][] payloads = new byte[numKeys][];
        long[] ttls = new long[numKeys];
        long[] expiry = new long[1];
        int found = 0;
        for (int j = 0; j < numKeys; j++) {
            byte[] key = c.arg(firstKey + j);
            byte[] payload = DumpPayload.create(v -> {
                expiry[0] = db.keys().dumpWithExpiry(key, v);
                return expiry[0] != KeyOps.MISSING;
            });
            if (payload == null) {
                continue;
            }
            keys[found] = key;
            payloads[found] = payload;
            // Redis sends what is left of the TTL, at least 1 ms; 0 means none
            ttls[found] = expiry[0] == KeyOps.PERSISTENT ? 0 : Math.max(1, expiry[0] - c.now());
            found++;
        }
        if (found == 0) {
            c.reply().simple("NOKEY");
            return;
        }
        if (!c.canDefer()) {
            throw new CommandError(NOT_IN_ATOMIC);
        }
        keys = Arrays.copyOf(keys, found);
        payloads = Arrays.copyOf(payloads, found);
        ttls = Arrays.copyOf(ttls, found);

        Keyspace keyspace = c.server().keyspace();
        int dbIndex = db.index();
        long[] versions = new long[found];
        for (int i = 0; i < found; i++) {
            versions[i] = keyspace.watch(dbIndex, keys[i]);
        }
        DeferredReply slot = c.deferReply(true);
        String host = c.argString(1);
        String name = host + ":" + c.argString(2);
        byte[][] migrated = keys;
        Propagation propagation = c.server().propagation();
        Migration m = new Migration(c.server().migrateSockets(), (EventLoop) slot.executor(), host,
                atoi(c.arg(2)), name, dbid, timeout, username, password, copy, replace, keys, ttls, payloads,
                (acknowledged, error) -> slot.execute(() -> finish(slot, keyspace, propagation, dbIndex, migrated,
                        versions, acknowledged, error)));
        m.start();
    }

    /**
     * On the client's loop once the target answered: deletes each acknowledged key that nothing
     * changed since MIGRATE serialized it (its WATCH version unmoved), with the "del" event Redis
     * gives it, drops every key's watch, propagates the deletions as one DEL of those keys (as
     * migrateCommand rewrites itself), then answers. The keys' shards are all held together, as
     * a write's are, so the DEL reaches the stream in order with the deletions; a shard held
     * elsewhere (a long script) means all are let go and tried again shortly, so the loop never
     * blocks and no two threads can wait on each other.
     */
    private static void finish(DeferredReply slot, Keyspace keyspace, Propagation propagation, int dbIndex,
            byte[][] keys, long[] versions, boolean[] acknowledged, String error) {
        int[] shards = Arrays.stream(keys).mapToInt(keyspace::shardIndex).distinct().sorted().toArray();
        int held = 0;
        while (held < shards.length && keyspace.shard(shards[held]).tryLock(0)) {
            held++;
        }
        try {
            if (held < shards.length) {
                slot.executor().schedule(() -> finish(slot, keyspace, propagation, dbIndex, keys, versions,
                        acknowledged, error), SHARD_RETRY_MILLIS, TimeUnit.MILLISECONDS);
                return;
            }
            Database db = new Database(keyspace);
            db.bind(dbIndex, System.currentTimeMillis());
            byte[][] deleted = new byte[keys.length + 1][];
            int n = 0;
            deleted[n++] = ReplicatedForms.DEL;
            for (int i = 0; i < keys.length; i++) {
                if (acknowledged[i] && keyspace.watchedVersion(dbIndex, keys[i]) == versions[i]
                        && db.keys().delete(keys[i])) {
                    deleted[n++] = keys[i];
                }
                keyspace.unwatch(dbIndex, keys[i]);
            }
            if (n > 1) {
                propagation.add(dbIndex, Arrays.copyOf(deleted, n));
            }
        } finally {
            for (int h = held - 1; h >= 0; h--) {
                keyspace.shard(shards[h]).unlock();
            }
        }
        if (error == null) {
            slot.complete(Reply::ok);
        } else {
            slot.fail(error);
        }
    }

    /** C's atoi as Redis reads MIGRATE's port: leading blanks, a sign, then digits up to the first other byte. */
    static int atoi(byte[] s) {
        int i = 0;
        while (i < s.length && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) {
            i++;
        }
        boolean negative = false;
        if (i < s.length && (s[i] == '+' || s[i] == '-')) {
            negative = s[i] == '-';
            i++;
        }
        long v = 0;
        while (i < s.length && s[i] >= '0' && s[i] <= '9' && v < Integer.MAX_VALUE) {
            v = v * 10 + (s[i] - '0');
            i++;
        }
        v = Math.min(v, Integer.MAX_VALUE);
        return (int) (negative ? -v : v);
    }
}
