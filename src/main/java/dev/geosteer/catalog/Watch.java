package dev.geosteer.catalog;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One watched file: what every loader of the pipeline does with a file, written once. Poll its
 * {@link Fingerprint} and let {@link Settling} decide; read it; check that the fingerprint did not move
 * while it was read (else it was not settled after all); mark the version tried, whatever the outcome,
 * so that a refused version is not retried until it changes.
 */
final class Watch {
    /** How to fingerprint the file (a source's name, a local path). */
    interface Probe {
        Fingerprint now() throws IOException;
    }

    private final Probe probe;
    private final Settling settling;
    private Fingerprint polled;

    Watch(Probe probe, Duration settle) {
        this.probe = probe;
        this.settling = new Settling(settle);
    }

    /** Fingerprints the file now and says whether to load it. */
    Settling.Verdict poll(Instant now, boolean immediate) throws IOException {
        polled = probe.now();
        return settling.poll(polled, now, immediate);
    }

    /** The fingerprint of the last poll (null: no such file). */
    Fingerprint polled() {
        return polled;
    }

    /** False when the file changed since the poll (while it was read): look again at the next pass. */
    boolean unchangedSincePoll() throws IOException {
        return Objects.equals(polled, probe.now());
    }

    /** The polled version was loaded or refused: it is not looked at again until it changes. */
    void tried() {
        settling.applied(polled);
    }

    /** Forgets what was tried: the next poll finds a change (an explicit reload). */
    void forget() {
        settling.forget();
    }
}
