package io.damselfly.server.command.family;

import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandFlag;
import io.damselfly.server.command.Reply;
import io.damselfly.server.command.spec.ArgumentSpec;
import io.damselfly.server.command.spec.CommandSpec;
import io.damselfly.server.command.spec.KeyFlag;
import io.damselfly.server.command.spec.KeySpec;
import java.util.List;
import java.util.Locale;

/**
 * How COMMAND, COMMAND INFO and COMMAND DOCS describe a command: the reply shapes of Redis
 * 7.0.15's server.c (addReplyCommandInfo, addReplyCommandKeySpecs, addReplyFlagsForKeyArgs,
 * addReplyCommandDocs, addReplyCommandArgList, addReplyDocFlagsForCommand,
 * addReplyCommandHistory), written from the command's {@link CommandSpec}, so that a client sees
 * the same reply from damselfly as from redis-server, in RESP2 and RESP3 (where flags, categories,
 * tips, key specs and history are sets and the documentation maps).
 *
 * <p>One difference is deliberate: a container lists only the subcommands damselfly implements.
 */
final class CommandDescriptions {
    private CommandDescriptions() {
    }

    // ---- COMMAND INFO ----------------------------------------------------------------------

    /**
     * One COMMAND INFO entry: name, arity, flags (set of status strings), first key, last key,
     * step, ACL categories (set), tips (set of bulk strings), key specs (set of maps), subcommands
     * (array of entries, or an empty set when there are none).
     */
    static void writeCommandInfo(Reply r, Command cmd) {
        r.array(10);
        r.bulk(cmd.fullName());
        r.integer(cmd.arity());
        int flags = 0;
        for (CommandFlag f : cmd.flags()) {
            if (f.redisName() != null) {
                flags++;
            }
        }
        r.set(flags);
        for (CommandFlag f : cmd.flags()) {
            if (f.redisName() != null) {
                r.simple(f.redisName());
            }
        }
        r.integer(cmd.firstKey());
        r.integer(cmd.lastKey());
        r.integer(cmd.keyStep());
        List<String> categories = cmd.aclCategories();
        r.set(categories.size());
        for (String category : categories) {
            r.simple(category);
        }
        r.set(cmd.tips().size());
        for (String tip : cmd.tips()) {
            r.bulk(tip);
        }
        List<KeySpec> specs = cmd.spec().keySpecs();
        r.set(specs.size());
        for (KeySpec spec : specs) {
            writeKeySpec(r, spec);
        }
        if (cmd.isContainer()) {
            r.array(cmd.subcommands().size());
            for (Command sub : cmd.subcommands().values()) {
                writeCommandInfo(r, sub);
            }
        } else {
            r.set(0);
        }
    }

    /** addReplyCommandKeySpecs for one spec: [notes,] flags, begin_search, find_keys. */
    private static void writeKeySpec(Reply r, KeySpec spec) {
        r.map(spec.notes() != null ? 4 : 3);
        if (spec.notes() != null) {
            r.bulk("notes");
            r.bulk(spec.notes());
        }
        r.bulk("flags");
        writeKeyFlags(r, spec.flags());
        r.bulk("begin_search");
        r.map(2);
        r.bulk("type");
        switch (spec.beginSearch()) {
            case INDEX -> {
                r.bulk("index");
                r.bulk("spec");
                r.map(1);
                r.bulk("index");
                r.integer(spec.index());
            }
            case KEYWORD -> {
                r.bulk("keyword");
                r.bulk("spec");
                r.map(2);
                r.bulk("keyword");
                r.bulk(spec.keyword());
                r.bulk("startfrom");
                r.integer(spec.startFrom());
            }
            case UNKNOWN -> {
                r.bulk("unknown");
                r.bulk("spec");
                r.map(0);
            }
        }
        r.bulk("find_keys");
        r.map(2);
        r.bulk("type");
        switch (spec.findKeys()) {
            case RANGE -> {
                r.bulk("range");
                r.bulk("spec");
                r.map(3);
                r.bulk("lastkey");
                r.integer(spec.lastKey());
                r.bulk("keystep");
                r.integer(spec.keyStep());
                r.bulk("limit");
                r.integer(spec.limit());
            }
            case KEYNUM -> {
                r.bulk("keynum");
                r.bulk("spec");
                r.map(3);
                r.bulk("keynumidx");
                r.integer(spec.keyNumIndex());
                r.bulk("firstkey");
                r.integer(spec.firstKey());
                r.bulk("keystep");
                r.integer(spec.keyStep());
            }
            case UNKNOWN -> {
                r.bulk("unknown");
                r.bulk("spec");
                r.map(0);
            }
        }
    }

    /** addReplyFlagsForKeyArgs: a set of the flags' names, in Redis's order. */
    static void writeKeyFlags(Reply r, int flagMask) {
        r.set(Integer.bitCount(flagMask));
        for (KeyFlag f : KeyFlag.values()) {
            if ((flagMask & f.bit()) != 0) {
                r.simple(f.replyName());
            }
        }
    }

    // ---- COMMAND DOCS ----------------------------------------------------------------------

    /**
     * One COMMAND DOCS value, a map: summary, since, group, complexity, doc_flags,
     * deprecated_since, replaced_by, history, arguments, subcommands; each only when the command
     * has it, group always.
     */
    static void writeCommandDocs(Reply r, Command cmd) {
        CommandSpec spec = cmd.spec();
        int fields = 1 + present(spec.summary()) + present(spec.since()) + present(spec.complexity())
                + (spec.docFlags().isEmpty() ? 0 : 1) + present(spec.deprecatedSince()) + present(spec.replacedBy())
                + (spec.history().isEmpty() ? 0 : 1) + (spec.arguments().isEmpty() ? 0 : 1)
                + (cmd.isContainer() ? 1 : 0);
        r.map(fields);
        field(r, "summary", spec.summary());
        field(r, "since", spec.since());
        field(r, "group", spec.group());
        field(r, "complexity", spec.complexity());
        if (!spec.docFlags().isEmpty()) {
            r.bulk("doc_flags");
            r.set(spec.docFlags().size());
            // Redis lists them in its own order, deprecated before syscmd
            for (String f : List.of("DEPRECATED", "SYSCMD")) {
                if (spec.docFlags().contains(f)) {
                    r.simple(f.toLowerCase(Locale.ROOT));
                }
            }
        }
        field(r, "deprecated_since", spec.deprecatedSince());
        field(r, "replaced_by", spec.replacedBy());
        if (!spec.history().isEmpty()) {
            r.bulk("history");
            r.set(spec.history().size());
            for (CommandSpec.History h : spec.history()) {
                r.array(2);
                r.bulk(h.version());
                r.bulk(h.change());
            }
        }
        if (!spec.arguments().isEmpty()) {
            r.bulk("arguments");
            writeArguments(r, spec.arguments());
        }
        if (cmd.isContainer()) {
            r.bulk("subcommands");
            r.map(cmd.subcommands().size());
            for (Command sub : cmd.subcommands().values()) {
                r.bulk(sub.fullName());
                writeCommandDocs(r, sub);
            }
        }
    }

    /** addReplyCommandArgList: an array of maps, nested for oneof and block arguments. */
    private static void writeArguments(Reply r, List<ArgumentSpec> args) {
        r.array(args.size());
        for (ArgumentSpec a : args) {
            int fields = 2 + (a.keySpecIndex() >= 0 ? 1 : 0) + present(a.token()) + present(a.summary())
                    + present(a.since()) + present(a.deprecatedSince()) + (a.flags().isEmpty() ? 0 : 1)
                    + (a.hasNestedArguments() ? 1 : 0);
            r.map(fields);
            field(r, "name", a.name());
            field(r, "type", a.type());
            if (a.keySpecIndex() >= 0) {
                r.bulk("key_spec_index");
                r.integer(a.keySpecIndex());
            }
            field(r, "token", a.token());
            field(r, "summary", a.summary());
            field(r, "since", a.since());
            field(r, "deprecated_since", a.deprecatedSince());
            if (!a.flags().isEmpty()) {
                r.bulk("flags");
                r.set(a.flags().size());
                for (String f : a.flags()) {
                    r.simple(f);
                }
            }
            if (a.hasNestedArguments()) {
                r.bulk("arguments");
                writeArguments(r, a.arguments());
            }
        }
    }

    private static int present(String value) {
        return value != null ? 1 : 0;
    }

    /** A name and a bulk-string value, when there is a value. */
    private static void field(Reply r, String name, String value) {
        if (value != null) {
            r.bulk(name);
            r.bulk(value);
        }
    }
}
