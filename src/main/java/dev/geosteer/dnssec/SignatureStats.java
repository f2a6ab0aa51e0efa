package dev.geosteer.dnssec;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the signing, shared by every zone of a server (read by the metrics and the status).
 * Thread-safe; incremented from event loops (steered answers) and the signing threads (loads).
 */
public final class SignatureStats {
    /** RRSIGs made, at load and per steered RRset. */
    public final LongAdder signatures = new LongAdder();
    /** Steered RRsets whose RRSIGs came from the cache. */
    public final LongAdder cacheHits = new LongAdder();
    /** Steered RRsets signed because the cache had no RRSIG for them. */
    public final LongAdder cacheMisses = new LongAdder();
    /** RRSIGs kept from the previous version of a zone at a reload (its RRset unchanged). */
    public final LongAdder reused = new LongAdder();
}
