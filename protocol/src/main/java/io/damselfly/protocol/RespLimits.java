package io.damselfly.protocol;

/**
 * Size limits applied by the RESP decoders before they allocate anything.
 *
 * <p>The defaults are the Redis 7 values, so a client that works against Redis is not refused here
 * and a client that Redis would refuse gets the same error text.
 *
 * @param maxBulkLength largest bulk string accepted (Redis {@code proto-max-bulk-len})
 * @param maxMultibulkLength largest element count of a request array (Redis refuses more than
 *     {@code INT_MAX}); the reply decoder uses it for every aggregate
 * @param maxInlineLength longest line (inline request, or a count / length / simple line) that may
 *     be buffered without finding its terminator (Redis {@code PROTO_INLINE_MAX_SIZE})
 * @param maxDepth deepest nesting of aggregates the reply decoder accepts
 * @param unauthenticatedMaxMultibulkLength largest request array from a client that has not
 *     authenticated yet
 * @param unauthenticatedMaxBulkLength largest bulk string from a client that has not authenticated
 *     yet
 */
public record RespLimits(
        int maxBulkLength,
        int maxMultibulkLength,
        int maxInlineLength,
        int maxDepth,
        int unauthenticatedMaxMultibulkLength,
        int unauthenticatedMaxBulkLength) {

    /** Redis {@code proto-max-bulk-len} default: 512 MiB. */
    public static final int DEFAULT_MAX_BULK_LENGTH = 512 * 1024 * 1024;

    /** Redis rejects a multibulk count above {@code INT_MAX} and nothing smaller. */
    public static final int DEFAULT_MAX_MULTIBULK_LENGTH = Integer.MAX_VALUE;

    /** Redis {@code PROTO_INLINE_MAX_SIZE}: 64 KiB. */
    public static final int DEFAULT_MAX_INLINE_LENGTH = 64 * 1024;

    /**
     * Nesting depth for replies. Redis itself never nests deeper than a handful of levels in
     * ordinary replies; 128 leaves room for Lua/function replies while bounding the decoder's stack.
     */
    public static final int DEFAULT_MAX_DEPTH = 128;

    /** Redis 7 ({@code processMultibulkBuffer}, {@code authRequired}): at most 10 arguments before AUTH. */
    public static final int DEFAULT_UNAUTHENTICATED_MAX_MULTIBULK_LENGTH = 10;

    /** Redis 7: at most 16 KiB per argument before AUTH. */
    public static final int DEFAULT_UNAUTHENTICATED_MAX_BULK_LENGTH = 16 * 1024;

    private static final RespLimits DEFAULTS =
            new RespLimits(
                    DEFAULT_MAX_BULK_LENGTH,
                    DEFAULT_MAX_MULTIBULK_LENGTH,
                    DEFAULT_MAX_INLINE_LENGTH,
                    DEFAULT_MAX_DEPTH,
                    DEFAULT_UNAUTHENTICATED_MAX_MULTIBULK_LENGTH,
                    DEFAULT_UNAUTHENTICATED_MAX_BULK_LENGTH);

    /** Checks that every limit is usable. */
    public RespLimits {
        requireNonNegative("maxBulkLength", maxBulkLength);
        requireNonNegative("maxMultibulkLength", maxMultibulkLength);
        requirePositive("maxInlineLength", maxInlineLength);
        requirePositive("maxDepth", maxDepth);
        requireNonNegative("unauthenticatedMaxMultibulkLength", unauthenticatedMaxMultibulkLength);
        requireNonNegative("unauthenticatedMaxBulkLength", unauthenticatedMaxBulkLength);
    }

    /** The Redis 7 defaults. */
    public static RespLimits defaults() {
        return DEFAULTS;
    }

    /** A copy with another {@code proto-max-bulk-len}. */
    public RespLimits withMaxBulkLength(int maxBulkLength) {
        return new RespLimits(
                maxBulkLength,
                maxMultibulkLength,
                maxInlineLength,
                maxDepth,
                unauthenticatedMaxMultibulkLength,
                unauthenticatedMaxBulkLength);
    }

    private static void requireNonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0: " + value);
        }
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }
}
