package dev.geosteer.cluster;

import dev.geosteer.health.Drain;
import dev.geosteer.health.DrainStore;
import dev.geosteer.health.SharedDrains;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * The fleet's drains for the health state: what is under {@code drains/} in etcd, the same on every instance,
 * made and lifted through any instance's admin API ({@link SharedDrains}). They have no lease: they outlive
 * every instance, and an instance that starts reads them before it answers. Confined to the health loop; the
 * cluster's listener calls hop onto it.
 *
 * <p>The drains last seen in etcd are kept on this machine ({@code <state_dir>/}{@value #CACHE}, written on the
 * health loop's worker thread at each change): an instance that starts while etcd is unreachable applies them
 * until etcd answers, and from then on etcd's drains replace them ({@link #fromCache()} says which).
 */
public final class ClusterDrains implements SharedDrains, EtcdCluster.Listener {
    private static final Logger LOG = Logger.getLogger(ClusterDrains.class.getName());
    /** The {@link Drain#source()} of these drains. */
    public static final String SOURCE = "cluster";
    /** The local copy of the fleet's drains, in {@code state_dir}. */
    public static final String CACHE = "cluster-drains.json";

    private final EtcdCluster cluster;
    private final DrainStore cache;
    private Context loop;
    private Runnable changed = () -> { };
    private final Map<String, Drain> bySelector = new TreeMap<>();
    private volatile List<Drain> drains = List.of();
    /** etcd has not been read since start: the drains are the local copy's. */
    private volatile boolean fromCache = true;
    private List<Drain> saved;
    private boolean saveFailed;

    /** Without a local copy (tests of the cluster alone). */
    public ClusterDrains(EtcdCluster cluster) {
        this(cluster, null);
    }

    /** {@code cache}: where the drains last seen in etcd are kept; read back now. */
    public ClusterDrains(EtcdCluster cluster, DrainStore cache) {
        this.cluster = cluster;
        this.cache = cache;
        if (cache == null) {
            return;
        }
        try {
            List<Drain> kept = cache.load();
            kept.forEach(d -> bySelector.put(d.selector(), new Drain(SOURCE, d.selector(), d.selector(), null,
                    d.reason(), d.by(), d.at())));
            drains = List.copyOf(bySelector.values());
            saved = drains;
            if (!drains.isEmpty()) {
                LOG.info("cluster: until etcd answers, the fleet's drains as last seen in etcd, from " + cache.file()
                        + ": " + drains.stream().map(Drain::selector).toList());
            }
        } catch (IOException e) {
            LOG.warning("cluster: the local copy of the fleet's drains is not used (" + e.getMessage()
                    + "): no fleet drain applies until etcd answers");
        }
    }

    /** No answer from etcd yet since start: the drains in force are the local copy of the last ones seen. */
    public boolean fromCache() {
        return fromCache;
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
            if (fromCache && !next.equals(drains)) {
                LOG.info("cluster: etcd answers: its drains " + next.stream().map(Drain::selector).toList()
                        + " replace the local copy's " + drains.stream().map(Drain::selector).toList());
            }
            fromCache = false;
            bySelector.clear();
            next.forEach(d -> bySelector.put(d.selector(), d));
            drains = List.copyOf(bySelector.values());
            changed.run();
            save();
        });
    }

    /** Keeps the drains as etcd has them on disk, on the loop's worker thread, when they changed. */
    private void save() {
        List<Drain> snapshot = drains;
        if (cache == null || snapshot.equals(saved)) {
            return;
        }
        saved = snapshot;
        loop.<Void>executeBlocking(() -> {
            cache.save(snapshot);
            return null;
        }, true).onComplete(ar -> {
            if (ar.failed()) {
                saved = null; // try again at the next change
                if (!saveFailed) {
                    LOG.warning("cluster: the fleet's drains not kept in " + cache.file() + " (" + ar.cause()
                            + "): they apply, but an instance restarted while etcd is unreachable would not know them");
                }
            } else if (saveFailed) {
                LOG.info("cluster: the fleet's drains kept in " + cache.file() + " again");
            }
            saveFailed = ar.failed();
        });
    }

    private static Drain of(String selector, dev.geosteer.cluster.Drain d) {
        return new Drain(SOURCE, selector, selector, null, d.reason() == null || d.reason().isEmpty() ? null
                : d.reason(), d.by(), d.at());
    }
}
