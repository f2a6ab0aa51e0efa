package dev.geosteer.health;

import java.time.Duration;

/**
 * A checked monitor definition: the settings every monitor has, and its type's {@link Probe}. Two
 * origins with equal specs and addresses are the same check, which is how health state survives a
 * reload of an unchanged origin; with {@link #sameProbe} specs that differ only in timing or thresholds,
 * the check goes on with the new timing and keeps its verdict.
 */
public record MonitorSpec(String name, MonitorType type, int port, Duration interval, Duration timeout, int rise,
                          int fall, Probe probe) {

    /**
     * Does {@code m} probe the same thing in the same way (type, port, what its type checks), so that a
     * verdict of one is a verdict of the other? Only timing (interval, timeout), thresholds (rise, fall)
     * and the name may differ: an origin keeps its verdict when only those change.
     */
    public boolean sameProbe(MonitorSpec m) {
        return m != null && type == m.type && port == m.port && probe.equals(m.probe);
    }
}
