package dev.geosteer.query;

import dev.geosteer.dns.RRset;
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
    private static void any(AnswerContext ctx, Node node, byte[] owner) {
        if (node.isEmpty()) {
            NegativeAnswer.nodata(ctx, node);
            return;
        }
        if (ctx.tcp) {
            for (int i = 0; i < node.rrsetCount(); i++) {
                ctx.answer(node, node.rrset(i), owner);
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
