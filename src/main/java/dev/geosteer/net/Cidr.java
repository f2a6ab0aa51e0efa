package dev.geosteer.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * A network as operators write it, {@code 192.0.2.0/24} or {@code 2001:db8::/32}: the one parser of
 * them (steering {@code nets}, {@code rrl.exempt}, the client of {@code lookup}). Whether host bits
 * beyond the prefix are an error is the caller's rule: {@link #hostBitsSet()} says, {@link #masked()}
 * clears them.
 */
public final class Cidr {
    private final String text;
    private final InetAddress address;
    private final int prefix;

    private Cidr(String text, InetAddress address, int prefix) {
        this.text = text;
        this.address = address;
        this.prefix = prefix;
    }

    /** {@code address/prefix}, or IllegalArgumentException saying what is wrong. */
    public static Cidr parse(String text) {
        return parse(text, true);
    }

    /**
     * {@code address/prefix}; when {@code prefixRequired} is false, a bare address is the network of
     * that one address (/32, /128).
     */
    public static Cidr parse(String text, boolean prefixRequired) {
        String t = text == null ? "" : text.trim();
        int slash = t.indexOf('/');
        if (slash < 0 && prefixRequired) {
            throw new IllegalArgumentException("'" + t + "' is not a network: write address/prefix, e.g. 10.0.0.0/8");
        }
        InetAddress a = Addresses.parse(slash < 0 ? t : t.substring(0, slash));
        int max = a instanceof Inet6Address ? 128 : 32;
        if (slash < 0) {
            return new Cidr(t, a, max);
        }
        int prefix;
        String p = t.substring(slash + 1).trim();
        try {
            prefix = p.matches("\\d{1,3}") ? Integer.parseInt(p) : -1;
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix length of '" + t + "' must be within 0.." + max);
        }
        return new Cidr(t, a, prefix);
    }

    /** The network of {@code prefix} bits at {@code address} (host bits kept; see {@link #masked()}). */
    public static Cidr of(InetAddress address, int prefix) {
        int max = address instanceof Inet6Address ? 128 : 32;
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix length /" + prefix + " must be within 0.." + max);
        }
        return new Cidr(Addresses.format(address) + "/" + prefix, address, prefix);
    }

    /** The text as written (trimmed). */
    public String text() {
        return text;
    }

    /** The address as written, host bits included. */
    public InetAddress address() {
        return address;
    }

    public int prefix() {
        return prefix;
    }

    public boolean isV6() {
        return address instanceof Inet6Address;
    }

    /** 32 or 128. */
    public int maxPrefix() {
        return isV6() ? 128 : 32;
    }

    /** A copy of the address's bytes, host bits included. */
    public byte[] bytes() {
        return address.getAddress();
    }

    /** True when a bit beyond the prefix is set ({@code 10.0.0.1/8}). */
    public boolean hostBitsSet() {
        byte[] b = address.getAddress();
        for (int bit = prefix; bit < b.length * 8; bit++) {
            if ((b[bit >> 3] & (1 << (7 - (bit & 7)))) != 0) {
                return true;
            }
        }
        return false;
    }

    /** The same network with every bit beyond the prefix cleared. */
    public Cidr masked() {
        return hostBitsSet() ? new Cidr(text, Addresses.mask(address, prefix), prefix) : this;
    }

    /** The first {@code ceil(prefix / 8)} octets of the address, bits beyond the prefix cleared (ECS's form). */
    public byte[] prefixBytes() {
        byte[] bytes = Arrays.copyOf(address.getAddress(), (prefix + 7) / 8);
        if (prefix % 8 != 0) {
            bytes[bytes.length - 1] &= (byte) (0xFF << (8 - prefix % 8));
        }
        return bytes;
    }

    /** True when {@code a} is inside this network. */
    public boolean contains(InetAddress a) {
        return Addresses.inPrefix(address.getAddress(), prefix, a.getAddress());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.masked().bytes(), masked().bytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(masked().bytes()) * 31 + prefix;
    }

    @Override
    public String toString() {
        return Addresses.format(address) + "/" + prefix;
    }
}
