package dev.geosteer.query;

import dev.geosteer.dns.RRset;
import dev.geosteer.dnssec.SignedZone;
import dev.geosteer.zone.Node;
import org.xbill.DNS.Type;

/**
 * Stage 5: the answer from the zone data of the node found (or of the wildcard, expanded to
 * {@code owner}): the RRset of the type asked, or NODATA; ANY per RFC 8482.
 */
final class NodeAnswer {
    /** Over UDP, ANY answers the first of these the name has (else its first RRset). */
    private static final int[] ANY_PREFERENCE = {Type.A, Type.AAAA, Type.MX, Type.TXT, Type.SOA, Type.NS};

    private NodeAnswer() {
    }

    static void answer(AnswerContext ctx, Node node, byte[] owner) {
        if (ctx.qtype == Type.ANY) {
            any(ctx, node, owner);
            return;
        }
        if (ctx.qtype == Type.RRSIG && ctx.served.signed() != null) {
            rrsigs(ctx, node, owner, ctx.served.signed());
            return;
        }
        RRset set = Denial.rrsetAt(ctx, node, ctx.qtype);
        if (set == null) {
            if (ctx.qtype == Type.NSEC && Denial.nsecAnswer(ctx, node, owner)) {
                return;
            }
            NegativeAnswer.nodata(ctx, node);
            return;
        }
        ctx.answer(node, set, owner);
    }

    /**
     * ANY (RFC 8482): over UDP one RRset, so that ANY cannot amplify; over TCP, where there is no
     * amplification, every RRset of the name.
     */
    /** The types signing makes in a signed zone (a zone file's own are not served there). */
    private static boolean madeBySigning(int type) {
        return type == Type.DNSKEY || type == Type.CDS || type == Type.CDNSKEY || type == Type.NSEC
                || type == Type.RRSIG;
    }

    private static final int[] APEX_TYPES = {Type.DNSKEY, Type.CDS, Type.CDNSKEY};

    /**
     * A query for type RRSIG in a signed zone (DO or not: the type was asked), as Knot answers it: the
     * RRSIGs of one RRset of the name over UDP (the one ANY picks), so that it cannot amplify, and of
     * every RRset over TCP, as ANY. RFC 4035 §3.1 puts RRSIGs beside what they cover, and says nothing
     * of a query for them; RFC 8482 §7 lets a responder answer such a query in part. A name with no
     * signed RRset (a balancer's addresses are signed per answer) is NODATA.
     */
    private static void rrsigs(AnswerContext ctx, Node node, byte[] owner, SignedZone signed) {
        boolean apex = node == ctx.zone.apex();
        if (!ctx.tcp) {
            RRset pick = null;
            for (int type : ANY_PREFERENCE) {
                if ((pick = signedSet(signed, node, type, apex)) != null) {
                    break;
                }
            }
            for (int i = 0; pick == null && i < node.rrsetCount(); i++) {
                pick = signedSet(signed, node, node.rrset(i).type(), apex);
            }
            if (pick == null) {
                NegativeAnswer.nodata(ctx, node);
                return;
            }
            RRset sig = signed.rrsig(pick);
            ctx.response.answer(sig, owner, sig.ttl(), null);
            return;
        }
        boolean any = false;
        for (int i = 0; i < node.rrsetCount(); i++) {
            RRset set = signedSet(signed, node, node.rrset(i).type(), apex);
            if (set != null) {
                RRset sig = signed.rrsig(set);
                ctx.response.answer(sig, owner, sig.ttl(), null);
                any = true;
            }
        }
        if (apex) {
            for (int type : APEX_TYPES) {
                RRset set = signed.apexRRset(type);
                if (set != null) {
                    RRset sig = signed.rrsig(set);
                    ctx.response.answer(sig, owner, sig.ttl(), null);
                    any = true;
                }
            }
        }
        int index = signed.chain().matching(node.name());
        if (index >= 0) {
            SignedZone.Signed nsec = signed.nsec(index);
            ctx.response.answer(nsec.rrsig(), owner, nsec.rrsig().ttl(), null);
            any = true;
        }
        if (!any) {
            NegativeAnswer.nodata(ctx, node);
        }
    }

    /** The RRset of {@code type} at {@code node} if it has RRSIGs made at load, else null. */
    private static RRset signedSet(SignedZone signed, Node node, int type, boolean apex) {
        RRset set = apex && (type == Type.DNSKEY || type == Type.CDS || type == Type.CDNSKEY) ? signed.apexRRset(type)
                : madeBySigning(type) ? null : node.get(type);
        return set == null || signed.rrsig(set) == null ? null : set;
    }

    private static void any(AnswerContext ctx, Node node, byte[] owner) {
        if (node.isEmpty()) {
            NegativeAnswer.nodata(ctx, node);
            return;
        }
        if (ctx.tcp) {
            SignedZone signed = ctx.served.signed();
            for (int i = 0; i < node.rrsetCount(); i++) {
                RRset set = node.rrset(i);
                if (signed == null || !madeBySigning(set.type())) {
                    ctx.answer(node, set, owner);
                }
            }
            if (signed != null) {
                if (node == ctx.zone.apex()) { // what signing adds at the apex, as a query for its type gets it
                    for (int type : APEX_TYPES) {
                        RRset set = signed.apexRRset(type);
                        if (set != null) {
                            ctx.answer(node, set, owner);
                        }
                    }
                }
                Denial.nsecAnswer(ctx, node, owner);
            }
            return;
        }
        RRset pick = null;
        for (int type : ANY_PREFERENCE) {
            if ((pick = node.get(type)) != null) {
                break;
            }
        }
        if (pick == null) {
            pick = node.rrset(0);
        }
        ctx.answer(node, pick, owner);
    }
}
