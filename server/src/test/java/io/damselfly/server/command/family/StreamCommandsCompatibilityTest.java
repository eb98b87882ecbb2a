package io.damselfly.server.command.family;

import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.ReplyComparison;

/**
 * The stream family, differentially against a real redis-server 7.0.15 (see {@link
 * ReplyComparison}), RESP2 and RESP3: every command, option and error of t_stream.c, garbage and
 * incomplete IDs, WRONGTYPE, arity, node boundaries seen through XINFO's radix-tree counts and
 * approximate trimming, group lag. Lines whose replies hold clocks (automatic IDs, idle and
 * seen times) are left to {@link StreamCommandsTest}, which checks their shape.
 */
class StreamCommandsCompatibilityTest implements DifferentialScripts {

    @Override
    public String[][] scripts() {
        String[][] all = java.util.Arrays.copyOf(SCRIPTS, SCRIPTS.length + 1);
        all[SCRIPTS.length] = new String[] {"garbage-options", garbage(new java.util.Random(20261205), 400)};
        return all;
    }

    /**
     * A seeded script of stream commands made of valid and invalid pieces in random order (option
     * words, numbers, IDs, special IDs, missing and extra arguments), over a small stream with a
     * group, so every parser meets garbage and must fail as Redis fails. No automatic IDs, no
     * BLOCK longer than 1 ms and no command whose reply shows times (XPENDING's extended form,
     * XINFO CONSUMERS, XINFO STREAM FULL), so the replies do not depend on the clock.
     */
    private static String garbage(java.util.Random random, int lines) {
        String[] ids = {"0", "1", "1-0", "2-1", "3-*", "5-5", "-", "+", "(1", "(-", "$", ">", "abc", "1-", "-1",
            "18446744073709551615-18446744073709551615", "18446744073709551616-0", "_", "0-0", "9-9"};
        String[] units = {"MAXLEN 2", "MAXLEN ~ 1", "MAXLEN = 0", "MAXLEN -1", "MAXLEN abc", "MINID 2", "MINID ~ 3",
            "MINID = abc", "LIMIT 1", "LIMIT -1", "LIMIT 0", "NOMKSTREAM", "COUNT 1", "COUNT -3", "COUNT abc", "COUNT",
            "BLOCK 1", "BLOCK -1", "BLOCK abc", "NOACK", "GROUP g c", "GROUP g", "STREAMS", "JUSTID", "FORCE",
            "IDLE 5", "IDLE abc", "TIME 1000", "RETRYCOUNT 2", "RETRYCOUNT x", "LASTID 3-0", "LASTID x",
            "ENTRIESADDED 50", "ENTRIESADDED -2", "MAXDELETEDID 1-0", "ENTRIESREAD 1", "ENTRIESREAD -1",
            "MKSTREAM", "foo", "f v", "f", "s", "g", "nokey"};
        String[] commands = {"XADD s", "XADD nokey", "XTRIM s", "XRANGE s", "XREVRANGE s", "XDEL s", "XLEN s",
            "XSETID s", "XREAD", "XREADGROUP", "XACK s g", "XCLAIM s g c 0", "XAUTOCLAIM s g c 0",
            "XGROUP CREATE s", "XGROUP SETID s g", "XGROUP CREATECONSUMER s g", "XGROUP DELCONSUMER s g",
            "XINFO STREAM s", "XINFO GROUPS s"};
        StringBuilder out = new StringBuilder("""
                XADD s 1-0 f v
                XADD s 2-0 f v g w
                XGROUP CREATE s g 0
                XREADGROUP GROUP g c COUNT 1 STREAMS s >
                """);
        for (int i = 0; i < lines; i++) {
            StringBuilder line = new StringBuilder(commands[random.nextInt(commands.length)]);
            int pieces = random.nextInt(6);
            for (int k = 0; k < pieces; k++) {
                line.append(' ').append(random.nextBoolean() ? ids[random.nextInt(ids.length)] : units[random.nextInt(units.length)]);
            }
            out.append(line).append('\n');
        }
        out.append("XINFO STREAM s\nXINFO GROUPS s\nXPENDING s g\n");
        return out.toString();
    }

    private static final String[][] SCRIPTS = {
        {"watch", """
                XADD s 1-0 f v
                WATCH s
                XGROUP CREATE s g $
                XGROUP CREATECONSUMER s g c
                XGROUP SETID s g 0
                XGROUP DELCONSUMER s g c
                XGROUP DESTROY s g
                XSETID s 5-0
                MULTI
                SET x 1
                EXEC
                WATCH s
                XREADGROUP GROUP nog c STREAMS s >
                XGROUP CREATE s g 0
                XREADGROUP GROUP g c STREAMS s >
                XACK s g 1-0
                MULTI
                SET x 2
                EXEC
                WATCH s2
                XGROUP CREATE s2 g $ MKSTREAM
                MULTI
                SET x 3
                EXEC
                WATCH s
                XADD s 6-0 f v
                MULTI
                SET x 4
                EXEC
                GET x
                """},
        {"xadd-ids", """
                XADD s 1-1 a 1 b 2
                XADD s 1-1 a 1
                XADD s 0-0 a 1
                XADD s 0-1 a 1
                XADD s 1-* a 1
                XADD s 1-* a 2
                XADD s 2 c 3
                XADD s 5-5
                XADD s 5-5 a
                XADD s abc a 1
                XADD s 1- a 1
                XADD s -1 a 1
                XADD s + a 1
                XADD s - a 1
                XADD s 18446744073709551616-0 a 1
                XADD s 1-18446744073709551616 a 1
                XADD s 3-abc a 1
                XADD s 3-* a 1
                XADD s 3-** a 1
                XADD s *-1 a 1
                XADD s 00004 a 1
                XADD s +5 a 1
                XADD s 6-+7 a 1
                XADD s 18446744073709551615-18446744073709551614 a 1
                XADD s 18446744073709551615-* a 1
                XADD s 18446744073709551615-* a 1
                XADD s 18446744073709551615-18446744073709551615 a 1
                XLEN s
                XRANGE s - +
                XLEN nokey
                XLEN
                XLEN s s
                XADD
                XADD s
                XADD s 1-1
                TYPE s
                OBJECT ENCODING s
                """},
        {"xadd-new-stream-edges", """
                XADD e 0-* f v
                XADD e 0-* f v
                XRANGE e - +
                XADD z 0-1 f v
                XADD n NOMKSTREAM 1-1 f v
                EXISTS n
                XADD n nomkstream maxlen 1 1-1 f v
                """},
        {"xadd-trim-options", """
                XADD t 1-0 a 1
                XADD t 2-0 a 1
                XADD t MAXLEN 2 3-0 a 1
                XADD t MAXLEN = 2 4-0 a 1
                XRANGE t - +
                XADD t MAXLEN ~ 2 LIMIT 5 5-0 a 1
                XADD t LIMIT 5 6-0 a 1
                XADD t LIMIT 0 6-0 a 1
                XADD t MAXLEN 2 LIMIT 5 6-0 a 1
                XADD t MAXLEN -1 6-0 a 1
                XADD t MAXLEN abc 6-0 a 1
                XADD t MAXLEN 1 MINID 1 6-0 a 1
                XADD t MINID 1 MAXLEN 1 6-0 a 1
                XADD t MINID abc 6-0 a 1
                XADD t MINID - 6-0 a 1
                XADD t MINID ~ 5 LIMIT -1 7-0 a 1
                XADD t MINID 5 7-0 a 1
                XRANGE t - +
                XADD t MAXLEN
                XADD t MAXLEN 1
                XADD t LIMIT
                XADD t 8-0 a
                XADD t NOMKSTREAM NOMKSTREAM 8-0 a 1
                XINFO STREAM t
                """},
        {"xtrim", """
                XADD t 1-0 a 1
                XADD t 2-0 a 1
                XADD t 3-0 a 1
                XADD t 4-0 a 1
                XTRIM t
                XTRIM t MAXLEN
                XTRIM t MAXLEN 0 LIMIT 1
                XTRIM t foo 1
                XTRIM t MAXLEN 1 MINID 2
                XTRIM t MAXLEN ~ 1 LIMIT abc
                XTRIM t MAXLEN ~ 1
                XTRIM t MINID ~ 3
                XTRIM t MINID 3
                XRANGE t - +
                XTRIM t MAXLEN 1
                XRANGE t - +
                XTRIM t MAXLEN = 0
                XLEN t
                EXISTS t
                XINFO STREAM t
                XTRIM nokey MAXLEN 0
                XTRIM nokey foo
                """},
        {"ranges", """
                XADD s 1-1 a 1
                XADD s 1-2 b 2
                XADD s 2-0 c 3
                XADD s 3-5 d 4
                XADD s 18446744073709551615-0 e 5
                XRANGE s - +
                XREVRANGE s + -
                XRANGE s - + COUNT 2
                XREVRANGE s + - COUNT 2
                XRANGE s - + COUNT 0
                XRANGE s - + COUNT -5
                XRANGE s (1-1 +
                XRANGE s - (2
                XRANGE s - (2-0
                XRANGE s 1 1
                XRANGE s 2 1
                XRANGE s 3 3
                XREVRANGE s (3-5 (1-1
                XRANGE s (18446744073709551615-18446744073709551615 +
                XRANGE s - (0-0
                XRANGE s (- +
                XRANGE s - (+
                XRANGE s ( +
                XRANGE s abc +
                XRANGE s - abc
                XRANGE s 1- +
                XRANGE s -1 +
                XRANGE nokey - +
                XRANGE nokey abc +
                XRANGE s - + count
                XRANGE s - + COUNT abc
                XRANGE s - + foo 1
                XRANGE s - + COUNT 1 COUNT 2
                XRANGE s -
                XREVRANGE s +
                """},
        {"xdel", """
                XADD s 1-1 a 1
                XADD s 2-1 a 1 b 2
                XADD s 3-1 a 1
                XDEL s 1-1 2-1 9-9
                XDEL s 1-1
                XDEL s abc
                XDEL s 3-1 abc
                XDEL s -
                XRANGE s - +
                XINFO STREAM s
                XDEL s 3-1
                XLEN s
                EXISTS s
                XINFO STREAM s
                XDEL nokey 1-1
                XDEL nokey abc
                XDEL s
                """},
        {"xsetid", """
                XADD t 5-0 a 1
                XSETID t 1-1
                XSETID t 99-0 ENTRIESADDED 0
                XSETID t 99-0 ENTRIESADDED -1
                XSETID t 99-0 ENTRIESADDED abc
                XSETID t 99-0 MAXDELETEDID 100-0
                XSETID t 99-0 MAXDELETEDID abc
                XSETID t 99-0 ENTRIESADDED 100 MAXDELETEDID 50-0
                XSETID t 99-0 FOO
                XSETID t 99-0 ENTRIESADDED
                XINFO STREAM t
                XADD t 50-0 a 1
                XSETID nokey 1-1
                XSETID t +
                XSETID t abc
                XDEL t 5-0
                XSETID t 1-0
                XINFO STREAM t
                XSETID t
                """},
        {"node-boundaries", """
                CONFIG SET stream-node-max-entries 3
                XADD s 1-0 f v
                XADD s 2-0 f v
                XADD s 3-0 f v
                XADD s 4-0 g v
                XADD s 5-0 f v
                XINFO STREAM s
                XTRIM s MAXLEN ~ 2
                XLEN s
                XINFO STREAM s
                XDEL s 4-0 5-0
                XINFO STREAM s
                XADD s 6-0 f v
                XADD s 7-0 f v
                XADD s 8-0 f v
                XADD s 9-0 f v
                XADD s 10-0 f v
                XADD s 11-0 f v
                XADD s 12-0 f v
                XTRIM s MINID ~ 9
                XINFO STREAM s
                XTRIM s MAXLEN ~ 0 LIMIT 2
                XINFO STREAM s
                XTRIM s MAXLEN ~ 0 LIMIT 3
                XINFO STREAM s
                CONFIG SET stream-node-max-entries 100
                CONFIG SET stream-node-max-bytes 60
                XADD b 1-0 field1 value1
                XADD b 2-0 field1 value1
                XADD b 3-0 field1 value1
                XADD b 4-0 field2 12345678901234567890
                XADD b 5-0 f 123
                XADD b 6-0 f -4096
                XINFO STREAM b
                XTRIM b MAXLEN ~ 1
                XINFO STREAM b
                CONFIG SET stream-node-max-bytes 4096
                """},
        {"groups", """
                XGROUP CREATE s g $
                XGROUP CREATE s g $ MKSTREAM
                XGROUP CREATE s g $ MKSTREAM
                XGROUP CREATE s g2 0 ENTRIESREAD -2
                XGROUP CREATE s g2 0 ENTRIESREAD abc
                XGROUP CREATE s g2 0 ENTRIESREAD 5 MKSTREAM foo
                XGROUP CREATE s g3 abc
                XGROUP CREATE s g3 -
                XGROUP CREATE s g3 + MKSTREAM
                XGROUP CREATE nokey g abc
                XGROUP CREATE nokey g abc MKSTREAM
                EXISTS nokey
                XGROUP SETID s nog 0
                XGROUP SETID s g 0 ENTRIESREAD 1
                XGROUP SETID s g abc
                XGROUP SETID s g -
                XGROUP SETID s g 0 MKSTREAM
                XGROUP SETID s g 0 ENTRIESREAD 1 foo
                XGROUP SETID nokey g 0
                XGROUP DESTROY s nog
                XGROUP DESTROY nokey g
                XGROUP CREATECONSUMER s g c1
                XGROUP CREATECONSUMER s g c1
                XGROUP CREATECONSUMER s nog c1
                XGROUP DELCONSUMER s g c9
                XGROUP DELCONSUMER s nog c9
                XGROUP FOO s g
                XGROUP HELP
                XGROUP HELP x
                XGROUP
                XGROUP CREATE s
                XGROUP CREATE s g 0 MKSTREAM MKSTREAM MKSTREAM MKSTREAM
                XGROUP DESTROY s g extra
                XINFO GROUPS s
                SET str x
                XGROUP CREATE str g $
                XGROUP CREATE str g $ MKSTREAM
                XGROUP DESTROY s g
                XGROUP DESTROY s g
                XINFO GROUPS s
                """},
        {"readgroup", """
                XGROUP CREATE s g $ MKSTREAM
                XADD s 1-0 f v
                XADD s 2-0 f v2
                XADD s 3-0 g v3
                XINFO GROUPS s
                XREADGROUP GROUP g c1 COUNT 1 STREAMS s >
                XINFO GROUPS s
                XREADGROUP GROUP g c9 COUNT 1 STREAMS s 18446744073709551615-18446744073709551615
                XREADGROUP GROUP g c9 COUNT 1 STREAMS s 18446744073709551615
                XREADGROUP GROUP g c2 STREAMS s >
                XREADGROUP GROUP g c2 STREAMS s >
                XREADGROUP GROUP g c1 STREAMS s 0
                XREADGROUP GROUP g c2 STREAMS s 0-0
                XREADGROUP GROUP g c2 COUNT 1 STREAMS s 2
                XREADGROUP GROUP g c3 STREAMS s 0
                XREADGROUP GROUP nog c2 STREAMS s 0-0
                XREADGROUP GROUP g c2 STREAMS nokey 0
                XREADGROUP GROUP g c2 STREAMS s $
                XREADGROUP GROUP g c2 STREAMS s abc
                XREADGROUP GROUP g c2 STREAMS s
                XREADGROUP GROUP g STREAMS s >
                XREADGROUP STREAMS s 0
                XREADGROUP GROUP g c2 NOACK NOACK STREAMS s >
                XREADGROUP GROUP g c2 FOO STREAMS s >
                XPENDING s g
                XACK s g 1-0 5-0
                XACK s g 1-0
                XACK s g abc
                XACK s g 2-0 abc
                XACK s nog abc
                XACK nokey g abc
                XPENDING s g
                XDEL s 2-0
                XREADGROUP GROUP g c2 STREAMS s 0
                XPENDING s g
                XINFO GROUPS s
                SET str x
                XREADGROUP GROUP g c2 STREAMS str >
                XREADGROUP GROUP g c2 STREAMS s str > >
                """},
        {"xread", """
                XADD s 1-0 f v
                XADD s 2-0 f v2
                XREAD STREAMS s 0
                XREAD STREAMS s >
                XREAD STREAMS s 0 1
                XREAD GROUP g c STREAMS s 0
                XREAD NOACK STREAMS s 0
                XREAD COUNT 1 STREAMS s 0
                XREAD COUNT -1 STREAMS s 0
                XREAD COUNT abc STREAMS s 0
                XREAD COUNT 2 STREAMS s nokey 0 0
                XREAD STREAMS nokey s 0 0
                XREAD STREAMS s $
                XREAD STREAMS s 2-0
                XREAD STREAMS s 1
                XREAD STREAMS s abc
                XREAD STREAMS s (1
                XREAD STREAMS s -
                XREAD BLOCK -1 STREAMS s 0
                XREAD BLOCK abc STREAMS s 0
                XREAD BLOCK 0 STREAMS s 0
                XREAD foo STREAMS s 0
                XREAD STREAMS
                XREAD COUNT 1
                XREAD STREAMS s s 0 1-0
                SET str x
                XREAD STREAMS str 0
                XREAD STREAMS s str 0 0
                MULTI
                XREAD BLOCK 0 STREAMS s $
                XREAD BLOCK 10 STREAMS s 0
                EXEC
                """},
        {"pending-and-claim", """
                XGROUP CREATE s g 0 MKSTREAM
                XADD s 1-0 f v
                XADD s 2-0 f v2
                XADD s 3-0 g v3
                XREADGROUP GROUP g c1 COUNT 1 STREAMS s >
                XREADGROUP GROUP g c2 STREAMS s >
                XPENDING s g
                XPENDING s g - + 0
                XPENDING s g IDLE 99999999 - + 10
                XPENDING s g - + 10 nobody
                XPENDING s g IDLE 0 - +
                XPENDING s g - +
                XPENDING s g - + abc
                XPENDING s g abc + 10
                XPENDING s g (- + 10
                XPENDING s g IDLE abc - + 10
                XPENDING s g a b c d e f g
                XPENDING s nog
                XPENDING nokey g
                XCLAIM s g c3 0 2-0 3-0 JUSTID
                XCLAIM s g c3 0 3-0 JUSTID RETRYCOUNT 5
                XPENDING s g
                XCLAIM s g c3 0 1-0 FORCE JUSTID
                XCLAIM s g c3 0 9-0 FORCE JUSTID
                XCLAIM s g c3 99999999 1-0 JUSTID
                XCLAIM s g c3 abc 1-0
                XCLAIM s g c3 0 1-0 BAR
                XCLAIM s g c3 0 1-0 IDLE abc
                XCLAIM s g c3 0 1-0 TIME abc
                XCLAIM s g c3 0 1-0 RETRYCOUNT abc
                XCLAIM s g c3 0 1-0 LASTID abc
                XCLAIM s g c3 0 1-0 JUSTID LASTID 50-0
                XINFO GROUPS s
                XCLAIM s nog c3 0 1-0
                XCLAIM nokey g c3 0 1-0
                XCLAIM s g c3 0 abc
                XCLAIM s g c1 0 1-0 2-0
                XDEL s 2-0
                XCLAIM s g c1 0 2-0 JUSTID
                XPENDING s g
                XAUTOCLAIM s g c4 0 0 COUNT 1 JUSTID
                XAUTOCLAIM s g c4 0 0 JUSTID
                XAUTOCLAIM s g c4 0 0
                XAUTOCLAIM s g c4 0 0 COUNT 0
                XAUTOCLAIM s g c4 0 0 COUNT abc
                XAUTOCLAIM s g c4 0 0 COUNT 9223372036854775807
                XAUTOCLAIM s g c4 0 0 FOO
                XAUTOCLAIM s g c4 abc 0
                XAUTOCLAIM s g c4 0 abc
                XAUTOCLAIM s nog c4 0 0
                XAUTOCLAIM nokey g c4 0 0
                XAUTOCLAIM s g c4 0 (18446744073709551615-18446744073709551615
                XAUTOCLAIM s g c4 99999999 0 JUSTID
                XDEL s 3-0
                XAUTOCLAIM s g c4 0 0 JUSTID
                XPENDING s g
                XGROUP DELCONSUMER s g c4
                XPENDING s g
                XINFO GROUPS s
                SET str x
                XCLAIM str g c 0 1-0
                XAUTOCLAIM str g c 0 0
                XPENDING str g
                XACK str g 1-0
                """},
        {"lag", """
                XADD s 1-0 a 1
                XADD s 2-0 a 1
                XADD s 3-0 a 1
                XADD s 4-0 a 1
                XGROUP CREATE s g1 0
                XGROUP CREATE s g2 $
                XGROUP CREATE s g3 2-0
                XGROUP CREATE s g4 0 ENTRIESREAD 1
                XINFO GROUPS s
                XREADGROUP GROUP g1 c COUNT 1 STREAMS s >
                XREADGROUP GROUP g3 c COUNT 1 STREAMS s >
                XINFO GROUPS s
                XDEL s 3-0
                XINFO GROUPS s
                XREADGROUP GROUP g1 c STREAMS s >
                XINFO GROUPS s
                XADD s 5-0 a 1
                XINFO GROUPS s
                XTRIM s MAXLEN 0
                XINFO GROUPS s
                XINFO STREAM s
                XGROUP SETID s g2 0
                XINFO GROUPS s
                XGROUP SETID s g2 5-0 ENTRIESREAD 3
                XINFO GROUPS s
                """},
        {"xinfo", """
                XADD s 1-0 a 1 b 2
                XADD s 2-0 a 3 b 4
                XADD s 3-0 c 1
                XINFO STREAM s
                XINFO STREAM s FULL
                XINFO STREAM s FULL COUNT 1
                XINFO STREAM s FULL COUNT 0
                XINFO STREAM s FULL COUNT -1
                XINFO STREAM s FULL COUNT abc
                XINFO STREAM s FULL COUNT
                XINFO STREAM s foo
                XINFO STREAM s FULL foo 1
                XINFO STREAM nokey
                XINFO GROUPS nokey
                XINFO CONSUMERS nokey g
                XINFO CONSUMERS s nog
                XINFO GROUPS s
                XINFO HELP
                XINFO HELP x
                XINFO FOO s
                XINFO
                XINFO STREAM
                XGROUP CREATE s g 0
                XGROUP CREATE s a 0
                XGROUP CREATE s zz $
                XINFO CONSUMERS s g
                XINFO GROUPS s
                XINFO STREAM s
                XDEL s 1-0 2-0 3-0
                XINFO STREAM s
                XINFO STREAM s FULL
                SET str x
                XINFO STREAM str
                XINFO GROUPS str
                XINFO CONSUMERS str g
                """},
        {"wrongtype-and-generic", """
                SET str x
                XADD str 1-1 a 1
                XLEN str
                XRANGE str - +
                XREVRANGE str + -
                XDEL str 1-1
                XTRIM str MAXLEN 0
                XSETID str 1-1
                XADD s 1-1 a 1
                LPUSH s x
                GET s
                HSET s f v
                SADD s m
                ZADD s 1 m
                TYPE s
                OBJECT ENCODING s
                COPY s s2
                XRANGE s2 - +
                RENAME s2 s3
                TYPE s3
                ~SCAN 0 TYPE stream
                SORT s
                SORT_RO s
                MOVE s3 1
                EXISTS s3
                SELECT 1
                XRANGE s3 - +
                SELECT 0
                """},
    };
}
