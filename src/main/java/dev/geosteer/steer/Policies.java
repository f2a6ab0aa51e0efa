package dev.geosteer.steer;

import java.util.LinkedHashMap;
import java.util.Map;

/** The registry of steering policies: one line per policy. */
final class Policies {
    private static final Map<String, Policy> BY_NAME = new LinkedHashMap<>();

    static {
        register(new FailoverPolicy());
        register(new GeoPolicy());
        register(new ProximityPolicy());
        register(new RandomPolicy());
    }

    private Policies() {
    }

    private static void register(Policy p) {
        BY_NAME.put(p.name(), p);
    }

    static Policy get(String name) {
        return BY_NAME.get(name);
    }

    static String names() {
        return String.join(", ", BY_NAME.keySet());
    }
}
