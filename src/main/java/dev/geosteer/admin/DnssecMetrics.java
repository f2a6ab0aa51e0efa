package dev.geosteer.admin;

import dev.geosteer.dnssec.SignatureStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Instant;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Signing as metrics: RRSIGs made and reused, the steered RRSIG cache, the next re-sign. */
public final class DnssecMetrics {
    private DnssecMetrics() {
    }

    public static void register(MeterRegistry registry, SignatureStats sig, LongSupplier cacheEntries,
                                Supplier<Instant> nextResign) {
        FunctionCounter.builder("geosteer_dnssec_signatures", sig, x -> x.signatures.sum())
                .description("RRSIGs made (at load, and for steered RRsets on first use)").register(registry);
        FunctionCounter.builder("geosteer_dnssec_signatures_reused", sig, x -> x.reused.sum())
                .description("RRSIGs kept from a zone's previous version at a reload (RRset unchanged)").register(registry);
        FunctionCounter.builder("geosteer_dnssec_steered_cache_lookups", sig, x -> x.cacheHits.sum()).tag("result", "hit")
                .description("Steered RRsets answered with DO: RRSIGs found in the cache, or made").register(registry);
        FunctionCounter.builder("geosteer_dnssec_steered_cache_lookups", sig, x -> x.cacheMisses.sum()).tag("result", "miss")
                .description("Steered RRsets answered with DO: RRSIGs found in the cache, or made").register(registry);
        Gauge.builder("geosteer_dnssec_steered_cache_entries", cacheEntries, LongSupplier::getAsLong)
                .description("Steered RRsets whose RRSIGs are cached, all zones").register(registry);
        Gauge.builder("geosteer_dnssec_next_resign_timestamp_seconds", nextResign, s -> {
            Instant t = s.get();
            return t == null ? 0 : t.getEpochSecond();
        }).description("Unix time of the next re-sign (half of the validity, or a key's timing), 0 when none").register(registry);
    }
}
