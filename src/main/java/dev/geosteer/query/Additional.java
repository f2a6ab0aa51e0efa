package dev.geosteer.query;

import dev.geosteer.dns.RRset;
import dev.geosteer.zone.Node;
import dev.geosteer.zone.Zone;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * Last stage: the additional section, from what the answer stages left in the context. A referral
 * gets the addresses of its NS targets in this zone: in-domain glue (at or below the cut) first and
 * required (RFC 9471: if it does not fit, TC), then the others as optional data. An answered RRset
 * with MX, SRV or NS targets gets their addresses when they are names of the same zone: authoritative
 * data, glue below a cut, or a wildcard's expansion. Other zones' addresses are left out: a resolver
 * would not trust them from this zone's answer (RFC 2181 §5.4.1).
 */
final class Additional {
    private static final int[] ADDRESS_TYPES = {Type.A, Type.AAAA};

    private Additional() {
    }

    static void add(AnswerContext ctx) {
        Node cut = ctx.referralCut;
        if (cut != null) {
            Name[] targets = targetsOf(cut, cut.get(Type.NS));
            if (targets != null) {
                for (int pass = 0; pass < 2; pass++) {
                    boolean inDomain = pass == 0;
                    for (Name target : targets) {
                        if (target.subdomain(cut.name()) == inDomain) {
                            addresses(ctx, target, inDomain);
                        }
                    }
                }
            }
        }
        for (int i = 0; i < ctx.targetCount(); i++) {
            Name[] targets = targetsOf(ctx.targetNode(i), ctx.targetSet(i));
            if (targets != null) {
                for (Name target : targets) {
                    addresses(ctx, target, false);
                }
            }
        }
    }

    private static void addresses(AnswerContext ctx, Name target, boolean required) {
        Zone z = ctx.zone;
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
        for (int type : ADDRESS_TYPES) {
            RRset addr = t.get(type);
            if (addr != null && !ctx.response.inAnswer(addr)) {
                ctx.additional(addr, owner, required);
            }
        }
    }

    /** The names needing addresses for {@code set}, an RRset of {@code node}, or null. */
    private static Name[] targetsOf(Node node, RRset set) {
        for (int i = 0; i < node.rrsetCount(); i++) {
            if (node.rrset(i) == set) {
                return node.targets(i);
            }
        }
        return null;
    }
}
