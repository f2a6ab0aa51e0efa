package dev.geosteer.steer;

import dev.geosteer.geo.Location;

import java.util.List;
import java.util.Map;

/**
 * A steering policy: turns a client location into the pools to try. Called at load time for every
 * distinct location of the GeoIP databases (never per query), so it may take its time. Register new
 * policies in {@link Policies}.
 */
public interface Policy {
    /** The {@code steering:} value that selects this policy. */
    String name();

    /** False when the answer does not depend on where the client is (ECS scope 0). */
    boolean usesLocation();

    /** Checks settings only this policy cares about; reports with {@code problems.add(path, message)}. */
    default void check(Settings settings, Problems problems, String path) {
    }

    /** The decision for clients at {@code location} ({@link Location#UNKNOWN} included), with the rule that made it. */
    Choice decide(Location location, Settings settings);

    /** A decision and the human-readable rule behind it ("region AS", "nearest to 35.68,139.75"). */
    record Choice(Decision decision, String rule) {
    }

    /** A balancer's settings, pools resolved. {@code regions} keys are normalized (see {@link GeoPolicy}). */
    record Settings(List<Pool> defaultPools, Map<String, List<Pool>> regions) {
    }

    /** Collects errors with their YAML path. */
    interface Problems {
        void add(String path, String message);
    }
}
