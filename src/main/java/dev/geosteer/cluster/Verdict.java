package dev.geosteer.cluster;

import dev.geosteer.health.HealthView;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One vantage point's verdict on one origin, as published to the cluster: the state and since when, the reason
 * (the last check's result, e.g. {@code HTTP 503}), when it was last checked and how long that check took, and
 * the check interval (which says how fresh the verdict has to be to count).
 */
public record Verdict(HealthView.State state, Instant since, String reason, Instant lastCheck, Long latencyMs,
                      Duration interval) {
    /** Refreshes are never more often than this, however short the interval. */
    static final Duration MIN_REFRESH = Duration.ofSeconds(1);
    /** What a refresh may lag behind by (the refresh scan, etcd, the watch) before the verdict counts as stale. */
    static final Duration REFRESH_SLACK = Duration.ofSeconds(2);

    public Verdict {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(lastCheck, "lastCheck");
        Objects.requireNonNull(interval, "interval");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval must be positive");
        }
        reason = reason == null ? "" : reason;
    }

    /** Whether publishing {@code next} over this one is a change worth a write (not just a newer check). */
    boolean differsFrom(Verdict next) {
        return state != next.state || !since.equals(next.since) || !reason.equals(next.reason)
                || !interval.equals(next.interval);
    }

    /**
     * How often an unchanged verdict is written again so that peers know this vantage point still checks:
     * every 2 intervals (at least {@link #MIN_REFRESH}).
     */
    public Duration refreshEvery() {
        Duration twice = interval.multipliedBy(2);
        return twice.compareTo(MIN_REFRESH) < 0 ? MIN_REFRESH : twice;
    }

    /**
     * After how long without a write a verdict no longer counts: 3 intervals, but never less than a refresh
     * and its slack (a vantage point refreshing on time is never stale).
     */
    public Duration staleAfter() {
        Duration thrice = interval.multipliedBy(3);
        Duration floor = refreshEvery().plus(REFRESH_SLACK);
        return thrice.compareTo(floor) < 0 ? floor : thrice;
    }
}
