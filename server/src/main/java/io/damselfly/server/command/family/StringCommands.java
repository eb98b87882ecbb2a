package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.CACHEABLE;
import static io.damselfly.server.command.CommandFlag.DENYOOM;
import static io.damselfly.server.command.CommandFlag.FAST;
import static io.damselfly.server.command.CommandFlag.READONLY;
import static io.damselfly.server.command.CommandFlag.WRITE;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.KeySpec;
import io.damselfly.server.keyspace.Entry;
import io.damselfly.server.keyspace.StringValue;
import io.damselfly.server.keyspace.ValueType;

/** String commands: GET SET (more to come). */
public final class StringCommands {
    private StringCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.group("string");
        t.add("get", 2, KeySpec.FIRST, "1.0.0", "Returns the string value of a key.", StringCommands::get, READONLY, FAST, CACHEABLE);
        t.add("set", -3, KeySpec.FIRST, "1.0.0", "Sets the string value of a key, ignoring its type.", StringCommands::set, WRITE, DENYOOM);
    }

    /** GET key */
    static void get(CommandContext c) {
        Entry e = c.db().read(c.arg(1));
        if (e == null) {
            c.reply().nullBulk();
        } else if (e.value() instanceof StringValue s) {
            c.reply().bulk(s.array(), 0, s.length());
        } else {
            c.reply().error(Errors.WRONGTYPE);
        }
    }

    /** SET key value */
    static void set(CommandContext c) {
        c.db().set(c.arg(1), new StringValue(c.arg(2)));
        c.reply().ok();
    }

    static boolean isString(Entry e) {
        return e.value().type() == ValueType.STRING;
    }
}
