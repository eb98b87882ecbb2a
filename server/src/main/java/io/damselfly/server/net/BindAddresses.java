package io.damselfly.server.net;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code bind} directive's addresses, as Redis's listenToPort reads them: a leading "-" makes
 * an address optional (skipped when this host does not have it, EADDRNOTAVAIL), "*" is every IPv4
 * interface and "::*" every IPv6 one.
 */
public record BindAddresses(List<Address> addresses) {
    /** One address to listen on: the host to bind, and whether a missing address is skipped. */
    public record Address(String host, boolean optional, String text) {
    }

    /** Parses a normalized bind value (addresses separated by one space; "" for none). */
    public static BindAddresses parse(String bind) {
        List<Address> list = new ArrayList<>();
        if (!bind.isEmpty()) {
            for (String text : bind.split(" ", -1)) {
                boolean optional = text.startsWith("-");
                String host = optional ? text.substring(1) : text;
                if (host.equals("*")) {
                    host = "0.0.0.0";
                } else if (host.equals("::*")) {
                    host = "::";
                }
                list.add(new Address(host, optional, text));
            }
        }
        return new BindAddresses(List.copyOf(list));
    }

    /** The host a client of this process should connect to: the first address, or loopback when there is none. */
    public String firstHost() {
        return addresses.isEmpty() ? "127.0.0.1" : addresses.get(0).host();
    }

    /**
     * Whether a failed bind of an address is skipped rather than failing the whole listen, from the
     * failure's text (Netty's native errors carry strerror's): a missing address that was marked
     * optional, or an address family this host has not got (Redis skips those always).
     */
    static boolean skippable(Address a, Throwable failure) {
        String m = String.valueOf(failure.getMessage());
        if (a.optional() && m.contains("Cannot assign requested address")) {
            return true;
        }
        return m.contains("Address family not supported") || m.contains("Protocol not supported")
                || m.contains("Protocol not available");
    }
}
