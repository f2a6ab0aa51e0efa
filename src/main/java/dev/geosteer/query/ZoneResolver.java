package dev.geosteer.query;

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
import java.util.function.Supplier;

/**
 * The authoritative answer algorithm of RFC 1034 §4.3.2 over the served zones: CNAME and DNAME chains
 * followed across served zones (loop-safe), wildcards (RFC 4592), referrals at zone cuts, NODATA and
 * NXDOMAIN with the SOA (RFC 2308), steered A/AAAA for names owned by a balancer. Reads only the
 * immutable snapshot it is given; never blocks.
 */
public final class ZoneResolver implements Resolver {
    /** Longest CNAME/DNAME chain followed; longer chains (or loops) stop with what was found. */
    static final int MAX_CHAIN = 12;

    private final Supplier<ServedZones> zones;

    public ZoneResolver(Supplier<ServedZones> zones) {
        this.zones = zones;
    }

    @Override
    public Response resolve(Query q, InetAddress client, boolean tcp) {
        return resolve(q, ClientAddress.of(client, q.clientSubnet()), tcp, null);
    }

    /** Same as the answer path, explaining each step into {@code trace} when it is not null. */
    public Response resolve(Query q, ClientAddress client, boolean tcp, Trace trace) {
        int qtype = q.qtype();
        if (q.qclass() != DClass.IN) {
            if (trace != null) {
                trace.add("class " + DClass.string(q.qclass()) + " is not served: REFUSED");
            }
            return Response.of(Rcode.REFUSED, false);
        }
        if (qtype == Type.OPT) {
            return Response.of(Rcode.FORMERR, false);
        }
        if (qtype == Type.AXFR || qtype == Type.IXFR) {
            if (trace != null) {
                trace.add("zone transfers are not offered: REFUSED");
            }
            return Response.of(Rcode.REFUSED, false);
        }
        if (qtype >= 128 && qtype <= 254) {
            return Response.of(Rcode.NOTIMP, false); // meta-types other than ANY (MAILA, MAILB, TKEY, TSIG)
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
            if (trace != null) {
                trace.add(name + " is in no served zone: REFUSED");
            }
            return Response.of(Rcode.REFUSED, false);
        }
        Response r = Response.of(Rcode.NOERROR, true).zone(zone.zone().originText());
        byte[] nameWire = q.qnameWire();
        for (int step = 0; ; step++) {
            Zone z = zone.zone();
            Zone.Location loc = z.locate(name, qtype);
            if (trace != null) {
                trace.add("zone " + z.origin() + ": " + name + " → " + loc.kind() + " at " + loc.node().name());
            }
            switch (loc.kind()) {
                case DELEGATION -> {
                    if (step == 0) {
                        referral(r, z, loc.node());
                    }
                    return r;
                }
                case NXDOMAIN -> {
                    // RFC 6604: after a CNAME chain the rcode is the last name's.
                    return negative(r.rcode(Rcode.NXDOMAIN), z);
                }
                case DNAME -> {
                    RRset dname = loc.node().get(Type.DNAME);
                    r.answer(dname, null, dname.ttl());
                    Name target;
                    try {
                        target = name.fromDNAME((DNAMERecord) dname.toRecords().get(0));
                    } catch (NameTooLongException e) {
                        return r.rcode(Rcode.YXDOMAIN); // RFC 6672 §2.2
                    }
                    CNAMERecord synthesized = new CNAMERecord(name, DClass.IN, dname.ttl(), target);
                    r.answer(RRset.of(java.util.List.of(synthesized)), nameWire, dname.ttl());
                    if (step >= MAX_CHAIN || (zone = served.find(target)) == null) {
                        return r;
                    }
                    name = target;
                    nameWire = target.toWire();
                }
                case EXACT, WILDCARD -> {
                    Node node = loc.node();
                    byte[] owner = loc.kind() == Zone.Kind.WILDCARD ? nameWire : null;
                    if (node.steering() >= 0 && zone.steering() != null
                            && (qtype == Type.A || qtype == Type.AAAA || qtype == Type.ANY)) {
                        return steered(r, zone, node, owner, qtype, client, trace);
                    }
                    RRset cname = node.get(Type.CNAME);
                    if (cname != null && qtype != Type.CNAME) {
                        r.answer(cname, owner, cname.ttl());
                        Name target = ((CNAMERecord) cname.toRecords().get(0)).getTarget();
                        if (qtype == Type.ANY || step >= MAX_CHAIN || chainHas(r, target)) {
                            return r;
                        }
                        zone = served.find(target);
                        if (zone == null) {
                            if (trace != null) {
                                trace.add("CNAME target " + target + " is outside the served zones");
                            }
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
                    addTargets(r, served, node, set);
                    return r;
                }
                default -> throw new IllegalStateException(loc.kind().toString());
            }
        }
    }

    private static Response steered(Response r, ServedZone zone, Node node, byte[] owner, int qtype,
                                    ClientAddress client, Trace trace) {
        int scope = 0;
        boolean any = false;
        for (int type : qtype == Type.ANY ? new int[] {Type.A, Type.AAAA} : new int[] {qtype}) {
            Steering.Answer a = zone.steering().answer(node.steering(), type, client, trace);
            scope = Math.max(scope, a.scope());
            r.steering(a.note());
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
        return r;
    }

    private static Response negative(Response r, Zone z) {
        r.authority(z.soa(), z.negativeTtl());
        return r;
    }

    /** A referral: not authoritative, the cut's NS in authority, glue addresses in additional. */
    private static void referral(Response r, Zone z, Node cut) {
        r.authoritative(false);
        RRset ns = cut.get(Type.NS);
        r.authority(ns, ns.ttl());
        Name[] targets = targetsOf(cut, ns);
        if (targets == null) {
            return;
        }
        boolean inDomainGlue = false;
        for (Name target : targets) {
            if (!target.subdomain(z.origin())) {
                continue;
            }
            Node glue = z.node(target);
            if (glue == null) {
                continue;
            }
            for (int type : new int[] {Type.A, Type.AAAA}) {
                RRset addr = glue.get(type);
                if (addr != null) {
                    r.additional(addr);
                    inDomainGlue |= target.subdomain(cut.name());
                }
            }
        }
        r.additionalRequired(inDomainGlue); // RFC 9471: in-domain glue must fit, or TC
    }

    /** Additional-section addresses for MX, SRV and NS targets inside the served zones. */
    private static void addTargets(Response r, ServedZones served, Node node, RRset set) {
        Name[] targets = targetsOf(node, set);
        if (targets == null) {
            return;
        }
        for (Name target : targets) {
            ServedZone tz = served.find(target);
            if (tz == null) {
                continue;
            }
            Node t = tz.zone().node(target);
            if (t == null || t.isOccluded()) {
                continue;
            }
            for (int type : new int[] {Type.A, Type.AAAA}) {
                RRset addr = t.get(type);
                if (addr != null && !r.inAnswer(addr)) {
                    r.additional(addr);
                }
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

    private static boolean chainHas(Response r, Name target) {
        for (Response.Entry e : r.answer()) {
            if (e.rrset().type() == Type.CNAME && e.rrset().owner().equals(target)) {
                return true;
            }
        }
        return false;
    }

}
