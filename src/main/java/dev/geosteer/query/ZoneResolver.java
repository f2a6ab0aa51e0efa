package dev.geosteer.query;

import dev.geosteer.dns.Charge;
import dev.geosteer.dns.Query;
import dev.geosteer.dns.RRset;
import dev.geosteer.dns.Resolver;
import dev.geosteer.dns.Response;
import dev.geosteer.zone.Node;
import dev.geosteer.zone.Zone;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The authoritative answer algorithm of RFC 1034 §4.3.2 over the served zones, as Knot DNS answers:
 * CNAME and DNAME chains followed inside the zone of the question (loop-safe, at most
 * {@link #MAX_CHAIN} links), wildcards (RFC 4592), referrals at zone cuts (also at the end of a chain),
 * NODATA and NXDOMAIN with the SOA (RFC 2308), steered A/AAAA for names owned by a balancer. Reads only
 * the immutable snapshot it is given; never blocks.
 */
public final class ZoneResolver implements Resolver {
    /**
     * Longest CNAME/DNAME chain followed (Knot's limit): a longer one stops after this many links,
     * NOERROR with no SOA. Resolvers re-query the target of a chain's last link anyway.
     */
    static final int MAX_CHAIN = 5;
    /** RFC 8914 INFO-CODE 20, Not Authoritative: sent with REFUSED for a name in no served zone. */
    static final int EDE_NOT_AUTHORITATIVE = 20;

    private final Supplier<ServedZones> zones;

    public ZoneResolver(Supplier<ServedZones> zones) {
        this.zones = zones;
    }

    @Override
    public Response resolve(Query q, InetAddress client, boolean tcp) {
        return resolve(q, ClientAddress.of(client, q.clientSubnet()), tcp, Trace.NONE);
    }

    /** Same as the answer path, explaining each step into {@code trace} ({@link Trace#NONE}: no explanation). */
    public Response resolve(Query q, ClientAddress client, boolean tcp, Trace trace) {
        int qtype = q.qtype();
        // RFC 1035 §3.2.5: QCLASS * (ANY) matches the class served, IN. CHAOS (version.bind, ...) is
        // not answered: the server does not disclose its version. Other classes are not served.
        int qclass = q.qclass();
        boolean chaos = qclass == DClass.CH;
        if (qclass != DClass.IN && qclass != DClass.ANY && !chaos) {
            return refusedClass(qclass, trace);
        }
        if (qtype == 0 || (chaos && (qtype == Type.AXFR || qtype == Type.IXFR))) {
            return Response.of(Rcode.NOTIMP, false); // TYPE 0 is reserved (RFC 6895 §3.1); no CHAOS transfers
        }
        if (chaos) {
            return refusedClass(qclass, trace);
        }
        if (qtype == Type.AXFR || qtype == Type.IXFR) {
            if (trace.enabled()) {
                trace.add("zone transfers are not offered to anyone: NOTAUTH");
            }
            // RFC 5936 §4.2: AXFR over UDP is not defined. Otherwise nobody is authorized to transfer.
            return Response.of(qtype == Type.AXFR && !tcp ? Rcode.NOTIMP : Rcode.NOTAUTH, false);
        }
        ServedZones served = zones.get();
        Name name = q.qname();
        ServedZone zone = served.find(name);
        if (zone != null && qtype == Type.DS && name.equals(zone.zone().origin())) {
            ServedZone parent = served.findParent(name);
            if (parent != null) {
                zone = parent; // DS lives on the parent side of the cut (RFC 4035 §3.1.4.1)
            }
        }
        if (zone == null) {
            if (trace.enabled()) {
                trace.add(name + " is in no served zone: REFUSED");
            }
            return Response.of(Rcode.REFUSED, false).extendedError(EDE_NOT_AUTHORITATIVE);
        }
        Response r = Response.of(Rcode.NOERROR, true).zone(zone.zone().originText());
        Zone z = zone.zone();
        byte[] nameWire = q.qnameWire();
        int links = 0;
        List<Node> wildcardsFollowed = null;
        for (int step = 0; ; step++) {
            Zone.Location loc = z.locate(name, qtype);
            if (trace.enabled()) {
                trace.add("zone " + z.origin() + ": " + name + " → " + loc.kind() + " at " + loc.node().name());
            }
            switch (loc.kind()) {
                case DELEGATION -> {
                    // A referral, also at the end of a chain (whose records stay authoritative).
                    r.authoritative(step > 0);
                    referral(r, z, loc.node());
                    return r;
                }
                case NXDOMAIN -> {
                    // RFC 6604: after a CNAME chain the rcode is the last name's.
                    return negative(r.rcode(Rcode.NXDOMAIN), z);
                }
                case DNAME -> {
                    r.charge(Charge.dname(loc.node().name()));
                    if (++links > MAX_CHAIN) {
                        return chainTooLong(r, trace);
                    }
                    if (chainHas(r, name)) {
                        return r; // a DNAME loop: this name's CNAME is already in the answer (RFC 2181 §5)
                    }
                    RRset dname = loc.node().get(Type.DNAME);
                    if (!r.inAnswer(dname)) {
                        r.answer(dname, null, dname.ttl());
                    }
                    Name target;
                    try {
                        target = name.fromDNAME((DNAMERecord) dname.toRecords().get(0));
                    } catch (NameTooLongException e) {
                        return r.rcode(Rcode.YXDOMAIN); // RFC 6672 §2.2
                    }
                    CNAMERecord synthesized = new CNAMERecord(name, DClass.IN, dname.ttl(), target);
                    r.answer(RRset.of(List.of(synthesized)), nameWire, dname.ttl());
                    if (qtype == Type.CNAME) {
                        return r; // the synthesized CNAME is the answer (RFC 6672 §3.2)
                    }
                    if (!inZone(target, z, trace)) {
                        return r;
                    }
                    name = target;
                    nameWire = target.toWire();
                }
                case EXACT, WILDCARD -> {
                    Node node = loc.node();
                    byte[] owner = loc.kind() == Zone.Kind.WILDCARD ? nameWire : null;
                    if (owner != null) {
                        r.charge(Charge.wildcard(node.name()));
                    }
                    if (node.steering() >= 0 && zone.steering() != null
                            && (qtype == Type.A || qtype == Type.AAAA || qtype == Type.ANY)) {
                        return steered(r, zone, node, owner, qtype, client, trace);
                    }
                    RRset cname = node.get(Type.CNAME);
                    if (cname != null && followsCname(qtype)) {
                        if (++links > MAX_CHAIN) {
                            return chainTooLong(r, trace);
                        }
                        if (chainHas(r, name)) {
                            return r; // a loop: this CNAME is already in the answer
                        }
                        r.answer(cname, owner, cname.ttl());
                        if (node.name().isWild()) {
                            if (wildcardsFollowed == null) {
                                wildcardsFollowed = new ArrayList<>(2);
                            } else if (wildcardsFollowed.contains(node)) {
                                return r; // a loop through a wildcard: each expansion is a new owner
                            }
                            wildcardsFollowed.add(node);
                        }
                        Name target = ((CNAMERecord) cname.toRecords().get(0)).getTarget();
                        if (!inZone(target, z, trace)) {
                            return r;
                        }
                        name = target;
                        nameWire = target.toWire();
                        continue;
                    }
                    if (qtype == Type.ANY) {
                        return any(r, z, node, owner, tcp);
                    }
                    RRset set = node.get(qtype);
                    if (set == null) {
                        return negative(r, z);
                    }
                    r.answer(set, owner, set.ttl());
                    addTargets(r, z, node, set);
                    return r;
                }
                default -> throw new IllegalStateException(loc.kind().toString());
            }
        }
    }

    /**
     * Whether a CNAME at the name is followed for this QTYPE: not for CNAME itself, nor ANY (the CNAME is
     * the name's only RRset), nor RRSIG and NSEC, which live beside a CNAME (RFC 2181 §10.1, RFC 4035).
     */
    private static boolean followsCname(int qtype) {
        return qtype != Type.CNAME && qtype != Type.ANY && qtype != Type.RRSIG && qtype != Type.NSEC;
    }

    /**
     * A chain continues only inside the zone of the question, as in Knot and NSD: the resolver asks
     * again for a target elsewhere, and would not trust another zone's data in this answer anyway
     * (RFC 2181 §5.4.1). A target below a zone cut of this zone gets the referral.
     */
    private static boolean inZone(Name target, Zone z, Trace trace) {
        if (target.subdomain(z.origin())) {
            return true;
        }
        if (trace.enabled()) {
            trace.add("target " + target + " is outside the zone " + z.origin() + ": the resolver follows it");
        }
        return false;
    }

    private static Response refusedClass(int qclass, Trace trace) {
        if (trace.enabled()) {
            trace.add("class " + DClass.string(qclass) + " is not served: REFUSED");
        }
        return Response.of(Rcode.REFUSED, false);
    }

    private static Response chainTooLong(Response r, Trace trace) {
        if (trace.enabled()) {
            trace.add("chain longer than " + MAX_CHAIN + " links: stopped");
        }
        return r;
    }

    private static Response steered(Response r, ServedZone zone, Node node, byte[] owner, int qtype,
                                    ClientAddress client, Trace trace) {
        int scope = 0;
        boolean any = false;
        for (int type : qtype == Type.ANY ? new int[] {Type.A, Type.AAAA} : new int[] {qtype}) {
            Steering.Answer a = zone.steering().answer(node.steering(), type, client, trace);
            scope = Math.max(scope, a.scope());
            r.note(a.note());
            if (a.rrset() != null) {
                r.answer(a.rrset(), owner, a.ttl());
                any = true;
            }
        }
        r.ecsScope(scope);
        return any ? r : negative(r, zone.zone());
    }

    /**
     * ANY (RFC 8482): over UDP one RRset, so that ANY cannot amplify; over TCP, where there is no
     * amplification, every RRset of the name.
     */
    private static Response any(Response r, Zone z, Node node, byte[] owner, boolean tcp) {
        if (node.isEmpty()) {
            return negative(r, z);
        }
        if (tcp) {
            for (int i = 0; i < node.rrsetCount(); i++) {
                r.answer(node.rrset(i), owner, node.rrset(i).ttl());
            }
            for (int i = 0; i < node.rrsetCount(); i++) {
                addTargets(r, z, node, node.rrset(i));
            }
            return r;
        }
        RRset pick = null;
        for (int type : new int[] {Type.A, Type.AAAA, Type.MX, Type.TXT, Type.SOA, Type.NS}) {
            if ((pick = node.get(type)) != null) {
                break;
            }
        }
        if (pick == null) {
            pick = node.rrset(0);
        }
        r.answer(pick, owner, pick.ttl());
        addTargets(r, z, node, pick);
        return r;
    }

    private static Response negative(Response r, Zone z) {
        r.authority(z.soa(), z.negativeTtl());
        return r;
    }

    /**
     * A referral: the cut's NS in authority, and the addresses of its targets in this zone in additional:
     * in-domain glue (at or below the cut) first and required (RFC 9471: if it does not fit, TC), then
     * the other addresses as optional data.
     */
    private static void referral(Response r, Zone z, Node cut) {
        r.charge(Charge.referral(cut.name())); // rate limiting charges it to the cut, whatever the name
        RRset ns = cut.get(Type.NS);
        r.authority(ns, ns.ttl());
        Name[] targets = targetsOf(cut, ns);
        if (targets == null) {
            return;
        }
        for (boolean inDomain : new boolean[] {true, false}) {
            for (Name target : targets) {
                if (target.subdomain(cut.name()) == inDomain) {
                    addAddresses(r, z, target, inDomain);
                }
            }
        }
    }

    /**
     * Additional-section addresses for the MX, SRV and NS targets of an answered RRset that are names of
     * the same zone: authoritative data, glue below a cut, or a wildcard's expansion. Other zones'
     * addresses are left out: a resolver would not trust them from this zone's answer (RFC 2181 §5.4.1).
     */
    private static void addTargets(Response r, Zone z, Node node, RRset set) {
        Name[] targets = targetsOf(node, set);
        if (targets == null) {
            return;
        }
        for (Name target : targets) {
            addAddresses(r, z, target, false);
        }
    }

    private static void addAddresses(Response r, Zone z, Name target, boolean required) {
        if (!target.subdomain(z.origin())) {
            return;
        }
        Node t = z.node(target);
        byte[] owner = null;
        if (t == null) {
            t = z.wildcardFor(target);
            if (t == null) {
                return;
            }
            owner = target.toWire();
        }
        for (int type : new int[] {Type.A, Type.AAAA}) {
            RRset addr = t.get(type);
            if (addr != null && !r.inAnswer(addr)) {
                r.additional(addr, owner, required);
            }
        }
    }

    private static Name[] targetsOf(Node node, RRset set) {
        for (int i = 0; i < node.rrsetCount(); i++) {
            if (node.rrset(i) == set) {
                return node.targets(i);
            }
        }
        return null;
    }

    /** Whether the answer already has a CNAME owned by {@code name} (wildcard expansions included). */
    private static boolean chainHas(Response r, Name name) {
        for (Response.Entry e : r.answer()) {
            if (e.rrset().type() == Type.CNAME && ownerOf(e).equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static Name ownerOf(Response.Entry e) {
        if (e.ownerWire() == null) {
            return e.rrset().owner();
        }
        try {
            return new Name(e.ownerWire());
        } catch (java.io.IOException malformed) {
            throw new IllegalStateException(malformed); // owners are names this server wrote
        }
    }

}
