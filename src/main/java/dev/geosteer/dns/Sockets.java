package dev.geosteer.dns;

import dev.geosteer.net.Addresses;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;

/**
 * The DNS listeners' sockets, one address family each, as NSD, Knot and BIND open them: an IPv4 address
 * gets an IPv4 socket, an IPv6 address an IPv6 socket with IPV6_V6ONLY. Netty's defaults would open an
 * IPv6 socket for every address and bind {@code 0.0.0.0} as the dual-stack {@code [::]}; then, with Linux's
 * default {@code net.ipv6.bindv6only = 0}, listening on {@code 0.0.0.0:53} and {@code [::]:53} fails with
 * "Address already in use". So {@code [::]} means IPv6 only; list {@code 0.0.0.0} too for IPv4.
 *
 * <p>With Java NIO (no native transport) IPV6_V6ONLY cannot be set: an IPv6 wildcard also takes IPv4.
 */
final class Sockets {
    /** setsockopt(IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26): Linux's values (epoll exists only there). */
    private static final ChannelOption<Integer> IPV6_V6ONLY = new IntegerUnixChannelOption("IPV6_V6ONLY", 41, 26);

    private Sockets() {
    }

    static DatagramChannel udp(InetSocketAddress address, boolean epoll) throws IOException {
        SocketProtocolFamily family = family(address);
        if (!epoll) {
            return new NioDatagramChannel(family);
        }
        return v6only(new EpollDatagramChannel(family), address);
    }

    static ServerChannel tcp(InetSocketAddress address, boolean epoll) throws IOException {
        SocketProtocolFamily family = family(address);
        if (!epoll) {
            return new NioServerSocketChannel(SelectorProvider.provider(), family);
        }
        return v6only(new EpollServerSocketChannel(family), address);
    }

    /** What a failed bind should add to its message: the likely cause, when there is one. */
    static String bindHint(InetSocketAddress address, boolean epoll) {
        return !epoll && family(address) == SocketProtocolFamily.INET6 && address.getAddress().isAnyLocalAddress()
                ? " (without the native transport an IPv6 wildcard also takes IPv4: listen on [::] alone)" : "";
    }

    private static <C extends Channel> C v6only(C channel, InetSocketAddress address) throws IOException {
        if (family(address) == SocketProtocolFamily.INET6) {
            try {
                channel.config().setOption(IPV6_V6ONLY, 1);
            } catch (ChannelException e) {
                channel.close();
                throw new IOException("cannot set IPV6_V6ONLY on the socket for " + Addresses.format(address)
                        + ": " + e.getMessage(), e);
            }
        }
        return channel;
    }

    private static SocketProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
    }
}
