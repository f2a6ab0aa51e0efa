package dev.geosteer.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;

/** {@code tcp}: healthy when a TCP connection to the port opens within the timeout. */
final class TcpProbe implements Probe {
    private final Vertx vertx;
    private final NetClient client;

    TcpProbe(Vertx vertx) {
        this.vertx = vertx;
        this.client = vertx.createNetClient(new NetClientOptions());
    }

    @Override
    public Future<CheckResult> check(CheckTarget target) {
        MonitorSpec m = target.monitor();
        long start = System.nanoTime();
        Promise<CheckResult> promise = Promise.promise();
        long timer = vertx.setTimer(m.timeout().toMillis(), id -> promise.tryComplete(
                CheckResult.failed("timeout after " + Probes.seconds(m.timeout()), System.nanoTime() - start)));
        // The connect gives up at the timeout too: an origin that drops SYNs holds no socket past it.
        ConnectOptions options = new ConnectOptions().setTimeout((int) Math.max(1, m.timeout().toMillis()))
                .setRemoteAddress(SocketAddress.inetSocketAddress(m.port(), target.checkAddress().getHostAddress()));
        client.connect(options).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                ar.result().close();
                promise.tryComplete(CheckResult.ok("connected", System.nanoTime() - start));
            } else {
                promise.tryComplete(CheckResult.failed(Probes.connectFailure(ar.cause(), m), System.nanoTime() - start));
            }
        });
        return promise.future();
    }

    @Override
    public void close() {
        client.close();
    }
}
