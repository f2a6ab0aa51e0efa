package dev.geosteer.query;

import dev.geosteer.dns.Charge;
import dev.geosteer.dns.RRset;
import dev.geosteer.zone.Node;
import org.xbill.DNS.Type;

/**
 * The walk reached a zone cut: a referral, the cut's NS in authority (the glue comes with the
 * {@link Additional} stage). Not authoritative, unless it ends a chain whose records are.
 */
final class Referral {
    private Referral() {
    }

    static void refer(AnswerContext ctx, Node cut) {
        ctx.response.authoritative(ctx.step > 0);
        ctx.response.charge(Charge.referral(cut.name())); // rate limiting charges it to the cut, whatever the name
        RRset ns = cut.get(Type.NS);
        ctx.authority(ns, ns.ttl());
        if (ctx.signed != null) {
            Denial.referral(ctx, cut); // the signed DS, or the proof that there is none
        }
        ctx.referralCut = cut;
    }
}
