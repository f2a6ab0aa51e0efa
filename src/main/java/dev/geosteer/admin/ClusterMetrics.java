package dev.geosteer.admin;

import dev.geosteer.cluster.ClusterVerdicts;
import dev.geosteer.cluster.Fleet;
import dev.geosteer.health.HealthView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fleet's metrics: connected or not, local verdicts only or not, live members, the configuration revision
 * served, and per origin how many of the vantage points that count say down ({@code geosteer_origin_up} is the
 * effective verdict).
 * Gauges read the fleet when scraped; the per-origin rows are registered again only when the set of origins
 * changes.
 */
public final class ClusterMetrics implements dev.geosteer.health.HealthState.Listener {
    private final Fleet fleet;
    private final MultiGauge down;
    private Set<String> registered = Set.of();

    public ClusterMetrics(MeterRegistry registry, Fleet fleet) {
        this.fleet = fleet;
        Gauge.builder("geosteer_cluster_connected", fleet, f -> f.view().state().connected() ? 1 : 0)
                .description("1 while etcd answers and this node's lease holds").register(registry);
        Gauge.builder("geosteer_cluster_local_only", fleet, f -> f.view().state().localOnly() ? 1 : 0)
                .description("1 once etcd has been lost for longer than the grace period: local verdicts only")
                .register(registry);
        Gauge.builder("geosteer_cluster_members", fleet, f -> f.view().members().size())
                .description("Live members seen in etcd, this node included").register(registry);
        Gauge.builder("geosteer_cluster_config_revision", fleet, Fleet::servingRevision).description("etcd revision of the configuration set this node serves (0: its own files)").register(registry);
        Gauge.builder("geosteer_cluster_config_from_cache", fleet, f -> f.servingFromCache() ? 1 : 0)
                .description("1 while the configuration set served is this node's local copy, not yet confirmed by etcd")
                .register(registry);
        // One row per origin only: geosteer_origin_up is the effective verdict already, and every row costs each
        // scrape (5 000 origins: 10 000 health rows before these); /api/v1/cluster has the rest per origin.
        down = MultiGauge.builder("geosteer_cluster_origin_vantage_points_down")
                .description("Vantage points that count and say the origin is down").register(registry);
    }

    /** Registers the per-origin rows again when the monitored origins changed (on the health loop). */
    @Override
    public void published(HealthView view) {
        Map<String, ClusterVerdicts.Decision> decisions = fleet.verdicts().decisions();
        Set<String> keys = new HashSet<>();
        view.all().forEach((k, h) -> {
            if (h.monitored()) {
                keys.add(k);
            }
        });
        if (!keys.equals(registered)) {
            List<MultiGauge.Row<?>> d = new ArrayList<>();
            for (String key : keys) {
                d.add(MultiGauge.Row.of(HealthMetrics.tags(key), decisions, m -> {
                    ClusterVerdicts.Decision x = m.get(key);
                    return x == null ? Double.NaN : x.effective().down();
                }));
            }
            down.register(d, true);
            registered = keys;
        }
    }
}
