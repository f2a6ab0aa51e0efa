package dev.geosteer.health;

import java.util.Map;

/**
 * What the health checks concluded, as of one moment: immutable, swapped whole on every change, read by
 * the answer path without locks. Origins are named by their key ({@code zone/pool/origin}).
 */
public final class HealthView {
    /** Verdict of an origin. UNKNOWN until its first check completes. */
    public enum State { UP, DOWN, UNKNOWN }

    /**
     * An origin's verdict and what is needed to tell when it could change next: checks run every
     * {@code intervalNanos} from {@code phaseNanos} ({@link System#nanoTime()} base); {@code streak} checks
     * in a row already went against the current state, of {@code rise}/{@code fall} needed to flip it.
     */
    public record OriginHealth(State state, boolean drained, boolean monitored, long intervalNanos, long phaseNanos,
                               int rise, int fall, int streak) {
        public static final OriginHealth UNCHECKED = new OriginHealth(State.UNKNOWN, false, false, 0, 0, 1, 1, 0);

        /** Nanoseconds from {@code now} until the earliest moment this verdict could change; MAX if never. */
        public long earliestChange(long now) {
            if (!monitored || drained || intervalNanos <= 0) {
                return Long.MAX_VALUE;
            }
            long untilNext = now <= phaseNanos ? phaseNanos - now
                    : intervalNanos - Math.floorMod(now - phaseNanos, intervalNanos);
            int remaining = state == State.UNKNOWN ? 1 : state == State.UP ? fall - streak : rise - streak;
            return untilNext + Math.max(0, remaining - 1) * intervalNanos;
        }
    }

    public static final HealthView NONE = new HealthView(Map.of(), true, 5);

    private final Map<String, OriginHealth> origins;
    private final boolean unknownIsUp;
    private final long ttlFloorSeconds;
    private final Map<String, String> drainedBy;

    public HealthView(Map<String, OriginHealth> origins, boolean unknownIsUp, long ttlFloorSeconds) {
        this(origins, unknownIsUp, ttlFloorSeconds, Map.of());
    }

    /** {@code drainedBy}: for drained origins, what drains them, in one line (for explanations). */
    public HealthView(Map<String, OriginHealth> origins, boolean unknownIsUp, long ttlFloorSeconds,
                      Map<String, String> drainedBy) {
        this.drainedBy = Map.copyOf(drainedBy);
        // HashMap, not Map.copyOf: keys like zone/pool/o17, o18, ... have consecutive hash codes, which
        // the immutable map's linear probing turns into long clusters (it was most of the CPU with
        // 5 000 origins); HashMap spreads the hash and chains. Never mutated after this line.
        this.origins = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(origins));
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
        return !h.drained() && healthy(h);
    }

    /** Up by its checks alone (or not yet judged, if so configured), drained or not. */
    public boolean healthy(String key) {
        return healthy(get(key));
    }

    private boolean healthy(OriginHealth h) {
        return h.state() == State.UP || (h.state() == State.UNKNOWN && unknownIsUp);
    }

    public boolean drained(String key) {
        return get(key).drained();
    }

    /** What drains the origin (source, selector, who, when, why), or null when it is not drained. */
    public String drainedBy(String key) {
        return drainedBy.get(key);
    }

    public boolean unknownIsUp() {
        return unknownIsUp;
    }

    public long ttlFloorSeconds() {
        return ttlFloorSeconds;
    }

    public Map<String, OriginHealth> all() {
        return origins;
    }
}
