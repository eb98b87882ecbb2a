package io.damselfly.server.upstream;

import static io.damselfly.server.upstream.UpstreamFixture.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.TempDirs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Logins: the sidecar logs in to the upstream with the URL's credentials; a client that logs in
 * with the same ones keeps its hits, one with other ones gets its own upstream connection (and the
 * upstream's answer); the sidecar's own requirepass is checked locally.
 */
class NearCacheAuthTest {

    @Test
    void upstreamPassword_sameCredentialsStayCached_othersGoUpstream() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(Map.of(), "--requirepass", "s3cret")) {
            try (EmbeddedServer sidecar = EmbeddedServer.builder().option("upstream", "redis://:s3cret@127.0.0.1:" + f.redisPort)
                    .option("near_cache_maxmemory", "16mb").start()) {
                RedisClient lettuce = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(sidecar.port())
                        .withPassword("s3cret".toCharArray()).build());
                try (StatefulRedisConnection<String, String> c = lettuce.connect()) {
                    c.sync().set("a", "1");
                    assertTrue(within(2000, () -> {
                        c.sync().get("a");
                        return c.sync().info("nearcache").contains("hits:") && !c.sync().info("nearcache").contains("hits:0\r");
                    }), "a client logged in with the upstream's own credentials gets no hits");
                } finally {
                    lettuce.shutdown();
                }
                try (RawClient raw = new RawClient("127.0.0.1", sidecar.port())) {
                    // other credentials: the upstream answers, on the client's own connection
                    assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", raw.callText("AUTH", "wrong"));
                }
            }
        }
    }

    @Test
    void sidecarRequirepass_checkedLocally() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(Map.of("requirepass", "local"))) {
            f.upstream().set("k", "v");
            try (RawClient raw = new RawClient("127.0.0.1", f.sidecar.port())) {
                assertEquals("-NOAUTH Authentication required.", raw.callText("GET", "k"));
                assertEquals("+OK", raw.callText("AUTH", "local"));
                assertEquals("$v", raw.callText("GET", "k"));
            }
        }
    }
    @Test
    void sidecarAclUsers_loginAndRulesCheckedLocally() throws Exception {
        Path acl = TempDirs.file("sidecar", ".acl");
        Files.writeString(acl, "user default off\n"
                + "user app on >apppass ~app:* +get +set +multi +exec +ping\n"
                + "user admin on >adminpass ~* &* +@all\n");
        try (UpstreamFixture f = new UpstreamFixture(Map.of("aclfile", acl.toString()))) {
            f.upstream().set("app:1", "v1");
            f.upstream().set("other", "x");
            try (RawClient raw = new RawClient("127.0.0.1", f.sidecar.port())) {
                assertEquals("-NOAUTH Authentication required.", raw.callText("GET", "app:1"));
                assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", raw.callText("AUTH", "app", "nope"));
                assertEquals("+OK", raw.callText("AUTH", "app", "apppass"));
                assertEquals("$v1", raw.callText("GET", "app:1"));
                assertEquals("$v1", raw.callText("GET", "app:1")); // a hit: still this user's call
                assertEquals("-NOPERM this user has no permissions to access one of the keys used as arguments",
                        raw.callText("GET", "other"));
                assertEquals("-NOPERM this user has no permissions to run the 'del' command", raw.callText("DEL", "app:1"));
                // a command damselfly does not know is checked by its Redis name before it is relayed
                assertEquals("-NOPERM this user has no permissions to run the 'failover' command", raw.callText("FAILOVER"));
                assertEquals("+OK", raw.callText("SET", "app:2", "v2"));
                // MULTI makes the client stateful (its own upstream connection): still checked
                assertEquals("+OK", raw.callText("MULTI"));
                assertEquals("-NOPERM this user has no permissions to access one of the keys used as arguments",
                        raw.callText("SET", "other", "y"));
                assertEquals("+QUEUED", raw.callText("SET", "app:3", "v3"));
                raw.callText("EXEC");
            }
            assertEquals("v3", f.upstream().get("app:3"));
            assertEquals("x", f.upstream().get("other"));
            assertEquals("v2", f.upstream().get("app:2"));
            try (RawClient raw = new RawClient("127.0.0.1", f.sidecar.port())) {
                assertEquals("+OK", raw.callText("AUTH", "admin", "adminpass"));
                assertEquals(":1", raw.callText("DEL", "other"));
            }
        }
    }
}
