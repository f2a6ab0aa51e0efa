package dev.geosteer.health;

import dev.geosteer.net.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * Checks every origin from here: the first {@link VerdictSource}. All checks run on the health loop,
 * spread in time (each origin starts at a random point of its interval), and never overlap for one
 * origin. Thresholds: an origin goes down after {@code fall} failed checks in a row and up after
 * {@code rise} good ones; its first check gives its first verdict. Confined to the health loop.
 */
public final class LocalChecker implements VerdictSource {
    private static final Logger LOG = Logger.getLogger(LocalChecker.class.getName());

    /** Hooks for metrics: called on the health loop. */
    public interface Listener {
        /** After each check, once the verdict accounts for it. */
        default void checked(String key, CheckResult result) {
        }

        default void changed(String key, HealthView.State from, HealthView.State to, String reason) {
        }
    }

    private final Vertx vertx;
    private final ProbeContext probeContext;
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Checked> checked = new LinkedHashMap<>();
    private Runnable changed = () -> { };
    private boolean closed;
    /** New origins waiting for their first check, and how many first checks run: at most FIRST_CHECKS. */
    private final java.util.ArrayDeque<Checked> firstChecks = new java.util.ArrayDeque<>();
    private int firstChecksRunning;
    static final int FIRST_CHECKS = 64;

    public LocalChecker(Vertx vertx) {
        this(vertx, "geosteer");
    }

    /** {@code userAgent}: the User-Agent of HTTP(S) checks ({@link ProbeContext#userAgent()}). */
    public LocalChecker(Vertx vertx, String userAgent) {
        this.vertx = vertx;
        this.probeContext = new ProbeContext(vertx, userAgent);
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    @Override
    public void attach(Context loop, Runnable changed) {
        this.changed = changed;
    }

    @Override
    public Verdict verdict(String key) {
        Checked c = checked.get(key);
        return c == null ? null : c.verdict();
    }

    /**
     * Makes the checked set equal to {@code targets}: unchanged origins keep their state and schedule;
     * origins whose monitor changed only its timing or thresholds keep their state and go on with the
     * new timing; removed ones stop at once (a check in flight is ignored); new ones (and origins now
     * probed differently) start UNKNOWN and are checked at once, so that they are answered unchecked
     * (with {@code unknown_is_up}) for one check at most rather than until their first periodic check.
     */
    @Override
    public void sync(List<CheckTarget> targets) {
        if (closed) {
            return;
        }
        Map<String, CheckTarget> wanted = new LinkedHashMap<>();
        for (CheckTarget t : targets) {
            wanted.put(t.key(), t);
        }
        int started = 0;
        int stopped = 0;
        int retimed = 0;
        for (var it = checked.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            CheckTarget w = wanted.get(e.getKey());
            if (w != null && !w.equals(e.getValue().target) && w.sameProbe(e.getValue().target)) {
                e.getValue().retarget(w);
                retimed++;
            } else if (w == null || !w.equals(e.getValue().target)) {
                e.getValue().stop();
                it.remove();
                stopped++;
            }
        }
        for (CheckTarget t : wanted.values()) {
            if (!checked.containsKey(t.key())) {
                Checked c = new Checked(t);
                checked.put(t.key(), c);
                c.start();
                started++;
            }
        }
        if (started > 0 || stopped > 0 || retimed > 0) {
            LOG.info("health: " + checked.size() + " origins (" + started + " new, " + stopped + " removed, "
                    + (retimed > 0 ? retimed + " with new timing or thresholds, verdicts kept, " : "")
                    + (checked.size() - started - retimed) + " unchanged)");
        }
        runFirstChecks();
    }

    /** Starts queued first checks, FIRST_CHECKS at a time (thousands of origins load at start-up). */
    private void runFirstChecks() {
        while (firstChecksRunning < FIRST_CHECKS && !firstChecks.isEmpty() && !closed) {
            Checked c = firstChecks.poll();
            if (c.stopped || !c.firstPending) {
                continue; // removed, or its periodic check came first
            }
            c.firstPending = false;
            firstChecksRunning++;
            c.check(() -> {
                firstChecksRunning--;
                runFirstChecks();
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        checked.values().forEach(Checked::stop);
        checked.clear();
        firstChecks.clear();
        probeContext.close();
    }

    /** One checked origin: its schedule, counters and verdict. Confined to the checker's event loop. */
    private final class Checked {
        CheckTarget target;
        boolean firstPending;
        HealthView.State state;
        int streak;
        long timer = -1;
        boolean inFlight;
        boolean stopped;
        long phaseNanos;
        Instant since = Instant.now();
        String lastResult;
        Long lastLatencyMillis;
        Instant lastCheck;
        long checks;
        long failures;

        Checked(CheckTarget target) {
            this.target = target;
            this.state = target.monitor() == null ? HealthView.State.UP : HealthView.State.UNKNOWN;
        }

        void start() {
            MonitorSpec m = target.monitor();
            if (m == null) {
                return; // not checked: always up
            }
            long interval = m.interval().toMillis();
            schedule(1 + ThreadLocalRandom.current().nextLong(Math.max(1, interval)), interval);
            firstPending = true;
            firstChecks.add(this);
        }

        private void schedule(long delayMillis, long intervalMillis) {
            phaseNanos = System.nanoTime() + delayMillis * 1_000_000;
            timer = vertx.setPeriodic(delayMillis, intervalMillis, id -> tick());
        }

        /**
         * The same probe with other timing or thresholds: the verdict stays; the next check comes no later
         * than one new interval from now; a streak already past a lowered threshold flips at the next
         * check that continues it.
         */
        void retarget(CheckTarget next) {
            MonitorSpec old = target.monitor();
            target = next;
            MonitorSpec m = next.monitor();
            if (m == null || old == null) {
                return; // not checked either way: only the answered address changed
            }
            if (!old.interval().equals(m.interval())) {
                long now = System.nanoTime();
                long was = old.interval().toNanos();
                long nextTick = now <= phaseNanos ? phaseNanos
                        : phaseNanos + ((now - phaseNanos) / was + 1) * was;
                long delay = Math.max(1, Math.min(nextTick - now, m.interval().toNanos()) / 1_000_000);
                vertx.cancelTimer(timer);
                schedule(delay, m.interval().toMillis());
            }
            int threshold = state == HealthView.State.UP ? m.fall() : m.rise();
            if (state != HealthView.State.UNKNOWN && streak >= threshold) {
                streak = threshold - 1;
            }
        }

        void stop() {
            stopped = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
        }

        void tick() {
            firstPending = false;
            check(null);
        }

        /** Runs one check unless one is running; {@code then} (may be null) runs when it is over. */
        void check(Runnable then) {
            if (stopped || inFlight) {
                if (then != null) {
                    then.run();
                }
                return;
            }
            inFlight = true;
            Future<CheckResult> f;
            try {
                f = target.monitor().probe().check(probeContext, target);
            } catch (RuntimeException e) {
                f = Future.succeededFuture(CheckResult.failed(ProbeAttempt.describe(e), 0));
            }
            f.onComplete(ar -> {
                inFlight = false;
                if (then != null) {
                    then.run();
                }
                if (stopped) {
                    return; // removed while the check ran: its result means nothing now
                }
                apply(ar.succeeded() ? ar.result() : CheckResult.failed(ProbeAttempt.describe(ar.cause()), 0));
            });
        }

        void apply(CheckResult r) {
            checks++;
            lastCheck = Instant.now();
            lastResult = r.ok() ? "ok: " + r.detail() : r.detail();
            lastLatencyMillis = r.latencyNanos() / 1_000_000;
            if (!r.ok()) {
                failures++;
            }
            MonitorSpec m = target.monitor();
            HealthView.State before = state;
            int streakBefore = streak;
            if (state == HealthView.State.UNKNOWN) {
                state = r.ok() ? HealthView.State.UP : HealthView.State.DOWN;
                streak = 0;
            } else if (r.ok() == (state == HealthView.State.UP)) {
                streak = 0;
            } else if (++streak >= (state == HealthView.State.UP ? m.fall() : m.rise())) {
                state = r.ok() ? HealthView.State.UP : HealthView.State.DOWN;
                streak = 0;
            }
            if (state != before) {
                since = Instant.now();
                String why = before == HealthView.State.UNKNOWN ? "first check" : (state == HealthView.State.UP
                        ? m.rise() + " good checks" : m.fall() + " failed checks") + " in a row";
                LOG.info("origin " + target.key() + " (" + Addresses.format(target.checkAddress()) + ", monitor "
                        + m.name() + "): " + name(before) + " → " + name(state) + " after " + why + ": " + r.detail());
                for (Listener l : listeners) {
                    l.changed(target.key(), before, state, r.detail());
                }
            }
            for (Listener l : listeners) {
                l.checked(target.key(), r); // after the verdict: a listener reading verdict(key) sees this check
            }
            if (state != before || streak != streakBefore) {
                changed.run(); // the verdict or the time it could next change moved
            }
        }

        Verdict verdict() {
            MonitorSpec m = target.monitor();
            if (m == null) {
                return Verdict.unchecked(since);
            }
            return new Verdict(state, since, lastResult, lastCheck, lastLatencyMillis, checks, failures,
                    new Verdict.Schedule(m.interval().toNanos(), phaseNanos, m.rise(), m.fall(), streak));
        }
    }

    private static String name(HealthView.State s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }
}
