package dev.geosteer.query;

import org.xbill.DNS.Name;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** The zones served, immutable: a new instance is published on every reload. */
public final class ServedZones {
    public static final ServedZones EMPTY = new ServedZones(Map.of());

    /** Up to this many zones, {@link #find} compares the name with each origin instead of hashing suffixes. */
    private static final int SCAN_MAX = 16;

    private final Map<Name, ServedZone> byOrigin;
    private final int minLabels;
    private final int maxLabels;
    /** The zones, deepest origin first, when there are at most {@link #SCAN_MAX}; else null. */
    private final ServedZone[] scan;

    public ServedZones(Map<Name, ServedZone> byOrigin) {
        this.byOrigin = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(byOrigin)); // spread hashes (see HealthView)
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (Name n : byOrigin.keySet()) {
            min = Math.min(min, n.labels());
            max = Math.max(max, n.labels());
        }
        this.minLabels = min;
        this.maxLabels = max;
        if (byOrigin.size() <= SCAN_MAX) {
            scan = byOrigin.values().toArray(new ServedZone[0]);
            java.util.Arrays.sort(scan, java.util.Comparator.comparingInt(z -> -z.zone().origin().labels()));
        } else {
            scan = null;
        }
    }

    /** The most specific served zone containing {@code name}, or null. */
    public ServedZone find(Name name) {
        if (scan != null) {
            // a few zones: no suffix Name made per query (each was a Name and its array: ~60 B, bench/answer-cost.sh)
            for (ServedZone z : scan) {
                if (name.subdomain(z.zone().origin())) {
                    return z; // the deepest first: the most specific
                }
            }
            return null;
        }
        int labels = name.labels();
        for (int strip = Math.max(0, labels - maxLabels); labels - strip >= minLabels; strip++) {
            ServedZone z = byOrigin.get(strip == 0 ? name : new Name(name, strip));
            if (z != null) {
                return z;
            }
        }
        return null;
    }

    /** The zone strictly above {@code origin} that contains it (the parent side of a cut), or null. */
    public ServedZone findParent(Name origin) {
        return origin.labels() > 1 ? find(new Name(origin, 1)) : null;
    }

    public ServedZone get(Name origin) {
        return byOrigin.get(origin);
    }

    public Collection<ServedZone> all() {
        return byOrigin.values();
    }

    public ServedZones with(ServedZone zone) {
        Map<Name, ServedZone> m = new HashMap<>(byOrigin);
        m.put(zone.zone().origin(), zone);
        return new ServedZones(m);
    }

    public ServedZones without(Name origin) {
        Map<Name, ServedZone> m = new HashMap<>(byOrigin);
        m.remove(origin);
        return new ServedZones(m);
    }

    /** The health targets of every steered origin of every zone. */
    public java.util.List<dev.geosteer.health.CheckTarget> targets() {
        java.util.List<dev.geosteer.health.CheckTarget> out = new java.util.ArrayList<>();
        for (ServedZone z : byOrigin.values()) {
            if (z.steering() != null) {
                out.addAll(z.steering().targets());
            }
        }
        return out;
    }

    public int size() {
        return byOrigin.size();
    }
}
