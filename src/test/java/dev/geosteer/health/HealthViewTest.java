package dev.geosteer.health;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules of a health view, without the network: usability and the next possible change. */
class HealthViewTest {
    static final long S = 1_000_000_000L;

    static HealthView.OriginHealth origin(HealthView.State state, int streak) {
        // checked every 10 s from t = 100 s; rise 2, fall 3
        return new HealthView.OriginHealth(state, false, true, 10 * S, 100 * S, 2, 3, streak);
    }

    @Test
    void anUpOriginCanGoDownNoSoonerThanFallChecksFromNow() {
        // at t = 104 s the next check is at 110 s; with no failure yet, 3 failures end at 130 s
        assertThat(origin(HealthView.State.UP, 0).earliestChange(104 * S)).isEqualTo(26 * S);
        // one failure already: two more, the last at 120 s
        assertThat(origin(HealthView.State.UP, 1).earliestChange(104 * S)).isEqualTo(16 * S);
    }

    @Test
    void aDownOriginCanComeBackAfterRiseChecks() {
        assertThat(origin(HealthView.State.DOWN, 0).earliestChange(104 * S)).isEqualTo(16 * S);
        assertThat(origin(HealthView.State.DOWN, 1).earliestChange(104 * S)).isEqualTo(6 * S);
    }

    @Test
    void anUnjudgedOriginCanChangeAtItsFirstCheck() {
        assertThat(origin(HealthView.State.UNKNOWN, 0).earliestChange(40 * S)).isEqualTo(60 * S);
    }

    @Test
    void unmonitoredAndDrainedOriginsNeverChangeByThemselves() {
        assertThat(new HealthView.OriginHealth(HealthView.State.UP, false, false, 0, 0, 1, 1, 0).earliestChange(0))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(new HealthView.OriginHealth(HealthView.State.UP, true, true, 10 * S, 0, 2, 3, 0).earliestChange(5 * S))
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void usabilityFollowsStateDrainAndTheUnknownPolicy() {
        Map<String, HealthView.OriginHealth> m = Map.of(
                "up", origin(HealthView.State.UP, 0),
                "down", origin(HealthView.State.DOWN, 0),
                "unknown", origin(HealthView.State.UNKNOWN, 0),
                "drained", new HealthView.OriginHealth(HealthView.State.UP, true, true, 10 * S, 0, 2, 3, 0));
        HealthView lenient = new HealthView(m, true, 5);
        HealthView strict = new HealthView(m, false, 5);
        assertThat(lenient.usable("up")).isTrue();
        assertThat(lenient.usable("down")).isFalse();
        assertThat(lenient.usable("drained")).isFalse();
        assertThat(lenient.usable("unknown")).isTrue();
        assertThat(strict.usable("unknown")).isFalse();
        assertThat(lenient.usable("never-seen")).as("not yet synced: unknown").isTrue();
        assertThat(strict.usable("never-seen")).isFalse();
    }
}
