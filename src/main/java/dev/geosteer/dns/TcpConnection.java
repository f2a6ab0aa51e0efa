package dev.geosteer.dns;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.net.InetAddress;

/**
 * One DNS-over-TCP connection (RFC 7766): 2-byte length framing, any number of queries, pipelined
 * queries answered in turn. Reading pauses while too many responses wait to be written, and a message
 * that has started must be complete within the query timeout (slowloris).
 */
final class TcpConnection {
    private final Vertx vertx;
    private final NetSocket socket;
    private final InetAddress client;
    private final Responder responder;
    private final WireWriter writer;
    private final ListenOptions options;
    private final Runnable onClose;
    private Buffer pending = Buffer.buffer();
    private long partialTimer = -1;
    private boolean closed;
    private int outstanding;   // responses written but not yet handed to the kernel
    private boolean paused;

    TcpConnection(Vertx vertx, NetSocket socket, InetAddress client, Responder responder, WireWriter writer,
                  ListenOptions options, Runnable onClose) {
        this.vertx = vertx;
        this.socket = socket;
        this.client = client;
        this.responder = responder;
        this.writer = writer;
        this.options = options;
        this.onClose = onClose;
    }

    void start() {
        socket.handler(this::onData);
        socket.closeHandler(v -> closed());
        socket.exceptionHandler(e -> socket.close());
        socket.drainHandler(v -> resumeIfDrained());
    }

    private void onData(Buffer data) {
        if (closed) {
            return;
        }
        pending = pending.length() == 0 ? data : pending.appendBuffer(data);
        int offset = 0;
        int total = pending.length();
        while (total - offset >= 2) {
            int len = pending.getUnsignedShort(offset);
            if (len < QueryParser.HEADER || len > options.tcpMaxMessage()) {
                socket.close(); // cannot be a DNS query: framing is lost, so is the connection
                closed = true;
                return;
            }
            if (total - offset - 2 < len) {
                break;
            }
            byte[] query = pending.getBytes(offset + 2, offset + 2 + len);
            offset += 2 + len;
            int n = responder.respond(query, len, client, true, writer);
            if (n > 0) {
                Buffer out = Buffer.buffer(n + 2);
                out.appendUnsignedShort(n);
                out.appendBytes(writer.buffer(), 0, n);
                outstanding++;
                socket.write(out).onComplete(ar -> written());
            }
        }
        pending = offset == total ? Buffer.buffer() : pending.getBuffer(offset, total);
        if (!paused && (outstanding >= options.tcpMaxPending() || socket.writeQueueFull())) {
            // A client that sends but does not read cannot grow our memory: stop reading it.
            paused = true;
            socket.pause();
        }
        armPartialTimer();
    }

    private void written() {
        outstanding--;
        resumeIfDrained();
    }

    private void resumeIfDrained() {
        if (paused && !closed && outstanding <= options.tcpMaxPending() / 2 && !socket.writeQueueFull()) {
            paused = false;
            socket.resume();
        }
    }

    private void armPartialTimer() {
        if (pending.length() == 0) {
            if (partialTimer >= 0) {
                vertx.cancelTimer(partialTimer);
                partialTimer = -1;
            }
        } else if (partialTimer < 0) {
            partialTimer = vertx.setTimer(options.tcpQueryTimeout().toMillis(), id -> {
                partialTimer = -1;
                if (pending.length() > 0) {
                    socket.close();
                }
            });
        }
    }

    private void closed() {
        if (partialTimer >= 0) {
            vertx.cancelTimer(partialTimer);
        }
        closed = true;
        onClose.run();
    }
}
