package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.keyspace.KeyspaceObserver;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.Wire;
import io.lettuce.core.GeoArgs;
import io.lettuce.core.GeoCoordinates;
import io.lettuce.core.GeoSearch;
import io.lettuce.core.GeoValue;
import io.lettuce.core.GeoWithin;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The geo family through a real client (Lettuce, RESP3 and RESP2) and byte-exact transcripts:
 * replies and their shapes (coordinates as RESP3 doubles with Redis's 17 decimals, distances as
 * bulk strings), the geo set being an ordinary sorted set, the write hook's events, WATCH, and
 * WRONGTYPE. Every error text and the comparison with redis-server are in
 * GeoCommandsCompatibilityTest.
 */
@ExtendWith(ServerExtension.class)
class GeoCommandsTest {

    private static void sicily(RedisCommands<String, String> redis) {
        assertEquals(2L, redis.geoadd("Sicily", GeoValue.just(13.361389, 38.115556, "Palermo"),
                GeoValue.just(15.087269, 37.502669, "Catania")));
    }

    @Test
    void geoadd_geopos_geodist_geohash_resp3(RedisCommands<String, String> redis) {
        sicily(redis);
        List<GeoCoordinates> pos = redis.geopos("Sicily", "Palermo", "nosuch", "Catania");
        assertEquals(3, pos.size());
        assertEquals(13.36138933897018433, pos.get(0).getX().doubleValue());
        assertEquals(38.11555639549629859, pos.get(0).getY().doubleValue());
        assertNull(pos.get(1));
        assertEquals(166274.1516, redis.geodist("Sicily", "Palermo", "Catania", GeoArgs.Unit.m));
        assertEquals(166.2742, redis.geodist("Sicily", "Palermo", "Catania", GeoArgs.Unit.km));
        assertEquals(103.3182, redis.geodist("Sicily", "Palermo", "Catania", GeoArgs.Unit.mi));
        assertNull(redis.geodist("Sicily", "Palermo", "nosuch", GeoArgs.Unit.m));
        assertNull(redis.geodist("nokey", "Palermo", "Catania", GeoArgs.Unit.m));
        assertEquals("sqc8b49rny0", redis.geohash("Sicily", "Palermo", "x").get(0).getValue());
        assertTrue(redis.geohash("Sicily", "Palermo", "x").get(1).isEmpty());
    }

    @Test
    void geoadd_isZadd_theSetIsASortedSetOfGeohashes(RedisCommands<String, String> redis) {
        sicily(redis);
        assertEquals("zset", redis.type("Sicily"));
        assertEquals(3479099956230698.0, redis.zscore("Sicily", "Palermo"));
        assertEquals(List.of("Palermo", "Catania"), redis.zrange("Sicily", 0, -1));
        // NX leaves Palermo where it was; XX moves it; CH counts the move
        assertEquals(0L, redis.geoadd("Sicily", io.lettuce.core.GeoAddArgs.Builder.nx(), GeoValue.just(0, 0, "Palermo")));
        assertEquals(3479099956230698.0, redis.zscore("Sicily", "Palermo"));
        assertEquals(1L, redis.geoadd("Sicily", new io.lettuce.core.GeoAddArgs().xx().ch(), GeoValue.just(0, 0, "Palermo"),
                GeoValue.just(1, 1, "Absent")));
        assertEquals(2L, redis.zcard("Sicily"));
        assertEquals(0.0, redis.geopos("Sicily", "Palermo").get(0).getX().doubleValue(), 1e-5);
        redis.zrem("Sicily", "Palermo", "Catania");
        assertEquals(0L, redis.exists("Sicily"));
    }

    @Test
    void georadius_withEverything_resp2(@Resp2 RedisCommands<String, String> redis) {
        sicily(redis);
        List<GeoWithin<String>> r = redis.georadius("Sicily", 15, 37, 200, GeoArgs.Unit.km,
                new GeoArgs().withDistance().withCoordinates().withHash().asc());
        assertEquals(2, r.size());
        assertEquals("Catania", r.get(0).getMember());
        assertEquals(56.4413, r.get(0).getDistance());
        assertEquals(3479447370796909L, r.get(0).getGeohash());
        assertEquals(15.08726745843887329, r.get(0).getCoordinates().getX().doubleValue());
        assertEquals("Palermo", r.get(1).getMember());
        assertEquals(190.4424, r.get(1).getDistance());
        assertEquals(Set.of("Catania"), redis.georadius("Sicily", 15, 37, 100, GeoArgs.Unit.km));
        assertEquals(Set.of("Palermo", "Catania"), redis.georadiusbymember("Sicily", "Palermo", 200, GeoArgs.Unit.km));
    }

    @Test
    void geosearch_memberAndBox_countAny(RedisCommands<String, String> redis) {
        sicily(redis);
        redis.geoadd("Sicily", 13.583333, 37.316667, "Agrigento");
        List<GeoWithin<String>> r = redis.geosearch("Sicily", GeoSearch.fromMember("Palermo"),
                GeoSearch.byRadius(200, GeoArgs.Unit.km), new GeoArgs().withDistance().desc());
        assertEquals(List.of("Catania", "Agrigento", "Palermo"), r.stream().map(GeoWithin::getMember).toList());
        assertEquals(0.0, r.get(2).getDistance());
        assertEquals(Set.of("Agrigento", "Palermo"), redis.geosearch("Sicily", GeoSearch.fromCoordinates(13.5, 37.8),
                GeoSearch.byBox(100, 200, GeoArgs.Unit.km)));
        List<GeoWithin<String>> nearest = redis.geosearch("Sicily", GeoSearch.fromCoordinates(15, 37),
                GeoSearch.byRadius(500, GeoArgs.Unit.km), new GeoArgs().withCount(2));
        assertEquals(List.of("Catania", "Agrigento"), nearest.stream().map(GeoWithin::getMember).toList());
        assertEquals(1, redis.geosearch("Sicily", GeoSearch.fromCoordinates(15, 37),
                GeoSearch.byRadius(500, GeoArgs.Unit.km), new GeoArgs().withCount(1, true)).size());
    }

    @Test
    void geosearchstore_andGeoradiusStore_writeSortedSets(RedisCommands<String, String> redis) {
        sicily(redis);
        assertEquals(2L, redis.geosearchstore("dst", "Sicily", GeoSearch.fromCoordinates(15, 37),
                GeoSearch.byRadius(200, GeoArgs.Unit.km), new GeoArgs(), false));
        assertEquals(redis.zscore("Sicily", "Catania"), redis.zscore("dst", "Catania"));
        assertEquals(2L, redis.geosearchstore("dist", "Sicily", GeoSearch.fromCoordinates(15, 37),
                GeoSearch.byRadius(200, GeoArgs.Unit.km), new GeoArgs(), true));
        assertEquals(56.441257870158204, redis.zscore("dist", "Catania"));
        redis.set("old", "string");
        assertEquals(1L, redis.georadius("Sicily", 15, 37, 100, GeoArgs.Unit.km,
                io.lettuce.core.GeoRadiusStoreArgs.Builder.store("old")));
        assertEquals("zset", redis.type("old"));
        // nothing found: the destination goes
        assertEquals(0L, redis.georadius("Sicily", 0, 0, 1, GeoArgs.Unit.km,
                io.lettuce.core.GeoRadiusStoreArgs.Builder.store("old")));
        assertEquals(0L, redis.exists("old"));
    }

    @Test
    void events_zaddAndStoreNames(RedisCommands<String, String> redis, EmbeddedServer server) {
        List<String> events = new CopyOnWriteArrayList<>();
        KeyspaceObserver recorder = (db, key, event) ->
                events.add(new String(key, StandardCharsets.UTF_8) + ":" + event.redisName());
        server.keyspace().addObserver(recorder);
        sicily(redis);
        // NX changes nothing: no event
        redis.geoadd("Sicily", io.lettuce.core.GeoAddArgs.Builder.nx(), GeoValue.just(1, 1, "Palermo"));
        redis.georadius("Sicily", 15, 37, 200, GeoArgs.Unit.km, io.lettuce.core.GeoRadiusStoreArgs.Builder.store("r"));
        redis.geosearchstore("s", "Sicily", GeoSearch.fromCoordinates(15, 37), GeoSearch.byRadius(200, GeoArgs.Unit.km),
                new GeoArgs(), true);
        redis.geosearchstore("s", "Sicily", GeoSearch.fromCoordinates(0, 0), GeoSearch.byRadius(1, GeoArgs.Unit.km),
                new GeoArgs(), false);
        assertEquals(List.of("Sicily:new", "Sicily:zadd", "r:new", "r:georadiusstore", "s:new", "s:geosearchstore", "s:del"),
                events);
    }

    @Test
    void watch_geoaddAbortsTheTransaction(RedisCommands<String, String> redis, RedisCommands<String, String> other) {
        sicily(redis);
        redis.watch("Sicily");
        other.geoadd("Sicily", 1, 1, "New");
        redis.multi();
        redis.geopos("Sicily", "New");
        TransactionResult r = redis.exec();
        assertTrue(r.wasDiscarded());
    }

    @Test
    void geoaddAndStores_wakeBlockedPops(RedisCommands<String, String> redis, RawClient blocked) {
        sicily(redis);
        blocked.send("BZPOPMIN", "g", "dst", "5");
        BlockedClients.await(redis, 1);
        redis.geoadd("g", 13.361389, 38.115556, "Palermo");
        assertEquals("[$g, $Palermo, $3479099956230698]", RawClient.render(blocked.read()));
        blocked.send("BZPOPMAX", "dst", "5");
        BlockedClients.await(redis, 1);
        assertEquals(2L, redis.geosearchstore("dst", "Sicily", GeoSearch.fromCoordinates(15, 37),
                GeoSearch.byRadius(200, GeoArgs.Unit.km), new GeoArgs(), true));
        assertEquals("[$dst, $Palermo, $190.44242984775784]", RawClient.render(blocked.read()));
        BlockedClients.await(redis, 0);
    }

    @Test
    void shapes_resp2BulksResp3Doubles(EmbeddedServer server) {
        try (Wire w = new Wire(server)) {
            w.expect(":1\r\n", "GEOADD", "g", "13.361389", "38.115556", "Palermo");
            w.expect("*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n", "GEOPOS", "g", "Palermo", "x");
            w.expect("*1\r\n$-1\r\n", "GEOHASH", "g", "x");
            w.expect("$6\r\n0.0000\r\n", "GEODIST", "g", "Palermo", "Palermo");
            w.expect("$-1\r\n", "GEODIST", "nokey", "a", "b");
            w.expect("*1\r\n*4\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n:3479099956230698\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n",
                    "GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "m", "WITHDIST", "WITHHASH", "WITHCOORD");
            assertTrue(w.hello3());
            w.expect("*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n", "GEOPOS", "g", "Palermo", "x");
            w.expect("*1\r\n_\r\n", "GEOHASH", "g", "x");
            w.expect("$6\r\n0.0000\r\n", "GEODIST", "g", "Palermo", "Palermo");
            w.expect("_\r\n", "GEODIST", "nokey", "a", "b");
            w.expect("*1\r\n*3\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n",
                    "GEORADIUSBYMEMBER_RO", "g", "Palermo", "1", "km", "WITHDIST", "WITHCOORD");
            w.expect("*0\r\n", "GEORADIUS", "nokey", "0", "0", "1", "km");
        }
    }

    @Test
    void wrongType_everyCommand(RawClient raw) {
        raw.call("SET", "s", "v");
        String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        for (Object[] call : List.of(
                new Object[] {"GEOADD", "s", "1", "1", "m"},
                new Object[] {"GEOPOS", "s", "m"},
                new Object[] {"GEOHASH", "s", "m"},
                new Object[] {"GEODIST", "s", "a", "b"},
                new Object[] {"GEORADIUS", "s", "1", "1", "1", "km", "garbage"},
                new Object[] {"GEORADIUS_RO", "s", "1", "1", "1", "km"},
                new Object[] {"GEORADIUSBYMEMBER", "s", "m", "1", "km"},
                new Object[] {"GEORADIUSBYMEMBER_RO", "s", "m", "1", "km"},
                new Object[] {"GEOSEARCH", "s", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"},
                new Object[] {"GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"})) {
            assertEquals(wrongType, raw.callText(call), String.valueOf(call[0]));
        }
    }

    @Test
    void errors_reachTheClient(RedisCommands<String, String> redis) {
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                () -> redis.geoadd("g", 200, 100, "x"));
        assertEquals("ERR invalid longitude,latitude pair 200.000000,100.000000", e.getMessage());
        e = assertThrows(RedisCommandExecutionException.class,
                () -> redis.geoadd("g", 0, 0, "x").equals(redis.georadiusbymember("g", "nosuch", 1, GeoArgs.Unit.km)));
        assertEquals("ERR could not decode requested zset member", e.getMessage());
    }
}
