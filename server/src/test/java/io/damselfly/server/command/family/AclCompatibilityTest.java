package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import io.damselfly.server.testing.ServerExtension;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ACL command against a live redis-server 7.0.15, RESP2 and RESP3: SETUSER rules and every
 * error, GETUSER, LIST, CAT, DRYRUN, GENPASS, LOG and HELP, and random rule lists (garbage
 * included) whose replies and resulting users must equal redis-server's.
 *
 * <p>One normalisation: redis-server lists a user's single-command rules ("+get +set") in the
 * order of its command hash table, which a random seed reshuffles at every start; runs of such
 * rules are compared as sets. Category rules ("-@all +@read") keep their order.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AclCompatibilityTest {
    private static final String USERS = "u1 u2 u3 g";

    private static final String[][] SCRIPTS = {
        {"setuser-getuser", """
                ACL SETUSER u1
                ACL GETUSER u1
                ACL SETUSER u1 on >p1 >p2 <p1 ~k* %R~r* %W~w* %RW~x* &ch* -@all +@read -get +set
                ACL GETUSER u1
                ACL LIST
                ACL USERS
                ACL SETUSER u2 reset
                ACL GETUSER u2
                ACL SETUSER u2 +@all -@dangerous allkeys allchannels
                ACL GETUSER u2
                ACL SETUSER u3 nocommands +select|0 +select|1 +debug|object +config|get +client
                ACL GETUSER u3
                ACL SETUSER u3 -client|kill +@admin -@slow +@fast
                ACL GETUSER u3
                ACL SETUSER u3 allcommands -config|set -@keyspace +del
                ACL GETUSER u3
                ACL SETUSER u3 (~a* +get) (%R~b* &c* +@read -@fast) clearselectors (+set ~s*)
                ACL GETUSER u3
                ACL LIST
                ACL GETUSER nobody
                ACL SETUSER default ~* &* +@all on nopass
                ACL GETUSER default
                """},
        {"setuser-errors", """
                ACL SETUSER u1 foo
                ACL SETUSER u1 +nosuch
                ACL SETUSER u1 -nosuch
                ACL SETUSER u1 +@nosuch
                ACL SETUSER u1 ~* ~a
                ACL SETUSER u1 allkeys %R~a
                ACL SETUSER u1 &* &a
                ACL SETUSER u1 allchannels &a
                ACL SETUSER u1 <nopw
                ACL SETUSER u1 !0000000000000000000000000000000000000000000000000000000000000000
                ACL SETUSER u1 #abc
                ACL SETUSER u1 #ABCDEF0000000000000000000000000000000000000000000000000000000000
                ACL SETUSER u1 +config|get|x
                ACL SETUSER u1 +get|
                ACL SETUSER u1 -get|x
                ACL SETUSER u1 +config|nosuch
                ACL SETUSER u1 %X~a
                ACL SETUSER u1 %R
                ACL SETUSER u1 (~x +get
                ACL SETUSER u1 (~x (+get) +set)
                ACL SETUSER u1 (foo)
                ACL SETUSER u1 -
                ACL SETUSER u1 +
                ACL SETUSER u1 on nosuchrule
                ACL GETUSER u1
                ACL SETUSER
                ACL GETUSER
                ACL GETUSER a b
                ACL DELUSER default
                ACL DELUSER u1 default
                ACL DELUSER u1 u1 nobody
                ACL DELUSER
                ACL NOSUCH
                ACL
                """},
        {"cat", """
                ~ACL CAT
                ~ACL CAT read
                ~ACL CAT WRITE
                ~ACL CAT slow
                ~ACL CAT admin
                ~ACL CAT dangerous
                ~ACL CAT keyspace
                ~ACL CAT scripting
                ACL CAT nosuch
                ACL CAT a b
                """},
        {"dryrun", """
                ACL SETUSER u1 on nopass %R~r* %W~w* &ch -@all +get +set +copy +publish +psubscribe +subscribe +client|id +config|get
                ACL DRYRUN u1 get r1
                ACL DRYRUN u1 get w1
                ACL DRYRUN u1 set w1 v
                ACL DRYRUN u1 set r1 v
                ACL DRYRUN u1 copy r1 w1
                ACL DRYRUN u1 copy w1 r1
                ACL DRYRUN u1 del r1
                ACL DRYRUN u1 publish ch m
                ACL DRYRUN u1 publish other m
                ACL DRYRUN u1 subscribe ch other
                ACL DRYRUN u1 psubscribe ch
                ACL DRYRUN u1 psubscribe c*
                ACL DRYRUN u1 client id
                ACL DRYRUN u1 client kill 1.1.1.1:1
                ACL DRYRUN u1 config get maxmemory
                ACL DRYRUN u1 config set maxmemory 1
                ACL DRYRUN u1 nosuch
                ACL DRYRUN u1 get
                ACL DRYRUN nobody get a
                ACL DRYRUN u1 auth a b
                ACL DRYRUN u1 bgrewriteaof
                ACL DRYRUN u1 migrate h 1 rw 0 500
                ACL DRYRUN u1 migrate h 1 w1 0 500 KEYS r1 w2
                ACL DRYRUN u1 memory doctor
                ACL DRYRUN u1 memory nosuch
                ACL DRYRUN u1 object encoding r1
                ACL SETUSER u2 on nopass ~* +@all
                ACL DRYRUN u2 migrate h 1 rw 0 500
                ACL DRYRUN u2 eval x 0
                ACL DRYRUN u2 eval x 1 k
                ACL DRYRUN u2 memory
                ACL DRYRUN u1
                """},
        {"genpass-log-help", """
                ACL GENPASS 0
                ACL GENPASS -1
                ACL GENPASS 4097
                ACL GENPASS abc
                ACL GENPASS 1 2
                ACL LOG RESET
                ACL LOG
                ACL LOG abc
                ACL LOG -1
                ACL LOG 1 2
                ACL HELP
                ACL WHOAMI
                ACL SAVE
                ACL LOAD
                """},
        {"sort", """
                RPUSH mylist 1 2
                SET v1 1
                ACL SETUSER u1 on nopass +sort +sort_ro ~mylist
                AUTH u1 x
                SORT mylist
                SORT mylist BY v*
                SORT mylist BY nosort
                SORT mylist GET v*
                SORT mylist GET #
                SORT_RO mylist BY v*
                SORT other
                AUTH default x
                ACL SETUSER u1 %R~*
                AUTH u1 x
                SORT mylist BY v*
                SORT mylist GET v* GET #
                AUTH default x
                ACL SETUSER u1 resetkeys ~mylist (+sort %W~*)
                AUTH u1 x
                SORT mylist BY v*
                """},
        {"auth", """
                ACL SETUSER u1 on >pw +@all ~*
                AUTH u1 bad
                AUTH nobody pw
                AUTH pw
                AUTH u1 pw
                ACL WHOAMI
                ACL SETUSER u1 -get
                GET k
                SET k v
                AUTH default x
                ACL WHOAMI
                ACL SETUSER u2 off nopass +@all
                AUTH u2 x
                """},
    };

    Stream<Arguments> scripts() {
        return ReplyComparison.inBothProtocols(SCRIPTS);
    }

    @ParameterizedTest(name = "{0} RESP{1}")
    @MethodSource("scripts")
    void sameRepliesAsRedis(String name, int protocol, String script, RedisServerProcess redis, EmbeddedServer damselfly) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            for (RawClient c : List.of(ref, ours)) {
                reset(c);
                if (protocol == 3) {
                    c.call("HELLO", "3");
                }
            }
            for (ReplyComparison.ScriptLine line : ReplyComparison.lines(script)) {
                assertEquals(render(ref.call(line.args()), line.unordered()), render(ours.call(line.args()), line.unordered()),
                        name + " " + line);
            }
        } finally {
            try (RawClient ref = new RawClient("127.0.0.1", redis.port());
                 RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
                reset(ref);
                reset(ours);
            }
        }
    }

    private static void reset(RawClient c) {
        c.call("FLUSHALL");
        List<Object> del = new ArrayList<>(List.of("ACL", "DELUSER"));
        del.addAll(Arrays.asList(USERS.split(" ")));
        c.call(del.toArray());
        c.call("ACL", "SETUSER", "default", "on", "nopass", "allkeys", "allchannels", "+@all", "clearselectors");
    }

    /** Rule pieces the garbage test draws from: valid, invalid and odd. */
    private static final String[] PIECES = {
        "on", "off", "nopass", "resetpass", ">p", ">q", "<p", "<q", "#" + "a".repeat(64), "!" + "a".repeat(64), "#bad",
        "reset", "allkeys", "resetkeys", "~a*", "~b", "%R~c*", "%W~c*", "%RW~d", "%WR~e", "%R~", "%X~f", "~", "%",
        "allchannels", "resetchannels", "&x", "&y*", "&*", "&", "+@all", "-@all", "+@read", "-@write", "+@string",
        "-@dangerous", "+@hash", "-@slow", "+@fast", "+@nosuch", "-@", "+get", "-get", "+set", "-set", "+config|get",
        "-config", "+config", "-config|set", "+client|id", "+select|0", "+SELECT|1", "+config|get|x", "+nosuch",
        "-nosuch|x", "+get|x", "allcommands", "nocommands", "clearselectors", "(~s* +get)", "(+set", "~t)", "(&z +@list)",
        "()", "(", ")", "sanitize-payload", "skip-sanitize-payload", "", "ON", "NoPass", "~k\u00e9", "+GET", "-@ALL",
    };

    @Test
    void randomRuleLists_sameAsRedis(RedisServerProcess redis, EmbeddedServer damselfly) {
        Random random = new Random(20261205);
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            reset(ref);
            reset(ours);
            for (int round = 0; round < 400; round++) {
                if (random.nextInt(8) == 0) {
                    ref.call("ACL", "DELUSER", "g");
                    ours.call("ACL", "DELUSER", "g");
                }
                List<Object> cmd = new ArrayList<>(List.of("ACL", "SETUSER", "g"));
                int n = random.nextInt(6);
                for (int i = 0; i < n; i++) {
                    if (random.nextInt(20) == 0) {
                        byte[] junk = new byte[1 + random.nextInt(6)];
                        random.nextBytes(junk);
                        cmd.add(junk);
                    } else {
                        cmd.add(PIECES[random.nextInt(PIECES.length)]);
                    }
                }
                Object[] args = cmd.toArray();
                String where = "round " + round + ": " + cmd.stream().map(a -> a instanceof byte[] b
                        ? "<" + java.util.HexFormat.of().formatHex(b) + ">" : a.toString()).collect(Collectors.joining(" "));
                assertEquals(render(ref.call(args), false), render(ours.call(args), false), where);
                assertEquals(render(ref.call("ACL", "GETUSER", "g"), false), render(ours.call("ACL", "GETUSER", "g"), false), where);
                assertEquals(render(ref.call("ACL", "LIST"), false), render(ours.call("ACL", "LIST"), false), where);
                for (Object[] dry : new Object[][] {{"get", "a1"}, {"set", "c1", "v"}, {"publish", "x", "m"},
                        {"psubscribe", "y*"}, {"config", "get", "x"}, {"select", "1"}, {"client", "id"}}) {
                    List<Object> d = new ArrayList<>(List.of("ACL", "DRYRUN", "g"));
                    d.addAll(Arrays.asList(dry));
                    assertEquals(render(ref.call(d.toArray()), false), render(ours.call(d.toArray()), false), where + " / " + d);
                }
            }
        } finally {
            try (RawClient ref = new RawClient("127.0.0.1", redis.port());
                 RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
                reset(ref);
                reset(ours);
            }
        }
    }

    /** Runs of single-command rules ("+get", "-config|set", "+select|0"), which Redis orders by hash. */
    private static final Pattern COMMAND_RULES = Pattern.compile("[+-][a-z][^\\s,@\\]\\)\\(]*(?: [+-][a-z][^\\s,@\\]\\)\\(]*)*");

    private static String render(RespValue v, boolean unordered) {
        String text;
        if (unordered && v instanceof RespValue.Array a) {
            text = a.values().stream().map(RawClient::render).sorted().collect(Collectors.joining(", ", "[", "]"));
        } else if (unordered && v instanceof RespValue.Set s) {
            text = s.values().stream().map(RawClient::render).sorted().collect(Collectors.joining(", ", "~[", "]"));
        } else {
            text = RawClient.render(v);
        }
        if (v instanceof RespValue.Error) {
            return text;
        }
        Matcher m = COMMAND_RULES.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String sorted = Stream.of(m.group().split(" ")).sorted().collect(Collectors.joining(" "));
            m.appendReplacement(out, Matcher.quoteReplacement(sorted));
        }
        m.appendTail(out);
        return out.toString();
    }
}
