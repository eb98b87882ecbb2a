package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;

/**
 * The arguments of LMPOP, BLMPOP, ZMPOP and BZMPOP from numkeys on, parsed as Redis's
 * lmpopGenericCommand and zmpopGenericCommand parse them: {@code numkeys key [key ...] where
 * [COUNT count]}, where {@code where} is one of two words (LEFT|RIGHT, MIN|MAX) and {@code
 * second} says it was the second. Without COUNT the count is 1.
 */
record MultiPop(int firstKey, int numKeys, boolean second, long count) {

    static MultiPop parse(CommandContext c, int numKeysIndex, String firstWord, String secondWord) {
        long numKeys = ListCommands.rangeLong(c, numKeysIndex, 1, ListCommands.NUMKEYS_NOT_POSITIVE);
        long whereIndex = numKeysIndex + numKeys + 1;
        if (whereIndex >= c.argc()) {
            throw c.syntaxError();
        }
        boolean second;
        if (c.argIs((int) whereIndex, firstWord)) {
            second = false;
        } else if (c.argIs((int) whereIndex, secondWord)) {
            second = true;
        } else {
            throw c.syntaxError();
        }
        long count = -1;
        for (int j = (int) whereIndex + 1; j < c.argc(); j++) {
            if (count == -1 && c.argIs(j, "count") && j + 1 < c.argc()) {
                count = ListCommands.rangeLong(c, ++j, 1, ListCommands.COUNT_NOT_POSITIVE);
            } else {
                throw c.syntaxError();
            }
        }
        return new MultiPop(numKeysIndex + 1, (int) numKeys, second, count == -1 ? 1 : count);
    }
}
