package dev.geosteer.steer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

    static List<Policy> all() {
        return List.copyOf(BY_NAME.values());
    }

    static String names() {
        return String.join(", ", BY_NAME.keySet());
    }

    /** Every policy's own keys, in registration order. */
    static List<String> keys() {
        List<String> out = new ArrayList<>();
        for (Policy p : BY_NAME.values()) {
            p.keys().stream().filter(k -> !out.contains(k)).forEach(out::add);
        }
        return out;
    }
}
