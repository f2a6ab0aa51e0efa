package dev.geosteer.query;

import dev.geosteer.dns.RRset;
import dev.geosteer.dnssec.NsecChain;
import dev.geosteer.dnssec.SignedZone;
import dev.geosteer.zone.Node;
import org.xbill.DNS.Type;

/**
 * DNSSEC beside the stages (issue 13), when the query has DO and the zone is signed: the NSEC
 * records that prove what is not there (RFC 4035 §3.1.3) — NXDOMAIN (the name and the wildcard
 * covered), NODATA (the name's NSEC, the covering one of an empty non-terminal, a wildcard's), a
 * wildcard answer (no closer name), a referral (the signed DS, or the NSEC proving there is none) —
 * and the apex RRsets that signing adds. Every NSEC comes from the chain signed at load: nothing here
 * signs. (The RRSIGs of what goes into the response are added by {@link AnswerContext}.)
 */
final class Denial {
    private Denial() {
    }

    /**
     * The RRset of {@code type} at {@code node}: at the apex of a signed zone, DNSKEY, CDS and CDNSKEY
     * are the ones made from the keys (whatever the zone file has), DO or not.
     */
    static RRset rrsetAt(AnswerContext ctx, Node node, int type) {
        SignedZone signed = ctx.served.signed();
        if (signed != null && node == ctx.zone.apex()
                && (type == Type.DNSKEY || type == Type.CDS || type == Type.CDNSKEY)) {
            return signed.apexRRset(type);
        }
        return node.get(type);
    }

    /**
     * NSEC asked at a name of a signed zone that has one: it is the answer (with its RRSIGs when DO). At
     * a name a wildcard answers for ({@code owner} not null), the wildcard's NSEC expanded to that name
     * (its RRSIG's labels field tells the wildcard), as Knot answers: a NODATA there would carry the
     * wildcard's NSEC, whose bitmap has NSEC, and could not validate.
     */
    static boolean nsecAnswer(AnswerContext ctx, Node node, byte[] owner) {
        SignedZone signed = ctx.served.signed();
        if (signed == null) {
            return false;
        }
        int index = signed.chain().matching(node.name());
        if (index < 0) {
            return false;
        }
        SignedZone.Signed nsec = signed.nsec(index);
        ctx.response.answer(nsec.rrset(), owner, nsec.rrset().ttl(), ctx.signed == null ? null : nsec.rrsig());
        return true;
    }

    /** NXDOMAIN: the NSEC covering the name, and the one covering the wildcard at the closest encloser. */
    static void nxdomain(AnswerContext ctx, Node closestEncloser) {
        NsecChain chain = ctx.signed.chain();
        add(ctx, chain.covering(ctx.name), -1);
        add(ctx, chain.coveringWildcard(closestEncloser.name()), -1);
    }

    /**
     * NODATA at {@code node}: its NSEC (at a balancer name, the variant with only the dynamic types of
     * {@code present}, when not null); for an empty non-terminal, the NSEC covering it; for a
     * wildcard's expansion, the wildcard's NSEC and (added when the wildcard matched) the one covering
     * the name asked.
     */
    static void nodata(AnswerContext ctx, Node node, int[] present) {
        NsecChain chain = ctx.signed.chain();
        int index = chain.matching(node.name());
        if (index >= 0) {
            add(ctx, index, present == null ? -1 : chain.variantMask(index, present));
        } else {
            add(ctx, chain.covering(node.name()), -1); // an empty non-terminal
        }
    }

    /** A wildcard answers for {@code ctx.name}: the NSEC proving that no closer name exists. */
    static void wildcard(AnswerContext ctx) {
        add(ctx, ctx.signed.chain().covering(ctx.name), -1);
    }

    /** A referral: the cut's DS with its RRSIGs, or the cut's NSEC (NS, no DS: an unsigned child). */
    static void referral(AnswerContext ctx, Node cut) {
        RRset ds = cut.get(Type.DS);
        if (ds != null) {
            ctx.authority(ds, ds.ttl());
            return;
        }
        add(ctx, ctx.signed.chain().matching(cut.name()), -1);
    }

    private static void add(AnswerContext ctx, int index, int mask) {
        if (index < 0 || !ctx.proofAdded(index)) {
            return;
        }
        SignedZone.Signed nsec = mask < 0 ? ctx.signed.nsec(index) : ctx.signed.nsec(index, mask);
        ctx.response.authority(nsec.rrset(), nsec.rrset().ttl(), nsec.rrsig());
    }
}
