package dev.geosteer.cluster;

import dev.geosteer.health.Drain;
import dev.geosteer.health.SharedDrains;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fleet's drains for the health state: what is under {@code drains/} in etcd, the same on every instance,
 * made and lifted through any instance's admin API ({@link SharedDrains}). They have no lease: they outlive
 * every instance, and an instance that starts reads them before it answers. Confined to the health loop; the
 * cluster's listener calls hop onto it.
 */
public final class ClusterDrains implements SharedDrains, EtcdCluster.Listener {
    /** The {@link Drain#source()} of these drains. */
    public static final String SOURCE = "cluster";

    private final EtcdCluster cluster;
    private Context loop;
    private Runnable changed = () -> { };
    private final Map<String, Drain> bySelector = new TreeMap<>();
    private List<Drain> drains = List.of();

    public ClusterDrains(EtcdCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public void attach(Context loop, Runnable changed) {
        this.loop = loop;
        this.changed = changed;
        cluster.addListener(this);
    }

    @Override
    public List<Drain> drains() {
        return drains;
    }

    @Override
    public String undrainRefusal(String selector) {
        for (Drain d : drains) {
            if (!d.selector().equals(selector) && d.covers(selector)) {
                return "its pool " + d.selector() + " is drained on every instance (etcd, by " + d.by() + " at "
                        + d.at() + "): undrain the pool, then drain the origins that must stay out";
            }
        }
        return null;
    }

    @Override
    public Future<Void> drain(Drain d) {
        Promise<Void> p = Promise.promise();
        cluster.drain(d.selector(), d.reason(), d.by()).whenComplete((r, e) -> loop.runOnContext(v -> {
            if (e != null) {
                p.fail(cluster.describe(e));
                return;
            }
            bySelector.put(d.selector(), of(d.selector(), new dev.geosteer.cluster.Drain(
                    d.reason() == null ? "" : d.reason(), d.by(), d.at() == null ? Instant.now() : d.at())));
            drains = List.copyOf(bySelector.values());
            p.complete();
        }));
        return p.future();
    }

    @Override
    public Future<Void> undrain(String selector) {
        Promise<Void> p = Promise.promise();
        cluster.undrain(selector).whenComplete((r, e) -> loop.runOnContext(v -> {
            if (e != null) {
                p.fail(cluster.describe(e));
                return;
            }
            bySelector.keySet().removeIf(s -> Drain.matches(selector, s));
            drains = List.copyOf(bySelector.values());
            p.complete();
        }));
        return p.future();
    }

    @Override
    public String where() {
        return "etcd";
    }

    @Override
    public void drainsChanged(Map<String, dev.geosteer.cluster.Drain> all) {
        Context l = loop;
        if (l == null) {
            return;
        }
        List<Drain> next = new ArrayList<>(all.size());
        all.forEach((selector, d) -> next.add(of(selector, d)));
        l.runOnContext(v -> {
            bySelector.clear();
            next.forEach(d -> bySelector.put(d.selector(), d));
            drains = List.copyOf(bySelector.values());
            changed.run();
        });
    }

    private static Drain of(String selector, dev.geosteer.cluster.Drain d) {
        return new Drain(SOURCE, selector, selector, null, d.reason() == null || d.reason().isEmpty() ? null
                : d.reason(), d.by(), d.at());
    }
}
