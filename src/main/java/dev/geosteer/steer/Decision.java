package dev.geosteer.steer;

import dev.geosteer.health.HealthView;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The pools a group of clients may be sent to: tried in order (the first pool healthy for the asked
 * address family answers), or, when {@code weighted}, one such pool drawn by pool weight. Decisions are made at load time for every
 * distinct location and looked up per query; equal decisions are shared so that networks with the same
 * answer merge (wider ECS scopes).
 */
public record Decision(List<Pool> pools, boolean weighted) {

    /**
     * The pool that answers a query of one family ({@code v6}: AAAA) under this health view, or null
     * when none is healthy for that family.
     */
    public Pool choose(HealthView health, boolean v6, RandomGenerator rnd) {
        if (!weighted) {
            for (Pool p : pools) {
                if (p.isHealthy(health, v6)) {
                    return p;
                }
            }
            return null;
        }
        int total = 0;
        for (Pool p : pools) {
            if (p.isHealthy(health, v6)) {
                total += p.weight();
            }
        }
        if (total == 0) {
            return null;
        }
        int r = rnd.nextInt(total);
        for (Pool p : pools) {
            if (p.isHealthy(health, v6)) {
                r -= p.weight();
                if (r < 0) {
                    return p;
                }
            }
        }
        return null; // unreachable
    }

    @Override
    public String toString() {
        return (weighted ? "one of " : "") + pools;
    }
}
