package io.damselfly.server.keyspace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * SipHash (Aumasson and Bernstein, 2012), the keyed hash Redis uses for its dictionaries: a
 * client that does not know the key cannot choose keys that collide, so nobody can degrade a hash
 * table into a list (hash flooding). A multiplicative hash such as {@code Arrays.hashCode} cannot
 * give that, and for binary keys it collides even by accident (its multiplier 31 is smaller than
 * the byte range).
 *
 * <p>{@code compressionRounds} and {@code finalizationRounds} select the variant: Redis uses
 * SipHash-1-2 for speed; 2-4 is the paper's, used by the test against its reference vectors.
 *
 * <p>The SipRound is written out at each of its three uses on purpose: it updates four state words,
 * which Java cannot pass to a method by reference, and holding them in an array or object would
 * cost a memory round trip per round on the path every command takes.
 */
final class SipHash {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private SipHash() {
    }

    static long hash(long k0, long k1, byte[] data, int compressionRounds, int finalizationRounds) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int len = data.length;
        int blocks = len & ~7;
        for (int i = 0; i < blocks; i += 8) {
            long m = (long) LONG_LE.get(data, i);
            v3 ^= m;
            for (int r = 0; r < compressionRounds; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        // the last block: the remaining bytes, little-endian, with the length in the top byte
        long last = ((long) len) << 56;
        for (int i = len - 1; i >= blocks; i--) {
            last |= (data[i] & 0xFFL) << ((i - blocks) * 8);
        }
        v3 ^= last;
        for (int r = 0; r < compressionRounds; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= last;
        v2 ^= 0xff;
        for (int r = 0; r < finalizationRounds; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
