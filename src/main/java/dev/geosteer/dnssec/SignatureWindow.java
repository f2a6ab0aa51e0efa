package dev.geosteer.dnssec;

import java.time.Duration;
import java.time.Instant;

/**
 * The validity of the signatures made at one signing: their inception, and the expiration of the
 * steered RRsets' and balancer variants' (a static RRset's expiration is spread below it, see
 * {@link SignedZone#sign}); signatures are made again from half-way through their validity, so that a
 * resolver never holds a signature that expires before its TTL does.
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
