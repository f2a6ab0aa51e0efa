package dev.geosteer.xfr;

import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import org.xbill.DNS.Name;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The versions of each zone served since start, as differences from each to the next (what IXFR sends).
 * Updated by the reload thread at each publication; read by transfers from an immutable map.
 */
public final class History {
    private static final Logger LOG = Logger.getLogger(History.class.getName());

    private record Entry(ServedZone current, List<Diff> diffs) {
    }

    private final int versions;
    private volatile Map<Name, Entry> byZone = Map.of();

    /** @param versions differences kept per zone (0: none, every IXFR gets the whole zone) */
    public History(int versions) {
        this.versions = versions;
    }

    /** Called on the reload thread with each new set of zones. */
    public void published(ServedZones zones) {
        Map<Name, Entry> before = byZone;
        Map<Name, Entry> next = new HashMap<>();
        for (ServedZone z : zones.all()) {
            Name origin = z.zone().origin();
            Entry prev = before.get(origin);
            if (prev == null || versions == 0) {
                next.put(origin, new Entry(z, List.of()));
            } else if (prev.current() == z || prev.current().zone().serial() == z.zone().serial()) {
                next.put(origin, new Entry(z, prev.diffs()));
            } else if (!Transfers.serialAtLeast(z.zone().serial(), prev.current().zone().serial())) {
                LOG.warning("zone " + origin + ": serial went back from " + prev.current().zone().serial() + " to "
                        + z.zone().serial() + "; secondaries will not take this version until the serial passes "
                        + prev.current().zone().serial() + " (IXFR history dropped)");
                next.put(origin, new Entry(z, List.of()));
            } else {
                long start = System.nanoTime();
                Diff d = Diff.between(prev.current(), z, Math.max(1000, z.zone().recordCount() / 2));
                List<Diff> diffs = new ArrayList<>(prev.diffs());
                if (d == null) {
                    diffs.clear(); // too big a change: an AXFR is cheaper
                } else {
                    diffs.add(d);
                    while (diffs.size() > versions) {
                        diffs.remove(0);
                    }
                }
                LOG.fine(() -> "zone " + origin + ": IXFR difference " + (d == null ? "too large" : d.records() + " records")
                        + " computed in " + (System.nanoTime() - start) / 1_000_000 + " ms");
                next.put(origin, new Entry(z, List.copyOf(diffs)));
            }
        }
        byZone = Map.copyOf(next);
    }

    /**
     * The differences that take a secondary from {@code serial} to version {@code z}, in order, or null when
     * that serial is not known (the whole zone must be sent).
     */
    List<Diff> since(ServedZone z, long serial) {
        Entry e = byZone.get(z.zone().origin());
        if (e == null || e.current() != z || serial < 0) {
            return null;
        }
        List<Diff> d = e.diffs();
        for (int i = 0; i < d.size(); i++) {
            if (d.get(i).fromSerial() == serial) {
                return d.subList(i, d.size());
            }
        }
        return null;
    }
}
