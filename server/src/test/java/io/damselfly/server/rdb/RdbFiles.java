package io.damselfly.server.rdb;

import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.KeyOps;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Shard;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Writes a keyspace to an RDB file image the way a snapshot does, for tests: one chunk per
 * database and shard (each opening with SELECTDB), the chunks concatenated in reverse order so
 * that a database is selected several times and not in order, as chunks of several threads come.
 */
final class RdbFiles {
    private RdbFiles() {
    }

    /** The file image of every database of {@code keyspace}, with the libraries of a FUNCTION DUMP payload (or none). */
    static byte[] write(Keyspace keyspace, byte[] functionDump) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        long now = System.currentTimeMillis();
        RdbEntryEncoder enc = new RdbEntryEncoder(64);
        for (int db = 0; db < keyspace.databases(); db++) {
            List<byte[]> keys = new ArrayList<>();
            keyspace.forEachKey(db, now, (key, type) -> keys.add(key));
            if (keys.isEmpty()) {
                continue;
            }
            Database d = keyspace.database(db, now);
            for (int s = 0; s < keyspace.shardCount(); s++) {
                enc.reset();
                enc.selectDb(db);
                if (s == 0) {
                    enc.resizeDb(keys.size(), 0);
                }
                Shard shard = keyspace.shard(s);
                shard.lock();
                try {
                    for (byte[] key : keys) {
                        if (d.shardIndex(key) != s) {
                            continue;
                        }
                        long expiry = d.keys().expiryOf(key);
                        if (expiry == KeyOps.MISSING) {
                            continue;
                        }
                        d.keys().dump(key, enc.entry(key, expiry == KeyOps.PERSISTENT ? Database.NO_EXPIRY : expiry));
                    }
                } finally {
                    shard.unlock();
                }
                chunks.add(java.util.Arrays.copyOf(enc.array(), enc.size()));
            }
        }
        Collections.reverse(chunks);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        RdbFileWriter w = new RdbFileWriter(file);
        w.header(now / 1000, keyspace.usedMemory());
        if (functionDump != null) {
            w.functions(functionDump);
        }
        for (byte[] c : chunks) {
            w.chunk(c, 0, c.length);
        }
        long size = w.finish();
        if (size != file.size()) {
            throw new AssertionError("writer counted " + size + " bytes, wrote " + file.size());
        }
        return file.toByteArray();
    }
}
