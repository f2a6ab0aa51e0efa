package dev.geosteer.query;

import dev.geosteer.dns.ClientSubnet;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The address that locates a client: the EDNS Client Subnet if the query carried one (RFC 7871),
 * else the packet's source. {@code address} is null when ECS says "use no client information" (/0).
 */
public record ClientAddress(InetAddress address, int prefix, boolean fromEcs) {

    public static ClientAddress of(InetAddress source, ClientSubnet ecs) {
        if (ecs != null) {
            return ecs.sourcePrefix() == 0 ? new ClientAddress(null, 0, true)
                    : new ClientAddress(ecs.address(), ecs.locatedPrefix(), true); // IPv4-mapped: as IPv4
        }
        return new ClientAddress(source, source instanceof Inet4Address ? 32 : 128, false);
    }

    @Override
    public String toString() {
        if (address == null) {
            return "no client information (ECS /0)";
        }
        return dev.geosteer.net.Addresses.format(address) + "/" + prefix + (fromEcs ? " (ECS)" : " (source)");
    }
}
