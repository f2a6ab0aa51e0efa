package dev.geosteer.catalog;

import dev.geosteer.geo.GeoIndex;
import dev.geosteer.health.CheckTarget;
import dev.geosteer.query.ServedZones;

import java.util.List;

/**
 * The compiled configuration in service, immutable, published whole by the {@link Reloader}: the zones
 * with their compiled steering, and the GeoIP index the steering was compiled against.
 * {@code generation} counts publications since start.
 */
public record Catalog(long generation, ServedZones zones, GeoIndex geo) {
    public static final Catalog EMPTY = new Catalog(0, ServedZones.EMPTY, GeoIndex.EMPTY);

    /** Every origin of every served steering file, as health-check targets. */
    public List<CheckTarget> targets() {
        return zones.targets();
    }
}
