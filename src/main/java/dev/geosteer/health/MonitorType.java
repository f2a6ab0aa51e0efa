package dev.geosteer.health;

import dev.geosteer.config.OwnKeys;

import java.util.List;

/**
 * One kind of health check ({@code type: http}, {@code https}, {@code tcp}): its name, its default port,
 * the monitor keys it owns and their checks, and the {@link Probe} a monitor of this type runs. The keys
 * every monitor has ({@code type}, {@code port}, {@code interval}, {@code timeout}, {@code rise},
 * {@code fall}) are read by {@link Monitors}. A new type is one class and one line in {@link MonitorTypes}.
 */
public interface MonitorType {
    /** The {@code type:} value. */
    String name();

    /** The port checked when the monitor writes none; 0 when it must write one. */
    int defaultPort();

    /**
     * Monitor keys only this type reads (http: {@code path}, {@code expect}...); a monitor of another type
     * that writes one is an error. Usually {@code Yaml.keysOf(Keys.class)}.
     */
    default List<String> keys() {
        return List.of();
    }

    /**
     * Reads and checks this type's keys of one monitor, reporting each problem with
     * {@code keys.add(path, message)}; returns the probe they describe, or null when there were problems.
     */
    Probe configure(OwnKeys keys);
}
