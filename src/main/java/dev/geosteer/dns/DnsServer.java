package dev.geosteer.dns;

import dev.geosteer.net.Addresses;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetServerOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The DNS listeners: on every address, UDP and TCP, on Vert.x's event loops. UDP: one socket per event
 * loop, sharing the port with SO_REUSEPORT (the kernel spreads packets over them) when the native
 * transport is on. TCP: one listening socket per address, its connections spread over the event loops.
 * Each socket has the family of its address, IPv6 ones IPV6_V6ONLY ({@link Sockets}).
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
    private final TcpSlots tcpSlots;
    private final List<String> deployments = new ArrayList<>();
    private final List<Channel> tcpServers = new CopyOnWriteArrayList<>();
    private final Set<Channel> tcpChannels = ConcurrentHashMap.newKeySet();
    /** One writer per event loop thread for the TCP connections it runs (a writer is not thread-safe). */
    private final ThreadLocal<WireWriter> tcpWriters = ThreadLocal.withInitial(WireWriter::new);
    private List<InetSocketAddress> bound = List.of();
    private boolean epoll;

    public DnsServer(Vertx vertx, Responder responder, ListenOptions options) {
        this.vertx = vertx;
        this.responder = responder;
        this.options = options;
        this.tcpSlots = new TcpSlots(options.tcpMaxConnections(), options.tcpMaxPerClient(), options.tcpClientIpv4Prefix(),
                options.tcpClientIpv6Prefix());
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
        epoll = reusePort && Epoll.isAvailable();
        if (!reusePort && instances > 1) {
            LOG.warning("native transport unavailable (" + vertx.unavailableNativeTransportCause()
                    + "): one UDP socket per address");
        }
        List<Future<?>> all = new ArrayList<>();
        List<Future<String>> udp = new ArrayList<>();
        for (int i = 0; i < (reusePort ? instances : 1); i++) {
            udp.add(vertx.deployVerticle(new UdpListener(addresses, reusePort), new DeploymentOptions()));
        }
        all.addAll(udp);
        for (InetSocketAddress address : addresses) {
            all.add(bindTcp(address));
        }
        return Future.all(all).<Void>map(cf -> {
            for (Future<String> f : udp) {
                deployments.add(f.result());
            }
            return null;
        }).recover(err -> {
            for (Future<String> f : udp) {
                if (f.succeeded()) {
                    deployments.add(f.result());
                }
            }
            return stop().transform(ignored -> Future.failedFuture(err));
        });
    }

    public Future<Void> stop() {
        List<Future<?>> all = new ArrayList<>();
        for (String id : deployments) {
            all.add(vertx.undeploy(id));
        }
        deployments.clear();
        for (Channel c : tcpServers) {
            all.add(closed(c));
        }
        tcpServers.clear();
        for (Channel c : tcpChannels) {
            all.add(closed(c));
        }
        return Future.all(all).mapEmpty();
    }

    private static Future<Void> closed(Channel c) {
        Promise<Void> p = Promise.promise();
        c.close().addListener(f -> p.tryComplete());
        return p.future();
    }

    /** The addresses actually bound (ports resolved), UDP and TCP alike. */
    public List<InetSocketAddress> addresses() {
        return bound;
    }

    public int tcpConnections() {
        return tcpSlots.size();
    }

    /**
     * Port 0 means "any": pick one free for UDP, and for TCP with the same number (a port free for UDP
     * may be taken for TCP, e.g. by a connection's local end: then another is tried).
     */
    private static List<InetSocketAddress> resolvePorts(List<InetSocketAddress> in) throws IOException {
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetSocketAddress a : in) {
            out.add(a.getPort() != 0 ? a : freeForBoth(a.getAddress()));
        }
        return out;
    }

    private static InetSocketAddress freeForBoth(InetAddress address) throws IOException {
        java.net.BindException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try (java.net.DatagramSocket probe = new java.net.DatagramSocket(new InetSocketAddress(address, 0));
                 java.net.ServerSocket tcpProbe = new java.net.ServerSocket(probe.getLocalPort(), 1, address)) {
                return new InetSocketAddress(address, tcpProbe.getLocalPort());
            } catch (java.net.BindException takenForTcp) {
                last = takenForTcp;
            }
        }
        throw last;
    }

    /**
     * One TCP listening socket; its connections are spread over Vert.x's event loops. Vert.x's server
     * options (backlog, TCP_NODELAY, reuse) are applied as for a NetServer; the socket is ours, so that
     * its family and IPV6_V6ONLY are right.
     */
    private Future<Void> bindTcp(InetSocketAddress address) {
        VertxInternal vx = (VertxInternal) vertx;
        ServerBootstrap bootstrap = new ServerBootstrap().group(vx.acceptorEventLoopGroup(), vx.eventLoopGroup());
        vx.transport().configure(new NetServerOptions().setTcpNoDelay(true).setAcceptBacklog(1024), false, bootstrap);
        bootstrap.channelFactory(() -> {
            try {
                return Sockets.tcp(address, epoll);
            } catch (IOException e) {
                throw new io.netty.channel.ChannelException(e.getMessage(), e);
            }
        });
        bootstrap.childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                accept(ch);
            }
        });
        Promise<Void> promise = Promise.promise();
        ChannelFuture bind;
        try {
            bind = bootstrap.bind(address);
        } catch (RuntimeException e) {
            return Future.failedFuture(new IOException("cannot bind TCP " + Addresses.format(address) + ": "
                    + e.getMessage(), e));
        }
        bind.addListener(b -> {
            if (b.isSuccess()) {
                tcpServers.add(bind.channel());
                promise.complete();
            } else {
                promise.fail(new IOException("cannot bind TCP " + Addresses.format(address) + ": "
                        + b.cause().getMessage() + Sockets.bindHint(address, epoll), b.cause()));
            }
        });
        return promise.future();
    }

    /** On the connection's event loop, before it reads anything: a slot, or the connection is closed. */
    private void accept(Channel ch) {
        InetAddress client = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        TcpConnection connection = new TcpConnection(ch, client, responder, tcpWriters.get(), options, tcpSlots);
        if (!tcpSlots.admit(client, connection)) {
            ch.close();
            return;
        }
        tcpChannels.add(ch);
        ch.closeFuture().addListener(f -> tcpChannels.remove(ch));
        long idle = options.tcpIdleTimeout().toMillis();
        ch.pipeline().addLast(new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS), connection);
    }

    /** A UDP socket as the listeners have it: options, buffers, batches, its handler. */
    private static void configureUdp(VertxInternal vx, DatagramChannel channel, InetSocketAddress address,
                                     boolean reusePort, Responder responder, WireWriter writer) {
        DatagramSocketOptions socketOptions = new DatagramSocketOptions()
                .setReusePort(reusePort)
                .setReuseAddress(reusePort)
                // Enough for bursts (~1 ms at full rate per MiB), small enough that an overload is shed
                // by the kernel rather than served seconds late.
                .setReceiveBufferSize(1024 * 1024)
                .setSendBufferSize(4 * 1024 * 1024)
                .setIpV6(address.getAddress() instanceof java.net.Inet6Address);
        vx.transport().configure(channel, socketOptions);
        // Netty 4.2's default (adaptive) allocator made every answer's buffer a new slice object and its
        // copy a DirectByteBuffer slice, and every datagram read an unpooled slice: ~100 B per answer
        // (bench/answer-cost.sh). The pooled allocator recycles all three per thread.
        channel.config().setAllocator(io.netty.buffer.PooledByteBufAllocator.DEFAULT);
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
    }

    /**
     * Runs the UDP answer path before the listeners open, so that the first real queries find it compiled
     * by the JIT (issue 15): a socket of its own on the loopback, set up as the listeners' are, answered by
     * {@code responder} (give it no metrics and no rate limiting), and {@code queries} sent to it in turn
     * from this thread until {@code count} answers came back, or {@code budget} passed. Blocks; call it
     * before {@link #start}, off the event loops. Returns the answers received; a failure only ends the
     * warm-up.
     */
    public int warmUp(Responder responder, List<byte[]> queries, int count, java.time.Duration budget) {
        if (count <= 0 || queries.isEmpty()) {
            return 0;
        }
        VertxInternal vx = (VertxInternal) vertx;
        boolean native_ = vertx.isNativeTransportEnabled() && Epoll.isAvailable();
        InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        DatagramChannel channel = null;
        int received = 0;
        long deadline = System.nanoTime() + budget.toNanos();
        try (java.net.DatagramSocket client = new java.net.DatagramSocket(new InetSocketAddress(local.getAddress(), 0))) {
            channel = Sockets.udp(local, native_);
            configureUdp(vx, channel, local, false, responder, new WireWriter());
            vx.eventLoopGroup().next().register(channel).sync();
            channel.bind(local).sync();
            client.connect(channel.localAddress());
            client.setSoTimeout(100);
            byte[] in = new byte[WireWriter.MAX_MESSAGE];
            java.net.DatagramPacket reply = new java.net.DatagramPacket(in, in.length);
            int sent = 0;
            int outstanding = 0;
            while (received < count && System.nanoTime() < deadline) {
                while (outstanding < 64) { // batches, as under load: recvmmsg and sendmmsg of several
                    byte[] q = queries.get(sent++ % queries.size());
                    client.send(new java.net.DatagramPacket(q, q.length));
                    outstanding++;
                }
                try {
                    client.receive(reply);
                    received++;
                    outstanding--;
                } catch (java.net.SocketTimeoutException e) {
                    outstanding = 0; // lost: send more
                }
            }
        } catch (Exception e) {
            LOG.fine("warm-up ended early: " + e);
        } finally {
            if (channel != null) {
                channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        return received;
    }

    /** One event loop's UDP sockets, one per address. */
    private final class UdpListener extends AbstractVerticle {
        private final List<InetSocketAddress> addresses;
        private final boolean reusePort;
        private final List<Channel> channels = new ArrayList<>();

        UdpListener(List<InetSocketAddress> addresses, boolean reusePort) {
            this.addresses = addresses;
            this.reusePort = reusePort;
        }

        @Override
        public void start(Promise<Void> started) {
            WireWriter writer = new WireWriter(); // this event loop's
            List<Future<?>> binds = new ArrayList<>();
            for (InetSocketAddress address : addresses) {
                binds.add(bindUdp(address, writer));
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
        }

        private Future<Void> bindUdp(InetSocketAddress address, WireWriter writer) {
            ContextInternal ctx = (ContextInternal) context;
            VertxInternal vx = (VertxInternal) vertx;
            DatagramChannel channel;
            try {
                channel = Sockets.udp(address, epoll);
            } catch (IOException e) {
                return Future.failedFuture(e);
            }
            configureUdp(vx, channel, address, reusePort, responder, writer);
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
                        promise.fail(new IOException("cannot bind UDP " + Addresses.format(address) + ": "
                                + b.cause().getMessage() + Sockets.bindHint(address, epoll), b.cause()));
                    }
                });
            });
            return promise.future();
        }
    }
}
