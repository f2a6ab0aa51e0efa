package dev.geosteer.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Transport settings of the DNS listeners.
 *
 * @param addresses            where to listen, UDP and TCP on each (port 0 picks a free port)
 * @param udpMaxSize           largest UDP response, whatever the client advertises (RFC 6891; 1232 default)
 * @param tcpMaxConnections    open TCP connections in all; more are closed at accept
 * @param tcpMaxPerClient      open TCP connections from one client network
 * @param tcpClientIpv4Prefix  the IPv4 network a client's connections are counted in (/24)
 * @param tcpClientIpv6Prefix  the IPv6 network a client's connections are counted in (/56)
 * @param tcpIdleTimeout       close a TCP connection idle this long (RFC 7766 §6.2.3)
 * @param tcpQueryTimeout      close a TCP connection whose started message is not complete by then (slowloris)
 * @param tcpMaxMessage        largest TCP query accepted; a longer length prefix closes the connection
 * @param tcpMaxPending        responses waiting to be written before the connection stops being read
 * @param instances            listener instances (event loops) per address; 0 = one per core
 */
public record ListenOptions(List<InetSocketAddress> addresses, int udpMaxSize, int tcpMaxConnections,
                            int tcpMaxPerClient, int tcpClientIpv4Prefix, int tcpClientIpv6Prefix,
                            Duration tcpIdleTimeout, Duration tcpQueryTimeout, int tcpMaxMessage, int tcpMaxPending,
                            int instances) {

    public static ListenOptions defaults(List<InetSocketAddress> addresses) {
        return new ListenOptions(addresses, 1232, 1000, 50, 24, 56, Duration.ofSeconds(10), Duration.ofSeconds(5),
                16384, 256, 0);
    }

    public ListenOptions withAddresses(List<InetSocketAddress> list) {
        return new ListenOptions(list, udpMaxSize, tcpMaxConnections, tcpMaxPerClient, tcpClientIpv4Prefix,
                tcpClientIpv6Prefix, tcpIdleTimeout, tcpQueryTimeout, tcpMaxMessage, tcpMaxPending, instances);
    }
}
