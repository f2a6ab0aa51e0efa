package dev.geosteer.catalog;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides when a changed file may be loaded, so that a file caught while it is being written is not
 * served half. One instance per watched path, fed the file's {@link Fingerprint} at every poll.
 *
 * <p>The rule: a change (new size, modification time or inode; or the file vanished) is loaded once
 * the file has been left alone for {@code settle}:
 * <ul>
 *   <li>polls saw the same version for at least {@code settle} (with {@code settle} equal to the poll
 *       interval: the same version at two polls in a row), or</li>
 *   <li>the version, when first seen, was already last modified at least {@code settle} ago: it was
 *       written before and moved into place whole (rename of a finished file, rsync, {@code cp -p},
 *       tar, which set the modification time once the content is written), so there is nothing to
 *       wait for.</li>
 * </ul>
 * A writer that pauses longer than {@code settle} in the middle of an in-place write can still be
 * caught half-way; deploying by rename ({@code write tmp; mv tmp file}) is always safe. A load that
 * is asked for ({@code immediate}: the first load at start-up, an explicit reload) does not wait.
 */
public final class Settling {
    /** What to do with the file at this poll. */
    public enum Verdict {
        /** The version last applied: nothing to do. */
        UNCHANGED,
        /** Changed, but not settled yet: look again at the next poll. */
        PENDING,
        /** Changed and settled (or asked for): load it now. */
        READY
    }

    private final Duration settle;
    private boolean hasApplied;
    private Fingerprint applied;
    private boolean hasSeen;
    private Fingerprint seen;
    private Instant seenAt;

    public Settling(Duration settle) {
        this.settle = settle;
    }

    /**
     * @param now       the file's version now (null: absent)
     * @param pollTime  when it was read
     * @param immediate load any change at once (start-up, explicit reload)
     */
    public Verdict poll(Fingerprint now, Instant pollTime, boolean immediate) {
        if (hasApplied && Objects.equals(now, applied)) {
            hasSeen = false;
            return Verdict.UNCHANGED;
        }
        if (immediate || settle.isZero()) {
            return Verdict.READY;
        }
        if (!hasSeen || !Objects.equals(now, seen)) {
            hasSeen = true;
            seen = now;
            seenAt = pollTime;
            boolean writtenLongAgo = now != null && !now.modified().isAfter(pollTime.minus(settle));
            return writtenLongAgo ? Verdict.READY : Verdict.PENDING;
        }
        return Duration.between(seenAt, pollTime).compareTo(settle) >= 0 ? Verdict.READY : Verdict.PENDING;
    }

    /** Records that {@code version} was loaded (or tried and rejected): it is not looked at again until it changes. */
    public void applied(Fingerprint version) {
        hasApplied = true;
        applied = version;
        hasSeen = false;
    }

    /** Forgets the applied version: the next poll finds a change (used by an explicit reload). */
    public void forget() {
        hasApplied = false;
        applied = null;
    }

    /** Since when the current, not yet applied, version has been seen; null if none is pending. */
    public Instant pendingSince() {
        return hasSeen ? seenAt : null;
    }
}
