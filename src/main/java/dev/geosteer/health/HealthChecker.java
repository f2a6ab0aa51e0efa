package dev.geosteer.health;

import dev.geosteer.net.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Runs the health checks and publishes their verdicts as an immutable {@link HealthView}. All checks run
 * on one Vert.x event loop, spread in time (each origin starts at a random point of its interval), and
 * never overlap for one origin. Thresholds: an origin goes down after {@code fall} failed checks in a
 * row and up after {@code rise} good ones; its first check gives its first verdict. Mutable state is
 * touched only on the checker's event loop; other threads call {@link #sync}, {@link #drains} and read
 * {@link #view()}.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthChecker.class.getName());

    /** Hooks for metrics: called on the checker's event loop. */
    public interface Listener {
        default void checked(String key, CheckResult result) {
        }

        default void changed(String key, HealthView.State from, HealthView.State to, String reason) {
        }

        /** A new view was published (state, streak, drain or origin set changed). */
        default void published(HealthView view) {
        }
    }

    /** An origin's full status, for the admin API and {@code lookup}; {@code drains}: what drains it. */
    public record OriginStatus(String key, String address, String checkAddress, String monitor,
                               HealthView.State state, Instant since, boolean drained, String lastResult,
                               Long lastLatencyMillis, Instant lastCheck, long checks, long failures,
                               List<Drain> drains) {
    }

    /** An origin under a drain or undrain: whether it is drained now, and by what. */
    public record OriginDrains(String key, boolean drained, List<Drain> drains) {
    }

    /**
     * The outcome of a drain or undrain through the API. {@code status}: 200, 404 (matches nothing),
     * 409 (refused: {@code message} says why and what to do). {@code origins}: the origins the selector
     * covers, as they are now. {@code persisted}: whether the API's drains are on disk as they are now.
     */
    public record DrainChange(int status, String message, boolean changed, List<OriginDrains> origins,
                              boolean persisted) {
    }

    private final Vertx vertx;
    private final Context context;
    private final ProbeContext probes;
    private final boolean unknownIsUp;
    private final long ttlFloorSeconds;
    private final AtomicReference<HealthView> view;
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Checked> checked = new LinkedHashMap<>();
    private final Drains drains = new Drains();
    private DrainStore store;
    private boolean persisted = true;
    /** API drains whose pool or origin is not served now (warned once, until it is again). */
    private Set<String> unmatchedApiDrains = Set.of();
    private boolean closed;
    private boolean publishPending;
    static final long PUBLISH_COALESCE_MS = 20;
    /** New origins waiting for their first check, and how many first checks run: at most FIRST_CHECKS. */
    private final java.util.ArrayDeque<Checked> firstChecks = new java.util.ArrayDeque<>();
    private int firstChecksRunning;
    static final int FIRST_CHECKS = 64;

    public HealthChecker(Vertx vertx, boolean unknownIsUp, long ttlFloorSeconds) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.probes = new ProbeContext(vertx);
        this.unknownIsUp = unknownIsUp;
        this.ttlFloorSeconds = ttlFloorSeconds;
        this.view = new AtomicReference<>(new HealthView(Map.of(), unknownIsUp, ttlFloorSeconds));
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public HealthView view() {
        return view.get();
    }

    /**
     * Makes the checked set equal to {@code targets}: unchanged origins keep their state and schedule;
     * origins whose monitor changed only its timing or thresholds keep their state and go on with the
     * new timing; removed ones stop at once (a check in flight is ignored); new ones (and origins now
     * probed differently) start UNKNOWN and are checked at once, so that they are answered unchecked
     * (with {@code unknown_is_up}) for one check at most rather than until their first periodic check.
     */
    public void sync(Collection<CheckTarget> targets) {
        List<CheckTarget> copy = List.copyOf(targets);
        context.runOnContext(v -> doSync(copy));
    }

    /** Drains from {@code admin-state.yaml}, replacing the file's previous ones. */
    public void fileDrains(List<Drain> fileDrains) {
        List<Drain> copy = List.copyOf(fileDrains);
        context.runOnContext(v -> {
            drains.file(copy);
            publish();
        });
    }

    /**
     * Keeps the API's drains in {@code store}: loads them now (blocking: call it at start, before any
     * API call), and writes them after each change. A store that cannot be read is reported and replaced
     * at the next change.
     */
    public void persistDrainsTo(DrainStore store) {
        List<Drain> loaded;
        try {
            loaded = store.load();
            if (!loaded.isEmpty()) {
                LOG.info("drain: " + loaded.size() + " API drains restored from " + store.file() + ": "
                        + loaded.stream().map(Drain::selector).toList());
            }
        } catch (java.io.IOException e) {
            LOG.warning("drain: API drains not restored: " + e.getMessage() + " (the file is replaced at the next"
                    + " API drain)");
            loaded = List.of();
        }
        List<Drain> restored = loaded;
        context.runOnContext(v -> {
            this.store = store;
            drains.api(restored);
            publish();
        });
    }

    /** Drains {@code selector} through the API ({@code reason} may be null; {@code by}: who asked). */
    public Future<DrainChange> drain(String selector, String reason, String by) {
        return change(selector, true, reason, by);
    }

    /**
     * Undrains {@code selector} through the API, unless the file drains it or the API drains its pool
     * (409). Only the API's drain of this very selector is removed: drains of single origins of a pool
     * stay when the pool is undrained.
     */
    public Future<DrainChange> undrain(String selector, String by) {
        return change(selector, false, null, by);
    }

    private Future<DrainChange> change(String selector, boolean drain, String reason, String by) {
        Promise<DrainChange> p = Promise.promise();
        context.runOnContext(v -> {
            List<String> keys = checked.keySet().stream().filter(k -> matches(selector, k)).toList();
            if (keys.isEmpty()) {
                p.complete(new DrainChange(404, "no origin matches " + selector, false, List.of(), persisted));
                return;
            }
            boolean changed;
            if (drain) {
                Drain before = drains.putApi(Drain.api(selector, reason, by, Instant.now()));
                changed = true;
                LOG.info("drain: " + selector + " drained through the admin API by " + by
                        + (reason == null ? "" : " (reason: " + reason + ")") + ": " + keys.size() + " origins"
                        + (before != null ? " (already drained by " + before.by() + " at " + before.at() + ")" : ""));
            } else {
                String conflict = drains.undrainConflict(selector);
                if (conflict != null) {
                    LOG.info("drain: undrain of " + selector + " by " + by + " refused: " + conflict);
                    p.complete(new DrainChange(409, conflict, false, state(keys), persisted));
                    return;
                }
                changed = drains.removeApi(selector) != null;
                LOG.info("drain: " + selector + (changed ? " undrained through the admin API by " + by
                        : " undrain by " + by + ": it was not drained through the API") + ": " + keys.size()
                        + " origins" + (keys.stream().anyMatch(drains::drained) ? ", some still drained by "
                        + keys.stream().flatMap(k -> drains.covering(k).stream()).distinct().map(Drain::describe)
                        .toList() : ""));
            }
            publish();
            if (!changed || store == null) {
                p.complete(new DrainChange(200, null, changed, state(keys), store != null && persisted));
                return;
            }
            List<Drain> snapshot = drains.api();
            DrainStore s = store;
            vertx.<Void>executeBlocking(() -> {
                s.save(snapshot);
                return null;
            }, true).onComplete(ar -> {
                if (ar.failed()) {
                    LOG.warning("drain: API drains not persisted to " + s.file() + " (" + ar.cause()
                            + "): they apply now, but a restart loses them");
                } else if (!persisted) {
                    LOG.info("drain: API drains persisted to " + s.file() + " again");
                }
                persisted = ar.succeeded();
                p.complete(new DrainChange(200, null, true, state(keys), persisted));
            });
        });
        return p.future();
    }

    private List<OriginDrains> state(List<String> keys) {
        return keys.stream().map(k -> new OriginDrains(k, drains.drained(k), drains.covering(k))).toList();
    }

    /** Every origin's status, gathered on the checker's event loop. */
    public Future<List<OriginStatus>> status() {
        Promise<List<OriginStatus>> p = Promise.promise();
        context.runOnContext(v -> {
            if (publishPending && !closed) {
                publish(); // what this reports is what DNS answers from, never ahead of it
            }
            List<OriginStatus> out = new ArrayList<>();
            for (Checked c : checked.values()) {
                out.add(c.status(drains.covering(c.target.key())));
            }
            p.complete(out);
        });
        return p.future();
    }

    static boolean matches(String selector, String key) {
        return key.equals(selector) || key.startsWith(selector + "/");
    }

    private void doSync(List<CheckTarget> targets) {
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
            publish();
        }
        runFirstChecks();
        warnUnmatchedApiDrains();
    }

    /** A persisted API drain whose pool is gone stays (it applies again if the pool comes back): say so. */
    private void warnUnmatchedApiDrains() {
        Set<String> now = new HashSet<>();
        for (Drain d : Drains.unmatched(drains.api(), checked.keySet())) {
            now.add(d.selector());
            if (!unmatchedApiDrains.contains(d.selector())) {
                LOG.warning("drain: API drain of " + d.selector() + " (by " + d.by() + " at " + d.at()
                        + ") matches no served pool or origin; kept, it applies again if one comes back");
            }
        }
        for (String s : unmatchedApiDrains) {
            if (!now.contains(s)) {
                LOG.info("drain: API drain of " + s + " applies again");
            }
        }
        unmatchedApiDrains = now;
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

    /**
     * Publishes within {@link #PUBLISH_COALESCE_MS}: thousands of origins get their verdicts in the same
     * second at start-up, and one view per verdict would cost O(origins²).
     */
    private void publishSoon() {
        if (!publishPending) {
            publishPending = true;
            vertx.setTimer(PUBLISH_COALESCE_MS, id -> {
                if (publishPending && !closed) {
                    publish();
                }
            });
        }
    }

    private void publish() {
        publishPending = false;
        Map<String, HealthView.OriginHealth> m = new HashMap<>(checked.size() * 2);
        Map<String, String> why = new HashMap<>();
        for (Checked c : checked.values()) {
            List<Drain> by = drains.covering(c.target.key());
            m.put(c.target.key(), c.health(!by.isEmpty()));
            if (!by.isEmpty()) {
                why.put(c.target.key(), String.join("; ", by.stream().map(Drain::describe).toList()));
            }
        }
        HealthView next = new HealthView(m, unknownIsUp, ttlFloorSeconds, why);
        view.set(next);
        for (Listener l : listeners) {
            l.published(next);
        }
    }

    @Override
    public void close() {
        context.runOnContext(v -> {
            closed = true;
            checked.values().forEach(Checked::stop);
            checked.clear();
            firstChecks.clear();
            probes.close();
        });
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
                f = target.monitor().probe().check(probes, target);
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
            for (Listener l : listeners) {
                l.checked(target.key(), r);
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
            if (state != before || streak != streakBefore) {
                publishSoon(); // the verdict or the time it could next change moved
            }
        }

        HealthView.OriginHealth health(boolean drained) {
            MonitorSpec m = target.monitor();
            if (m == null) {
                return new HealthView.OriginHealth(HealthView.State.UP, drained, false, 0, 0, 1, 1, 0);
            }
            return new HealthView.OriginHealth(state, drained, true, m.interval().toNanos(), phaseNanos, m.rise(),
                    m.fall(), streak);
        }

        OriginStatus status(List<Drain> drainedBy) {
            MonitorSpec m = target.monitor();
            return new OriginStatus(target.key(), Addresses.format(target.address()),
                    Addresses.format(target.checkAddress()), m == null ? null : m.name(), state, since,
                    !drainedBy.isEmpty(), lastResult, lastLatencyMillis, lastCheck, checks, failures, drainedBy);
        }
    }

    private static String name(HealthView.State s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }
}
