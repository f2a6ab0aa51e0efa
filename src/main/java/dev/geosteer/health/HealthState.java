package dev.geosteer.health;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The health of every origin, from where verdicts come ({@link VerdictSource}: the local checker, or a
 * combination of vantage points) and where drains come from ({@link DrainSource}s: admin-state.yaml,
 * the admin API), published as one immutable {@link HealthView} for the answer path (coalesced: at most
 * one new view per {@link #PUBLISH_COALESCE_MS}, however many verdicts change). Answers the admin API's
 * questions (status, drain, undrain) on the same loop, so that what it reports is what DNS answers from.
 * Mutable state is touched only on the health loop; other threads call {@link #sync}, {@link #drain},
 * {@link #undrain}, {@link #status} and read {@link #view()}.
 */
public final class HealthState implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthState.class.getName());
    static final long PUBLISH_COALESCE_MS = 20;

    /** Told of every view published, on the health loop (metrics). */
    public interface Listener {
        void published(HealthView view);
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
    private final Context loop;
    private final VerdictSource verdicts;
    /** Every source, in the order their drains are listed: the others, then the API's. */
    private final List<DrainSource> drainSources;
    private final ApiDrains api;
    /** Where the API's drains go in a fleet (null: to {@link #api}, this instance's). */
    private final SharedDrains shared;
    private final boolean unknownIsUp;
    private final long ttlFloorSeconds;
    private final AtomicReference<HealthView> view;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private Map<String, CheckTarget> targets = Map.of();
    private boolean closed;
    private boolean publishPending;

    /**
     * @param vertx   its event loop is the health loop (give it one of its own: thousands of checks)
     * @param others  drain sources the API does not write (admin-state.yaml), listed before the API's
     * @param api     the drains the admin API makes and lifts
     */
    public HealthState(Vertx vertx, VerdictSource verdicts, List<DrainSource> others, ApiDrains api,
                       boolean unknownIsUp, long ttlFloorSeconds) {
        this(vertx, verdicts, others, api, null, unknownIsUp, ttlFloorSeconds);
    }

    /**
     * @param shared where the admin API's drains go (a fleet's, listed after {@code api}); null: to {@code api}.
     *               The API's drains restored from this instance's file still apply, and undraining through
     *               the API lifts them too.
     */
    public HealthState(Vertx vertx, VerdictSource verdicts, List<DrainSource> others, ApiDrains api,
                       SharedDrains shared, boolean unknownIsUp, long ttlFloorSeconds) {
        this.vertx = vertx;
        this.shared = shared;
        this.loop = vertx.getOrCreateContext();
        this.verdicts = verdicts;
        List<DrainSource> all = new ArrayList<>(others);
        all.add(api);
        if (shared != null) {
            all.add(shared);
        }
        this.drainSources = List.copyOf(all);
        this.api = api;
        this.unknownIsUp = unknownIsUp;
        this.ttlFloorSeconds = ttlFloorSeconds;
        this.view = new AtomicReference<>(new HealthView(Map.of(), unknownIsUp, ttlFloorSeconds));
        verdicts.attach(loop, this::publishSoon);
        drainSources.forEach(s -> s.attach(loop, this::drainsChanged));
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public HealthView view() {
        return view.get();
    }

    /** The origins of every served steering file, as they are now (at each reload); from any thread. */
    public void sync(Collection<CheckTarget> targets) {
        List<CheckTarget> copy = List.copyOf(targets);
        loop.runOnContext(v -> {
            if (closed) {
                return;
            }
            Map<String, CheckTarget> next = new LinkedHashMap<>();
            copy.forEach(t -> next.put(t.key(), t));
            boolean changed = !next.equals(this.targets);
            this.targets = next;
            verdicts.sync(List.copyOf(next.values()));
            if (changed) {
                publish();
            }
            api.served(next.keySet());
        });
    }

    /** Drains {@code selector} through the API ({@code reason} may be null; {@code by}: who asked). */
    public Future<DrainChange> drain(String selector, String reason, String by) {
        return change(selector, true, reason, by);
    }

    /**
     * Undrains {@code selector} through the API, unless a drain source refuses (409: the file drains it,
     * or the API drains its pool). Only the API's drain of this very selector is removed: drains of
     * single origins of a pool stay when the pool is undrained.
     */
    public Future<DrainChange> undrain(String selector, String by) {
        return change(selector, false, null, by);
    }

    private Future<DrainChange> change(String selector, boolean drain, String reason, String by) {
        Promise<DrainChange> p = Promise.promise();
        loop.runOnContext(v -> {
            List<String> keys = targets.keySet().stream().filter(k -> Drain.matches(selector, k)).toList();
            if (keys.isEmpty()) {
                p.complete(new DrainChange(404, "no origin matches " + selector, false, List.of(), api.persisted()));
                return;
            }
            if (shared != null) {
                changeShared(p, selector, keys, drain, reason, by);
                return;
            }
            boolean changed;
            if (drain) {
                Drain before = api.put(Drain.api(selector, reason, by, Instant.now()));
                changed = true;
                LOG.info("drain: " + selector + " drained through the admin API by " + by
                        + (reason == null ? "" : " (reason: " + reason + ")") + ": " + keys.size() + " origins"
                        + (before != null ? " (already drained by " + before.by() + " at " + before.at() + ")" : ""));
            } else {
                String refusal = undrainRefusal(selector);
                if (refusal != null) {
                    LOG.info("drain: undrain of " + selector + " by " + by + " refused: " + refusal);
                    p.complete(new DrainChange(409, refusal, false, state(keys), api.persisted()));
                    return;
                }
                changed = api.remove(selector) != null;
                LOG.info("drain: " + selector + (changed ? " undrained through the admin API by " + by
                        : " undrain by " + by + ": it was not drained through the API") + ": " + keys.size()
                        + " origins" + (keys.stream().anyMatch(k -> !covering(k).isEmpty()) ? ", some still drained by "
                        + keys.stream().flatMap(k -> covering(k).stream()).distinct().map(Drain::describe)
                        .toList() : ""));
            }
            publish();
            if (!changed) {
                p.complete(new DrainChange(200, null, false, state(keys), api.persisted()));
                return;
            }
            api.save().onComplete(ar -> p.complete(new DrainChange(200, null, true, state(keys), api.persisted())));
        });
        return p.future();
    }

    /**
     * A drain or undrain through the API in a fleet: stored where every instance reads it, applied here once
     * stored. When it cannot be stored nothing changes (503): a drain that half applies is worse than none.
     */
    private void changeShared(Promise<DrainChange> p, String selector, List<String> keys, boolean drain, String reason,
                              String by) {
        if (!drain) {
            String refusal = undrainRefusal(selector);
            if (refusal != null) {
                LOG.info("drain: undrain of " + selector + " by " + by + " refused: " + refusal);
                p.complete(new DrainChange(409, refusal, false, state(keys), true));
                return;
            }
        }
        Future<Void> stored = drain ? shared.drain(new Drain(shared.where(), selector, selector, null, reason, by,
                Instant.now())) : shared.undrain(selector);
        stored.onComplete(ar -> {
            if (closed) {
                p.complete(new DrainChange(503, "the server is stopping", false, state(keys), false));
                return;
            }
            if (ar.failed()) {
                String why = (drain ? "drain" : "undrain") + " of " + selector + " not stored in " + shared.where()
                        + ": " + ar.cause().getMessage() + "; nothing changed (zones/admin-state.yaml drains this"
                        + " instance alone)";
                LOG.warning("drain: " + why);
                p.complete(new DrainChange(503, why, false, state(keys), false));
                return;
            }
            LOG.info("drain: " + selector + (drain ? " drained" : " undrained") + " on every instance (" + shared.where()
                    + ") by " + by + (reason == null ? "" : " (reason: " + reason + ")") + ": " + keys.size()
                    + " origins here");
            boolean local = !drain && api.remove(selector) != null; // a drain of this instance from before
            publish();
            if (!local) {
                p.complete(new DrainChange(200, null, true, state(keys), true));
                return;
            }
            api.save().onComplete(x -> p.complete(new DrainChange(200, null, true, state(keys), api.persisted())));
        });
    }

    /** The first source's reason not to let the API undrain {@code selector} (sources in order), or null. */
    private String undrainRefusal(String selector) {
        for (DrainSource s : drainSources) {
            String refusal = s.undrainRefusal(selector);
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    private List<OriginDrains> state(List<String> keys) {
        return keys.stream().map(k -> {
            List<Drain> by = covering(k);
            return new OriginDrains(k, !by.isEmpty(), by);
        }).toList();
    }

    /** Every drain that covers {@code key}, source by source. */
    private List<Drain> covering(String key) {
        List<Drain> out = new ArrayList<>(1);
        for (DrainSource s : drainSources) {
            for (Drain d : s.drains()) {
                if (d.covers(key)) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    /** Every origin's status, gathered on the health loop. */
    public Future<List<OriginStatus>> status() {
        Promise<List<OriginStatus>> p = Promise.promise();
        loop.runOnContext(v -> {
            if (publishPending && !closed) {
                publish(); // what this reports is what DNS answers from, never ahead of it
            }
            List<OriginStatus> out = new ArrayList<>();
            for (CheckTarget t : targets.values()) {
                Verdict verdict = verdicts.verdict(t.key());
                if (verdict != null) {
                    out.add(status(t, verdict, covering(t.key())));
                }
            }
            p.complete(out);
        });
        return p.future();
    }

    private static OriginStatus status(CheckTarget t, Verdict v, List<Drain> drainedBy) {
        return new OriginStatus(t.key(), dev.geosteer.net.Addresses.format(t.address()),
                dev.geosteer.net.Addresses.format(t.checkAddress()), t.monitor() == null ? null : t.monitor().name(),
                v.state(), v.since(), !drainedBy.isEmpty(), v.lastResult(), v.lastLatencyMillis(), v.lastCheck(),
                v.checks(), v.failures(), drainedBy);
    }

    /** Drains apply at once: they change rarely, and by hand. */
    private void drainsChanged() {
        if (!closed) {
            publish();
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
        Map<String, HealthView.OriginHealth> m = new HashMap<>(targets.size() * 2);
        Map<String, String> why = new HashMap<>();
        for (String key : targets.keySet()) {
            Verdict v = verdicts.verdict(key);
            if (v == null) {
                continue;
            }
            List<Drain> by = covering(key);
            m.put(key, v.health(!by.isEmpty()));
            if (!by.isEmpty()) {
                why.put(key, String.join("; ", by.stream().map(Drain::describe).toList()));
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
        loop.runOnContext(v -> {
            closed = true;
            verdicts.close();
        });
    }
}
