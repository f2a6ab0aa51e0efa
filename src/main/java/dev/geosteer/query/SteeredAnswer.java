package dev.geosteer.query;

import dev.geosteer.zone.Node;
import org.xbill.DNS.Type;

/**
 * Stage 4: the A/AAAA answer of a name owned by a balancer, chosen for this client by the zone's
 * {@link Steering} (ANY: both families). A family the chosen pool has no address of is NODATA.
 */
final class SteeredAnswer {
    private static final int[] A = {Type.A};
    private static final int[] AAAA = {Type.AAAA};
    private static final int[] BOTH = {Type.A, Type.AAAA};
    private static final int[] NONE = {};

    private SteeredAnswer() {
    }

    static boolean applies(AnswerContext ctx, Node node) {
        int qtype = ctx.qtype;
        return node.steering() >= 0 && ctx.served.steering() != null
                && (qtype == Type.A || qtype == Type.AAAA || qtype == Type.ANY);
    }

    static void answer(AnswerContext ctx, Node node, byte[] owner) {
        Steering steering = ctx.served.steering();
        int qtype = ctx.qtype;
        int scope = 0;
        boolean any = false;
        for (int type : qtype == Type.ANY ? BOTH : qtype == Type.A ? A : AAAA) {
            Steering.Answer a = steering.answer(node.steering(), type, ctx.client, ctx.trace);
            scope = Math.max(scope, a.scope());
            ctx.response.note(a.note());
            if (a.rrset() != null) {
                ctx.steered(a.rrset(), owner, a.ttl(), steering.configuredTtl(node.steering()));
                any = true;
            }
        }
        ctx.response.ecsScope(scope);
        if (!any) {
            // the NSEC bitmap without the family asked (ANY: without both), signed at load
            NegativeAnswer.nodata(ctx, node, qtype == Type.A ? AAAA : qtype == Type.AAAA ? A : NONE);
        }
    }
}
