package dev.geosteer.query;

import dev.geosteer.dns.Charge;
import dev.geosteer.dns.RRset;
import dev.geosteer.dns.Response;
import dev.geosteer.zone.Node;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.util.List;

/**
 * Stage 3: one link of a CNAME or DNAME chain, as Knot follows them: inside the zone of the question
 * only, loop-safe, at most {@link #MAX_CHAIN} links. Each method puts the link in the answer and
 * returns true when the walk goes on with its target ({@code ctx.name}), false when the answer is
 * complete.
 */
final class Chain {
    /**
     * Longest CNAME/DNAME chain followed (Knot's limit): a longer one stops after this many links,
     * NOERROR with no SOA. Resolvers re-query the target of a chain's last link anyway.
     */
    static final int MAX_CHAIN = 5;

    private Chain() {
    }

    /**
     * Whether a CNAME at the name is followed for this QTYPE: not for CNAME itself, nor ANY (the CNAME is
     * the name's only RRset), nor RRSIG and NSEC, which live beside a CNAME (RFC 2181 §10.1, RFC 4035).
     */
    static boolean followsCname(int qtype) {
        return qtype != Type.CNAME && qtype != Type.ANY && qtype != Type.RRSIG && qtype != Type.NSEC;
    }

    /** The CNAME of {@code node} (a wildcard's when {@code owner} is its expansion). */
    static boolean cname(AnswerContext ctx, Node node, RRset cname, byte[] owner) {
        Response r = ctx.response;
        if (++ctx.links > MAX_CHAIN) {
            return tooLong(ctx);
        }
        if (chainHas(r, ctx.name)) {
            return false; // a loop: this CNAME is already in the answer
        }
        ctx.answer(cname, owner, cname.ttl());
        if (node.name().isWild()) {
            if (ctx.wildcardsFollowed.contains(node)) {
                return false; // a loop through a wildcard: each expansion is a new owner
            }
            ctx.wildcardsFollowed.add(node);
        }
        return moveTo(ctx, ((CNAMERecord) cname.toRecords().get(0)).getTarget());
    }

    /** The DNAME of {@code node}, above the name, and the CNAME it synthesizes for the name (RFC 6672). */
    static boolean dname(AnswerContext ctx, Node node) {
        Response r = ctx.response;
        r.charge(Charge.dname(node.name()));
        if (++ctx.links > MAX_CHAIN) {
            return tooLong(ctx);
        }
        Name name = ctx.name;
        if (chainHas(r, name)) {
            return false; // a DNAME loop: this name's CNAME is already in the answer (RFC 2181 §5)
        }
        RRset dname = node.get(Type.DNAME);
        if (!r.inAnswer(dname)) {
            ctx.answer(dname, null, dname.ttl());
        }
        Name target;
        try {
            target = name.fromDNAME((DNAMERecord) dname.toRecords().get(0));
        } catch (NameTooLongException e) {
            r.rcode(Rcode.YXDOMAIN); // RFC 6672 §2.2
            return false;
        }
        CNAMERecord synthesized = new CNAMERecord(name, DClass.IN, dname.ttl(), target);
        ctx.answer(RRset.of(List.of(synthesized)), ctx.nameWire, dname.ttl());
        if (ctx.qtype == Type.CNAME) {
            return false; // the synthesized CNAME is the answer (RFC 6672 §3.2)
        }
        return moveTo(ctx, target);
    }

    /**
     * A chain continues only inside the zone of the question, as in Knot and NSD: the resolver asks
     * again for a target elsewhere, and would not trust another zone's data in this answer anyway
     * (RFC 2181 §5.4.1). A target below a zone cut of this zone gets the referral.
     */
    private static boolean moveTo(AnswerContext ctx, Name target) {
        if (!target.subdomain(ctx.zone.origin())) {
            if (ctx.trace.enabled()) {
                ctx.trace.add("target " + target + " is outside the zone " + ctx.zone.origin()
                        + ": the resolver follows it");
            }
            return false;
        }
        ctx.name = target;
        ctx.nameWire = target.toWire();
        return true;
    }

    private static boolean tooLong(AnswerContext ctx) {
        if (ctx.trace.enabled()) {
            ctx.trace.add("chain longer than " + MAX_CHAIN + " links: stopped");
        }
        return false;
    }

    /** Whether the answer already has a CNAME owned by {@code name} (wildcard expansions included). */
    private static boolean chainHas(Response r, Name name) {
        List<Response.Entry> answer = r.answer();
        for (int i = 0; i < answer.size(); i++) { // no iterator: the answer path allocates what it must only
            Response.Entry e = answer.get(i);
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
