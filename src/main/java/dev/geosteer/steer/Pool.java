package dev.geosteer.steer;

import dev.geosteer.health.HealthView;

import java.util.List;

/** A group of origins in one place. Healthy while at least {@code minimumOrigins} of them are usable. */
public final class Pool {
    private final String name;
    private final List<Origin> origins;
    private final int minimumOrigins;
    private final int weight;
    private final double lat;
    private final double lon;

    Pool(String name, List<Origin> origins, int minimumOrigins, int weight, double lat, double lon) {
        this.name = name;
        this.origins = List.copyOf(origins);
        this.minimumOrigins = minimumOrigins;
        this.weight = weight;
        this.lat = lat;
        this.lon = lon;
    }

    public String name() { return name; }
    public List<Origin> origins() { return origins; }
    public int minimumOrigins() { return minimumOrigins; }
    /** Weight among pools for random steering. */
    public int weight() { return weight; }
    public double lat() { return lat; }
    public double lon() { return lon; }
    public boolean hasLocation() { return !Double.isNaN(lat); }

    public int usableCount(HealthView health) {
        int n = 0;
        for (Origin o : origins) {
            if (o.usable(health)) {
                n++;
            }
        }
        return n;
    }

    public boolean isHealthy(HealthView health) {
        return usableCount(health) >= minimumOrigins;
    }

    @Override
    public String toString() {
        return name;
    }
}
