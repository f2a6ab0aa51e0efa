package dev.geosteer.cluster;

import java.util.Map;

/**
 * What this node knows of the cluster at one moment, immutable: its own state, the live members, every
 * vantage point's verdict per origin ({@code origin → node → seen verdict}, this node's included as etcd has
 * it), the cluster-wide drains, and the configuration set last received (null: none). Published whole on
 * every change; the effective verdict of an origin is computed from it with {@link #effective}.
 */
public record ClusterView(ClusterState state, Map<String, Member> members,
                          Map<String, Map<String, Quorum.Seen>> verdicts, Map<String, Drain> drains,
                          ConfigSet config) {

    /** The effective verdict on {@code origin} given this node's own verdict ({@code local}, null if none). */
    public Quorum.Effective effective(String origin, Verdict local, QuorumRule rule, long nowNanos) {
        return Quorum.decide(rule, state.node(), local, verdicts.getOrDefault(origin, Map.of()), members.keySet(),
                state.localOnly(), nowNanos);
    }
}
