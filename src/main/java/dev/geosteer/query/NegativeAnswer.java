package dev.geosteer.query;

import dev.geosteer.zone.Node;
import dev.geosteer.zone.Zone;
import org.xbill.DNS.Rcode;

/**
 * Stage 6: the negative answers (RFC 2308), the only place they are made: NXDOMAIN and NODATA carry
 * the zone's SOA in authority with the negative TTL. DNSSEC adds its denial of existence here.
 */
final class NegativeAnswer {
    private NegativeAnswer() {
    }

    /** The name does not exist; {@code closestEncloser} is the deepest existing name above it. */
    static void nxdomain(AnswerContext ctx, Node closestEncloser) {
        ctx.response.rcode(Rcode.NXDOMAIN);
        soa(ctx);
        if (ctx.signed != null) {
            Denial.nxdomain(ctx, closestEncloser);
        }
    }

    /** The name {@code node} exists (or is a wildcard's expansion) without the type asked. */
    static void nodata(AnswerContext ctx, Node node) {
        nodata(ctx, node, null);
    }

    /**
     * NODATA at a balancer name: {@code present}, the types it answers this client (for the NSEC
     * bitmap variant), or null for the full bitmap.
     */
    static void nodata(AnswerContext ctx, Node node, int[] present) {
        soa(ctx);
        if (ctx.signed != null) {
            Denial.nodata(ctx, node, present);
        }
    }

    private static void soa(AnswerContext ctx) {
        Zone z = ctx.zone;
        ctx.authority(z.soa(), z.negativeTtl());
    }
}
