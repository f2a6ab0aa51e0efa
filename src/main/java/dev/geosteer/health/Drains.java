package dev.geosteer.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drains in force, from both sources: {@code admin-state.yaml} (replaced whole on each read of the
 * file) and the admin API (one drain per selector, added and removed one at a time). An origin is
 * drained while a drain of either source covers it. The rules of what the API may undrain live here.
 * Confined to the checker's event loop.
 */
final class Drains {
    private List<Drain> file = List.of();
    private final Map<String, Drain> api = new LinkedHashMap<>();

    void file(List<Drain> drains) {
        file = List.copyOf(drains);
    }

    /** The API's drains, in the order they were made. */
    List<Drain> api() {
        return List.copyOf(api.values());
    }

    void api(List<Drain> drains) {
        api.clear();
        drains.forEach(d -> api.put(d.selector(), d));
    }

    Drain putApi(Drain d) {
        return api.put(d.selector(), d);
    }

    Drain removeApi(String selector) {
        return api.remove(selector);
    }

    /** Every drain that covers {@code key}, the file's first. */
    List<Drain> covering(String key) {
        List<Drain> out = new ArrayList<>(1);
        for (Drain d : file) {
            if (d.covers(key)) {
                out.add(d);
            }
        }
        for (Drain d : api.values()) {
            if (d.covers(key)) {
                out.add(d);
            }
        }
        return out;
    }

    boolean drained(String key) {
        for (Drain d : file) {
            if (d.covers(key)) {
                return true;
            }
        }
        for (Drain d : api.values()) {
            if (d.covers(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why the API may not undrain {@code selector}, in one line, or null when it may: the file drains it
     * (or its pool), which only an edit of the file undoes; or the API drains its pool, which must be
     * undrained as a whole.
     */
    String undrainConflict(String selector) {
        for (Drain d : file) {
            if (d.covers(selector)) {
                return selector + " is drained by " + d.file() + " (selector '" + d.written()
                        + "'): remove that line from the file to undrain it";
            }
        }
        for (Drain d : api.values()) {
            if (!d.selector().equals(selector) && d.covers(selector)) {
                return "its pool " + d.selector() + " is drained through the API (by " + d.by() + " at " + d.at()
                        + "): undrain the pool, then drain the origins that must stay out";
            }
        }
        return null;
    }

    /** The drains that match nothing in {@code keys} (their pool or origin is not served now). */
    static List<Drain> unmatched(List<Drain> drains, java.util.Collection<String> keys) {
        List<Drain> out = new ArrayList<>();
        for (Drain d : drains) {
            if (keys.stream().noneMatch(d::covers)) {
                out.add(d);
            }
        }
        return out;
    }
}
