package dev.geosteer.health;

import java.time.Instant;

/**
 * One drain: a selector ({@code zone/pool} or {@code zone/pool/origin}, zone with its trailing dot) taken
 * out of service by a {@link DrainSource}: {@code zones/admin-state.yaml} ({@link #FILE}, with the file and
 * the selector as written there) or the admin API ({@link #API}, with why, who and when). An origin is
 * drained while any drain of any source matches it, directly or through its pool.
 */
public record Drain(String source, String selector, String written, String file, String reason, String by,
                    Instant at) {
    public static final String FILE = "file";
    public static final String API = "api";

    public static Drain file(String selector, String written, String file) {
        return new Drain(FILE, selector, written, file, null, null, null);
    }

    public static Drain api(String selector, String reason, String by, Instant at) {
        return new Drain(API, selector, selector, null, reason, by, at);
    }

    /** Does this drain take {@code key} (an origin, or a pool) out of service? */
    public boolean covers(String key) {
        return matches(selector, key);
    }

    /** Does {@code selector} ({@code zone/pool} or {@code zone/pool/origin}) name {@code key} or contain it? */
    public static boolean matches(String selector, String key) {
        return key.equals(selector) || key.startsWith(selector + "/");
    }

    /**
     * One line, e.g. {@code file zones/admin-state.yaml: example.test/eu} or
     * {@code api example.test./eu by alice at 2026-11-27T22:41:07Z: kernel upgrade} (any other source alike).
     */
    public String describe() {
        if (source.equals(FILE)) {
            return "file " + file + ": " + written;
        }
        return source + " " + selector + (by == null ? "" : " by " + by) + (at == null ? "" : " at " + at)
                + (reason == null ? "" : ": " + reason);
    }
}
