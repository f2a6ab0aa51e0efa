package dev.geosteer.steer;

import dev.geosteer.geo.Location;

/** {@code random}: one healthy pool of {@code default_pools} per query, drawn by pool {@code weight}. */
final class RandomPolicy implements Policy {
    @Override
    public String name() {
        return "random";
    }

    @Override
    public boolean usesLocation() {
        return false;
    }

    @Override
    public Choice decide(Location location, Settings s) {
        return new Choice(new Decision(s.defaultPools(), true), "random by pool weight");
    }
}
