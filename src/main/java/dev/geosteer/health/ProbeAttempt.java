package dev.geosteer.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

import java.net.ConnectException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One check's deadline and connection, the same for every probe: the monitor's timeout fails it
 * ({@code timeout after 2 s}), the connect gives up at that timeout too (an origin that drops SYNs holds
 * no socket past it), and {@link #finish} is the only way out: it cancels the timer, closes the
 * connection and completes the result, once. Confined to the checker's event loop.
 *
 * <p>The result completes only once the attempt holds nothing: a verdict given while the connect is
 * still pending (the timer and the connect timeout race under load) waits for the connect to give up,
 * and a connection is closed before the result completes. The checker starts no new check of an
 * origin before the last one's result, so an origin never sees more than one connection (or SYN) of
 * a checker at a time, however late the event loop runs (HostileOriginsTest counts them).
 */
public final class ProbeAttempt {
    private final ProbeContext context;
    private final Duration timeout;
    private final long start = System.nanoTime();
    private final Promise<CheckResult> promise = Promise.promise();
    private final long timer;
    private boolean done;
    private NetSocket socket;
    /** Connects and closes not yet over: the result waits for them. */
    private int pending;
    private CheckResult verdict;

    ProbeAttempt(ProbeContext context, Duration timeout) {
        this.context = context;
        this.timeout = timeout;
        this.timer = context.vertx().setTimer(timeout.toMillis(), id -> fail("timeout after " + seconds(timeout)));
    }

    /** The verdict, once there is one. */
    public Future<CheckResult> result() {
        return promise.future();
    }

    /** True once the check has its verdict: nothing more may be done with it. */
    public boolean done() {
        return done;
    }

    public long elapsed() {
        return System.nanoTime() - start;
    }

    /**
     * Connects to {@code address:port}. A failed connect fails the check; a connection that arrives after
     * the verdict (the timeout) is closed; otherwise the attempt owns it (closes it at the verdict) and
     * {@code then} runs with it.
     */
    public void connect(InetAddress address, int port, Consumer<NetSocket> then) {
        ConnectOptions options = new ConnectOptions().setTimeout((int) Math.max(1, timeout.toMillis()))
                .setRemoteAddress(SocketAddress.inetSocketAddress(port, address.getHostAddress()));
        pending++;
        context.client().connect(options).onComplete(ar -> {
            if (ar.failed()) {
                fail(ar.cause() instanceof io.netty.channel.ConnectTimeoutException
                        ? "timeout after " + seconds(timeout) : describe(ar.cause()));
            } else if (done) {
                closing(ar.result());
            } else {
                socket = ar.result();
                then.accept(socket);
            }
            released();
        });
    }

    public void ok(String detail) {
        finish(CheckResult.ok(detail, elapsed()));
    }

    public void fail(String reason) {
        finish(CheckResult.failed(reason, elapsed()));
    }

    /** The verdict: the first one counts; the connection is closed and the timer cancelled. */
    public void finish(CheckResult r) {
        if (done) {
            return;
        }
        done = true;
        context.vertx().cancelTimer(timer);
        verdict = r;
        if (socket != null) {
            socket.handler(null);
            socket.exceptionHandler(e -> { });
            closing(socket);
        }
        if (pending == 0) {
            promise.tryComplete(r);
        }
    }

    private void closing(NetSocket s) {
        pending++;
        s.close().onComplete(ar -> released());
    }

    private void released() {
        pending--;
        if (done && pending == 0) {
            promise.tryComplete(verdict);
        }
    }

    /** A short reason for a failed connection or request, as an operator reads it in the log. */
    public static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = String.valueOf(root.getMessage());
        if (root instanceof ConnectException || msg.contains("Connection refused")) {
            return "connect refused";
        }
        if (msg.contains("Connection reset")) {
            return "connection reset";
        }
        if (root instanceof javax.net.ssl.SSLException || t instanceof javax.net.ssl.SSLException) {
            return "TLS: " + msg;
        }
        if (msg.contains("closed") || msg.contains("Closed")) {
            return "connection closed: " + msg;
        }
        return root.getClass().getSimpleName() + ": " + msg;
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
