package dev.geosteer.catalog;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.geosteer.catalog.Settling.Verdict.PENDING;
import static dev.geosteer.catalog.Settling.Verdict.READY;
import static dev.geosteer.catalog.Settling.Verdict.UNCHANGED;
import static org.assertj.core.api.Assertions.assertThat;

/** When a changed file may be loaded: once it has been left alone for the settle time. */
class SettlingTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final Duration SETTLE = Duration.ofSeconds(1);

    static Fingerprint version(long size, Instant modified, long inode) {
        return new Fingerprint(modified, size, inode);
    }

    static Instant at(long millis) {
        return T0.plusMillis(millis);
    }

    @Test
    void theFirstLoadAndAnExplicitReloadDoNotWait() {
        Settling s = new Settling(SETTLE);
        Fingerprint v = version(10, at(0), 1);
        assertThat(s.poll(v, at(0), true)).isEqualTo(READY);
        s.applied(v);
        Fingerprint w = version(20, at(100), 1);
        assertThat(s.poll(w, at(100), true)).isEqualTo(READY);
    }

    @Test
    void aFileBeingWrittenIsLoadedOnceItStoppedChangingForTheSettleTime() {
        Settling s = new Settling(SETTLE);
        Fingerprint v1 = version(10, at(0), 1);
        s.poll(v1, at(0), true);
        s.applied(v1);
        assertThat(s.poll(v1, at(1000), false)).isEqualTo(UNCHANGED);
        Fingerprint half = version(5, at(2000), 1);          // truncated and half rewritten
        assertThat(s.poll(half, at(2000), false)).isEqualTo(PENDING);
        Fingerprint whole = version(30, at(2500), 1);        // the rest arrives
        assertThat(s.poll(whole, at(3000), false)).isEqualTo(PENDING);
        assertThat(s.poll(whole, at(3500), false)).as("unchanged for 0.5 s only").isEqualTo(PENDING);
        assertThat(s.poll(whole, at(4000), false)).isEqualTo(READY);
        s.applied(whole);
        assertThat(s.poll(whole, at(5000), false)).isEqualTo(UNCHANGED);
    }

    @Test
    void aFileMovedIntoPlaceLongAfterItWasWrittenIsLoadedAtOnce() {
        Settling s = new Settling(SETTLE);
        Fingerprint old = version(10, at(0), 1);
        s.poll(old, at(0), true);
        s.applied(old);
        Fingerprint renamed = version(12, at(-60_000), 2); // rsync, cp -p: written a minute ago, renamed now
        assertThat(s.poll(renamed, at(5000), false)).isEqualTo(READY);
    }

    @Test
    void aRenameOfAFreshlyWrittenFileWaitsForTheNextPoll() {
        Settling s = new Settling(SETTLE);
        Fingerprint old = version(10, at(0), 1);
        s.poll(old, at(0), true);
        s.applied(old);
        Fingerprint renamed = version(12, at(4900), 2);
        assertThat(s.poll(renamed, at(5000), false)).isEqualTo(PENDING);
        assertThat(s.poll(renamed, at(6000), false)).isEqualTo(READY);
    }

    @Test
    void aVanishedFileIsAChangeOnceItStaysAway() {
        Settling s = new Settling(SETTLE);
        Fingerprint v = version(10, at(0), 1);
        s.poll(v, at(0), true);
        s.applied(v);
        assertThat(s.poll(null, at(1000), false)).isEqualTo(PENDING);
        Fingerprint back = version(10, at(1100), 3);         // rm, then cp: back a moment later
        assertThat(s.poll(back, at(1200), false)).isEqualTo(PENDING);
        assertThat(s.poll(null, at(3000), false)).isEqualTo(PENDING);
        assertThat(s.poll(null, at(4000), false)).isEqualTo(READY);
    }

    @Test
    void aModificationTimeInTheFutureIsNotTakenAsOld() {
        Settling s = new Settling(SETTLE);
        s.applied(version(1, at(0), 1));
        assertThat(s.poll(version(2, at(60_000), 1), at(1000), false)).isEqualTo(PENDING);
    }

    @Test
    void withoutASettleTimeEveryChangeIsLoadedAtOnce() {
        Settling s = new Settling(Duration.ZERO);
        s.applied(version(1, at(0), 1));
        assertThat(s.poll(version(2, at(1000), 1), at(1000), false)).isEqualTo(READY);
    }

    @Test
    void forgettingMakesTheSameVersionAChange() {
        Settling s = new Settling(SETTLE);
        Fingerprint v = version(1, at(0), 1);
        s.applied(v);
        assertThat(s.poll(v, at(10), false)).isEqualTo(UNCHANGED);
        s.forget();
        assertThat(s.poll(v, at(20), true)).isEqualTo(READY);
    }
}
