package dev.geosteer.dns;

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

    @Override
    public String toString() {
        return address().getHostAddress() + "/" + sourcePrefix + "/" + scopePrefix;
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
