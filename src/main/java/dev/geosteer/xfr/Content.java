package dev.geosteer.xfr;

import dev.geosteer.dns.RRset;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.Steering;
import dev.geosteer.zone.Node;
import org.xbill.DNS.Type;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * What a zone transfer carries of a zone: every RRset of the zone file but the apex SOA, and for each
 * balancer's name its fixed {@code transfer_as} answer (a secondary cannot steer).
 */
final class Content {
    private Content() {
    }

    /** The RRsets of one node as transferred (SOA left out). */
    static List<RRset> of(ServedZone served, Node node) {
        List<RRset> out = new ArrayList<>(node.rrsetCount() + 2);
        for (int i = 0; i < node.rrsetCount(); i++) {
            RRset s = node.rrset(i);
            if (s.type() == Type.SOA) {
                continue;
            }
            if (node.steering() >= 0 && (s.type() == Type.A || s.type() == Type.AAAA)) {
                continue;
            }
            out.add(s);
        }
        Steering steering = served.steering();
        if (node.steering() >= 0 && steering != null && node.steering() < steering.balancerCount()) {
            for (int type : new int[] {Type.A, Type.AAAA}) {
                RRset fixed = steering.transferAnswer(node.steering(), type);
                if (fixed != null) {
                    out.add(fixed);
                }
            }
        }
        return out;
    }

    /** The RRsets of the whole zone (SOA left out), node by node, as they are asked for. */
    static Iterator<RRset> all(ServedZone served) {
        Iterator<Node> nodes = served.zone().nodes().iterator();
        return new Iterator<>() {
            private Iterator<RRset> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && nodes.hasNext()) {
                    Node n = nodes.next();
                    if (!n.isEmpty() || n.steering() >= 0) {
                        current = of(served, n).iterator();
                    }
                }
                return current.hasNext();
            }

            @Override
            public RRset next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /** True when both RRsets hold the same records with the same TTL. */
    static boolean same(RRset a, RRset b) {
        if (a.ttl() != b.ttl() || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (indexOf(b, a.rdata(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    static int indexOf(RRset set, byte[] rdata) {
        for (int i = 0; i < set.size(); i++) {
            if (Arrays.equals(set.rdata(i), rdata)) {
                return i;
            }
        }
        return -1;
    }

    /** The records of {@code a} that {@code b} lacks (all of them when the TTLs differ), as an RRset, or null. */
    static RRset minus(RRset a, RRset b) {
        if (b == null || a.ttl() != b.ttl()) {
            return a;
        }
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (indexOf(b, a.rdata(i)) < 0) {
                keep.add(i);
            }
        }
        if (keep.isEmpty()) {
            return null;
        }
        if (keep.size() == a.size()) {
            return a;
        }
        List<org.xbill.DNS.Record> records = a.toRecords();
        List<org.xbill.DNS.Record> kept = new ArrayList<>();
        for (int i : keep) {
            kept.add(records.get(i));
        }
        return RRset.of(a.owner(), a.ownerWire(), kept);
    }
}
