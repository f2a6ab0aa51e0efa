package dev.geosteer.health;

import io.vertx.core.Context;

import java.util.List;

/**
 * Where origins' verdicts come from, for the {@link HealthState}. The {@link LocalChecker} is the first:
 * it checks every origin from here. A combiner of several vantage points (e.g. a quorum of the verdicts
 * other instances publish, falling back to the local one) is a VerdictSource too, wrapping the local
 * checker and a source of remote verdicts: the state and the checker need not change for it.
 *
 * <p>Every method is called on the health loop (the HealthState's event loop); a source fed from
 * another thread hops onto that loop before its verdicts change.
 */
public interface VerdictSource {
    /**
     * Called once, first: the loop, and what to call (on it) whenever a verdict changes in a way the
     * answers see (its state, or when it could next change). The call may be coalesced.
     */
    void attach(Context loop, Runnable changed);

    /**
     * The origins to judge, replacing the previous set (at each reload): unchanged targets keep their
     * verdicts, removed ones are forgotten at once. After it returns, {@link #verdict} knows every target.
     */
    void sync(List<CheckTarget> targets);

    /** The verdict of a synced origin ({@code zone/pool/origin}) now, or null for an origin not synced. */
    Verdict verdict(String key);

    /** No more checks, no more changes. */
    void close();
}
