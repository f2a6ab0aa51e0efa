package dev.geosteer.cluster;

import java.time.Instant;

/**
 * Where this node stands with the cluster: the connection phase and since when, the last error (why it is
 * disconnected, or why it is not registered), whether it holds its membership key, and whether only local
 * verdicts count (the cluster lost for longer than the grace period).
 */
public record ClusterState(Phase phase, Instant since, String lastError, String node, long leaseId,
                           boolean registered, boolean localOnly) {
    public enum Phase {
        /** Started, no answer from etcd yet. */
        CONNECTING,
        /** etcd answers and this node's lease holds. */
        CONNECTED,
        /** etcd does not answer (or has no leader): answering from the last known state. */
        DISCONNECTED,
        /** Closed. */
        CLOSED
    }

    public boolean connected() {
        return phase == Phase.CONNECTED;
    }
}
