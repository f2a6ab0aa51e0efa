package dev.geosteer.dnssec;

import java.time.Duration;
import java.time.Instant;

/**
 * The validity of one generation of signatures: every RRSIG of a {@link SignedZone} has the same
 * inception and expiration, and the zone is signed again from {@link #refreshAt} on, half-way through
 * the validity, so that a resolver never holds a signature that expires before its TTL does.
 *
 * @param inception  seconds since 1970, some time before the signing ({@code inception_offset}), for
 *                   validators whose clocks are behind
 * @param expiration seconds since 1970
 * @param refreshAt  when to sign again
 */
public record SignatureWindow(long inception, long expiration, Instant refreshAt) {
    /** Knot's default RRSIG lifetime (rrsig-lifetime: 14 days). */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(14);
    /** Inception one hour back, as BIND does (validators with a clock a little behind). */
    public static final Duration DEFAULT_INCEPTION_OFFSET = Duration.ofHours(1);

    /** Signatures made at {@code now}, valid for {@code validity}, refreshed at half of it. */
    public static SignatureWindow at(Instant now, Duration validity, Duration inceptionOffset) {
        long inception = now.minus(inceptionOffset).getEpochSecond();
        long expiration = now.plus(validity).getEpochSecond();
        return new SignatureWindow(inception, expiration, now.plus(validity.dividedBy(2)));
    }

    /** Whether signatures of this window are still served at {@code now} (not yet due for refresh). */
    public boolean fresh(Instant now) {
        return now.isBefore(refreshAt);
    }
}
