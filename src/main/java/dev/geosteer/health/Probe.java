package dev.geosteer.health;

import io.vertx.core.Future;

/**
 * One kind of health check (http, https, tcp). Runs on the checker's event loop: must not block, must
 * complete within the monitor's timeout and release every connection it opens. Register new kinds in
 * {@link Probes}.
 */
interface Probe {
    Future<CheckResult> check(CheckTarget target);

    /** Releases clients and connections held by the probe. */
    default void close() {
    }
}
