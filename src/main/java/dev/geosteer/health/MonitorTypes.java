package dev.geosteer.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of monitor types: one line per {@code type:} value. */
public final class MonitorTypes {
    private static final Map<String, MonitorType> BY_NAME = new LinkedHashMap<>();

    static {
        register(new HttpMonitor(false));
        register(new HttpMonitor(true));
        register(new TcpMonitor());
    }

    private MonitorTypes() {
    }

    private static void register(MonitorType t) {
        BY_NAME.put(t.name(), t);
    }

    /** The type named {@code name} (lower case), or null. */
    public static MonitorType get(String name) {
        return BY_NAME.get(name);
    }

    static List<MonitorType> all() {
        return List.copyOf(BY_NAME.values());
    }

    /** {@code http, https, tcp}. */
    static String names() {
        return String.join(", ", BY_NAME.keySet());
    }
}
