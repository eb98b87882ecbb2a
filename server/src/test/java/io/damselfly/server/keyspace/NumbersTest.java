package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NumbersTest {
    /** Expected values are glibc's atoi on the same bytes (read through Python's ctypes on this machine). */
    @Test
    void atoi_asGlibc() {
        String[][] cases = {
            {"1", "1"}, {"0", "0"}, {"x", "0"}, {" 12abc", "12"}, {"-3", "-3"}, {"+7", "7"}, {"", "0"}, {"\t\n5", "5"},
            {"--5", "0"}, {"4294967296", "0"}, {"4294967297", "1"}, {"2147483648", "-2147483648"},
            {"-2147483649", "2147483647"}, {"99999999999999999999", "-1"}, {"-99999999999999999999", "0"},
        };
        for (String[] c : cases) {
            assertEquals(Integer.parseInt(c[1]), Numbers.atoi(c[0].getBytes(StandardCharsets.US_ASCII)), "atoi(\"" + c[0] + "\")");
        }
    }
}
