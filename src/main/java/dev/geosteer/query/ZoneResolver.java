package dev.geosteer.query;

import dev.geosteer.dns.Query;
import dev.geosteer.dns.Resolver;
import dev.geosteer.dns.Response;

import java.net.InetAddress;
import java.util.function.Supplier;

/**
 * The authoritative answer algorithm of RFC 1034 §4.3.2 over the served zones, as Knot DNS answers,
 * in stages (Knot's query processing is staged the same way), each a class of this package:
 * <ol>
 * <li>{@link ZoneSelection}: class and type checks, the zone of the name (the parent's for DS at a cut);
 * <li>{@link Locate}: the walk of the zone to the name, a wildcard (RFC 4592), a zone cut or a DNAME, and
 *     from what it finds to the next stage:
 *     <ul>
 *     <li>{@link Chain}: a CNAME or DNAME link, then the walk again for its target (inside the zone, at
 *         most {@link Chain#MAX_CHAIN} links, loop-safe);
 *     <li>{@link SteeredAnswer}: A/AAAA of a name owned by a balancer, chosen for the client;
 *     <li>{@link NodeAnswer}: the RRset asked (ANY per RFC 8482);
 *     <li>{@link NegativeAnswer}: NXDOMAIN and NODATA with the SOA (RFC 2308);
 *     <li>{@link Referral}: the NS of a zone cut (also at the end of a chain);
 *     </ul>
 * <li>{@link Additional}: glue and the addresses of MX/SRV/NS targets.
 * </ol>
 * The stages share an {@link AnswerContext}, one per thread, reused. Reads only the immutable snapshot
 * it is given; never blocks.
 */
public final class ZoneResolver implements Resolver {
    /** One context per thread (event loops, the admin's lookups), cleared after each query. */
    private static final ThreadLocal<AnswerContext> CONTEXT = ThreadLocal.withInitial(AnswerContext::new);

    private final Supplier<ServedZones> zones;

    public ZoneResolver(Supplier<ServedZones> zones) {
        this.zones = zones;
    }

    @Override
    public Response resolve(Query q, InetAddress client, boolean tcp) {
        return resolve(q, ClientAddress.of(client, q.clientSubnet()), tcp, Trace.NONE);
    }

    /** Same as the answer path, explaining each step into {@code trace} ({@link Trace#NONE}: no explanation). */
    public Response resolve(Query q, ClientAddress client, boolean tcp, Trace trace) {
        AnswerContext ctx = CONTEXT.get();
        if (ctx.query != null) {
            ctx = new AnswerContext(); // resolving from inside a resolve (no stage does): never share
        }
        ctx.start(q, client, tcp, trace);
        try {
            if (ZoneSelection.select(ctx, zones.get())) {
                Locate.run(ctx);
                Additional.add(ctx);
            }
            return ctx.response;
        } finally {
            ctx.clear();
        }
    }
}
