package dev.geosteer.cluster;

import java.time.Instant;

/** A cluster-wide drain of {@code zone/pool} or {@code zone/pool/origin}: why, by whom, when. */
public record Drain(String reason, String by, Instant at) {
}
