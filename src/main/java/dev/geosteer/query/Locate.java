package dev.geosteer.query;

import dev.geosteer.dns.RRset;
import dev.geosteer.zone.Node;
import dev.geosteer.zone.Zone;
import org.xbill.DNS.Type;

/**
 * Stage 2: the RFC 1034 §4.3.2 walk of the zone for the name being answered ({@link Zone#locate}),
 * and what each place it ends at leads to: a referral ({@link Referral}), NXDOMAIN
 * ({@link NegativeAnswer}), a link of a chain ({@link Chain}, then the walk again for its target), a
 * balancer's answer ({@link SteeredAnswer}) or the node's own RRsets ({@link NodeAnswer}). A wildcard
 * answers as its expansion: the name asked owns what it gives.
 */
final class Locate {
    private Locate() {
    }

    static void run(AnswerContext ctx) {
        Zone z = ctx.zone;
        int qtype = ctx.qtype;
        for (; ; ctx.step++) {
            Zone.Location loc = z.locate(ctx.name, qtype);
            if (ctx.trace.enabled()) {
                ctx.trace.add("zone " + z.origin() + ": " + ctx.name + " → " + loc.kind() + " at " + loc.node().name());
            }
            Node node = loc.node();
            switch (loc.kind()) {
                case DELEGATION -> {
                    Referral.refer(ctx, node); // also at the end of a chain
                    return;
                }
                case NXDOMAIN -> {
                    NegativeAnswer.nxdomain(ctx, node); // RFC 6604: after a chain the rcode is the last name's
                    return;
                }
                case DNAME -> {
                    if (!Chain.dname(ctx, node)) {
                        return;
                    }
                }
                case EXACT, WILDCARD -> {
                    byte[] owner = null;
                    if (loc.kind() == Zone.Kind.WILDCARD) {
                        owner = ctx.nameWire;
                        ctx.wildcardExpanded(node);
                    }
                    if (SteeredAnswer.applies(ctx, node)) {
                        SteeredAnswer.answer(ctx, node, owner);
                        return;
                    }
                    RRset cname = node.get(Type.CNAME);
                    if (cname != null && Chain.followsCname(qtype)) {
                        if (!Chain.cname(ctx, node, cname, owner)) {
                            return;
                        }
                        continue;
                    }
                    NodeAnswer.answer(ctx, node, owner);
                    return;
                }
                default -> throw new IllegalStateException(loc.kind().toString());
            }
        }
    }
}
