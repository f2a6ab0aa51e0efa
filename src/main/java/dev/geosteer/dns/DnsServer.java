package dev.geosteer.dns;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The DNS listeners: on every address, UDP and TCP, one listener per event loop. UDP sockets share the
 * port with SO_REUSEPORT (the kernel spreads packets over them) when the native transport is on; TCP
 * uses a Vert.x NetServer, which Vert.x shares between the instances.
 */
public final class DnsServer {
    private static final Logger LOG = Logger.getLogger(DnsServer.class.getName());
    /** Largest UDP query read; longer datagrams are cut and answered FORMERR (real queries are < 512 bytes). */
    static final int UDP_READ_BUFFER = 4096;
    /** Datagrams read per recvmmsg call; the answers of a batch leave in one sendmmsg. */
    static final int UDP_BATCH = 16;

    private final Vertx vertx;
    private final Responder responder;
    private final ListenOptions options;
    private final AtomicInteger tcpOpen = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> tcpPerClient = new ConcurrentHashMap<>();
    private final List<String> deployments = new ArrayList<>();
    private List<InetSocketAddress> bound = List.of();

    public DnsServer(Vertx vertx, Responder responder, ListenOptions options) {
        this.vertx = vertx;
        this.responder = responder;
        this.options = options;
    }

    /** Binds every address; fails (and releases what it bound) if any cannot be bound. */
    public Future<Void> start() {
        List<InetSocketAddress> addresses;
        try {
            addresses = resolvePorts(options.addresses());
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        bound = addresses;
        int instances = options.instances() > 0 ? options.instances() : Runtime.getRuntime().availableProcessors();
        boolean reusePort = vertx.isNativeTransportEnabled();
        if (!reusePort && instances > 1) {
            LOG.warning("native transport unavailable (" + vertx.unavailableNativeTransportCause()
                    + "): one UDP socket per address");
        }
        List<Future<String>> all = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            boolean udp = i == 0 || reusePort;
            all.add(vertx.deployVerticle(new Listener(addresses, udp, reusePort), new DeploymentOptions()));
        }
        return Future.all(all).map(cf -> {
            for (int i = 0; i < cf.size(); i++) {
                deployments.add(cf.resultAt(i));
            }
            return (Void) null;
        }).recover(err -> {
            for (Future<String> f : all) {
                if (f.succeeded()) {
                    vertx.undeploy(f.result());
                }
            }
            return Future.failedFuture(err);
        });
    }

    public Future<Void> stop() {
        List<Future<Void>> all = new ArrayList<>();
        for (String id : deployments) {
            all.add(vertx.undeploy(id));
        }
        deployments.clear();
        return Future.all(all).mapEmpty();
    }

    /** The addresses actually bound (ports resolved), UDP and TCP alike. */
    public List<InetSocketAddress> addresses() {
        return bound;
    }

    public int tcpConnections() {
        return tcpOpen.get();
    }

    /** Port 0 means "any": pick one free for UDP so that TCP can use the same number. */
    private static List<InetSocketAddress> resolvePorts(List<InetSocketAddress> in) throws IOException {
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetSocketAddress a : in) {
            if (a.getPort() != 0) {
                out.add(a);
                continue;
            }
            try (java.net.DatagramSocket probe = new java.net.DatagramSocket(new InetSocketAddress(a.getAddress(), 0));
                 java.net.ServerSocket tcpProbe = new java.net.ServerSocket(probe.getLocalPort(), 1, a.getAddress())) {
                out.add(new InetSocketAddress(a.getAddress(), tcpProbe.getLocalPort())); // free for UDP and TCP
            }
        }
        return out;
    }

    /** One event loop's share of the listeners. */
    private final class Listener extends AbstractVerticle {
        private final List<InetSocketAddress> addresses;
        private final boolean udp;
        private final boolean reusePort;
        private final List<Channel> channels = new ArrayList<>();
        private final List<NetServer> servers = new ArrayList<>();

        Listener(List<InetSocketAddress> addresses, boolean udp, boolean reusePort) {
            this.addresses = addresses;
            this.udp = udp;
            this.reusePort = reusePort;
        }

        @Override
        public void start(Promise<Void> started) {
            WireWriter writer = new WireWriter(); // this event loop's; UDP and TCP handlers share it
            List<Future<?>> binds = new ArrayList<>();
            for (InetSocketAddress address : addresses) {
                if (udp) {
                    binds.add(bindUdp(address, writer));
                }
                binds.add(bindTcp(address, writer));
            }
            Future.all(binds).onComplete(ar -> {
                if (ar.succeeded()) {
                    started.complete();
                } else {
                    stopAll();
                    started.fail(ar.cause());
                }
            });
        }

        @Override
        public void stop() {
            stopAll();
        }

        private void stopAll() {
            for (Channel c : channels) {
                c.close();
            }
            for (NetServer s : servers) {
                s.close();
            }
        }

        private Future<Void> bindUdp(InetSocketAddress address, WireWriter writer) {
            ContextInternal ctx = (ContextInternal) context;
            VertxInternal vx = (VertxInternal) vertx;
            DatagramChannel channel = vx.transport().datagramChannel();
            DatagramSocketOptions socketOptions = new DatagramSocketOptions()
                    .setReusePort(reusePort)
                    .setReuseAddress(reusePort)
                    // Enough for bursts (~1 ms at full rate per MiB), small enough that an overload is shed
                    // by the kernel rather than served seconds late.
                    .setReceiveBufferSize(1024 * 1024)
                    .setSendBufferSize(4 * 1024 * 1024)
                    .setIpV6(address.getAddress() instanceof java.net.Inet6Address);
            vx.transport().configure(channel, socketOptions);
            // configure() sizes each read buffer like SO_RCVBUF (4 MiB, zeroed per datagram): a query fits in 4 KiB.
            if (channel instanceof io.netty.channel.epoll.EpollDatagramChannel) {
                // recvmmsg: up to UDP_BATCH datagrams per system call, each at most UDP_READ_BUFFER bytes
                channel.config().setOption(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE,
                        UDP_READ_BUFFER);
                channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(UDP_READ_BUFFER * UDP_BATCH));
            } else {
                channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(UDP_READ_BUFFER));
            }
            channel.pipeline().addLast(new UdpHandler(responder, writer));
            Promise<Void> promise = ctx.promise();
            ctx.nettyEventLoop().register(channel).addListener(reg -> {
                if (!reg.isSuccess()) {
                    promise.fail(reg.cause());
                    return;
                }
                ChannelFuture bind = channel.bind(address);
                bind.addListener(b -> {
                    if (b.isSuccess()) {
                        channels.add(channel);
                        promise.complete();
                    } else {
                        channel.close();
                        promise.fail(new IOException("cannot bind UDP " + address + ": " + b.cause().getMessage(),
                                b.cause()));
                    }
                });
            });
            return promise.future();
        }

        private Future<NetServer> bindTcp(InetSocketAddress address, WireWriter writer) {
            NetServerOptions netOptions = new NetServerOptions()
                    .setHost(address.getAddress().getHostAddress())
                    .setPort(address.getPort())
                    .setTcpNoDelay(true)
                    .setIdleTimeout((int) options.tcpIdleTimeout().toMillis())
                    .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                    .setAcceptBacklog(1024);
            NetServer server = vertx.createNetServer(netOptions);
            server.connectHandler(socket -> accept(socket, writer));
            return server.listen().onSuccess(servers::add).recover(e -> Future.failedFuture(
                    new IOException("cannot bind TCP " + address + ": " + e.getMessage(), e)));
        }

        private void accept(NetSocket socket, WireWriter writer) {
            InetAddress client;
            try {
                client = InetAddress.getByName(socket.remoteAddress().hostAddress()); // a literal: no lookup
            } catch (UnknownHostException e) {
                socket.close();
                return;
            }
            if (tcpOpen.incrementAndGet() > options.tcpMaxConnections()) {
                tcpOpen.decrementAndGet();
                socket.close();
                return;
            }
            if (tcpPerClient.merge(client, 1, Integer::sum) > options.tcpMaxPerClient()) {
                release(client);
                socket.close();
                return;
            }
            new TcpConnection(vertx, socket, client, responder, writer, options, () -> release(client)).start();
        }

        private void release(InetAddress client) {
            tcpOpen.decrementAndGet();
            tcpPerClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
        }
    }
}
