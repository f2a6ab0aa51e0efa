package dev.geosteer.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/** {@code tcp}: healthy when a TCP connection to the port opens within the timeout. */
final class TcpProbe implements Probe {
    private final Vertx vertx;
    private final NetClient client;

    TcpProbe(Vertx vertx) {
        this.vertx = vertx;
        this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(60_000));
    }

    @Override
    public Future<CheckResult> check(CheckTarget target) {
        MonitorSpec m = target.monitor();
        long start = System.nanoTime();
        Promise<CheckResult> promise = Promise.promise();
        long timer = vertx.setTimer(m.timeout().toMillis(), id -> promise.tryComplete(
                CheckResult.failed("timeout after " + Probes.seconds(m.timeout()), System.nanoTime() - start)));
        client.connect(m.port(), target.checkAddress().getHostAddress()).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                ar.result().close();
                promise.tryComplete(CheckResult.ok("connected", System.nanoTime() - start));
            } else {
                promise.tryComplete(CheckResult.failed(Probes.describe(ar.cause()), System.nanoTime() - start));
            }
        });
        return promise.future();
    }

    @Override
    public void close() {
        client.close();
    }
}
