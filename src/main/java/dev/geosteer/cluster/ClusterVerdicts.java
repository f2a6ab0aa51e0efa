package dev.geosteer.cluster;

import dev.geosteer.health.CheckResult;
import dev.geosteer.health.CheckTarget;
import dev.geosteer.health.HealthView.State;
import dev.geosteer.health.LocalChecker;
import dev.geosteer.health.VerdictSource;
import io.vertx.core.Context;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The verdicts of a fleet: this node's {@link LocalChecker} keeps checking (it is one vantage point), its
 * verdicts are published to etcd after each check ({@link EtcdCluster#publish}: written on change plus a slow
 * refresh), and the verdict the answers see is the quorum's ({@link Quorum#decide}) over the live vantage points
 * with fresh verdicts. No peer counting, or the cluster lost beyond its grace period: the local verdict.
 *
 * <p>Confined to the health loop; the cluster's views arrive on its own loop and hop over. Readers on other
 * threads read {@link #decisions()}.
 */
public final class ClusterVerdicts implements VerdictSource, LocalChecker.Listener, EtcdCluster.Listener {
    private static final Logger LOG = Logger.getLogger(ClusterVerdicts.class.getName());
    /** Recomputations of every origin's quorum are at most this often (views can come 50 times a second). */
    static final long RECOMPUTE_MS = 50;

    /** An origin's effective verdict: its state, since when (this node's clock), and how it was reached. */
    public record Decision(State state, Instant since, Quorum.Effective effective) {
    }

    private final LocalChecker checker;
    private final EtcdCluster cluster;
    private final QuorumRule rule;
    private final ClusterSettings settings;
    private Context loop;
    private Runnable changed = () -> { };
    private Map<String, CheckTarget> targets = Map.of();
    private ClusterView view;
    /** Written on the health loop only; concurrent so that the admin API and metrics read it as it is. */
    private final Map<String, Decision> decisions = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean synced;
    private boolean recomputeScheduled;
    /** The view the last recomputation decided on, and when every origin was last decided again. */
    private ClusterView decidedOn;
    private long lastFullNanos;
    static final long FULL_EVERY_NANOS = 1_000_000_000L;
    private boolean closed;

    public ClusterVerdicts(LocalChecker checker, EtcdCluster cluster, ClusterSettings settings, QuorumRule rule) {
        this.checker = checker;
        this.cluster = cluster;
        this.settings = settings;
        this.rule = rule;
        this.view = cluster.view();
    }

    @Override
    public void attach(Context loop, Runnable changed) {
        this.loop = loop;
        this.changed = changed;
        checker.attach(loop, changed); // a streak moved (the TTL cap); state changes come through checked first
        checker.addListener(this);
        cluster.addListener(this);
    }

    @Override
    public void sync(List<CheckTarget> next) {
        Map<String, CheckTarget> m = new LinkedHashMap<>();
        next.forEach(t -> m.put(t.key(), t));
        for (String key : targets.keySet()) {
            if (!m.containsKey(key)) {
                cluster.withdraw(key);
                decisions.remove(key);
            }
        }
        targets = m;
        checker.sync(next);
        Duration longest = Duration.ZERO;
        for (CheckTarget t : next) {
            if (t.monitor() != null && t.monitor().interval().compareTo(longest) > 0) {
                longest = t.monitor().interval();
            }
        }
        cluster.grace(settings.grace(longest.isZero() ? Duration.ofSeconds(10) : longest));
        decidedOn = null; // new targets: decide every origin
        recompute(false);
    }

    @Override
    public dev.geosteer.health.Verdict verdict(String key) {
        dev.geosteer.health.Verdict local = checker.verdict(key);
        if (local == null || !local.monitored()) {
            return local;
        }
        Decision d = decisions.get(key);
        if (d == null || d.effective().basis() != Quorum.Basis.QUORUM || d.effective().vantagePoints() <= 1
                && d.state() == local.state()) {
            return local; // decided here alone: the local verdict, its schedule and all
        }
        // Peers count: the state may flip whenever one of them does, which this node cannot time; the TTL cap
        // then looks no further than the next local check (rise/fall one check away).
        var s = local.schedule();
        int threshold = d.state() == State.DOWN ? s.rise() : s.fall();
        String why = d.state() == local.state() ? local.lastResult()
                : "quorum: " + d.effective().down() + " of " + d.effective().vantagePoints()
                + " vantage points say down (here: " + (local.lastResult() == null ? local.state().name().toLowerCase()
                : local.lastResult()) + ")";
        return new dev.geosteer.health.Verdict(d.state(), d.since(), why, local.lastCheck(), local.lastLatencyMillis(),
                local.checks(), local.failures(), new dev.geosteer.health.Verdict.Schedule(s.intervalNanos(),
                s.phaseNanos(), s.rise(), s.fall(), Math.max(0, threshold - 1)));
    }

    @Override
    public void close() {
        closed = true;
        checker.close();
    }

    /** Every monitored origin's effective verdict as last computed (read-only; any thread). */
    public Map<String, Decision> decisions() {
        return Collections.unmodifiableMap(decisions);
    }

    /** True once a view from etcd with this node's own membership in it arrived here (any thread). */
    public boolean synced() {
        return synced;
    }

    // ------------------------------------------------------------------ from the checker (health loop)

    @Override
    public void checked(String key, CheckResult result) {
        dev.geosteer.health.Verdict v = checker.verdict(key);
        if (v != null && v.monitored() && v.state() != State.UNKNOWN) {
            cluster.publish(key, toCluster(v));
        }
        CheckTarget t = targets.get(key);
        if (t != null && decide(t, System.nanoTime())) {
            changed.run();
        }
    }

    static Verdict toCluster(dev.geosteer.health.Verdict v) {
        Instant lastCheck = v.lastCheck() != null ? v.lastCheck() : v.since();
        return new Verdict(v.state(), v.since(), v.lastResult(), lastCheck, v.lastLatencyMillis(),
                Duration.ofNanos(v.schedule().intervalNanos()));
    }

    // ------------------------------------------------------------------ from the cluster (its loop)

    @Override
    public void viewChanged(ClusterView v) {
        Context l = loop;
        if (l == null) {
            return;
        }
        l.runOnContext(x -> {
            if (closed) {
                return;
            }
            view = v;
            if (!synced && v.members().containsKey(v.state().node())) {
                synced = true;
            }
            if (!recomputeScheduled) {
                recomputeScheduled = true;
                l.owner().setTimer(RECOMPUTE_MS, id -> {
                    recomputeScheduled = false;
                    if (!closed) {
                        recompute(true);
                    }
                });
            }
        });
    }

    // ------------------------------------------------------------------ the quorum

    /**
     * Decides every monitored origin again from the latest view and the local verdicts; tells the health state
     * when any effective state changed ({@code always}: tell it anyway).
     */
    private void recompute(boolean always) {
        long now = System.nanoTime();
        ClusterView before = decidedOn;
        // Everything again when membership or the connection changed, and at least once a second (verdicts
        // turning stale); otherwise only the origins whose verdicts changed (each origin's map in the view is
        // immutable and replaced on change: the same map, the same verdicts). At 5 000 origins the views come
        // with every refresh written anywhere, and deciding them all each time cost most of a core.
        boolean all = before == null || !before.members().keySet().equals(view.members().keySet())
                || before.state().localOnly() != view.state().localOnly()
                || before.state().connected() != view.state().connected() || now - lastFullNanos >= FULL_EVERY_NANOS;
        boolean any = always;
        for (CheckTarget t : targets.values()) {
            if (all || before.verdicts().get(t.key()) != view.verdicts().get(t.key())) {
                any |= decide(t, now);
            }
        }
        if (all) {
            lastFullNanos = now;
        }
        decidedOn = view;
        if (any) {
            changed.run();
        }
    }

    /** Decides one origin; true when its effective state changed (or differs from the local one at first). */
    private boolean decide(CheckTarget t, long now) {
        dev.geosteer.health.Verdict local = checker.verdict(t.key());
        if (local == null || !local.monitored()) {
            decisions.remove(t.key());
            return false;
        }
        Verdict mine = local.state() == State.UNKNOWN ? null : toCluster(local);
        Quorum.Effective e = view.effective(t.key(), mine, rule, now);
        Decision before = decisions.get(t.key());
        State state = e.state();
        Instant since = before != null && before.state() == state ? before.since()
                : state == local.state() ? local.since() : Instant.now();
        decisions.put(t.key(), new Decision(state, since, e));
        if (before == null) {
            return state != local.state();
        }
        if (before.state() != state) {
            logChange(t.key(), before, state, e, local);
            return true;
        }
        return false;
    }

    private void logChange(String key, Decision before, State now, Quorum.Effective e, dev.geosteer.health.Verdict local) {
        if (before.state() == State.UNKNOWN || now == State.UNKNOWN) {
            return; // first verdicts are the checker's to log
        }
        String how = switch (e.basis()) {
            case QUORUM -> e.down() + " of " + e.vantagePoints() + " vantage points say down, " + e.required()
                    + " needed (quorum " + rule + "); here: " + local.state().name().toLowerCase(java.util.Locale.ROOT);
            case LOCAL_ONLY -> "the cluster is lost: the local verdict";
            case LOCAL_NO_VANTAGE_POINTS -> "no vantage point counts: the local verdict";
        };
        LOG.info("origin " + key + ": effective verdict " + before.state().name().toLowerCase(java.util.Locale.ROOT)
                + " → " + now.name().toLowerCase(java.util.Locale.ROOT) + " (" + how + ")");
    }
}
