package dev.geosteer.query;

import org.xbill.DNS.Name;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** The zones served, immutable: a new instance is published on every reload. */
public final class ServedZones {
    public static final ServedZones EMPTY = new ServedZones(Map.of());

    private final Map<Name, ServedZone> byOrigin;
    private final int minLabels;
    private final int maxLabels;

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
    }

    /** The most specific served zone containing {@code name}, or null. */
    public ServedZone find(Name name) {
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
