package dev.geosteer.admin;

import dev.geosteer.catalog.LoadResult;
import dev.geosteer.catalog.ReloadStatus;
import dev.geosteer.catalog.Reloader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Reloading as metrics: passes that changed something or failed, files refused, zones served. */
public final class ReloadMetrics implements Reloader.PassListener {
    private final Counter ok;
    private final Counter failed;

    public ReloadMetrics(MeterRegistry registry, Reloader reloader) {
        ok = reloads(registry, "ok");
        failed = reloads(registry, "failed");
        Gauge.builder("geosteer_zones", reloader, r -> r.current().zones().size())
                .description("Zones served").register(registry);
        Gauge.builder("geosteer_last_reload_success_timestamp_seconds", reloader,
                        r -> r.status().lastSuccessAt() == null ? 0 : r.status().lastSuccessAt().getEpochSecond())
                .description("Unix time of the last reload that applied a change without errors").register(registry);
        Gauge.builder("geosteer_reload_errors", reloader, r -> r.status().problems().size())
                .description("Files whose current version was refused (the previous version is served)").register(registry);
        Gauge.builder("geosteer_reload_pass_failing", reloader, r -> r.status().failure() == null ? 0 : 1)
                .description("1 while reload passes fail as a whole (nothing is reloaded)").register(registry);
        reloader.onPass(this);
    }

    private static Counter reloads(MeterRegistry registry, String result) {
        return Counter.builder("geosteer_reloads").description("Reload passes that changed something or found errors")
                .tag("result", result).register(registry);
    }

    @Override
    public void passed(LoadResult result, ReloadStatus status) {
        if (result.noteworthy()) {
            (result.errors().isEmpty() ? ok : failed).increment();
        }
    }

    @Override
    public void failed(Throwable cause, ReloadStatus status) {
        failed.increment();
    }
}
