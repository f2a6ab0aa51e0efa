package dev.geosteer.dns;

import dev.geosteer.net.Addresses;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetSocketAddress;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One UDP socket's handler, on its own event loop. Answers are written as they are computed and flushed
 * once per read batch, so the native transport can send them with one sendmmsg call.
 */
final class UdpHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(UdpHandler.class.getName());

    private final Responder responder;
    private final WireWriter writer;
    private final byte[] in = new byte[WireWriter.MAX_MESSAGE];

    UdpHandler(Responder responder, WireWriter writer) {
        this.responder = responder;
        this.writer = writer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            ByteBuf content = packet.content();
            int len = Math.min(content.readableBytes(), in.length);
            content.getBytes(content.readerIndex(), in, 0, len);
            InetSocketAddress sender = packet.sender();
            if (Addresses.cannotBeClient(sender)) {
                responder.observer().dropped(false, "invalid_source");
                return; // an answer would go to a group, a whole subnet, or nowhere
            }
            int n = responder.respond(in, len, sender.getAddress(), false, writer);
            if (n <= 0) {
                return;
            }
            if (!ctx.channel().isWritable()) {
                responder.observer().dropped(false, "send_queue_full");
                return; // the kernel send buffer is full: shed load instead of queueing without bound
            }
            ByteBuf out = ctx.alloc().ioBuffer(n);
            out.writeBytes(writer.buffer(), 0, n);
            ctx.write(new DatagramPacket(out, sender), ctx.voidPromise());
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // e.g. ICMP port unreachable surfaced as an error: the socket stays open.
        LOG.log(Level.FINE, "UDP socket error", cause);
    }
}
