package dev.geosteer.steer;

import dev.geosteer.health.HealthView;
import dev.geosteer.query.SteeredPool;

import java.util.List;

/**
 * A group of origins in one place. Its health is judged per address family, for the family a query asks
 * (A: IPv4, AAAA: IPv6): a pool that has origins of the family is healthy for it while at least
 * {@code min(minimumOrigins, its origins of the family)} of them (and at least one) are usable; a pool
 * with no origin of the family at all is judged by all its origins ({@code minimumOrigins} usable), and
 * answers that family with NODATA when chosen.
 */
public final class Pool implements SteeredPool {
    private final String name;
    private final List<Origin> origins;
    private final int minimumOrigins;
    private final int weight;
    private final double lat;
    private final double lon;
    private final int v4Origins;
    private final int v6Origins;

    Pool(String name, List<Origin> origins, int minimumOrigins, int weight, double lat, double lon) {
        this.name = name;
        this.origins = List.copyOf(origins);
        this.minimumOrigins = minimumOrigins;
        this.weight = weight;
        this.lat = lat;
        this.lon = lon;
        this.v6Origins = (int) this.origins.stream().filter(Origin::isV6).count();
        this.v4Origins = this.origins.size() - v6Origins;
    }

    public String name() { return name; }
    public List<Origin> origins() { return origins; }
    public int minimumOrigins() { return minimumOrigins; }
    /** Weight among pools for random steering. */
    public int weight() { return weight; }
    public double lat() { return lat; }
    public double lon() { return lon; }
    public boolean hasLocation() { return !Double.isNaN(lat); }

    /** Origins of one family. */
    public int originCount(boolean v6) {
        return v6 ? v6Origins : v4Origins;
    }

    public int usableCount(HealthView health) {
        int n = 0;
        for (Origin o : origins) {
            if (o.usable(health)) {
                n++;
            }
        }
        return n;
    }

    /** Usable origins of one family. */
    public int usableCount(HealthView health, boolean v6) {
        int n = 0;
        for (Origin o : origins) {
            if (o.isV6() == v6 && o.usable(health)) {
                n++;
            }
        }
        return n;
    }

    /** Healthy by all its origins, whatever their family: the rule for a family the pool does not have. */
    public boolean isHealthy(HealthView health) {
        return usableCount(health) >= minimumOrigins;
    }

    /** Usable origins of the family needed for the pool to answer it. */
    public int minimumFor(boolean v6) {
        return Math.max(1, Math.min(minimumOrigins, originCount(v6)));
    }

    /**
     * Healthy for queries of one family (see the class comment). A pool without origins of the family
     * keeps the overall rule rather than passing the query on: a dual-stack client that gets NODATA for
     * one family uses the other, and sending it to another pool for that family would split it across
     * the world by family (happy eyeballs prefers whichever family answers).
     */
    public boolean isHealthy(HealthView health, boolean v6) {
        if (originCount(v6) == 0) {
            return isHealthy(health);
        }
        return usableCount(health, v6) >= minimumFor(v6);
    }

    /**
     * The origins whose verdicts decide this pool's health for a family: those of the family, or all
     * of them when it has none of the family.
     */
    boolean decides(Origin o, boolean v6) {
        return originCount(v6) == 0 || o.isV6() == v6;
    }

    @Override
    public String toString() {
        return name;
    }
}
