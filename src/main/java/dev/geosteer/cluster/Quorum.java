package dev.geosteer.cluster;

import dev.geosteer.health.HealthView.State;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The effective verdict on an origin from the verdicts of the cluster's vantage points. Pure: everything it
 * depends on, the clock included, is an argument.
 *
 * <p>A vantage point counts when it has a verdict (UP or DOWN) and, for a peer, when it is a live member
 * (its lease holds) and its verdict was written less than {@link Verdict#staleAfter()} ago. This node's own
 * verdict comes from its checker, never from etcd, and always counts when it has one. The origin is DOWN when
 * at least {@link QuorumRule#required} of the counting vantage points say DOWN, else UP. With no vantage
 * point left, or once the cluster has been lost for longer than the grace period, the local verdict is the
 * effective one: a peer that falls silent is never a vote for DOWN.
 */
public final class Quorum {
    private Quorum() {
    }

    /** A verdict as this node saw it in etcd: when (local monotonic clock) and at which etcd revision. */
    public record Seen(Verdict verdict, long seenAtNanos, long modRevision) {
    }

    /** How the effective verdict was reached. */
    public enum Basis {
        /** By counting the vantage points (this node's own verdict among them). */
        QUORUM,
        /** No vantage point counts (none has a fresh verdict, this node has none yet): the local verdict. */
        LOCAL_NO_VANTAGE_POINTS,
        /** The cluster is lost beyond the grace period: local verdicts only. */
        LOCAL_ONLY
    }

    /** One vantage point's part: its state, whether it counted, and if not, why. */
    public record Vote(State state, boolean counted, String ignoredBecause) {
    }

    /**
     * The outcome: the effective state, how it was reached, how many vantage points counted, how many of them
     * said DOWN and how many DOWN votes were needed; and every vantage point's vote, by node.
     */
    public record Effective(State state, Basis basis, int vantagePoints, int down, int required,
                            Map<String, Vote> votes) {
    }

    /**
     * @param rule       the quorum setting
     * @param localNode  this node's name
     * @param local      this node's verdict from its own checker; null when it has none (not checked yet)
     * @param peers      verdicts seen in etcd for this origin, by node (this node's own entry is ignored)
     * @param liveNodes  nodes whose membership key exists (their lease holds)
     * @param localOnly  true once the cluster has been lost for longer than the grace period
     * @param nowNanos   the {@link System#nanoTime()} to judge ages by
     */
    public static Effective decide(QuorumRule rule, String localNode, Verdict local, Map<String, Seen> peers,
                                   Set<String> liveNodes, boolean localOnly, long nowNanos) {
        State localState = local == null ? State.UNKNOWN : local.state();
        Map<String, Vote> votes = new TreeMap<>();
        int counted = 0;
        int down = 0;
        if (local != null) {
            votes.put(localNode, vote(localState, localState == State.UNKNOWN ? "no verdict yet" : null));
            if (localState != State.UNKNOWN) {
                counted++;
                down += localState == State.DOWN ? 1 : 0;
            }
        }
        for (Map.Entry<String, Seen> e : peers.entrySet()) {
            String node = e.getKey();
            if (node.equals(localNode)) {
                continue; // our own verdict as etcd has it: the checker's is fresher
            }
            Verdict v = e.getValue().verdict();
            String ignored;
            if (localOnly) {
                ignored = "cluster lost: local verdicts only";
            } else if (!liveNodes.contains(node)) {
                ignored = "not a live member";
            } else if (v.state() == State.UNKNOWN) {
                ignored = "no verdict yet";
            } else if (nowNanos - e.getValue().seenAtNanos() > v.staleAfter().toNanos()) {
                ignored = "stale: not written for " + (nowNanos - e.getValue().seenAtNanos()) / 1_000_000 + " ms";
            } else {
                ignored = null;
                counted++;
                down += v.state() == State.DOWN ? 1 : 0;
            }
            votes.put(node, vote(v.state(), ignored));
        }
        Map<String, Vote> frozen = Collections.unmodifiableMap(votes);
        if (localOnly) {
            int localDown = localState == State.DOWN ? 1 : 0;
            int localCount = localState == State.UNKNOWN ? 0 : 1;
            return new Effective(localState, Basis.LOCAL_ONLY, localCount, localDown, localCount, frozen);
        }
        if (counted == 0) {
            return new Effective(localState, Basis.LOCAL_NO_VANTAGE_POINTS, 0, 0, 0, frozen);
        }
        int required = rule.required(counted);
        return new Effective(down >= required ? State.DOWN : State.UP, Basis.QUORUM, counted, down, required, frozen);
    }

    private static Vote vote(State state, String ignoredBecause) {
        return new Vote(state, ignoredBecause == null, ignoredBecause);
    }
}
