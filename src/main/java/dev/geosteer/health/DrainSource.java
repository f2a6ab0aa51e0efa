package dev.geosteer.health;

import io.vertx.core.Context;

import java.util.List;

/**
 * Where drains come from, for the {@link HealthState}: {@code admin-state.yaml} ({@link AdminStateFile})
 * and the admin API ({@link ApiDrains}) today. An origin is drained while a drain of any source covers
 * it. Each source also says what of its drains the API may not undo ({@link #undrainRefusal}): the rules
 * of the drain model are the sources'.
 *
 * <p>Every method is called on the health loop; a source fed from another thread hops onto it.
 */
public interface DrainSource {
    /** Called once, first: the loop, and what to call (on it) whenever {@link #drains} changes. */
    void attach(Context loop, Runnable changed);

    /** This source's drains in force, in their order (immutable). */
    List<Drain> drains();

    /**
     * Why the admin API may not undrain {@code selector} because of this source's drains, in one line
     * (what holds it and how to lift it), or null when this source does not stand in the way.
     */
    String undrainRefusal(String selector);
}
