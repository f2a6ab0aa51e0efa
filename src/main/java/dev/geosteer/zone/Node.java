package dev.geosteer.zone;

import dev.geosteer.dns.RRset;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * One owner name of a zone, with its RRsets sorted by type. Empty non-terminals are nodes with no
 * RRsets. Immutable once the zone is built.
 */
public final class Node {
    private static final RRset[] NONE = new RRset[0];

    private final Name name;
    private RRset[] sets = NONE;
    private Name[][] targets;
    private boolean delegation;
    private boolean occluded;
    private Node wildcard;
    private int steering = -1;

    Node(Name name) {
        this.name = name;
    }

    public Name name() { return name; }
    /** The RRset of that type, or null. */
    public RRset get(int type) {
        for (RRset s : sets) {
            if (s.type() == type) {
                return s;
            }
        }
        return null;
    }
    public RRset[] rrsets() { return sets.clone(); }
    public int rrsetCount() { return sets.length; }
    public RRset rrset(int i) { return sets[i]; }
    /** Names that need additional-section addresses for RRset i (MX, SRV, NS targets), or null. */
    public Name[] targets(int i) { return targets == null ? null : targets[i]; }
    public boolean isEmpty() { return sets.length == 0; }
    /** A zone cut: NS records below the apex. */
    public boolean isDelegation() { return delegation; }
    /** Below a zone cut: glue, served only as referral data. */
    public boolean isOccluded() { return occluded; }
    /** The node {@code *.<this name>}, or null. */
    public Node wildcard() { return wildcard; }
    /** Index of the balancer that owns this name's A/AAAA answers, or -1. */
    public int steering() { return steering; }
    public boolean hasType(int type) { return get(type) != null; }
    public boolean isCname() { return get(Type.CNAME) != null; }

    void setSets(RRset[] sets, Name[][] targets) {
        this.sets = sets;
        this.targets = targets;
    }

    void setDelegation(boolean d) { delegation = d; }
    void setOccluded(boolean o) { occluded = o; }
    void setWildcard(Node w) { wildcard = w; }
    void setSteering(int index) { steering = index; }
}
