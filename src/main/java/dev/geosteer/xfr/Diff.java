package dev.geosteer.xfr;

import dev.geosteer.dns.RRset;
import dev.geosteer.query.ServedZone;
import dev.geosteer.zone.Node;
import dev.geosteer.zone.Zone;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The difference between two versions of a zone as transferred (RFC 1995): the records removed and
 * added, SOA aside. Computed once per reload that changes the serial, name by name (no set of the whole
 * zone is built). Immutable.
 */
record Diff(long fromSerial, long toSerial, RRset fromSoa, RRset toSoa, List<RRset> removed, List<RRset> added,
            int records) {

    /** Null when the difference holds more than {@code maxRecords} records (an AXFR is then cheaper). */
    static Diff between(ServedZone before, ServedZone after, int maxRecords) {
        Zone a = before.zone();
        Zone b = after.zone();
        List<RRset> removed = new ArrayList<>();
        List<RRset> added = new ArrayList<>();
        int[] count = {0};
        for (Node nb : b.nodes()) {
            Node na = a.node(nb.name());
            List<RRset> now = Content.of(after, nb);
            List<RRset> was = na == null ? List.of() : Content.of(before, na);
            if (!compare(was, now, removed, added, count, maxRecords)) {
                return null;
            }
        }
        for (Node na : a.nodes()) {
            if (b.node(na.name()) == null) {
                if (!compare(Content.of(before, na), List.of(), removed, added, count, maxRecords)) {
                    return null;
                }
            }
        }
        return new Diff(a.serial(), b.serial(), a.soa(), b.soa(), List.copyOf(removed), List.copyOf(added), count[0]);
    }

    private static boolean compare(List<RRset> was, List<RRset> now, List<RRset> removed, List<RRset> added,
                                   int[] count, int max) {
        if (was.isEmpty() && now.isEmpty()) {
            return true;
        }
        Map<Integer, RRset> old = new HashMap<>();
        for (RRset s : was) {
            old.put(Content.key(s), s); // RRSIGs by the type they cover
        }
        for (RRset s : now) {
            RRset o = old.remove(Content.key(s));
            if (o != null && Content.same(o, s)) {
                continue;
            }
            if (o != null) {
                RRset gone = Content.minus(o, s);
                if (gone != null) {
                    removed.add(gone);
                    count[0] += gone.size();
                }
            }
            RRset fresh = Content.minus(s, o);
            if (fresh != null) {
                added.add(fresh);
                count[0] += fresh.size();
            }
        }
        for (RRset o : old.values()) {
            removed.add(o);
            count[0] += o.size();
        }
        return count[0] <= max;
    }
}
