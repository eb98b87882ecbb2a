package io.damselfly.server.command.family;

import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.ReplyComparison;

/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO differentially against a real redis-server
 * 7.0.15 (see {@link ReplyComparison}), RESP2 and RESP3: every option and its combinations, each
 * error networking.c gives (in its order), garbage arguments and wrong arity, the one-command life
 * of CLIENT CACHING, and RESET turning tracking off. Redirect ids differ between the servers, so
 * only a missing client is named. Invalidation delivery is in ClientTrackingTest.
 */
class ClientTrackingCompatibilityTest implements DifferentialScripts {

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"on-off-info", """
                CLIENT TRACKINGINFO
                CLIENT GETREDIR
                CLIENT TRACKING on
                CLIENT TRACKINGINFO
                CLIENT GETREDIR
                CLIENT TRACKING on noloop
                CLIENT TRACKINGINFO
                CLIENT TRACKING off
                CLIENT TRACKINGINFO
                CLIENT GETREDIR
                CLIENT TRACKING OFF
                CLIENT TRACKING ON NOLOOP OPTIN
                CLIENT TRACKINGINFO
                CLIENT TRACKING off
                CLIENT TRACKING on optout noloop
                CLIENT TRACKINGINFO
                RESET
                CLIENT TRACKINGINFO
                CLIENT GETREDIR
                """},
        {"bcast-prefixes", """
                CLIENT TRACKING on bcast
                CLIENT TRACKINGINFO
                CLIENT TRACKING off
                CLIENT TRACKING on bcast prefix b prefix a prefix c:
                CLIENT TRACKINGINFO
                CLIENT TRACKING on bcast prefix d
                CLIENT TRACKINGINFO
                CLIENT TRACKING on bcast prefix d
                CLIENT TRACKINGINFO
                CLIENT TRACKING on bcast prefix ab
                CLIENT TRACKING on bcast prefix c
                CLIENT TRACKING on bcast prefix c:x
                CLIENT TRACKING on bcast prefix x prefix xy
                CLIENT TRACKING on bcast prefix xy prefix x
                CLIENT TRACKING on bcast prefix x prefix y prefix x
                CLIENT TRACKING on bcast prefix _
                CLIENT TRACKINGINFO
                CLIENT TRACKING on
                CLIENT TRACKING on optin
                CLIENT TRACKING on bcast optin
                CLIENT TRACKING off
                CLIENT TRACKING on bcast prefix q prefix qq
                CLIENT TRACKINGINFO
                CLIENT TRACKING on prefix a
                CLIENT TRACKING on bcast noloop prefix e
                CLIENT TRACKINGINFO
                """},
        {"option-errors", """
                CLIENT TRACKING on optin optout
                CLIENT TRACKING on bcast optout
                CLIENT TRACKING on bcast optin optout
                CLIENT TRACKING on prefix a
                CLIENT TRACKING on prefix a optin optout
                CLIENT TRACKING on redirect 987654
                CLIENT TRACKING on redirect 0
                CLIENT TRACKING on redirect -1
                CLIENT TRACKING on redirect abc
                CLIENT TRACKING on redirect 99999999999999999999
                CLIENT TRACKING on redirect
                CLIENT TRACKING on prefix
                CLIENT TRACKING on bogus
                CLIENT TRACKING off bogus
                CLIENT TRACKING maybe
                CLIENT TRACKING maybe bcast
                CLIENT TRACKING _
                CLIENT TRACKING on optin
                CLIENT TRACKING on optout
                CLIENT TRACKING on bcast
                CLIENT TRACKING on optin
                CLIENT TRACKINGINFO
                CLIENT TRACKING off
                CLIENT TRACKING on optout
                CLIENT TRACKING on optin
                CLIENT TRACKING on
                CLIENT TRACKINGINFO
                """},
        {"caching", """
                CLIENT CACHING yes
                CLIENT CACHING no
                CLIENT CACHING maybe
                CLIENT TRACKING on
                CLIENT CACHING yes
                CLIENT CACHING no
                CLIENT CACHING maybe
                CLIENT TRACKING on optin
                CLIENT CACHING no
                CLIENT CACHING yes
                CLIENT TRACKINGINFO
                CLIENT TRACKINGINFO
                GET k
                CLIENT TRACKINGINFO
                CLIENT CACHING yes
                MULTI
                GET k
                CLIENT TRACKINGINFO
                EXEC
                CLIENT TRACKINGINFO
                CLIENT TRACKING off
                CLIENT TRACKING on optout
                CLIENT CACHING yes
                CLIENT CACHING no
                CLIENT TRACKINGINFO
                PING
                CLIENT TRACKINGINFO
                CLIENT CACHING _
                """},
        {"arity", """
                CLIENT TRACKING
                CLIENT CACHING
                CLIENT CACHING yes no
                CLIENT GETREDIR x
                CLIENT TRACKINGINFO x
                """},
        {"reads-without-writes", """
                SET a 1
                CLIENT TRACKING on
                GET a
                MGET a b c
                HGETALL h
                EXISTS a b
                CLIENT TRACKING off
                SET a 2
                GET a
                """},
    };
}
