package dev.geosteer.steer;

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
    public Rules configure(Input in) {
        Decision d = new Decision(in.defaultPools(), false);
        return location -> new Choice(d, "failover order");
    }
}
