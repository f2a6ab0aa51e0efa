package dev.geosteer.cluster;

import dev.geosteer.health.HealthView.State;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuorumTest {
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final long NOW = 1_000_000_000_000L;
    private static final Set<String> ALL_LIVE = Set.of("a", "b", "c", "d", "e");

    private static Verdict verdict(State state) {
        return new Verdict(state, Instant.parse("2026-01-01T00:00:00Z"), state == State.DOWN ? "HTTP 503" : "HTTP 200",
                Instant.parse("2026-01-01T00:00:10Z"), 4L, INTERVAL);
    }

    /** Peers' verdicts, seen {@code agoSeconds} before NOW. */
    private static Map<String, Quorum.Seen> peers(Object... nodeStateAgo) {
        Map<String, Quorum.Seen> out = new HashMap<>();
        for (int i = 0; i < nodeStateAgo.length; i += 3) {
            long ago = ((Number) nodeStateAgo[i + 2]).longValue() * 1_000_000_000L;
            out.put((String) nodeStateAgo[i], new Quorum.Seen(verdict((State) nodeStateAgo[i + 1]), NOW - ago, 7));
        }
        return out;
    }

    private static Quorum.Effective decide(QuorumRule rule, State local, Map<String, Quorum.Seen> peers) {
        return Quorum.decide(rule, "a", local == null ? null : verdict(local), peers, ALL_LIVE, false, NOW);
    }

    @Test
    void majorityNeedsMoreThanHalfOfTheVantagePoints() {
        // 3 vantage points: 1 down is not enough, 2 are
        Quorum.Effective one = decide(QuorumRule.MAJORITY, State.DOWN, peers("b", State.UP, 1, "c", State.UP, 1));
        assertThat(one.state()).isEqualTo(State.UP);
        assertThat(one.basis()).isEqualTo(Quorum.Basis.QUORUM);
        assertThat(one.vantagePoints()).isEqualTo(3);
        assertThat(one.down()).isEqualTo(1);
        assertThat(one.required()).isEqualTo(2);
        Quorum.Effective two = decide(QuorumRule.MAJORITY, State.UP, peers("b", State.DOWN, 1, "c", State.DOWN, 1));
        assertThat(two.state()).isEqualTo(State.DOWN);
        assertThat(two.down()).isEqualTo(2);
        // 2 vantage points: a tie keeps the origin up
        assertThat(decide(QuorumRule.MAJORITY, State.DOWN, peers("b", State.UP, 1)).state()).isEqualTo(State.UP);
        assertThat(decide(QuorumRule.MAJORITY, State.DOWN, peers("b", State.DOWN, 1)).state()).isEqualTo(State.DOWN);
        // 4 vantage points: 2 down is half, not more; 3 is
        assertThat(decide(QuorumRule.MAJORITY, State.DOWN, peers("b", State.DOWN, 1, "c", State.UP, 1, "d", State.UP, 1))
                .state()).isEqualTo(State.UP);
        assertThat(decide(QuorumRule.MAJORITY, State.DOWN, peers("b", State.DOWN, 1, "c", State.DOWN, 1, "d", State.UP,
                1)).state()).isEqualTo(State.DOWN);
    }

    @Test
    void anyAllAndCounts() {
        Map<String, Quorum.Seen> oneOfThree = peers("b", State.DOWN, 1, "c", State.UP, 1);
        assertThat(decide(QuorumRule.ANY, State.UP, oneOfThree).state()).isEqualTo(State.DOWN);
        assertThat(decide(QuorumRule.ANY, State.UP, peers("b", State.UP, 1)).state()).isEqualTo(State.UP);
        assertThat(decide(QuorumRule.ALL, State.DOWN, oneOfThree).state()).isEqualTo(State.UP);
        assertThat(decide(QuorumRule.ALL, State.DOWN, peers("b", State.DOWN, 1, "c", State.DOWN, 1)).state())
                .isEqualTo(State.DOWN);
        QuorumRule two = QuorumRule.parse(2);
        assertThat(decide(two, State.DOWN, oneOfThree).state()).isEqualTo(State.DOWN);
        assertThat(decide(two, State.UP, oneOfThree).state()).isEqualTo(State.UP);
        assertThat(decide(two, State.UP, peers("b", State.DOWN, 1, "c", State.UP, 1, "d", State.UP, 1, "e", State.DOWN,
                1)).state()).isEqualTo(State.DOWN);
        // a count above the vantage points left means all of them
        QuorumRule three = QuorumRule.parse(3);
        Quorum.Effective both = decide(three, State.DOWN, peers("b", State.DOWN, 1));
        assertThat(both.state()).isEqualTo(State.DOWN);
        assertThat(both.required()).isEqualTo(2);
        assertThat(decide(three, State.DOWN, peers("b", State.UP, 1)).state()).isEqualTo(State.UP);
    }

    @Test
    void staleVerdictsDoNotCount() {
        // c's DOWN was written 31 s ago: older than 3 intervals of 10 s
        Quorum.Effective e = decide(QuorumRule.MAJORITY, State.UP, peers("b", State.DOWN, 1, "c", State.DOWN, 31));
        assertThat(e.state()).isEqualTo(State.UP);
        assertThat(e.vantagePoints()).isEqualTo(2);
        assertThat(e.votes().get("c").counted()).isFalse();
        assertThat(e.votes().get("c").ignoredBecause()).startsWith("stale");
        // exactly 3 intervals old still counts
        assertThat(decide(QuorumRule.MAJORITY, State.UP, peers("b", State.DOWN, 1, "c", State.DOWN, 30)).state())
                .isEqualTo(State.DOWN);
    }

    @Test
    void expiredMembersAndUnjudgedPeersDoNotCount() {
        Map<String, Quorum.Seen> p = peers("b", State.DOWN, 1, "c", State.DOWN, 1, "d", State.UNKNOWN, 1);
        // c's lease expired: not a live member; d has no verdict yet
        Quorum.Effective e = Quorum.decide(QuorumRule.MAJORITY, "a", verdict(State.UP), p, Set.of("a", "b", "d"),
                false, NOW);
        assertThat(e.vantagePoints()).isEqualTo(2);
        assertThat(e.state()).isEqualTo(State.UP); // 1 of 2
        assertThat(e.votes().get("c").ignoredBecause()).isEqualTo("not a live member");
        assertThat(e.votes().get("d").ignoredBecause()).isEqualTo("no verdict yet");
        assertThat(e.votes().get("a").counted()).isTrue();
    }

    @Test
    void peersFallingSilentNeverMakeAnOriginDown() {
        // a and c see it up, b down: up. Then c falls silent, then b too: a's UP stays the answer
        assertThat(decide(QuorumRule.MAJORITY, State.UP, peers("b", State.DOWN, 1, "c", State.UP, 1)).state())
                .isEqualTo(State.UP);
        assertThat(decide(QuorumRule.MAJORITY, State.UP, peers("b", State.DOWN, 1, "c", State.UP, 40)).state())
                .isEqualTo(State.UP);
        Quorum.Effective alone = decide(QuorumRule.MAJORITY, State.UP, peers("b", State.DOWN, 40, "c", State.UP, 40));
        assertThat(alone.state()).isEqualTo(State.UP);
        assertThat(alone.vantagePoints()).isEqualTo(1);
        // with 'any', silence is no vote either
        assertThat(decide(QuorumRule.ANY, State.UP, peers("b", State.DOWN, 40)).state()).isEqualTo(State.UP);
    }

    @Test
    void withoutVantagePointsTheLocalVerdictStands() {
        Quorum.Effective none = decide(QuorumRule.MAJORITY, null, Map.of());
        assertThat(none.state()).isEqualTo(State.UNKNOWN);
        assertThat(none.basis()).isEqualTo(Quorum.Basis.LOCAL_NO_VANTAGE_POINTS);
        Quorum.Effective unknown = decide(QuorumRule.MAJORITY, State.UNKNOWN, peers("b", State.DOWN, 99));
        assertThat(unknown.state()).isEqualTo(State.UNKNOWN);
        assertThat(unknown.basis()).isEqualTo(Quorum.Basis.LOCAL_NO_VANTAGE_POINTS);
        // a node that has not checked yet follows its peers
        Quorum.Effective fresh = decide(QuorumRule.MAJORITY, null, peers("b", State.DOWN, 1, "c", State.DOWN, 1));
        assertThat(fresh.state()).isEqualTo(State.DOWN);
        assertThat(fresh.vantagePoints()).isEqualTo(2);
    }

    @Test
    void theLocalVerdictComesFromTheCheckerNotFromEtcd() {
        // etcd still has a's old DOWN; a's checker says UP now
        Quorum.Effective e = decide(QuorumRule.ANY, State.UP, peers("a", State.DOWN, 1, "b", State.UP, 1));
        assertThat(e.state()).isEqualTo(State.UP);
        assertThat(e.vantagePoints()).isEqualTo(2);
        assertThat(e.votes().get("a").state()).isEqualTo(State.UP);
    }

    @Test
    void aLostClusterMeansLocalVerdictsOnly() {
        Quorum.Effective e = Quorum.decide(QuorumRule.ANY, "a", verdict(State.UP),
                peers("b", State.DOWN, 1, "c", State.DOWN, 1), ALL_LIVE, true, NOW);
        assertThat(e.state()).isEqualTo(State.UP);
        assertThat(e.basis()).isEqualTo(Quorum.Basis.LOCAL_ONLY);
        assertThat(e.votes().get("b").ignoredBecause()).contains("local verdicts only");
        Quorum.Effective down = Quorum.decide(QuorumRule.ALL, "a", verdict(State.DOWN),
                peers("b", State.UP, 1), ALL_LIVE, true, NOW);
        assertThat(down.state()).isEqualTo(State.DOWN);
    }

    @Test
    void freshnessFollowsTheInterval() {
        assertThat(verdict(State.UP).refreshEvery()).isEqualTo(Duration.ofSeconds(20));
        assertThat(verdict(State.UP).staleAfter()).isEqualTo(Duration.ofSeconds(30));
        Verdict fast = new Verdict(State.UP, Instant.EPOCH, "", Instant.EPOCH, null, Duration.ofMillis(200));
        // never refreshed more than once a second, and a refresh on time is never stale
        assertThat(fast.refreshEvery()).isEqualTo(Duration.ofSeconds(1));
        assertThat(fast.staleAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> new Verdict(State.UP, Instant.EPOCH, "", Instant.EPOCH, null, Duration.ZERO))
                .hasMessageContaining("interval");
    }

    @Test
    void quorumRules() {
        assertThat(QuorumRule.parse("majority")).isEqualTo(QuorumRule.MAJORITY);
        assertThat(QuorumRule.parse("any")).isEqualTo(QuorumRule.ANY);
        assertThat(QuorumRule.parse("all")).isEqualTo(QuorumRule.ALL);
        assertThat(QuorumRule.parse(2)).isEqualTo(new QuorumRule(QuorumRule.Kind.COUNT, 2));
        assertThat(QuorumRule.parse("3").count()).isEqualTo(3);
        assertThat(QuorumRule.parse(2).toString()).isEqualTo("2");
        assertThat(QuorumRule.MAJORITY.toString()).isEqualTo("majority");
        assertThatThrownBy(() -> QuorumRule.parse(0)).hasMessageContaining("from 1 to 1000, not 0");
        assertThatThrownBy(() -> QuorumRule.parse("most")).hasMessageContaining("not 'most'");
        assertThat(QuorumRule.MAJORITY.required(1)).isEqualTo(1);
        assertThat(QuorumRule.MAJORITY.required(5)).isEqualTo(3);
        assertThat(QuorumRule.ALL.required(5)).isEqualTo(5);
    }
}
