package dev.geosteer.health;

import io.vertx.core.Future;

/**
 * A drain source the admin API writes to, instead of this instance's {@link ApiDrains}: the drains of a
 * fleet, stored where every instance reads them (the cluster's, in etcd). A drain made through any
 * instance's API applies on every instance and outlives each of them. The futures complete on the health
 * loop; once one succeeded, {@link #drains()} includes the change (it does not wait for it to come back).
 */
public interface SharedDrains extends DrainSource {
    /** Drains {@code drain.selector()} everywhere; fails (nothing changed) when it could not be stored. */
    Future<Void> drain(Drain drain);

    /** Removes the drain of {@code selector} and those of its origins everywhere. */
    Future<Void> undrain(String selector);

    /** Where the drains are kept, for messages ({@code etcd}). */
    String where();
}
