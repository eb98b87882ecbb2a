package io.damselfly.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.DamselflyServer;
import io.damselfly.server.command.spec.CommandSpec;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.command.CommandDetail;
import io.lettuce.core.models.command.CommandDetailParser;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Walks the whole command table, every command and subcommand of every family, checking that the
 * metadata is complete and consistent the way Redis's own table is, and that COMMAND INFO
 * describes each entry in a shape a client can parse.
 */
@ExtendWith(ServerExtension.class)
class CommandTableTest {
    private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]*");

    private static final CommandTable TABLE = DamselflyServer.buildCommandTable();

    /** Every command and subcommand damselfly implements. */
    private static List<Command> everyEntry() {
        return TABLE.allWithSubcommands();
    }

    @Test
    void table_everyEntryIsWellFormed() {
        List<String> problems = new ArrayList<>();
        for (Command c : everyEntry()) {
            String n = c.fullName();
            if (!NAME.matcher(c.name()).matches()) {
                problems.add(n + ": name is not lower-case letters, digits, - or _");
            }
            if (c.handler() == null && !c.isContainer()) {
                problems.add(n + ": neither a handler nor subcommands");
            }
            if (c.arity() == 0) {
                problems.add(n + ": arity 0");
            }
            if (c.parent() != null) {
                if (Math.abs(c.arity()) < 2) {
                    problems.add(n + ": a subcommand's arity counts the container name too, so |arity| >= 2");
                }
                if (!n.equals(c.parent().name() + "|" + c.name())) {
                    problems.add(n + ": full name is not container|sub");
                }
                if (c.isContainer()) {
                    problems.add(n + ": subcommands nest only one level");
                }
                if (!c.group().equals(c.parent().group())) {
                    problems.add(n + ": group differs from its container's");
                }
            }
            if (c.group() == null || c.group().isBlank()) {
                problems.add(n + ": no group");
            }
            if (c.summary() == null || c.summary().isBlank()) {
                problems.add(n + ": no summary");
            }
            if (c.since() == null || !VERSION.matcher(c.since()).matches()) {
                problems.add(n + ": since is not a version: " + c.since());
            }
            if (c.has(CommandFlag.WRITE) && c.has(CommandFlag.READONLY)) {
                problems.add(n + ": both WRITE and READONLY");
            }
            if (c.has(CommandFlag.DENYOOM) && !c.has(CommandFlag.WRITE)) {
                problems.add(n + ": DENYOOM without WRITE");
            }
            if (c.isContainer() && c.hasKeys()) {
                problems.add(n + ": a container names no keys; its subcommands do");
            }
            checkKeys(c, problems);
            for (String cat : c.aclCategories()) {
                if (!CommandSpec.ACL_CATEGORY_ORDER.contains(cat.substring(1))) {
                    problems.add(n + ": unknown ACL category " + cat);
                }
            }
            if (c.aclCategories().contains("@fast") == c.aclCategories().contains("@slow")) {
                problems.add(n + ": must be exactly one of @fast and @slow");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** Legacy key positions must lie inside the arguments the arity allows. */
    private static void checkKeys(Command c, List<String> problems) {
        String n = c.fullName();
        if (c.firstKey() == 0) {
            if (c.lastKey() != 0 || c.keyStep() != 0) {
                problems.add(n + ": no first key but last/step set");
            }
            return;
        }
        int minArgs = Math.abs(c.arity());
        // Redis's own metadata breaks this once: SUNSUBSCRIBE (arity -1) has its key spec at 1
        if (c.firstKey() >= minArgs && !n.equals("sunsubscribe")) {
            problems.add(n + ": first key " + c.firstKey() + " beyond the " + minArgs + " arguments its arity guarantees");
        }
        if (c.keyStep() < 1) {
            problems.add(n + ": key step " + c.keyStep());
        }
        if (c.lastKey() >= 0 && c.lastKey() < c.firstKey()) {
            problems.add(n + ": last key before first");
        }
        if (c.parent() != null && c.firstKey() < 2) {
            problems.add(n + ": a subcommand's first key is at 2 or later");
        }
    }

    @Test
    void register_nameAbsentFromRedis70_failsAtStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CommandTable.builder().add("nosuch", c -> { }));
        assertEquals("no command \"nosuch\" in Redis 7.0.15's command table (names are registered lower-case)", e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> CommandTable.builder().container("client", s -> s.add("setinfo", c -> { })));
        assertEquals("no subcommand \"client|setinfo\" in Redis 7.0.15's command table", e.getMessage());
        assertThrows(IllegalStateException.class, () -> CommandTable.builder().add("GET", c -> { }));
        assertThrows(IllegalStateException.class, () -> CommandTable.builder().add("client", c -> { }));
        assertThrows(IllegalStateException.class, () -> CommandTable.builder().container("get", s -> s.add("x", c -> { })));
        assertThrows(IllegalStateException.class, () -> CommandTable.builder().add("get", c -> { }).add("get", c -> { }));
    }

    @Test
    void register_redisFlagsComeFromTheMetadataOnly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CommandTable.builder().add("get", c -> { }, CommandFlag.READONLY));
        assertEquals("get: READONLY is Redis's flag; it comes from the command metadata", e.getMessage());
        Command get = CommandTable.builder().add("get", c -> { }, CommandFlag.CACHEABLE).build().get("get");
        assertEquals(EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST, CommandFlag.CACHEABLE), get.flags());
    }

    /** A command that works on the whole keyspace says so; Redis's @keyspace commands without keys must. */
    @Test
    void register_wholeKeyspaceCommands() {
        Set<String> whole = new java.util.TreeSet<>();
        for (Command c : everyEntry()) {
            if (c.touchesWholeKeyspace()) {
                whole.add(c.fullName());
                assertFalse(c.hasKeys(), c.fullName());
            }
        }
        assertEquals(new java.util.TreeSet<>(List.of("keys", "scan", "dbsize", "randomkey", "flushall", "flushdb", "swapdb")), whole);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CommandTable.builder().add("keys", c -> { }));
        assertEquals("keys names no keys but works on the keyspace: register it WHOLE_KEYSPACE", e.getMessage());
        assertThrows(IllegalStateException.class, () -> CommandTable.builder().add("get", c -> { }, CommandFlag.WHOLE_KEYSPACE));
        // never reported to clients
        assertNull(CommandFlag.WHOLE_KEYSPACE.redisName());
    }

    @Test
    void table_lookupFindsEveryNameInAnyCase() {
        for (Command c : TABLE.all()) {
            assertSame(c, TABLE.lookup(c.name().toUpperCase(Locale.ROOT).getBytes()), c.name());
            assertSame(c, TABLE.byFullName(c.name().toUpperCase(Locale.ROOT)), c.name());
            for (Command sub : c.subcommands().values()) {
                assertSame(sub, TABLE.byFullName(sub.fullName().toUpperCase(Locale.ROOT)), sub.fullName());
                assertSame(sub, c.subcommand(sub.name().toUpperCase(Locale.ROOT).getBytes()), sub.fullName());
            }
        }
        assertNull(TABLE.byFullName("nosuch"));
        assertNull(TABLE.byFullName("config|nosuch"));
        assertNull(TABLE.byFullName("get|x"));
    }

    @Test
    void table_aclCategoriesFollowRedisOrder() {
        // Redis lists categories in the order of their bits: @keyspace before @write before @slow
        assertEquals(List.of("@keyspace", "@write", "@slow", "@dangerous"), new ArrayList<>(TABLE.get("flushdb").aclCategories()));
        assertEquals(List.of("@admin", "@slow", "@dangerous"), new ArrayList<>(TABLE.byFullName("config|get").aclCategories()));
        assertEquals(List.of("@read", "@string", "@fast"), new ArrayList<>(TABLE.get("get").aclCategories()));
    }

    /** COMMAND INFO over the wire for every entry: RESP2 array of 10 with the table's values. */
    @Test
    void commandInfo_everyEntryMatchesTable(RawClient raw) {
        for (Command c : everyEntry()) {
            RespValue v = raw.call("COMMAND", "INFO", c.fullName());
            List<RespValue> outer = ((RespValue.Array) v).values();
            assertEquals(1, outer.size(), c.fullName());
            List<RespValue> info = ((RespValue.Array) outer.get(0)).values();
            assertEquals(10, info.size(), c.fullName());
            assertEquals(c.fullName(), ((RespValue.BulkString) info.get(0)).asString());
            assertEquals(c.arity(), ((RespValue.Integer) info.get(1)).value(), c.fullName());
            List<String> flags = new ArrayList<>();
            for (RespValue f : ((RespValue.Array) info.get(2)).values()) {
                flags.add(((RespValue.SimpleString) f).value());
            }
            for (CommandFlag f : c.flags()) {
                assertEquals(f.redisName() != null, flags.contains(f.redisName()), c.fullName() + " flag " + f);
            }
            assertEquals(c.firstKey(), ((RespValue.Integer) info.get(3)).value(), c.fullName());
            assertEquals(c.lastKey(), ((RespValue.Integer) info.get(4)).value(), c.fullName());
            assertEquals(c.keyStep(), ((RespValue.Integer) info.get(5)).value(), c.fullName());
            assertEquals(c.aclCategories().size(), ((RespValue.Array) info.get(6)).values().size(), c.fullName());
            assertEquals(c.spec().keySpecs().size(), ((RespValue.Array) info.get(8)).values().size(), c.fullName());
            assertEquals(c.subcommands().size(), ((RespValue.Array) info.get(9)).values().size(), c.fullName());
        }
    }

    /** Lettuce's parser (what Lettuce's own command lookup uses) reads every COMMAND entry. */
    @Test
    void command_parsesWithLettuce(@Resp2 RedisCommands<String, String> redis) {
        List<CommandDetail> details = CommandDetailParser.parse(redis.command());
        assertEquals(TABLE.size(), details.size());
        for (CommandDetail d : details) {
            Command c = TABLE.get(d.getName());
            assertNotNull(c, d.getName());
            assertEquals(c.arity(), d.getArity(), d.getName());
            assertEquals(c.firstKey(), d.getFirstKeyPosition(), d.getName());
            assertEquals(c.lastKey(), d.getLastKeyPosition(), d.getName());
            assertEquals(c.keyStep(), d.getKeyStepCount(), d.getName());
            assertFalse(d.getFlags().isEmpty() && !c.flags().isEmpty() && c.flags().stream().anyMatch(f -> f.redisName() != null),
                    d.getName() + ": flags lost");
            assertFalse(d.getAclCategories().isEmpty(), d.getName() + ": no ACL categories parsed");
        }
        assertEquals(TABLE.size(), redis.commandCount());
        Set<String> names = new java.util.HashSet<>();
        details.forEach(d -> names.add(d.getName()));
        assertEquals(TABLE.size(), names.size(), "each command once");
    }
}
