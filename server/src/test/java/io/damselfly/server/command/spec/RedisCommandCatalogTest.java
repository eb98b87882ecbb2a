package io.damselfly.server.command.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bundled Redis 7.0.15 metadata and what is derived from it at start, checked against what
 * redis-server 7.0.15 reports (COMMAND COUNT, COMMAND INFO) for commands damselfly does not
 * implement yet; the implemented ones are compared with a live server by CommandIntrospectionCompatibilityTest.
 */
class RedisCommandCatalogTest {
    private static final RedisCommandCatalog REDIS = RedisCommandCatalog.redis();

    @Test
    void catalog_holdsEveryStandaloneCommand() {
        assertEquals("7.0.15", REDIS.redisVersion());
        // redis-server 7.0.15: COMMAND COUNT 240, COMMAND LIST 366 names
        assertEquals(240, REDIS.all().size());
        assertEquals(126, REDIS.all().stream().mapToInt(c -> c.subcommands().size()).sum());
        assertNull(REDIS.get("sentinel"), "sentinel-only commands are not in a standalone server");
        assertEquals("client|list", REDIS.byFullName("CLIENT|LIST").fullName());
        assertNull(REDIS.byFullName("client|setinfo"), "7.2");
        assertNull(REDIS.byFullName("get|x"));
    }

    @Test
    void legacyRange_likeRedis() {
        // name -> first, last, step, movablekeys: COMMAND INFO of redis-server 7.0.15
        Object[][] expected = {
            {"get", 1, 1, 1, false},
            {"mset", 1, -1, 2, false},
            {"blpop", 1, -2, 1, false},
            {"smove", 1, 2, 1, false},          // two consecutive specs glued
            {"zunionstore", 1, 1, 1, true},     // a keynum spec after the destination
            {"eval", 0, 0, 0, true},
            {"xread", 0, 0, 0, true},
            {"sort", 1, 1, 1, true},
            {"migrate", 3, 3, 1, true},         // INCOMPLETE
            {"ping", 0, 0, 0, false},
        };
        for (Object[] row : expected) {
            CommandSpec c = REDIS.get((String) row[0]);
            assertEquals(List.of(row[1], row[2], row[3], row[4]),
                    List.of(c.legacyFirstKey(), c.legacyLastKey(), c.legacyKeyStep(), c.movableKeys()), (String) row[0]);
        }
    }

    @Test
    void aclCategories_declaredAndImplicit_inRedisOrder() {
        assertEquals(List.of("@read", "@string", "@fast"), REDIS.get("get").aclCategories());
        assertEquals(List.of("@keyspace", "@write", "@slow", "@dangerous"), REDIS.get("flushdb").aclCategories());
        assertEquals(List.of("@admin", "@slow", "@dangerous"), REDIS.byFullName("config|get").aclCategories());
        assertEquals(List.of("@write", "@list", "@slow", "@blocking"), REDIS.get("blpop").aclCategories());
        // READONLY scripting commands are not @read
        assertFalse(REDIS.get("eval_ro").aclCategories().contains("@read"));
        assertEquals(List.of("@slow"), REDIS.get("client").aclCategories());
    }

    @Test
    void hasKeys_isDoesCommandHaveKeys() {
        assertTrue(REDIS.get("get").hasKeys());
        assertTrue(REDIS.get("eval").hasKeys());
        assertFalse(REDIS.get("ping").hasKeys());
        assertFalse(REDIS.get("keys").hasKeys());
        // SPUBLISH's only spec is NOT_KEY (a channel routed like a key)
        assertFalse(REDIS.get("spublish").hasKeys());
    }

    @Test
    void docs_argumentsAsRedisNormalisesThem() {
        CommandSpec set = REDIS.get("set");
        assertEquals("string", set.group());
        assertEquals(List.of("key", "value", "condition", "get", "expiration"),
                set.arguments().stream().map(ArgumentSpec::name).toList());
        ArgumentSpec condition = set.arguments().get(2);
        assertEquals(List.of("optional"), condition.flags());
        assertEquals("NX", condition.arguments().get(0).token());
        assertEquals("sorted-set", REDIS.get("zadd").group());
        assertEquals("server", REDIS.byFullName("config|get").group(), "a subcommand's group is its container's");
    }

    @Test
    void parse_badResource_saysWhatIsWrong() {
        assertThrows(JsonReader.MalformedJsonException.class, () -> RedisCommandCatalog.parse("{\"format\": 1, "));
        assertEquals("command metadata: format 2, expected 1", assertThrows(IllegalArgumentException.class,
                () -> RedisCommandCatalog.parse("{\"format\": 2}")).getMessage());
        assertEquals("command metadata: expected an object, found [1]", assertThrows(IllegalArgumentException.class,
                () -> RedisCommandCatalog.parse("[1]")).getMessage());
        assertEquals("x: missing \"arity\"", assertThrows(IllegalArgumentException.class,
                () -> RedisCommandCatalog.parse("{\"format\": 1, \"redis_version\": \"t\", \"commands\": {\"x\": {\"group\": \"generic\"}}}"))
                .getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisCommandCatalog.parse(
                "{\"format\": 1, \"redis_version\": \"t\", \"commands\": {\"x\": {\"group\": \"generic\", \"arity\": 2,"
                        + " \"key_specs\": [{\"flags\": [\"RO\"], \"begin_search\": {\"index\": {\"pos\": 1}},"
                        + " \"find_keys\": {\"range\": {\"lastkey\": 0, \"step\": 0, \"limit\": 0}}}]}}}"));
        assertEquals("x: key step 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RedisCommandCatalog.parse(
                "{\"format\": 1, \"redis_version\": \"t\", \"commands\": {\"x\": {\"group\": \"generic\", \"arity\": 2,"
                        + " \"key_specs\": [{\"flags\": [\"BOGUS\"], \"begin_search\": {\"index\": {\"pos\": 1}},"
                        + " \"find_keys\": {\"range\": {\"lastkey\": 0, \"step\": 1, \"limit\": 0}}}]}}}"));
    }
}
