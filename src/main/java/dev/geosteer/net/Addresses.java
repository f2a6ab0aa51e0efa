package dev.geosteer.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Addresses as people write them: {@code ::1} rather than Java's {@code 0:0:0:0:0:0:0:1} (RFC 5952). */
public final class Addresses {
    private Addresses() {
    }

    public static String format(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 1; // a single zero word is not compressed (RFC 5952 §4.2.2)
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder(40);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(words[i]));
        }
        return s.toString();
    }

    /** {@code 127.0.0.1:53} or {@code [::1]:53}. */
    public static String format(InetSocketAddress a) {
        String host = format(a.getAddress());
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

    /**
     * An IP literal, or IllegalArgumentException naming the text. Only a dotted quad or a text with
     * a colon reaches the JDK, which parses those as literals: a word like "cafe" is never looked up.
     */
    public static InetAddress parse(String text) {
        String t = text == null ? "" : text.trim();
        boolean v6 = t.indexOf(':') >= 0 && t.matches("[0-9a-fA-F:.]+");
        if (!v6 && !IPV4.matcher(t).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(t);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }

    /**
     * True for a source no client can have: port 0, a multicast, unspecified or limited-broadcast address
     * (a directed subnet broadcast cannot be told from a host without knowing the subnet).
     */
    public static boolean cannotBeClient(InetSocketAddress source) {
        InetAddress a = source.getAddress();
        if (source.getPort() == 0 || a.isMulticastAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        return b.length == 4 && (b[0] & b[1] & b[2] & b[3]) == (byte) 0xFF;
    }

    /** True when the first {@code prefix} bits of {@code address} equal those of {@code network}. */
    public static boolean inPrefix(byte[] network, int prefix, byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        // whole octets first, then the bits of the last one: bit by bit it was 9 % of a signed NXDOMAIN's
        // CPU (the rate limiter's exempt list, 127.0.0.0/8 and ::1/128, checked per answer)
        int whole = prefix >> 3;
        for (int i = 0; i < whole; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix & 7;
        if (rest == 0) {
            return true;
        }
        int m = (0xFF << (8 - rest)) & 0xFF;
        return (address[whole] & m) == (network[whole] & m);
    }

    /** The address with every bit beyond {@code prefix} cleared. */
    public static InetAddress mask(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int bit = prefix; bit < b.length * 8; bit++) {
            b[bit >> 3] &= (byte) ~(1 << (7 - (bit & 7)));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
        }
    }
}
