package dev.geosteer.health;

import java.util.Map;

/**
 * What the health checks concluded, as of one moment: immutable, swapped whole on every change, read by
 * the answer path without locks. Origins are named by their key ({@code zone/pool/origin}).
 */
public final class HealthView {
    /** Verdict of an origin. UNKNOWN until its first checks conclude. */
    public enum State { UP, DOWN, UNKNOWN }

    /** An origin's verdict, whether it is drained by an operator, and its timing for TTL capping. */
    public record OriginHealth(State state, boolean drained, long intervalMillis, int rise, int fall, int streak,
                               long phaseMillis) {
        public static final OriginHealth UNCHECKED = new OriginHealth(State.UNKNOWN, false, 0, 1, 1, 0, 0);
    }

    public static final HealthView NONE = new HealthView(Map.of(), true, 5);

    private final Map<String, OriginHealth> origins;
    private final boolean unknownIsUp;
    private final long ttlFloorSeconds;

    public HealthView(Map<String, OriginHealth> origins, boolean unknownIsUp, long ttlFloorSeconds) {
        this.origins = Map.copyOf(origins);
        this.unknownIsUp = unknownIsUp;
        this.ttlFloorSeconds = ttlFloorSeconds;
    }

    public OriginHealth get(String key) {
        OriginHealth h = origins.get(key);
        return h == null ? OriginHealth.UNCHECKED : h;
    }

    /** True when the origin may be answered: up (or not yet judged, if so configured) and not drained. */
    public boolean usable(String key) {
        OriginHealth h = get(key);
        if (h.drained()) {
            return false;
        }
        return h.state() == State.UP || (h.state() == State.UNKNOWN && unknownIsUp);
    }

    public boolean drained(String key) {
        return get(key).drained();
    }

    public long ttlFloorSeconds() {
        return ttlFloorSeconds;
    }

    public Map<String, OriginHealth> all() {
        return origins;
    }
}
