package io.damselfly.protocol;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * A decoded RESP2 or RESP3 value: what {@link RespDecoder} emits and {@link RespEncoder} writes.
 *
 * <p>This is the convenient, allocating representation, for clients and tests. The server's hot
 * path does not use it: requests are {@code byte[][]} from {@link RespRequestDecoder} and replies
 * are written with {@link RespWriter}.
 *
 * <p>Several nested names shadow {@code java.lang} ones ({@code Integer}, {@code Double}, {@code
 * Boolean}, {@code Error}); refer to them qualified, as {@code RespValue.Integer}.
 *
 * <p>Java 17 has no pattern matching in {@code switch} without preview, so {@link #kind()} gives an
 * enum to switch on; a {@code switch} expression over it is checked for exhaustiveness by javac.
 */
public sealed interface RespValue {

    /** The RESP type of a value, one constant per record below. */
    enum Kind {
        SIMPLE_STRING,
        ERROR,
        INTEGER,
        BULK_STRING,
        ARRAY,
        NULL,
        MAP,
        SET,
        DOUBLE,
        BOOLEAN,
        BIG_NUMBER,
        PUSH,
        VERBATIM
    }

    /** Which record this is. */
    Kind kind();

    /** {@code +text}: a short status line; must not contain CR or LF. */
    record SimpleString(String value) implements RespValue {
        public SimpleString {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public Kind kind() {
            return Kind.SIMPLE_STRING;
        }
    }

    /**
     * {@code -text} (or RESP3 blob error {@code !len}): the whole error line including its code,
     * e.g. {@code "ERR unknown command"}.
     */
    record Error(String message) implements RespValue {
        public Error {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public Kind kind() {
            return Kind.ERROR;
        }
    }

    /** {@code :n}. */
    record Integer(long value) implements RespValue {
        @Override
        public Kind kind() {
            return Kind.INTEGER;
        }
    }

    /**
     * {@code $len}: a binary-safe string. The array is not copied; treat it as read-only. The null
     * bulk string is {@link Null}, not a {@code BulkString} with a null array.
     */
    record BulkString(byte[] value) implements RespValue {
        public BulkString {
            Objects.requireNonNull(value, "value");
        }

        /** A bulk string holding the UTF-8 bytes of {@code s}. */
        public static BulkString of(String s) {
            return new BulkString(s.getBytes(StandardCharsets.UTF_8));
        }

        /** The bytes decoded as UTF-8 (malformed sequences replaced). */
        public String asString() {
            return new String(value, StandardCharsets.UTF_8);
        }

        @Override
        public Kind kind() {
            return Kind.BULK_STRING;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BulkString other && Arrays.equals(value, other.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return asString();
        }
    }

    /** {@code *n}: an ordered list of values (immutable). */
    record Array(List<RespValue> values) implements RespValue {
        public Array {
            values = List.copyOf(values);
        }

        /** An array of the given values. */
        public static Array of(RespValue... values) {
            return new Array(List.of(values));
        }

        @Override
        public Kind kind() {
            return Kind.ARRAY;
        }
    }

    /**
     * The absent value: RESP2 null bulk {@code $-1} and null array {@code *-1}, RESP3 {@code _}.
     * All instances are equal; use {@link #INSTANCE}.
     */
    record Null() implements RespValue {
        public static final Null INSTANCE = new Null();

        @Override
        public Kind kind() {
            return Kind.NULL;
        }
    }

    /** RESP3 {@code %n}: key/value pairs in wire order (immutable; keys may repeat on the wire). */
    record Map(List<Entry> entries) implements RespValue {
        public Map {
            entries = List.copyOf(entries);
        }

        /** One key/value pair of a {@link Map}. */
        public record Entry(RespValue key, RespValue value) {
            public Entry {
                Objects.requireNonNull(key, "key");
                Objects.requireNonNull(value, "value");
            }
        }

        /** A map with the pairs of {@code map} in its iteration order. */
        public static Map of(java.util.Map<? extends RespValue, ? extends RespValue> map) {
            List<Entry> entries = new ArrayList<>(map.size());
            map.forEach((k, v) -> entries.add(new Entry(k, v)));
            return new Map(entries);
        }

        /** The pairs as a {@link LinkedHashMap} in wire order (a later duplicate key wins). */
        public LinkedHashMap<RespValue, RespValue> asMap() {
            LinkedHashMap<RespValue, RespValue> map = new LinkedHashMap<>();
            for (Entry e : entries) {
                map.put(e.key(), e.value());
            }
            return map;
        }

        @Override
        public Kind kind() {
            return Kind.MAP;
        }
    }

    /** RESP3 {@code ~n}: an unordered collection, kept in wire order (immutable). */
    record Set(List<RespValue> values) implements RespValue {
        public Set {
            values = List.copyOf(values);
        }

        @Override
        public Kind kind() {
            return Kind.SET;
        }
    }

    /** RESP3 {@code ,d}, including {@code inf}, {@code -inf} and {@code nan}. */
    record Double(double value) implements RespValue {
        @Override
        public Kind kind() {
            return Kind.DOUBLE;
        }
    }

    /** RESP3 {@code #t} / {@code #f}. */
    record Boolean(boolean value) implements RespValue {
        @Override
        public Kind kind() {
            return Kind.BOOLEAN;
        }
    }

    /** RESP3 {@code (digits}. */
    record BigNumber(BigInteger value) implements RespValue {
        public BigNumber {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public Kind kind() {
            return Kind.BIG_NUMBER;
        }
    }

    /** RESP3 {@code >n}: an out-of-band message such as a pub/sub delivery (immutable). */
    record Push(List<RespValue> values) implements RespValue {
        public Push {
            values = List.copyOf(values);
        }

        @Override
        public Kind kind() {
            return Kind.PUSH;
        }
    }

    /**
     * RESP3 {@code =len}: text with a three-character format such as {@code "txt"} or {@code "mkd"}.
     * The array is not copied; treat it as read-only.
     */
    record Verbatim(String format, byte[] text) implements RespValue {
        public Verbatim {
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(text, "text");
            if (format.length() != 3) {
                throw new IllegalArgumentException("verbatim format must be 3 characters: " + format);
            }
        }

        /** The text decoded as UTF-8. */
        public String asString() {
            return new String(text, StandardCharsets.UTF_8);
        }

        @Override
        public Kind kind() {
            return Kind.VERBATIM;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Verbatim other
                    && format.equals(other.format)
                    && Arrays.equals(text, other.text);
        }

        @Override
        public int hashCode() {
            return 31 * format.hashCode() + Arrays.hashCode(text);
        }

        @Override
        public String toString() {
            return "Verbatim[format=" + format + ", text=" + asString() + "]";
        }
    }
}
