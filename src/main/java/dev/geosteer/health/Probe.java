package dev.geosteer.health;

import io.vertx.core.Future;

/**
 * How a monitor checks an origin, as its {@link MonitorType} read it from the steering file: an immutable
 * value (a record), so that two monitors with equal probes check the same way ({@link MonitorSpec#sameProbe}).
 */
public interface Probe {
    /**
     * Runs one check of {@code target} on the checker's event loop: must not block, must complete within
     * the monitor's timeout and release every connection it opens (a {@link ProbeAttempt} does both).
     */
    Future<CheckResult> check(ProbeContext context, CheckTarget target);
}
