package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.STATEFUL;

import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.pubsub.Frames;
import io.damselfly.server.pubsub.PubSub;
import io.damselfly.server.pubsub.Subscriber;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Pub/Sub commands (Redis group "pubsub"), as pubsub.c of Redis 7.0.15: SUBSCRIBE UNSUBSCRIBE
 * PSUBSCRIBE PUNSUBSCRIBE PUBLISH SSUBSCRIBE SUNSUBSCRIBE SPUBLISH and the PUBSUB container
 * (CHANNELS NUMSUB NUMPAT SHARDCHANNELS SHARDNUMSUB HELP). Subscriptions live in the server's
 * {@link PubSub} registry and the client's {@link Subscriber}; each (un)subscription is confirmed
 * by its own reply carrying the running count, an array in RESP2 and a push in RESP3. damselfly
 * runs no cluster, so shard channels are plain channels of their own namespace, as in a Redis
 * that is not clustered.
 */
public final class PubSubCommands {
    private PubSubCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("subscribe", PubSubCommands::subscribe, STATEFUL);
        t.add("unsubscribe", PubSubCommands::unsubscribe, STATEFUL);
        t.add("psubscribe", PubSubCommands::psubscribe, STATEFUL);
        t.add("punsubscribe", PubSubCommands::punsubscribe, STATEFUL);
        t.add("ssubscribe", PubSubCommands::ssubscribe, STATEFUL);
        t.add("sunsubscribe", PubSubCommands::sunsubscribe, STATEFUL);
        t.add("publish", PubSubCommands::publish);
        t.add("spublish", PubSubCommands::spublish);
        t.container("pubsub", s -> s
                .add("channels", PubSubCommands::channels)
                .add("numsub", PubSubCommands::numsub)
                .add("numpat", PubSubCommands::numpat)
                .add("shardchannels", PubSubCommands::shardchannels)
                .add("shardnumsub", PubSubCommands::shardnumsub)
                .add("help", PubSubCommands::help));
    }

    private static final byte[] SUBSCRIBE = ascii("subscribe");
    private static final byte[] UNSUBSCRIBE = ascii("unsubscribe");
    private static final byte[] PSUBSCRIBE = ascii("psubscribe");
    private static final byte[] PUNSUBSCRIBE = ascii("punsubscribe");
    private static final byte[] SSUBSCRIBE = ascii("ssubscribe");
    private static final byte[] SUNSUBSCRIBE = ascii("sunsubscribe");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The three kinds of subscription, as pubsub.c's pubsubtype plus patterns. */
    private enum Kind {
        CHANNEL, PATTERN, SHARD;

        boolean add(PubSub p, Subscriber s, byte[] name) {
            return switch (this) {
                case CHANNEL -> p.subscribe(s, name);
                case PATTERN -> p.psubscribe(s, name);
                case SHARD -> p.ssubscribe(s, name);
            };
        }

        boolean remove(PubSub p, Subscriber s, byte[] name) {
            return switch (this) {
                case CHANNEL -> p.unsubscribe(s, name);
                case PATTERN -> p.punsubscribe(s, name);
                case SHARD -> p.sunsubscribe(s, name);
            };
        }

        List<byte[]> current(Subscriber s) {
            return switch (this) {
                case CHANNEL -> s.channels();
                case PATTERN -> s.patterns();
                case SHARD -> s.shardChannels();
            };
        }

        /** The count a confirmation carries: channels and patterns together, shard channels alone. */
        int count(Subscriber s) {
            if (s == null) {
                return 0;
            }
            return this == SHARD ? s.shardChannelCount() : s.subscriptionCount();
        }
    }

    // ---- SUBSCRIBE family ------------------------------------------------------------------

    /** SUBSCRIBE channel [channel ...] */
    static void subscribe(CommandContext c) {
        subscribe(c, Kind.CHANNEL, SUBSCRIBE);
    }

    /** PSUBSCRIBE pattern [pattern ...] */
    static void psubscribe(CommandContext c) {
        subscribe(c, Kind.PATTERN, PSUBSCRIBE);
    }

    /** SSUBSCRIBE shardchannel [shardchannel ...] */
    static void ssubscribe(CommandContext c) {
        subscribe(c, Kind.SHARD, SSUBSCRIBE);
    }

    /** UNSUBSCRIBE [channel [channel ...]] */
    static void unsubscribe(CommandContext c) {
        unsubscribe(c, Kind.CHANNEL, UNSUBSCRIBE);
    }

    /** PUNSUBSCRIBE [pattern [pattern ...]] */
    static void punsubscribe(CommandContext c) {
        unsubscribe(c, Kind.PATTERN, PUNSUBSCRIBE);
    }

    /** SUNSUBSCRIBE [shardchannel [shardchannel ...]] */
    static void sunsubscribe(CommandContext c) {
        unsubscribe(c, Kind.SHARD, SUNSUBSCRIBE);
    }

    private static void subscribe(CommandContext c, Kind kind, byte[] confirmation) {
        Subscriber s = c.client().subscriber();
        if (s == null) {
            // a client that cannot receive messages (Redis's CLIENT_DENY_BLOCKING)
            throw new CommandError("ERR " + c.command().name().toUpperCase(java.util.Locale.ROOT)
                    + " isn't allowed for a DENY BLOCKING client");
        }
        PubSub pubsub = c.server().pubsub();
        for (int i = 1; i < c.argc(); i++) {
            kind.add(pubsub, s, c.arg(i));
            confirm(c, s, confirmation, c.arg(i), kind.count(s));
        }
        recordCounts(c.client(), s);
    }

    private static void unsubscribe(CommandContext c, Kind kind, byte[] confirmation) {
        // with replies off the confirmations still go out (below): they need the subscriber's inbox
        Subscriber s = c.client().repliesSuppressed() ? c.client().subscriber() : c.client().subscriberIfAny();
        PubSub pubsub = c.server().pubsub();
        if (c.argc() == 1) {
            List<byte[]> names = s == null ? List.of() : kind.current(s);
            for (byte[] name : names) {
                kind.remove(pubsub, s, name);
                confirm(c, s, confirmation, name, kind.count(s));
            }
            if (names.isEmpty()) {
                // subscribed to nothing: still one reply, with a null name
                confirm(c, s, confirmation, null, kind.count(s));
            }
        } else {
            for (int i = 1; i < c.argc(); i++) {
                if (s != null) {
                    kind.remove(pubsub, s, c.arg(i));
                }
                confirm(c, s, confirmation, c.arg(i), kind.count(s));
            }
        }
        if (s != null) {
            recordCounts(c.client(), s);
        }
    }

    /**
     * One (un)subscription confirmation: an array in RESP2, a push in RESP3. Redis sends it even
     * while CLIENT REPLY is OFF or SKIP (it is a push); the executor drops a suppressed command's
     * reply, so then it goes through the subscriber's inbox, in order with its messages.
     */
    private static void confirm(CommandContext c, Subscriber s, byte[] what, byte[] name, int count) {
        if (c.client().repliesSuppressed() && s != null) {
            s.push(Frames.confirmation(s.resp3(), what, name, count));
            return;
        }
        Reply r = c.reply();
        r.push(3);
        r.bulk(what);
        if (name == null) {
            r.nullBulk();
        } else {
            r.bulk(name);
        }
        r.integer(count);
    }

    private static void recordCounts(ClientSession client, Subscriber s) {
        client.setSubscriptions(s.channelCount(), s.patternCount(), s.shardChannelCount());
    }

    /**
     * Drops every subscription of the client without replies (RESET; a disconnect does the same
     * from the connection).
     */
    public static void unsubscribeAll(CommandContext c) {
        Subscriber s = c.client().subscriberIfAny();
        if (s != null) {
            c.server().pubsub().unsubscribeAll(s);
            recordCounts(c.client(), s);
        }
    }

    // ---- PUBLISH SPUBLISH ------------------------------------------------------------------

    /** PUBLISH channel message */
    static void publish(CommandContext c) {
        Subscriber self = c.client().subscriberIfAny();
        int receivers = c.server().pubsub().publish(c.arg(1), c.arg(2), self, selfSink(c, self));
        // as Redis without a cluster: replicas' subscribers get it too (not the AOF)
        c.forcePropagationToReplicas();
        Reply r = c.reply();
        r.integer(receivers);
    }

    /** SPUBLISH shardchannel message */
    static void spublish(CommandContext c) {
        Subscriber self = c.client().subscriberIfAny();
        int receivers = c.server().pubsub().spublish(c.arg(1), c.arg(2), self, selfSink(c, self));
        c.forcePropagationToReplicas();
        Reply r = c.reply();
        r.integer(receivers);
    }

    /**
     * Where messages to the publishing client itself go: its reply stream, before the count, as
     * in Redis; its inbox while its replies are off (a message is a push, sent regardless).
     */
    private static PubSub.Self selfSink(CommandContext c, Subscriber self) {
        if (self == null) {
            return null;
        }
        if (c.client().repliesSuppressed()) {
            return (kind, pattern, channel, payload) -> self.push(Frames.render(self.resp3(), kind, pattern, channel, payload));
        }
        Reply r = c.reply();
        return (kind, pattern, channel, payload) -> selfMessage(r, kind, pattern, channel, payload);
    }

    /** A message to the publishing client itself, written in its reply. */
    private static void selfMessage(Reply r, byte[] kind, byte[] pattern, byte[] channel, byte[] payload) {
        r.push(pattern == null ? 3 : 4);
        r.bulk(kind);
        if (pattern != null) {
            r.bulk(pattern);
        }
        r.bulk(channel);
        r.bulk(payload);
    }

    // ---- PUBSUB ----------------------------------------------------------------------------

    /** PUBSUB CHANNELS [pattern] */
    static void channels(CommandContext c) {
        if (c.argc() > 3) {
            throw new CommandError(Errors.subcommandSyntax(c.arg(1), "pubsub"));
        }
        c.reply().bulkArray(c.server().pubsub().channelNames(c.argc() == 3 ? c.arg(2) : null));
    }

    /** PUBSUB SHARDCHANNELS [pattern] */
    static void shardchannels(CommandContext c) {
        if (c.argc() > 3) {
            throw new CommandError(Errors.subcommandSyntax(c.arg(1), "pubsub"));
        }
        c.reply().bulkArray(c.server().pubsub().shardChannelNames(c.argc() == 3 ? c.arg(2) : null));
    }

    /** PUBSUB NUMSUB [channel [channel ...]] */
    static void numsub(CommandContext c) {
        c.reply().array(2 * (c.argc() - 2));
        for (int i = 2; i < c.argc(); i++) {
            c.reply().bulk(c.arg(i));
            c.reply().integer(c.server().pubsub().numsub(c.arg(i)));
        }
    }

    /** PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]] */
    static void shardnumsub(CommandContext c) {
        c.reply().array(2 * (c.argc() - 2));
        for (int i = 2; i < c.argc(); i++) {
            c.reply().bulk(c.arg(i));
            c.reply().integer(c.server().pubsub().shardNumsub(c.arg(i)));
        }
    }

    /** PUBSUB NUMPAT */
    static void numpat(CommandContext c) {
        c.reply().integer(c.server().pubsub().patternCount());
    }

    private static final List<String> HELP = List.of(
            "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
            "HELP",
            "    Prints this help.");

    /** PUBSUB HELP */
    static void help(CommandContext c) {
        ServerCommands.help(c.reply(), HELP);
    }
}
