package dev.geosteer.steer;

import dev.geosteer.config.OwnKeys;
import dev.geosteer.geo.Location;

import java.util.List;
import java.util.Map;

/**
 * A steering policy: turns a client location into the pools to try. It reads and checks the balancer
 * keys it owns (geo: {@code regions}) and the settings it needs (proximity: pool locations), and its
 * {@link Rules} are consulted at load time for every distinct location of the GeoIP databases (never
 * per query), so they may take their time. A new policy is one class and one line in {@link Policies}.
 */
public interface Policy {
    /** The {@code steering:} value that selects this policy. */
    String name();

    /** False when the answer does not depend on where the client is (ECS scope 0). */
    boolean usesLocation();

    /**
     * Balancer keys only this policy reads (geo: {@code regions}), beside the keys every balancer has; a
     * balancer of another policy that writes one is an error. Usually {@code Yaml.keysOf(Keys.class)}.
     */
    default List<String> keys() {
        return List.of();
    }

    /**
     * Reads and checks this policy's settings for one balancer, reporting each problem with
     * {@code in.add(path, message)}; returns its rules, or null when there were problems.
     */
    Rules configure(Input in);

    /** What a policy is configured from: one balancer of a steering file. */
    interface Input {
        /** The balancer's path in the file, e.g. {@code balancers.www}. */
        String path();

        /** {@code default_pools}, resolved (empty when they have errors, already reported). */
        List<Pool> defaultPools();

        /** The keys of the balancer this policy owns, as written (see {@link #keys()}). */
        OwnKeys keys();

        /**
         * The pools named at {@code path} (a list of names), in order; null after reporting a pool that
         * does not exist, is listed twice, or an empty list.
         */
        List<Pool> pools(String path, List<String> names);

        /** Reports a problem at {@code path}. */
        void add(String path, String message);
    }

    /** A policy with one balancer's settings. */
    interface Rules {
        /** The decision for clients at {@code location} ({@link Location#UNKNOWN} included), with the rule that made it. */
        Choice decide(Location location);

        /** The settings of the policy's own keys, for the admin API (pool lists as pool names). */
        default Map<String, Object> describe() {
            return Map.of();
        }
    }

    /** A decision and the human-readable rule behind it ("region AS", "nearest to 35.68,139.75"). */
    record Choice(Decision decision, String rule) {
    }
}
