package dev.geosteer.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * One DNS-over-TCP connection (RFC 7766), on its channel's event loop: 2-byte length framing, any number
 * of queries, pipelined queries answered in turn. Reading stops while too many responses wait to be
 * written (a client that sends and never reads holds no memory), and a message that has started must be
 * complete within the query timeout (slowloris). The idle timeout is the IdleStateHandler before it.
 * It holds a slot of the {@link TcpSlots} table until it closes.
 */
final class TcpConnection extends ChannelInboundHandlerAdapter implements TcpSlots.Slot {
    private final Channel channel;
    private final InetAddress client;
    private final Responder responder;
    private final WireWriter writer;
    private final ListenOptions options;
    private final TcpSlots slots;
    private final ChannelFutureListener written = f -> written();
    private volatile long lastActive = System.nanoTime();
    private ChannelHandlerContext ctx;
    private ByteBuf pending;
    private ScheduledFuture<?> partialTimer;
    private boolean closed;
    private int outstanding;   // responses written but not yet handed to the kernel
    private boolean paused;
    private Streams.MessageStream transfer; // a zone transfer being sent; queries after it wait

    TcpConnection(Channel channel, InetAddress client, Responder responder, WireWriter writer, ListenOptions options,
                  TcpSlots slots) {
        this.channel = channel;
        this.client = client;
        this.responder = responder;
        this.writer = writer;
        this.options = options;
        this.slots = slots;
    }

    @Override
    public long lastActive() {
        return lastActive;
    }

    @Override
    public void evict() {
        channel.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        lastActive = System.nanoTime();
        if (closed) {
            in.release();
            return;
        }
        pending = pending == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), pending, in);
        process(ctx);
    }

    /** Answers the complete queries in {@code pending}, in turn; stops at a zone transfer until it is sent. */
    private void process(ChannelHandlerContext ctx) {
        boolean wrote = false;
        while (transfer == null && pending != null && pending.readableBytes() >= 2) {
            int len = pending.getUnsignedShort(pending.readerIndex());
            if (len < QueryParser.HEADER || len > options.tcpMaxMessage()) {
                close(); // cannot be a DNS query: framing is lost, so is the connection
                return;
            }
            if (pending.readableBytes() - 2 < len) {
                break;
            }
            byte[] query = new byte[len];
            pending.skipBytes(2).readBytes(query);
            Streams.MessageStream stream = responder.stream(query, len, client);
            if (stream != null) {
                transfer = stream;
                // the other queries wait until the transfer is sent; reading stops meanwhile
                ctx.channel().config().setAutoRead(false);
                if (wrote) {
                    ctx.flush();
                    wrote = false;
                }
                pump();
                continue;
            }
            int n = responder.respond(query, len, client, true, writer);
            if (n > 0) {
                ByteBuf out = ctx.alloc().ioBuffer(n + 2);
                out.writeShort(n).writeBytes(writer.buffer(), 0, n);
                outstanding++;
                ctx.write(out).addListener(written);
                wrote = true;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        if (pending == null) {
            // released by a close during a transfer
        } else if (!pending.isReadable()) {
            pending.release();
            pending = null;
        } else {
            pending.discardSomeReadBytes();
        }
        if (transfer != null) {
            return; // reading resumes when it is sent
        }
        if (!paused && (outstanding >= options.tcpMaxPending() || !ctx.channel().isWritable())) {
            // A client that sends but does not read cannot grow our memory: stop reading it.
            paused = true;
            ctx.channel().config().setAutoRead(false);
        }
        armPartialTimer();
    }

    /**
     * Writes messages of the transfer while the socket takes them: at most the channel's high water mark
     * of it is ever in memory. When it ends, the queries that came after it are answered.
     */
    private void pump() {
        while (transfer != null && !closed) {
            if (!ctx.channel().isWritable()) {
                ctx.flush();
                return; // channelWritabilityChanged calls again
            }
            byte[] m;
            try {
                m = transfer.next();
            } catch (RuntimeException e) {
                m = null;
                close();
            }
            lastActive = System.nanoTime();
            if (m == null) {
                ctx.flush();
                transfer.close();
                transfer = null;
                if (!closed) {
                    if (!paused) {
                        ctx.channel().config().setAutoRead(true);
                    }
                    process(ctx);
                }
                return;
            }
            ByteBuf out = ctx.alloc().ioBuffer(m.length + 2);
            out.writeShort(m.length).writeBytes(m);
            ctx.write(out);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (transfer != null && ctx.channel().isWritable()) {
            pump();
        }
        resumeIfDrained();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            close(); // RFC 7766 §6.2.3: idle connections are closed
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        close(); // a reset or a broken pipe: nothing to answer any more
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (transfer != null) {
            transfer.close();
            transfer = null;
        }
        if (partialTimer != null) {
            partialTimer.cancel(false);
        }
        if (pending != null) {
            pending.release();
            pending = null;
        }
        slots.release(this);
    }

    private void written() {
        lastActive = System.nanoTime();
        outstanding--;
        resumeIfDrained();
    }

    private void resumeIfDrained() {
        if (paused && !closed && transfer == null && outstanding <= options.tcpMaxPending() / 2 && ctx.channel().isWritable()) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void armPartialTimer() {
        if (pending == null) {
            if (partialTimer != null) {
                partialTimer.cancel(false);
                partialTimer = null;
            }
        } else if (partialTimer == null) {
            partialTimer = ctx.executor().schedule(() -> {
                partialTimer = null;
                if (pending != null) {
                    close();
                }
            }, options.tcpQueryTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void close() {
        closed = true;
        ctx.close();
    }
}
