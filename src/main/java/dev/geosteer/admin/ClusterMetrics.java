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
 * served, and per origin the effective verdict, the vantage points that count and how many of them say down.
 * Gauges read the fleet when scraped; the per-origin rows are registered again only when the set of origins
 * changes.
 */
public final class ClusterMetrics implements dev.geosteer.health.HealthState.Listener {
    private final Fleet fleet;
    private final MultiGauge effective;
    private final MultiGauge vantagePoints;
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
        effective = MultiGauge.builder("geosteer_cluster_origin_effective_up")
                .description("1 when the fleet's effective verdict on the origin is up, 0 when down").register(registry);
        vantagePoints = MultiGauge.builder("geosteer_cluster_origin_vantage_points")
                .description("Vantage points whose verdict on the origin counts now").register(registry);
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
            List<MultiGauge.Row<?>> e = new ArrayList<>();
            List<MultiGauge.Row<?>> vp = new ArrayList<>();
            List<MultiGauge.Row<?>> d = new ArrayList<>();
            for (String key : keys) {
                Tags tags = HealthMetrics.tags(key);
                e.add(MultiGauge.Row.of(tags, decisions, m -> {
                    ClusterVerdicts.Decision x = m.get(key);
                    return x == null ? Double.NaN : x.state() == HealthView.State.DOWN ? 0 : 1;
                }));
                vp.add(MultiGauge.Row.of(tags, decisions, m -> {
                    ClusterVerdicts.Decision x = m.get(key);
                    return x == null ? Double.NaN : x.effective().vantagePoints();
                }));
                d.add(MultiGauge.Row.of(tags, decisions, m -> {
                    ClusterVerdicts.Decision x = m.get(key);
                    return x == null ? Double.NaN : x.effective().down();
                }));
            }
            effective.register(e, true);
            vantagePoints.register(vp, true);
            down.register(d, true);
            registered = keys;
        }
    }
}
