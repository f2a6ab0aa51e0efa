package dev.geosteer.dns;

/** SipHash-2-4 (Aumasson and Bernstein), the MAC of RFC 9018 server cookies. Pure functions. */
final class SipHash {
    private SipHash() {
    }

    /** The 8-byte SipHash-2-4 of {@code data[0..len)} under the 16-byte {@code key}, in its byte order. */
    static byte[] hash24(byte[] key, byte[] data, int len) {
        long h = hash24(le64(key, 0), le64(key, 8), data, len);
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (h >>> (8 * i));
        }
        return out;
    }

    static long hash24(long k0, long k1, byte[] m, int len) {
        long[] v = {0x736f6d6570736575L ^ k0, 0x646f72616e646f6dL ^ k1, 0x6c7967656e657261L ^ k0,
                0x7465646279746573L ^ k1};
        int end = len - (len % 8);
        for (int i = 0; i < end; i += 8) {
            compress(v, le64(m, i));
        }
        long last = (long) (len & 0xFF) << 56;
        for (int i = end; i < len; i++) {
            last |= (m[i] & 0xFFL) << (8 * (i - end));
        }
        compress(v, last);
        v[2] ^= 0xFF;
        for (int r = 0; r < 4; r++) {
            round(v);
        }
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void compress(long[] v, long word) {
        v[3] ^= word;
        round(v);
        round(v);
        v[0] ^= word;
    }

    private static void round(long[] v) {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13) ^ v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16) ^ v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21) ^ v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17) ^ v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }

    private static long le64(byte[] b, int o) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[o + i] & 0xFFL);
        }
        return v;
    }
}
