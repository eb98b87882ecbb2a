package io.damselfly.server.config;

import java.util.Set;

/**
 * Redis's proc-title-template check (server.c validateProcTitleTemplate over sds.c sdstemplate):
 * {@code {name}} variables from a fixed set, {@code {{} for a literal brace, and a template that
 * expands to only blanks (with an empty title) is refused. A JVM cannot set its process title, so
 * the template is only validated and kept for CONFIG GET.
 */
final class ProcTitle {
    /** The variables redisProcTitleGetVariable knows. */
    private static final Set<String> VARIABLES =
            Set.of("title", "listen-addr", "server-mode", "config-file", "port", "tls-port", "unixsocket");

    private ProcTitle() {
    }

    /** Whether Redis 7.0 accepts {@code template}. */
    static boolean valid(String template) {
        StringBuilder expanded = new StringBuilder();
        int p = 0;
        while (p < template.length()) {
            int open = template.indexOf('{', p);
            if (open < 0) {
                expanded.append(template, p, template.length());
                break;
            }
            expanded.append(template, p, open);
            if (open + 1 == template.length()) {
                return false; // a brace at the very end
            }
            if (template.charAt(open + 1) == '{') {
                expanded.append('{');
                p = open + 2;
                continue;
            }
            int close = template.indexOf('}', open + 1);
            if (close < 0 || !VARIABLES.contains(template.substring(open + 1, close))) {
                return false;
            }
            // every variable but the empty title expands to something non-blank in a running server;
            // server-mode is empty outside cluster and sentinel mode
            String name = template.substring(open + 1, close);
            if (!name.equals("title") && !name.equals("server-mode") && !name.equals("unixsocket")) {
                expanded.append('x');
            }
            p = close + 1;
        }
        // sdstrim(res, " "): only spaces are trimmed
        for (int i = 0; i < expanded.length(); i++) {
            if (expanded.charAt(i) != ' ') {
                return true;
            }
        }
        return false;
    }
}
