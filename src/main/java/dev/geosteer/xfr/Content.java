package dev.geosteer.xfr;

import dev.geosteer.dns.RRset;
import dev.geosteer.dnssec.NsecChain;
import dev.geosteer.dnssec.SignedZone;
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
 *
 * <p>A signed zone ({@link ServedZone#signed}) is transferred signed, as a standard secondary serves it
 * to validators: each RRset with its RRSIGs (glue and a delegation's NS unsigned, as served), the
 * DNSKEY (CDS, CDNSKEY) RRsets the keys make (a zone file's own DNSKEY, RRSIG and NSEC are never
 * served signed, so not transferred either), the SOA's RRSIG, and the NSEC chain. A balancer's
 * {@code transfer_as} answer is signed like any steered answer (through the steered RRSIG cache, with
 * the balancer's TTL as original TTL) and its name's NSEC bitmap lists exactly the types transferred
 * there ({@link SignedZone#nsec(int, int)}, the variant without the family it does not transfer).
 */
public final class Content {
    private Content() {
    }

    /** The RRsets of one node as transferred (SOA left out; its RRSIG in, for a signed zone). */
    static List<RRset> of(ServedZone served, Node node) {
        SignedZone signed = served.signed();
        List<RRset> out = new ArrayList<>(node.rrsetCount() * (signed == null ? 1 : 2) + 4);
        for (int i = 0; i < node.rrsetCount(); i++) {
            RRset s = node.rrset(i);
            int type = s.type();
            if (node.steering() >= 0 && (type == Type.A || type == Type.AAAA)) {
                continue;
            }
            if (signed != null && (type == Type.DNSKEY || type == Type.CDS || type == Type.CDNSKEY
                    || type == Type.RRSIG || type == Type.NSEC)) {
                continue; // the signer's own are added below
            }
            if (type != Type.SOA) {
                out.add(s);
            }
            if (signed != null) {
                addIfNotNull(out, signed.rrsig(s));
            }
        }
        Steering steering = served.steering();
        boolean hasA = false;
        boolean hasAaaa = false;
        if (node.steering() >= 0 && steering != null && node.steering() < steering.balancerCount()) {
            for (int type : new int[] {Type.A, Type.AAAA}) {
                RRset fixed = steering.transferAnswer(node.steering(), type);
                if (fixed != null) {
                    out.add(fixed);
                    if (signed != null) {
                        out.add(signed.signSteered(fixed, fixed.ttl()));
                    }
                    hasA |= type == Type.A;
                    hasAaaa |= type == Type.AAAA;
                }
            }
        }
        if (signed != null) {
            if (node == served.zone().apex()) {
                for (int type : new int[] {Type.DNSKEY, Type.CDS, Type.CDNSKEY}) {
                    RRset set = signed.apexRRset(type);
                    if (set != null) {
                        out.add(set);
                        addIfNotNull(out, signed.rrsig(set));
                    }
                }
            }
            NsecChain chain = signed.chain();
            int index = chain.matching(node.name());
            if (index >= 0) {
                SignedZone.Signed nsec;
                if (node.steering() >= 0) {
                    int[] present = hasA && hasAaaa ? new int[] {Type.A, Type.AAAA}
                            : hasA ? new int[] {Type.A} : hasAaaa ? new int[] {Type.AAAA} : new int[0];
                    nsec = signed.nsec(index, chain.variantMask(index, present));
                } else {
                    nsec = signed.nsec(index);
                }
                out.add(nsec.rrset());
                out.add(nsec.rrsig());
            }
        }
        return out;
    }

    private static void addIfNotNull(List<RRset> out, RRset set) {
        if (set != null) {
            out.add(set);
        }
    }

    /**
     * The whole zone as a secondary receives it, as records: the SOA first, then every name in canonical
     * order (what {@code geosteer dnssec dump} prints and {@code dnssec-verify} checks).
     */
    public static List<org.xbill.DNS.Record> records(ServedZone served) {
        List<Node> nodes = new ArrayList<>(served.zone().nodes());
        nodes.sort((a, b) -> a.name().compareTo(b.name()));
        List<org.xbill.DNS.Record> out = new ArrayList<>(served.zone().soa().toRecords());
        for (Node n : nodes) {
            for (RRset set : of(served, n)) {
                out.addAll(set.toRecords());
            }
        }
        return out;
    }

    /** The key an RRset is compared under between versions: its type, and for RRSIG the type covered. */
    static int key(RRset s) {
        if (s.type() == Type.RRSIG && s.size() > 0 && s.rdata(0).length >= 2) {
            byte[] r = s.rdata(0);
            return (Type.RRSIG << 16) | ((r[0] & 0xFF) << 8) | (r[1] & 0xFF);
        }
        return s.type();
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
