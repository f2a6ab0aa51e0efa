package dev.geosteer.steer;

import dev.geosteer.geo.Location;

/** {@code failover}: {@code default_pools} in the order written, wherever the client is. */
final class FailoverPolicy implements Policy {
    @Override
    public String name() {
        return "failover";
    }

    @Override
    public boolean usesLocation() {
        return false;
    }

    @Override
    public Choice decide(Location location, Settings s) {
        return new Choice(new Decision(s.defaultPools(), false), "failover order");
    }
}
