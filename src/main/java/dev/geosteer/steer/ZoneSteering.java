package dev.geosteer.steer;

import dev.geosteer.net.Addresses;
import dev.geosteer.dns.AnswerNote;
import dev.geosteer.dns.RRset;
import dev.geosteer.geo.GeoIndex;
import dev.geosteer.geo.IpTrie;
import dev.geosteer.health.HealthView;
import dev.geosteer.query.ClientAddress;
import dev.geosteer.query.Steering;
import dev.geosteer.query.Trace;
import org.xbill.DNS.Type;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The steering of one zone's balancers, on the answer path: client network → decision (trie lookup) →
 * first healthy pool (or the fallback) → a weighted choice of its usable origins of the asked family.
 * Reads immutable structures and the current health view; never blocks.
 */
public final class ZoneSteering implements Steering {
    private final Balancer[] balancers;
    private final List<Pool> pools;
    private final Supplier<HealthView> health;
    /** Weighted choices (pools of random steering, origins); the thread's own generator when serving. */
    private final Supplier<RandomGenerator> random;
    /** {@link System#nanoTime()} when serving: the base of the health schedule the TTL cap reads. */
    private final LongSupplier nanoClock;

    private final java.util.Map<Pool, Integer> poolIndex = new java.util.IdentityHashMap<>();
    /** notes[balancer][pool * 3 + rule]: shared labels for metrics and the query log. */
    private final AnswerNote[][] notes;
    private static final String[] RULES = {"first", "failover", "fallback"};
    /** Per balancer: what a zone transfer carries for its name (default, fallback, omit). */
    private final String[] transferAs;
    /** Per balancer: the one-address RRset of each origin it can answer with (max_answers 1), made at load. */
    private final java.util.Map<Origin, RRset>[] singles;

    ZoneSteering(String zone, Balancer[] balancers, List<Pool> pools, Supplier<HealthView> health,
                 Supplier<RandomGenerator> random, LongSupplier nanoClock) {
        this.balancers = balancers;
        this.pools = List.copyOf(pools);
        this.health = health;
        this.random = random;
        this.nanoClock = nanoClock;
        this.transferAs = new String[balancers.length];
        java.util.Arrays.fill(transferAs, "default");
        for (Pool p : pools) {
            poolIndex.put(p, poolIndex.size());
        }
        @SuppressWarnings("unchecked")
        java.util.Map<Origin, RRset>[] one = new java.util.Map[balancers.length];
        for (int b = 0; b < balancers.length; b++) {
            one[b] = new java.util.IdentityHashMap<>();
            if (balancers[b].maxAnswers != 1) {
                continue;
            }
            List<Pool> reachable = new java.util.ArrayList<>();
            for (Decision d : balancers[b].decisions) {
                reachable.addAll(d.pools());
            }
            if (balancers[b].fallback != null) {
                reachable.add(balancers[b].fallback);
            }
            Balancer bal = balancers[b];
            for (Pool p : reachable) {
                for (Origin o : p.origins()) {
                    one[b].computeIfAbsent(o, k -> singleOf(bal, k));
                }
            }
        }
        singles = one;
        notes = new AnswerNote[balancers.length][pools.size() * RULES.length];
        for (int b = 0; b < balancers.length; b++) {
            for (Pool p : pools) {
                for (int r = 0; r < RULES.length; r++) {
                    notes[b][poolIndex.get(p) * RULES.length + r] = new AnswerNote(zone, balancers[b].label, p.name(),
                            RULES[r]);
                }
            }
        }
    }

    private AnswerNote note(int balancer, Pool pool, int rule) {
        Integer i = poolIndex.get(pool);
        return i == null ? null : notes[balancer][i * RULES.length + rule];
    }

    /** Set once, while the compiler builds this steering (before it is published). */
    void transferAs(int index, String value) {
        transferAs[index] = value;
    }

    /**
     * The fixed answer a zone transfer carries for balancer {@code index} ({@code transfer_as}): with
     * {@code default}, what an unknown client gets with every origin up (the first pool of its decision);
     * with {@code fallback}, the fallback pool (else that same first pool); up to {@code max_answers}
     * origins of the family, the heaviest first, in file order among equals. Null: nothing (omit, or
     * no origin of that family).
     */
    @Override
    public RRset transferAnswer(int index, int qtype) {
        Balancer b = balancers[index];
        String as = transferAs[index];
        if (as.equals("omit")) {
            return null;
        }
        Pool first = b.decisions[b.unknownDecision].pools().get(0);
        Pool pool = as.equals("fallback") && b.fallback != null ? b.fallback : first;
        boolean v6 = qtype == Type.AAAA;
        List<Origin> family = new java.util.ArrayList<>();
        for (Origin o : pool.origins()) {
            if (o.isV6() == v6) {
                family.add(o);
            }
        }
        family.sort(java.util.Comparator.comparingInt(Origin::weight).reversed());
        int n = Math.min(b.maxAnswers, family.size());
        if (n == 0) {
            return null;
        }
        byte[][] rdata = new byte[n][];
        for (int i = 0; i < n; i++) {
            rdata[i] = family.get(i).rdata();
        }
        return RRset.ofRdata(b.name, b.nameWire, qtype, b.ttl, rdata);
    }

    @Override
    public List<Pool> pools() {
        return pools;
    }

    @Override
    public long configuredTtl(int index) {
        return balancers[index].ttl;
    }

    @Override
    public int balancerCount() {
        return balancers.length;
    }

    /** Bytes of the GeoIP tries of this zone's balancers, each shared trie counted once. */
    public long geoTrieBytes() {
        java.util.Set<GeoTries.Tries> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        long bytes = 0;
        for (Balancer b : balancers) {
            if (distinct.add(b.tries)) {
                bytes += b.tries.bytes();
            }
        }
        return bytes;
    }

    @Override
    public Answer answer(int index, int qtype, ClientAddress client, Trace trace) {
        Balancer b = balancers[index];
        HealthView h = health.get();
        int decisionId;
        int scope;
        byte[] address = client.bytes();
        if (address == null) {
            decisionId = b.unknownDecision;
            scope = 0;
        } else {
            long found = b.lookup(address);
            decisionId = IpTrie.value(found);
            scope = IpTrie.depth(found);
        }
        Decision decision = b.decisions[decisionId];
        boolean v6 = qtype == Type.AAAA;
        RandomGenerator rnd = random.get();
        Pool pool = decision.choose(h, v6, rnd);
        boolean fallback = pool == null;
        if (fallback) {
            // No pool healthy for this family: the fallback pool (or else the first choice), health ignored.
            pool = b.fallback != null ? b.fallback : decision.pools().get(0);
        }
        if (b.maxAnswers == 1 && !trace.enabled()) {
            // one address: drawn without arrays, answered with its RRset made at load (the arrays, the
            // rdata array and the RRset made per answer were ~120 B, bench/answer-cost.sh)
            Origin one = chooseOne(pool, v6, h, fallback, rnd);
            long ttl = ttl(b, decision, pool, fallback, one, null, h, v6, nanoClock.getAsLong());
            AnswerNote note = note(index, pool, fallback ? 2 : pool == decision.pools().get(0) ? 0 : 1);
            return new Answer(one == null ? null : single(index, one), ttl, scope, note);
        }
        Origin[] chosen = choose(pool, v6, b.maxAnswers, h, fallback, rnd);
        long ttl = ttl(b, decision, pool, fallback, null, chosen, h, v6, nanoClock.getAsLong());
        if (trace.enabled()) {
            explain(trace, b, client, decision, pool, fallback, chosen, h, scope, ttl, v6);
        }
        AnswerNote note = note(index, pool, fallback ? 2 : pool == decision.pools().get(0) ? 0 : 1);
        if (chosen.length == 0) {
            return new Answer(null, ttl, scope, note);
        }
        byte[][] rdata = new byte[chosen.length][];
        for (int i = 0; i < chosen.length; i++) {
            rdata[i] = chosen[i].rdata();
        }
        return new Answer(RRset.ofRdata(b.name, b.nameWire, qtype, ttl, rdata), ttl, scope, note);
    }

    /**
     * The balancer's TTL, capped so that resolvers ask again before the answer could change: no later
     * than the earliest moment an answered origin could go down, or a pool unhealthy for the asked
     * family that would be preferred could come back (by the origins that decide its health for that
     * family); never below the floor (as gdnsd does).
     */
    private static long ttl(Balancer b, Decision decision, Pool answering, boolean fallback, Origin one,
                            Origin[] chosen, HealthView h, boolean v6, long now) {
        long earliest = one == null ? Long.MAX_VALUE : h.get(one.key()).earliestChange(now);
        if (chosen != null) {
            for (Origin o : chosen) {
                earliest = Math.min(earliest, h.get(o.key()).earliestChange(now));
            }
        }
        for (Pool p : decision.pools()) {
            if (p == answering && !fallback && !decision.weighted()) {
                break; // pools after the answering one cannot change this answer
            }
            if (p != answering && !p.isHealthy(h, v6)) {
                for (Origin o : p.origins()) {
                    if (p.decides(o, v6)) {
                        earliest = Math.min(earliest, h.get(o.key()).earliestChange(now));
                    }
                }
            }
        }
        if (earliest == Long.MAX_VALUE) {
            return b.ttl;
        }
        long seconds = earliest / 1_000_000_000L;
        return Math.min(b.ttl, Math.max(h.ttlFloorSeconds(), seconds));
    }

    @Override
    public List<java.util.Map<String, Object>> describe() {
        List<java.util.Map<String, Object>> out = new java.util.ArrayList<>();
        for (Balancer b : balancers) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("name", b.name.toString());
            m.put("steering", b.policy.name());
            m.put("ttl", b.ttl);
            m.put("max_answers", b.maxAnswers);
            m.put("default_pools", b.defaultPools.stream().map(Pool::name).toList());
            java.util.Map<String, Object> own = b.rules.describe();
            for (String key : Policies.keys()) { // every policy's keys, empty where another policy steers
                m.put(key, own.getOrDefault(key, java.util.Map.of()));
            }
            java.util.Map<String, Object> nets = new java.util.LinkedHashMap<>();
            for (Balancer.Net n : b.nets) {
                nets.put(n.text(), n.pools().stream().map(Pool::name).toList());
            }
            m.put("nets", nets);
            m.put("fallback_pool", b.fallback == null ? null : b.fallback.name());
            out.add(m);
        }
        return out;
    }

    @Override
    public List<dev.geosteer.health.CheckTarget> targets() {
        List<dev.geosteer.health.CheckTarget> out = new java.util.ArrayList<>();
        for (Pool p : pools) {
            for (Origin o : p.origins()) {
                out.add(new dev.geosteer.health.CheckTarget(o.key(), o.address(), o.checkAddress(), o.monitor()));
            }
        }
        return out;
    }

    /** The answer of one origin for balancer {@code index}: made at load for the origins it can answer. */
    private RRset single(int index, Origin o) {
        RRset set = singles[index].get(o);
        return set != null ? set : singleOf(balancers[index], o);
    }

    private static RRset singleOf(Balancer b, Origin o) {
        // the RRset's TTL is the balancer's; the TTL served (capped by health) is the Answer's
        return RRset.ofRdata(b.name, b.nameWire, o.isV6() ? Type.AAAA : Type.A, b.ttl, new byte[][] {o.rdata()});
    }

    /**
     * What {@link #choose} draws with {@code max} 1, without arrays: the same draw (one {@code nextInt} of
     * the eligible weights), or null when the pool has no origin of that family.
     */
    private static Origin chooseOne(Pool pool, boolean v6, HealthView h, boolean ignoreHealth, RandomGenerator rnd) {
        List<Origin> all = pool.origins();
        int total = 0;
        boolean relaxed = false; // everything drained while health is ignored: still answer rather than nothing
        for (int i = 0; i < all.size(); i++) {
            Origin o = all.get(i);
            if (o.isV6() == v6 && (ignoreHealth ? !h.drained(o.key()) : o.usable(h))) {
                total += o.weight();
            }
        }
        if (total == 0 && ignoreHealth) {
            relaxed = true;
            for (int i = 0; i < all.size(); i++) {
                Origin o = all.get(i);
                if (o.isV6() == v6) {
                    total += o.weight();
                }
            }
        }
        if (total == 0) {
            return null;
        }
        int r = rnd.nextInt(total);
        for (int i = 0; i < all.size(); i++) {
            Origin o = all.get(i);
            if (o.isV6() == v6 && (relaxed || (ignoreHealth ? !h.drained(o.key()) : o.usable(h)))
                    && (r -= o.weight()) < 0) {
                return o;
            }
        }
        throw new IllegalStateException("unreachable: the draw is below the total");
    }

    /** Up to {@code max} usable origins of one family, drawn by weight without repeats. */
    private static Origin[] choose(Pool pool, boolean v6, int max, HealthView h, boolean ignoreHealth,
                                   RandomGenerator rnd) {
        List<Origin> all = pool.origins();
        Origin[] eligible = new Origin[all.size()];
        int n = 0;
        int total = 0;
        for (Origin o : all) {
            if (o.isV6() == v6 && (ignoreHealth ? !h.drained(o.key()) : o.usable(h))) {
                eligible[n++] = o;
                total += o.weight();
            }
        }
        if (n == 0 && ignoreHealth) {
            for (Origin o : all) { // everything drained: still answer rather than nothing
                if (o.isV6() == v6) {
                    eligible[n++] = o;
                    total += o.weight();
                }
            }
        }
        int k = Math.min(n, max);
        Origin[] out = new Origin[k];
        for (int i = 0; i < k; i++) {
            int r = rnd.nextInt(total);
            int j = 0;
            while ((r -= eligible[j].weight()) >= 0) {
                j++;
            }
            out[i] = eligible[j];
            total -= eligible[j].weight();
            eligible[j] = eligible[--n];
        }
        return out;
    }

    private static void explain(Trace t, Balancer b, ClientAddress client, Decision decision, Pool pool,
                                boolean fallback, Origin[] chosen, HealthView h, int scope, long ttl,
                                boolean v6) {
        t.add("balancer " + b.name + " (" + b.label + "): steering " + b.policy.name() + ", ttl " + b.ttl
                + ", max_answers " + b.maxAnswers);
        t.add("client " + client);
        if (client.address() != null) {
            InetAddress a = GeoIndex.unmapped(client.address());
            GeoIndex.Found found = b.geo.find(a);
            String db = found.location().source() == null ? "no database knows it"
                    : "database " + found.location().source();
            t.add("location: " + found.location() + " (" + db + ", network "
                    + Addresses.format(Addresses.mask(a, found.prefix())) + "/" + found.prefix() + ")");
        }
        // the rule kept when the tries were compiled, for the address the trie looked up: asking the
        // policy again could name another rule than the one behind the decision answered
        t.add("rule: " + b.ruleFor(client.address() == null ? null : GeoIndex.unmapped(client.address()).getAddress()));
        t.add("pools in order" + (decision.weighted() ? " (one drawn by weight among the healthy)" : "") + ":"
                + describePools(decision.pools(), h, v6));
        for (Pool p : decision.pools()) {
            for (Origin o : p.origins()) {
                HealthView.OriginHealth oh = h.get(o.key());
                t.add("  " + p.name() + "/" + o.name() + " " + Addresses.format(o.address()) + ": "
                        + oh.state().name().toLowerCase(java.util.Locale.ROOT)
                        + (oh.drained() ? ", drained" + (h.drainedBy(o.key()) == null ? "" : " (" + h.drainedBy(o.key())
                        + ")") : "")
                        + (o.usable(h) ? "" : " (not answered)"));
            }
        }
        t.add(fallback ? "no pool healthy for " + family(v6) + ": answering " + (b.fallback != null ? "fallback_pool " : "first pool ")
                + pool.name() + ", health ignored" : "answering pool " + pool.name());
        StringBuilder ans = new StringBuilder("answer:");
        for (Origin o : chosen) {
            ans.append(' ').append(Addresses.format(o.address()));
        }
        if (chosen.length == 0) {
            ans.append(" none: pool ").append(pool.name()).append(" has no ").append(family(v6))
                    .append(" origin to answer (NODATA)");
        }
        t.add(ans + ", ttl " + ttl + (ttl < b.ttl ? " (capped: health could change sooner)" : "")
                + ", ECS scope /" + scope);
    }


    private static String family(boolean v6) {
        return v6 ? "IPv6" : "IPv4";
    }

    /**
     * Each pool's health for the asked family, e.g. {@code na (unhealthy for IPv4: 0/1 IPv4 origins
     * usable, minimum 1; IPv6 1/1)}.
     */
    private static String describePools(List<Pool> pools, HealthView h, boolean v6) {
        StringBuilder b = new StringBuilder();
        for (Pool p : pools) {
            String f = family(v6);
            b.append(' ').append(p.name()).append(p.isHealthy(h, v6) ? " (healthy for " : " (unhealthy for ")
                    .append(f).append(": ");
            if (p.originCount(v6) > 0) {
                b.append(p.usableCount(h, v6)).append('/').append(p.originCount(v6)).append(' ').append(f)
                        .append(" origins usable, minimum ").append(p.minimumFor(v6)).append("; ")
                        .append(family(!v6)).append(' ').append(p.usableCount(h, !v6)).append('/')
                        .append(p.originCount(!v6)).append(')');
            } else {
                b.append("no ").append(f).append(" origin, judged by all: ").append(p.usableCount(h)).append('/')
                        .append(p.origins().size()).append(" usable, minimum ").append(p.minimumOrigins())
                        .append("; answers NODATA)");
            }
        }
        return b.toString();
    }
}
