package dev.geosteer.health;

import java.time.Instant;

/**
 * One origin's verdict as a {@link VerdictSource} gives it: its state and since when, what its last
 * check said, and the schedule that tells when the state could change next (for the TTL cap).
 *
 * @param lastResult        the last check's outcome ({@code ok: HTTP 200}, {@code connect refused}), or null
 * @param lastLatencyMillis how long the last check took, or null
 * @param checks            checks run, of which {@code failures} failed
 */
public record Verdict(HealthView.State state, Instant since, String lastResult, Instant lastCheck,
                      Long lastLatencyMillis, long checks, long failures, Schedule schedule) {

    /**
     * Checks run every {@code intervalNanos} from {@code phaseNanos} ({@link System#nanoTime()} base);
     * {@code streak} checks in a row already went against the state, of {@code rise}/{@code fall}
     * needed to flip it. {@link #NONE}: not checked, never changes by itself.
     */
    public record Schedule(long intervalNanos, long phaseNanos, int rise, int fall, int streak) {
        public static final Schedule NONE = new Schedule(0, 0, 1, 1, 0);
    }

    /** An origin without a monitor: always up. */
    public static Verdict unchecked(Instant since) {
        return new Verdict(HealthView.State.UP, since, null, null, null, 0, 0, Schedule.NONE);
    }

    public boolean monitored() {
        return schedule.intervalNanos() > 0;
    }

    /** What the answer path needs of it, drained or not. */
    public HealthView.OriginHealth health(boolean drained) {
        return new HealthView.OriginHealth(state, drained, monitored(), schedule.intervalNanos(),
                schedule.phaseNanos(), schedule.rise(), schedule.fall(), schedule.streak());
    }
}
