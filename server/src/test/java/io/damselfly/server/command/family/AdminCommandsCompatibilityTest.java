package io.damselfly.server.command.family;

import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.ReplyComparison;

/**
 * The administrative commands a standalone redis-server 7.0.15 answers in a fixed way,
 * differentially against a live one (see {@link ReplyComparison}), RESP2 and RESP3: every CLUSTER
 * subcommand, READONLY, READWRITE and ASKING refused as cluster support is disabled; ROLE as a
 * primary without replicas; MODULE with no modules and loading not allowed; MEMORY HELP, DOCTOR
 * on an empty instance and PURGE; CONFIG REWRITE without a config file; LOLWUT's version line and
 * the drawings where they do not depend on chance; garbage arguments and wrong arities throughout.
 * COMMAND INFO of containers compares unordered: Redis lists subcommands in its hash table's order.
 */
class AdminCommandsCompatibilityTest implements DifferentialScripts {

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"cluster", """
                CLUSTER
                CLUSTER HELP
                CLUSTER help x
                CLUSTER INFO
                CLUSTER INFO x
                CLUSTER KEYSLOT foo
                CLUSTER KEYSLOT
                CLUSTER KEYSLOT a b
                CLUSTER NODES
                CLUSTER SLOTS
                CLUSTER SHARDS
                CLUSTER MYID
                CLUSTER LINKS
                CLUSTER COUNTKEYSINSLOT 1
                CLUSTER COUNTKEYSINSLOT notanumber
                CLUSTER GETKEYSINSLOT 1 1
                CLUSTER GETKEYSINSLOT 1
                CLUSTER RESET HARD
                CLUSTER MEET 127.0.0.1 7000
                CLUSTER ADDSLOTS 1 2 3
                CLUSTER ADDSLOTSRANGE 1 5
                CLUSTER SETSLOT 1 NODE abc
                CLUSTER FAILOVER FORCE
                CLUSTER REPLICATE abc
                CLUSTER REPLICAS abc
                CLUSTER SLAVES abc
                CLUSTER COUNT-FAILURE-REPORTS abc
                CLUSTER FLUSHSLOTS
                CLUSTER FORGET abc
                CLUSTER BUMPEPOCH
                CLUSTER SAVECONFIG
                CLUSTER SET-CONFIG-EPOCH 1
                CLUSTER DELSLOTS 1
                CLUSTER DELSLOTSRANGE 1 2
                CLUSTER bogus
                CLUSTER _
                READONLY
                READONLY x
                READWRITE
                READWRITE x
                ASKING
                ASKING x
                ~COMMAND INFO cluster readonly readwrite asking role module memory
                """},
        {"cluster-in-multi", """
                MULTI
                CLUSTER INFO
                ROLE
                READONLY
                EXEC
                """},
        {"role", """
                ROLE
                ROLE x
                role
                """},
        {"module", """
                MODULE
                MODULE LIST
                MODULE LIST x
                MODULE HELP
                MODULE HELP x
                MODULE LOAD /no/such/module.so
                MODULE LOAD /no/such/module.so arg1 arg2
                MODULE LOAD
                MODULE LOADEX /no/such/module.so CONFIG a b ARGS x
                MODULE LOADEX
                MODULE UNLOAD nosuch
                MODULE UNLOAD
                MODULE UNLOAD a b
                MODULE bogus
                """},
        {"memory", """
                MEMORY
                MEMORY HELP
                MEMORY HELP x
                MEMORY DOCTOR
                MEMORY DOCTOR x
                MEMORY PURGE
                MEMORY PURGE x
                MEMORY STATS x
                MEMORY MALLOC-STATS x
                MEMORY bogus
                MEMORY USAGE nokey
                MEMORY USAGE nokey SAMPLES
                MEMORY USAGE nokey SAMPLES -1
                MEMORY USAGE nokey SAMPLES x
                """},
        {"lolwut", """
                LOLWUT
                LOLWUT VERSION
                LOLWUT 1 2 3
                LOLWUT VERSION 7
                LOLWUT VERSION 7 a b
                LOLWUT VERSION -1
                LOLWUT VERSION 4294967303
                LOLWUT VERSION x
                LOLWUT VERSION 5 x
                LOLWUT VERSION 5 10 x
                LOLWUT VERSION 5 1 1 1
                LOLWUT VERSION 5 0 0 0
                LOLWUT VERSION 5 -5 -5 1
                LOLWUT VERSION 5 4 1 1
                LOLWUT VERSION 5 20 3 2
                LOLWUT VERSION 5 66 8 2
                LOLWUT VERSION 5 2000 1 2
                LOLWUT VERSION 6 1 1
                LOLWUT VERSION 6 7 1
                LOLWUT VERSION 6 x
                LOLWUT VERSION 6 3 x
                """},
        {"config-rewrite-without-file", """
                CONFIG REWRITE
                CONFIG REWRITE x
                CONFIG HELP
                """},
    };
}
