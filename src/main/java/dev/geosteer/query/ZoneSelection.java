package dev.geosteer.query;

import dev.geosteer.dns.Response;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Stage 1: is the question one this server answers, and from which zone? Class and type checks
 * (CHAOS, transfers, TYPE 0), then the most specific served zone, or the parent for DS at a cut.
 */
final class ZoneSelection {
    /** RFC 8914 INFO-CODE 20, Not Authoritative: sent with REFUSED for a name in no served zone. */
    static final int EDE_NOT_AUTHORITATIVE = 20;

    private ZoneSelection() {
    }

    /**
     * Sets {@code ctx.response}: an empty authoritative NOERROR and the zone when the question goes on
     * to the next stages (returns true), or the final answer (refusals, NOTIMP, NOTAUTH: returns false).
     */
    static boolean select(AnswerContext ctx, ServedZones zones) {
        int qtype = ctx.qtype;
        Trace trace = ctx.trace;
        // RFC 1035 §3.2.5: QCLASS * (ANY) matches the class served, IN. CHAOS (version.bind, ...) is
        // not answered: the server does not disclose its version. Other classes are not served.
        int qclass = ctx.query.qclass();
        boolean chaos = qclass == DClass.CH;
        if (qclass != DClass.IN && qclass != DClass.ANY && !chaos) {
            ctx.response = refusedClass(qclass, trace);
            return false;
        }
        if (qtype == 0 || (chaos && (qtype == Type.AXFR || qtype == Type.IXFR))) {
            ctx.response = Response.of(Rcode.NOTIMP, false); // TYPE 0 is reserved (RFC 6895 §3.1); no CHAOS transfers
            return false;
        }
        if (chaos) {
            ctx.response = refusedClass(qclass, trace);
            return false;
        }
        if (qtype == Type.AXFR || qtype == Type.IXFR) {
            if (trace.enabled()) {
                trace.add("zone transfers are not offered to anyone: NOTAUTH");
            }
            // RFC 5936 §4.2: AXFR over UDP is not defined. Otherwise nobody is authorized to transfer.
            ctx.response = Response.of(qtype == Type.AXFR && !ctx.tcp ? Rcode.NOTIMP : Rcode.NOTAUTH, false);
            return false;
        }
        Name name = ctx.name;
        ServedZone zone = zones.find(name);
        if (zone != null && qtype == Type.DS && name.equals(zone.zone().origin())) {
            ServedZone parent = zones.findParent(name);
            if (parent != null) {
                zone = parent; // DS lives on the parent side of the cut (RFC 4035 §3.1.4.1)
            }
        }
        if (zone == null) {
            if (trace.enabled()) {
                trace.add(name + " is in no served zone: REFUSED");
            }
            ctx.response = Response.of(Rcode.REFUSED, false).extendedError(EDE_NOT_AUTHORITATIVE);
            return false;
        }
        ctx.served = zone;
        ctx.zone = zone.zone();
        dev.geosteer.dns.Query.Edns edns = ctx.query.edns();
        ctx.signed = edns != null && edns.dnssecOk() ? zone.signed() : null; // RRSIGs only with DO (RFC 4035 §3.2.1)
        ctx.response = Response.of(Rcode.NOERROR, true).zone(zone.zone().originText());
        return true;
    }

    private static Response refusedClass(int qclass, Trace trace) {
        if (trace.enabled()) {
            trace.add("class " + DClass.string(qclass) + " is not served: REFUSED");
        }
        return Response.of(Rcode.REFUSED, false);
    }
}
