package dev.geosteer.query;

import dev.geosteer.dns.ClientSubnet;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The address that locates a client: the EDNS Client Subnet if the query carried one (RFC 7871),
 * else the packet's source. {@code address} is null when ECS says "use no client information" (/0).
 *
 * <p>The steering tries read {@link #bytes()}; the {@link InetAddress} is made only when asked (explanations):
 * an ECS query made an InetAddress from the subnet's bytes, and the steering its bytes again, ~100 B and
 * three objects per geo answer (bench/answer-cost.sh).
 */
public final class ClientAddress {
    private final InetAddress source;
    /** 4 or 16 bytes, IPv4-mapped addresses as IPv4; null for no client information, or not computed yet. */
    private byte[] bytes;
    private final int prefix;
    private final boolean fromEcs;

    public ClientAddress(InetAddress address, int prefix, boolean fromEcs) {
        this(address, null, prefix, fromEcs);
    }

    private ClientAddress(InetAddress source, byte[] bytes, int prefix, boolean fromEcs) {
        this.source = source;
        this.bytes = bytes;
        this.prefix = prefix;
        this.fromEcs = fromEcs;
    }

    public static ClientAddress of(InetAddress source, ClientSubnet ecs) {
        if (ecs != null) {
            if (ecs.sourcePrefix() == 0) {
                return new ClientAddress(null, 0, true);
            }
            byte[] a = ecs.addressBytes();
            // IPv4-mapped: located as IPv4 (::ffff:a.b.c.d, with a source prefix of 96 or more)
            byte[] full = ecs.ipv4Mapped() ? Arrays.copyOfRange(Arrays.copyOf(a, 16), 12, 16)
                    : Arrays.copyOf(a, ecs.family() == ClientSubnet.FAMILY_IPV4 ? 4 : 16);
            return new ClientAddress(null, full, ecs.locatedPrefix(), true);
        }
        return new ClientAddress(source, null, source instanceof Inet4Address ? 32 : 128, false);
    }

    /** The address, zero-padded beyond the prefix; null for "no client information" (ECS /0). */
    public InetAddress address() {
        if (source != null || bytes == null) {
            return source;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
        }
    }

    /**
     * The address as 4 or 16 bytes (an IPv4-mapped IPv6 address as its 4 IPv4 bytes), or null for no
     * client information. Shared: read it, never write it.
     */
    public byte[] bytes() {
        byte[] b = bytes;
        if (b == null && source != null) {
            b = source.getAddress();
            if (b.length == 16 && isMapped(b)) {
                b = Arrays.copyOfRange(b, 12, 16);
            }
            bytes = b; // the same value whichever thread computes it
        }
        return b;
    }

    private static boolean isMapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    public int prefix() {
        return prefix;
    }

    public boolean fromEcs() {
        return fromEcs;
    }

    @Override
    public String toString() {
        InetAddress a = address();
        if (a == null) {
            return "no client information (ECS /0)";
        }
        return dev.geosteer.net.Addresses.format(a) + "/" + prefix + (fromEcs ? " (ECS)" : " (source)");
    }
}
