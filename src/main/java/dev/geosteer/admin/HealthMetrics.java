package dev.geosteer.admin;

import dev.geosteer.health.CheckResult;
import dev.geosteer.health.HealthState;
import dev.geosteer.health.LocalChecker;
import dev.geosteer.health.HealthView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Health metrics: a 0/1 gauge per origin, check latency, failures by reason class, transitions. */
public final class HealthMetrics implements LocalChecker.Listener, HealthState.Listener {
    private final MeterRegistry registry;
    private final MultiGauge up;
    private final MultiGauge drained;
    private final Timer latency;
    private volatile HealthView current = new HealthView(Map.of(), true, 0);
    private Set<String> registeredKeys = Set.of();

    public HealthMetrics(MeterRegistry registry) {
        this.registry = registry;
        up = MultiGauge.builder("geosteer_origin_up").description("1 when the origin is answered-eligible by health "
                + "(up, or not judged yet when unknown_is_up), 0 when down").register(registry);
        drained = MultiGauge.builder("geosteer_origin_drained").description("1 when the origin is drained by hand")
                .register(registry);
        latency = Timer.builder("geosteer_health_check_duration").description("Duration of health checks")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    }

    @Override
    public void checked(String key, CheckResult r) {
        latency.record(r.latencyNanos(), TimeUnit.NANOSECONDS);
        if (!r.ok()) {
            Counter.builder("geosteer_health_check_failures").description("Failed health checks by reason")
                    .tag("reason", reasonClass(r.detail())).register(registry).increment();
        }
    }

    @Override
    public void changed(String key, HealthView.State from, HealthView.State to, String reason) {
        Counter.builder("geosteer_health_transitions").description("Origin state changes")
                .tag("from", from.name().toLowerCase(Locale.ROOT)).tag("to", to.name().toLowerCase(Locale.ROOT))
                .register(registry).increment();
    }

    /**
     * The gauges read the latest view when scraped; their rows are registered again only when the set
     * of origins changes (a reload), not on every verdict: re-registering thousands of rows per
     * verdict would cost more than the checks.
     */
    @Override
    public void published(HealthView view) {
        current = view;
        Set<String> keys = view.all().keySet();
        if (keys.equals(registeredKeys)) {
            return;
        }
        List<MultiGauge.Row<?>> ups = new ArrayList<>();
        List<MultiGauge.Row<?>> drains = new ArrayList<>();
        for (String key : keys) {
            Tags tags = tags(key);
            ups.add(MultiGauge.Row.of(tags, this, m -> m.current.healthy(key) ? 1 : 0));
            drains.add(MultiGauge.Row.of(tags, this, m -> m.current.drained(key) ? 1 : 0));
        }
        up.register(ups, true);
        drained.register(drains, true);
        registeredKeys = new java.util.HashSet<>(keys); // not Set.copyOf: see HealthView
    }

    /** {@code zone/pool/origin} as labels. */
    static Tags tags(String key) {
        String[] p = key.split("/", 3);
        return Tags.of("zone", p[0], "pool", p.length > 1 ? p[1] : "", "origin", p.length > 2 ? p[2] : "");
    }

    /** Failure reasons folded into a few classes, so that label values stay bounded. */
    static String reasonClass(String detail) {
        if (detail.startsWith("HTTP ")) {
            return "http_" + detail.charAt(5) + "xx";
        }
        if (detail.startsWith("timeout")) {
            return "timeout";
        }
        if (detail.startsWith("connect refused")) {
            return "connect_refused";
        }
        if (detail.startsWith("body mismatch")) {
            return "body_mismatch";
        }
        if (detail.startsWith("TLS")) {
            return "tls";
        }
        if (detail.startsWith("connection reset") || detail.startsWith("connection closed")) {
            return "reset";
        }
        return "other";
    }
}
