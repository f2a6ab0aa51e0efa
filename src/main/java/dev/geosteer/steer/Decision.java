package dev.geosteer.steer;

import dev.geosteer.health.HealthView;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The pools a group of clients may be sent to: tried in order (the first healthy one answers), or, when
 * {@code weighted}, one healthy pool drawn by pool weight. Decisions are made at load time for every
 * distinct location and looked up per query; equal decisions are shared so that networks with the same
 * answer merge (wider ECS scopes).
 */
public record Decision(List<Pool> pools, boolean weighted) {

    /** The pool that answers under this health view, or null when none is healthy. */
    public Pool choose(HealthView health, RandomGenerator rnd) {
        if (!weighted) {
            for (Pool p : pools) {
                if (p.isHealthy(health)) {
                    return p;
                }
            }
            return null;
        }
        int total = 0;
        for (Pool p : pools) {
            if (p.isHealthy(health)) {
                total += p.weight();
            }
        }
        if (total == 0) {
            return null;
        }
        int r = rnd.nextInt(total);
        for (Pool p : pools) {
            if (p.isHealthy(health)) {
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
