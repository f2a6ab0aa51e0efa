package dev.geosteer.query;

import dev.geosteer.dnssec.SignedZone;
import dev.geosteer.zone.Zone;

/**
 * A zone with the steering of its balancers (null when it has no steering file) and its signatures
 * ({@code signed}: null when the zone is not signed; when not null, made for this very {@code zone}).
 */
public record ServedZone(Zone zone, Steering steering, SignedZone signed) {
    public ServedZone(Zone zone, Steering steering) {
        this(zone, steering, null);
    }

    /** The same zone with these signatures. */
    public ServedZone withSigned(SignedZone signatures) {
        return new ServedZone(zone, steering, signatures);
    }
}
