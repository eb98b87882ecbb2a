package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.config.Option;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CONFIG GET/SET of the snapshot options: Redis's {@code save} against a live redis-server
 * 7.0.15 (same replies, same error texts), and Dragonfly's flags, which Redis lacks, under their
 * flag names.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class SnapshotOptionsConfigTest {
    private EmbeddedServer server;

    @AfterEach
    void restoreDefaults() {
        if (server != null) {
            for (Option o : List.of(Option.SAVE, Option.SNAPSHOT_CRON, Option.PIPELINE_SQUASH, Option.MAX_EVICTION_PER_HEARTBEAT)) {
                server.config().set(o, o.defaultValue());
            }
        }
    }

    @Test
    void save_sameRepliesAsRedis(EmbeddedServer server, RedisServerProcess redis) {
        this.server = server;
        try (RawClient ref = new RawClient("127.0.0.1", redis.port()); RawClient ours = new RawClient(server.host(), server.port())) {
            String[][] calls = {
                    {"CONFIG", "SET", "save", "3600 1 300 100 60 10000"},
                    {"CONFIG", "GET", "save"},
                    {"CONFIG", "SET", "save", "900 1"},
                    {"CONFIG", "GET", "save"},
                    {"CONFIG", "SET", "save", "900"},
                    {"CONFIG", "SET", "save", "0 1"},
                    {"CONFIG", "SET", "save", "900 -1"},
                    {"CONFIG", "SET", "save", "abc 1"},
                    {"CONFIG", "SET", "save", "900 1 300"},
                    {"CONFIG", "SET", "save", "1.5 1"},
                    {"CONFIG", "GET", "save"},
                    {"CONFIG", "SET", "save", ""},
                    {"CONFIG", "GET", "save"},
                    {"CONFIG", "SET", "save", "  60   5  "},
                    {"CONFIG", "SET", "save", "60  5 0"},
                    {"CONFIG", "GET", "save"},
                    {"CONFIG", "SET", "save", "60 5 "},
                    {"CONFIG", "GET", "s?v?"},
                    {"CONFIG", "SET", "save", ""},
            };
            for (String[] call : calls) {
                assertEquals(ref.callText((Object[]) call), ours.callText((Object[]) call), String.join(" ", call));
            }
        }
    }

    @Test
    void dragonflyFlags_getAndSetUnderTheirFlagNames(EmbeddedServer server) {
        this.server = server;
        try (RawClient c = new RawClient(server.host(), server.port())) {
            assertEquals("[$pipeline_squash, $1]", c.callText("CONFIG", "GET", "pipeline_squash"));
            assertEquals("[$max_eviction_per_heartbeat, $100]", c.callText("CONFIG", "GET", "max_eviction_per_heartbeat"));
            assertEquals("[$save_schedule, $]", c.callText("CONFIG", "GET", "save_schedule"));
            assertEquals("[$snapshot_cron, $]", c.callText("CONFIG", "GET", "snapshot_cron"));
            assertEquals("+OK", c.callText("CONFIG", "SET", "pipeline_squash", "0", "max_eviction_per_heartbeat", "7"));
            assertEquals("[$pipeline_squash, $0]", c.callText("CONFIG", "GET", "pipeline_squash"));
            assertEquals("[$max_eviction_per_heartbeat, $7]", c.callText("CONFIG", "GET", "max_eviction_per_heartbeat"));
            assertEquals("+OK", c.callText("CONFIG", "SET", "snapshot_cron", "*/15 * * * *"));
            assertEquals("[$snapshot_cron, $*/15 * * * *]", c.callText("CONFIG", "GET", "snapshot_cron"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'snapshot_cron') - a cron line has 5 fields"
                            + " (minute hour day-of-month month day-of-week), '*:30' has 1",
                    c.callText("CONFIG", "SET", "snapshot_cron", "*:30"));
            assertEquals("[$snapshot_cron, $*/15 * * * *]", c.callText("CONFIG", "GET", "snapshot_cron"));
            // as in Dragonfly, save_schedule is a start-up flag only
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'save_schedule') - can't set immutable config",
                    c.callText("CONFIG", "SET", "save_schedule", "*:30"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'pipeline_squash') - argument couldn't be parsed into an integer",
                    c.callText("CONFIG", "SET", "pipeline_squash", "ten"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'max_eviction_per_heartbeat') - argument must be between 0 and 4294967295 inclusive",
                    c.callText("CONFIG", "SET", "max_eviction_per_heartbeat", "-1"));
            // a pipeline still runs after squashing is switched off and on between batches
            assertEquals("+OK", c.callText("SET", "k", "1"));
            assertEquals(":2", c.callText("INCR", "k"));
            assertEquals("+OK", c.callText("CONFIG", "SET", "pipeline_squash", "1"));
            assertEquals(":3", c.callText("INCR", "k"));
        }
    }
}
