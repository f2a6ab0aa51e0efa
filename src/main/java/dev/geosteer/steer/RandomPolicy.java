package dev.geosteer.steer;

/**
 * {@code random}: one healthy pool of {@code default_pools} per query, drawn by pool {@code weight}
 * (checked with the pool: 1..1000, whatever steers to it).
 */
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
    public Rules configure(Input in) {
        Decision d = new Decision(in.defaultPools(), true);
        return location -> new Choice(d, "random by pool weight");
    }
}
