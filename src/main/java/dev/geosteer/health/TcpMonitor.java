package dev.geosteer.health;

import dev.geosteer.config.OwnKeys;
import io.vertx.core.Future;

/** {@code tcp}: healthy when a TCP connection to the port opens within the timeout. No keys of its own. */
final class TcpMonitor implements MonitorType {
    private static final Connect CONNECT = new Connect();

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public int defaultPort() {
        return 0;
    }

    @Override
    public Probe configure(OwnKeys keys) {
        return CONNECT;
    }

    private record Connect() implements Probe {
        @Override
        public Future<CheckResult> check(ProbeContext context, CheckTarget target) {
            ProbeAttempt a = context.attempt(target);
            a.connect(target.checkAddress(), target.monitor().port(), socket -> a.ok("connected"));
            return a.result();
        }
    }
}
