package dev.geosteer.dns;

/** Name comparison on wire bytes, shared by the answer writer and the zone-transfer writer. */
final class WireNames {
    private WireNames() {
    }

    /** Compares the name at wire[s] with the (possibly compressed) name at buf[t], ignoring ASCII case. */
    static boolean sameName(byte[] buf, byte[] wire, int s, int t) {
        while (true) {
            int lt = buf[t] & 0xFF;
            while ((lt & 0xC0) == 0xC0) {
                t = ((lt & 0x3F) << 8) | (buf[t + 1] & 0xFF);
                lt = buf[t] & 0xFF;
            }
            int ls = wire[s] & 0xFF;
            if (ls != lt) {
                return false;
            }
            if (ls == 0) {
                return true;
            }
            for (int k = 1; k <= ls; k++) {
                if (lower(wire[s + k]) != lower(buf[t + k])) {
                    return false;
                }
            }
            s += ls + 1;
            t += lt + 1;
        }
    }

    /** The octet with ASCII upper case folded to lower case, as an unsigned value. */
    static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b & 0xFF;
    }
}
