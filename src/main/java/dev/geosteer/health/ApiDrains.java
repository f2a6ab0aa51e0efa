package dev.geosteer.health;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.io.IOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The admin API's drains: one per selector, with why, who and when, added and removed one at a time by
 * the {@link HealthState}, and kept in a {@link DrainStore} ({@code drains.json}) so that they survive a
 * restart. The API cannot undrain one origin of a pool it drains: the pool must be undrained as a whole.
 * Confined to the health loop, but for the constructor.
 */
public final class ApiDrains implements DrainSource {
    private static final Logger LOG = Logger.getLogger(ApiDrains.class.getName());

    private final DrainStore store;
    private final Map<String, Drain> bySelector = new LinkedHashMap<>();
    private List<Drain> drains = List.of();
    private Context loop;
    private boolean persisted = true;
    /** Drains whose pool or origin is not served now (warned once, until it is again). */
    private Set<String> unmatched = Set.of();

    /**
     * Restores the drains of {@code store} (null: kept in memory only). Blocking: call it at start. A
     * store that cannot be read is reported and replaced at the next change.
     */
    public ApiDrains(DrainStore store) {
        this.store = store;
        if (store == null) {
            return;
        }
        try {
            List<Drain> loaded = store.load();
            loaded.forEach(d -> bySelector.put(d.selector(), d));
            drains = List.copyOf(bySelector.values());
            if (!loaded.isEmpty()) {
                LOG.info("drain: " + loaded.size() + " API drains restored from " + store.file() + ": "
                        + loaded.stream().map(Drain::selector).toList());
            }
        } catch (IOException e) {
            LOG.warning("drain: API drains not restored: " + e.getMessage() + " (the file is replaced at the next"
                    + " API drain)");
        }
    }

    @Override
    public void attach(Context loop, Runnable changed) {
        this.loop = loop; // changes come through put and remove, which the state publishes itself
    }

    @Override
    public List<Drain> drains() {
        return drains;
    }

    /** Drains {@code d.selector()}; returns the drain it replaces, or null. */
    Drain put(Drain d) {
        Drain before = bySelector.put(d.selector(), d);
        drains = List.copyOf(bySelector.values());
        return before;
    }

    /** Removes the drain of exactly {@code selector}; returns it, or null when there was none. */
    Drain remove(String selector) {
        Drain removed = bySelector.remove(selector);
        drains = List.copyOf(bySelector.values());
        return removed;
    }

    @Override
    public String undrainRefusal(String selector) {
        for (Drain d : drains) {
            if (!d.selector().equals(selector) && d.covers(selector)) {
                return "its pool " + d.selector() + " is drained through the API (by " + d.by() + " at " + d.at()
                        + "): undrain the pool, then drain the origins that must stay out";
            }
        }
        return null;
    }

    /** Whether the drains are on disk as they are now. */
    boolean persisted() {
        return store != null && persisted;
    }

    /** Writes the drains as they are now to the store, on the loop's worker thread; completes when done. */
    Future<Void> save() {
        if (store == null) {
            return Future.succeededFuture();
        }
        List<Drain> snapshot = drains;
        return loop.<Void>executeBlocking(() -> {
            store.save(snapshot);
            return null;
        }, true).transform(ar -> {
            if (ar.failed()) {
                LOG.warning("drain: API drains not persisted to " + store.file() + " (" + ar.cause()
                        + "): they apply now, but a restart loses them");
            } else if (!persisted) {
                LOG.info("drain: API drains persisted to " + store.file() + " again");
            }
            persisted = ar.succeeded();
            return Future.succeededFuture();
        });
    }

    /** A drain whose pool is gone stays (it applies again if the pool comes back): say so, once. */
    void served(Collection<String> keys) {
        Set<String> now = new HashSet<>();
        for (Drain d : drains) {
            if (keys.stream().noneMatch(d::covers)) {
                now.add(d.selector());
                if (!unmatched.contains(d.selector())) {
                    LOG.warning("drain: API drain of " + d.selector() + " (by " + d.by() + " at " + d.at()
                            + ") matches no served pool or origin; kept, it applies again if one comes back");
                }
            }
        }
        for (String s : unmatched) {
            if (!now.contains(s)) {
                LOG.info("drain: API drain of " + s + " applies again");
            }
        }
        unmatched = now;
    }
}
