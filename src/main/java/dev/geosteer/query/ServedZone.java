package dev.geosteer.query;

import dev.geosteer.zone.Zone;

/** A zone with the steering of its balancers (null when it has no steering file). */
public record ServedZone(Zone zone, Steering steering) {
}
