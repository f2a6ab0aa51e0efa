package dev.geosteer.zone;

import dev.geosteer.dns.RRset;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * A compiled, immutable zone: every name (empty non-terminals included) indexed for the RFC 1034
 * §4.3.2 walk in {@link #locate}. Built by {@link ZoneLoader}; shared by all event loops.
 */
public final class Zone {
    /** Where the walk down from the apex ended. */
    public enum Kind { EXACT, WILDCARD, DELEGATION, DNAME, NXDOMAIN }

    /** Result of {@link #locate}: the node that answers (or refers, or redirects), or the closest encloser for NXDOMAIN. */
    public record Location(Kind kind, Node node) {
    }

    private final Name origin;
    private final String originText;
    private final Map<Name, Node> nodes;
    private final Node apex;
    private final RRset soa;
    private final long serial;
    private final long negativeTtl;
    private final Path source;
    private final Instant loadedAt;
    private final int recordCount;
    /** The apex node of {@code nodes} when {@link #apex} replaces it (another serial), else null. */
    private final Node replacedApex;

    Zone(Name origin, Map<Name, Node> nodes, Path source, int recordCount) {
        this(origin, nodes, nodes.get(origin), null, source, Instant.now(), recordCount);
    }

    private Zone(Name origin, Map<Name, Node> nodes, Node apex, Node replacedApex, Path source, Instant loadedAt,
                 int recordCount) {
        this.origin = origin;
        this.originText = origin.canonicalize().toString();
        this.nodes = nodes;
        this.apex = apex;
        this.replacedApex = replacedApex;
        this.soa = apex.get(Type.SOA);
        SOARecord record = (SOARecord) soa.toRecords().get(0);
        this.serial = record.getSerial();
        // RFC 2308 §5: negative answers live min(SOA TTL, SOA MINIMUM).
        this.negativeTtl = Math.min(soa.ttl(), record.getMinimum());
        this.source = source;
        this.loadedAt = loadedAt;
        this.recordCount = recordCount;
    }

    /**
     * This zone with another SOA serial (the served serial of a signed zone, which changes when its
     * signatures do): the same nodes, shared, but a new apex node whose SOA has {@code newSerial}.
     */
    public Zone withSerial(long newSerial) {
        if (newSerial == serial) {
            return this;
        }
        SOARecord old = (SOARecord) soa.toRecords().get(0);
        SOARecord now = new SOARecord(old.getName(), old.getDClass(), old.getTTL(), old.getHost(), old.getAdmin(),
                newSerial, old.getRefresh(), old.getRetry(), old.getExpire(), old.getMinimum());
        RRset[] sets = apex.rrsets();
        Name[][] targets = new Name[sets.length][];
        for (int i = 0; i < sets.length; i++) {
            targets[i] = apex.targets(i);
            if (sets[i].type() == Type.SOA) {
                sets[i] = RRset.of(sets[i].owner(), sets[i].ownerWire(), java.util.List.of(now));
            }
        }
        Node copy = new Node(apex.name());
        copy.setSets(sets, targets);
        copy.setWildcard(apex.wildcard());
        copy.setSteering(apex.steering());
        Node original = replacedApex != null ? replacedApex : apex;
        return new Zone(origin, nodes, copy, original, source, loadedAt, recordCount);
    }

    /**
     * True when both zones hold the same records, whatever their order, comments or layout in the file
     * (computed when asked: only a reload that kept the serial needs it).
     */
    public boolean sameRecords(Zone other) {
        return recordCount == other.recordCount && digest() == other.digest(); // nodes differ with steering alone
    }

    /** A sum of one hash per record: the order of the records does not change it. */
    private long digest() {
        long sum = 0;
        for (Node node : nodes()) {
            for (int i = 0; i < node.rrsetCount(); i++) {
                RRset set = node.rrset(i);
                long head = (java.util.Arrays.hashCode(set.ownerWire()) * 31L + set.type()) * 31L + set.ttl();
                for (int j = 0; j < set.size(); j++) {
                    long h = head * 31L + java.util.Arrays.hashCode(set.rdata(j));
                    sum += (h ^ (h >>> 29)) * 0xBF58476D1CE4E5B9L;
                }
            }
        }
        return sum;
    }

    public Name origin() { return origin; }
    /** The origin as text, lower case, with its trailing dot: a stable label for metrics. */
    public String originText() { return originText; }
    public Node apex() { return apex; }
    public RRset soa() { return soa; }
    public long serial() { return serial; }
    public long negativeTtl() { return negativeTtl; }
    public Path source() { return source; }
    public Instant loadedAt() { return loadedAt; }
    public int recordCount() { return recordCount; }
    public int nameCount() { return nodes.size(); }

    /** Every node, empty non-terminals and occluded names included, in no particular order (for signing at load, and zone transfers). */
    public java.util.Collection<Node> nodes() {
        if (replacedApex == null) {
            return java.util.Collections.unmodifiableCollection(nodes.values());
        }
        return new java.util.AbstractCollection<>() {
            @Override
            public java.util.Iterator<Node> iterator() {
                java.util.Iterator<Node> all = nodes.values().iterator();
                return new java.util.Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return all.hasNext();
                    }

                    @Override
                    public Node next() {
                        Node n = all.next();
                        return n == replacedApex ? apex : n;
                    }
                };
            }

            @Override
            public int size() {
                return nodes.size();
            }
        };
    }

    /** The node of exactly this name (occluded names included), or null. */
    public Node node(Name name) {
        Node n = nodes.get(name);
        return n != null && n == replacedApex ? apex : n;
    }

    /**
     * Walks from the apex down to {@code qname} (which must be at or below the origin): stops at a zone
     * cut (unless the question is DS at the cut itself, which the parent answers), at a DNAME above the
     * name, at the name, or at the closest encloser, whose wildcard child then answers if it exists.
     */
    public Location locate(Name qname, int qtype) {
        int below = qname.labels() - origin.labels();
        Node closest = apex;
        if (below > 0 && apex.hasType(Type.DNAME)) {
            return new Location(Kind.DNAME, apex);
        }
        for (int strip = below - 1; strip >= 0; strip--) {
            Name name = strip == 0 ? qname : new Name(qname, strip);
            Node node = nodes.get(name);
            if (node == null) {
                Node wildcard = closest.wildcard();
                if (wildcard == null) {
                    return new Location(Kind.NXDOMAIN, closest);
                }
                return new Location(wildcard.isDelegation() ? Kind.DELEGATION : Kind.WILDCARD, wildcard);
            }
            if (node.isDelegation() && !(strip == 0 && qtype == Type.DS)) {
                return new Location(Kind.DELEGATION, node);
            }
            if (strip > 0 && node.hasType(Type.DNAME)) {
                return new Location(Kind.DNAME, node);
            }
            closest = node;
        }
        return new Location(Kind.EXACT, closest);
    }

    /**
     * The wildcard that would answer for {@code name}, a name of this zone that has no node of its own:
     * the {@code *} child of its closest encloser, or null. Used for additional-section addresses.
     */
    public Node wildcardFor(Name name) {
        for (int strip = 1; name.labels() - strip >= origin.labels(); strip++) {
            Node encloser = nodes.get(new Name(name, strip));
            if (encloser != null) {
                return encloser.wildcard();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return origin + " (serial " + serial + ")";
    }
}
