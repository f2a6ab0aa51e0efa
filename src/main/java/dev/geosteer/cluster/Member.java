package dev.geosteer.cluster;

import java.time.Instant;

/**
 * A live member as its key {@code members/<node>} says: its geosteer version, the configuration revision it
 * serves (0: none from etcd), when it started, when it last wrote its heartbeat, and its lease.
 */
public record Member(String node, String version, long configRevision, Instant startedAt, Instant heartbeat,
                     long leaseId) {
}
