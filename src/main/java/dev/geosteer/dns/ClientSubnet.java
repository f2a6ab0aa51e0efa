package dev.geosteer.dns;

import dev.geosteer.net.Addresses;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The EDNS Client Subnet option of a query (RFC 7871 §6), already validated: the address bytes hold
 * exactly ceil(sourcePrefix / 8) octets and no bit is set beyond the source prefix.
 */
public record ClientSubnet(int family, int sourcePrefix, int scopePrefix, byte[] addressBytes) {
    public static final int FAMILY_IPV4 = 1;
    public static final int FAMILY_IPV6 = 2;

    public int maxPrefix() {
        return family == FAMILY_IPV4 ? 32 : 128;
    }

    /**
     * True for an IPv4-mapped IPv6 subnet (::ffff:a.b.c.d with a source prefix of at least 96): the
     * client is located by its IPv4 address ({@link #address()} is then an Inet4Address).
     */
    public boolean ipv4Mapped() {
        if (family != FAMILY_IPV6 || sourcePrefix < 96) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (addressBytes[i] != 0) {
                return false;
            }
        }
        return addressBytes[10] == (byte) 0xFF && addressBytes[11] == (byte) 0xFF;
    }

    /** The source prefix in the family the client is located in: 96 less for an IPv4-mapped subnet. */
    public int locatedPrefix() {
        return ipv4Mapped() ? sourcePrefix - 96 : sourcePrefix;
    }

    /**
     * The SCOPE PREFIX-LENGTH to answer for a scope found in the family the client was located in: in the
     * family asked, so an IPv4 scope of an IPv4-mapped subnet becomes 96 + it (RFC 7871 §7.2.1: a scope
     * read in the wrong space would be cached for far too wide a network). 0 stays 0.
     */
    public int answerScope(int locatedScope) {
        if (sourcePrefix == 0 || locatedScope <= 0) {
            return 0;
        }
        return Math.min(ipv4Mapped() ? 96 + locatedScope : locatedScope, maxPrefix());
    }

    /** The full address, zero-padded beyond the prefix, as used for the location lookup. */
    public InetAddress address() {
        byte[] full = Arrays.copyOf(addressBytes, family == FAMILY_IPV4 ? 4 : 16);
        try {
            return InetAddress.getByAddress(full);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for a 4- or 16-byte array
        }
    }

    /** The same subnet with another scope, for the response. */
    public ClientSubnet withScope(int scope) {
        return new ClientSubnet(family, sourcePrefix, scope, addressBytes);
    }

    /** The subnet as the client wrote it: {@code 192.0.2.0/24}, {@code 2001:db8::/48}, {@code ::ffff:192.0.2.0/120}. */
    public String subnet() {
        return (ipv4Mapped() ? "::ffff:" : "") + Addresses.format(address()) + "/" + sourcePrefix;
    }

    @Override
    public String toString() {
        return subnet() + "/" + scopePrefix;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientSubnet c && c.family == family && c.sourcePrefix == sourcePrefix
                && c.scopePrefix == scopePrefix && Arrays.equals(c.addressBytes, addressBytes);
    }

    @Override
    public int hashCode() {
        return (family * 31 + sourcePrefix) * 31 + Arrays.hashCode(addressBytes);
    }
}
