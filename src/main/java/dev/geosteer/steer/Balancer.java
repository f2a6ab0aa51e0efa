package dev.geosteer.steer;

import dev.geosteer.geo.GeoIndex;
import dev.geosteer.geo.IpTrie;
import dev.geosteer.geo.Location;
import org.xbill.DNS.Name;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled balancer: for each address family a trie from client network to decision, built off the
 * query path from the GeoIP index and the policy (shared with every balancer that groups locations the
 * same way, see {@link GeoTries}), and a small trie of its own {@code nets}, looked up first. The depth
 * at which a lookup ends is the width of the network that gets the same decision: the ECS scope.
 */
final class Balancer {
    /** A {@code nets} entry: CIDR → pools in failover order. */
    record Net(byte[] address, int prefix, boolean v6, String text, List<Pool> pools) {
        boolean contains(byte[] a) {
            return dev.geosteer.net.Addresses.inPrefix(address, prefix, a);
        }
    }

    /** The value of a nets trie where no net applies. */
    static final int NO_NET = Integer.MAX_VALUE;

    final Name name;
    final byte[] nameWire;
    final String label;
    final long ttl;
    final int maxAnswers;
    final Pool fallback;
    final Policy policy;
    final Policy.Rules rules;
    final List<Pool> defaultPools;
    final List<Net> nets;
    final GeoIndex geo;
    final Decision[] decisions;
    final int unknownDecision;
    final GeoTries.Tries tries;
    /** The rule behind each location's decision, kept from compile for explanations. */
    final RuleTable locationRules;
    /**
     * {@code nets} as the nets trie holds them: of entries for the same network (10.0.0.0/8 and
     * 10.0.0.0/08), the one written last, which overwrote the others in the trie.
     */
    final List<Net> effectiveNets;
    /** nets only ({@link #NO_NET} elsewhere); null when the balancer has none of that family. */
    final IpTrie nets4;
    final IpTrie nets6;

    private Balancer(Name name, String label, long ttl, int maxAnswers, Pool fallback, Policy policy,
                     Policy.Rules rules, List<Pool> defaultPools, List<Net> nets, GeoIndex geo, Decision[] decisions,
                     int unknownDecision, GeoTries.Tries tries, RuleTable locationRules, List<Net> effectiveNets,
                     IpTrie nets4, IpTrie nets6) {
        this.name = name;
        this.nameWire = name.toWire();
        this.label = label;
        this.ttl = ttl;
        this.maxAnswers = maxAnswers;
        this.fallback = fallback;
        this.policy = policy;
        this.rules = rules;
        this.defaultPools = defaultPools;
        this.nets = nets;
        this.geo = geo;
        this.decisions = decisions;
        this.unknownDecision = unknownDecision;
        this.tries = tries;
        this.locationRules = locationRules;
        this.effectiveNets = effectiveNets;
        this.nets4 = nets4;
        this.nets6 = nets6;
    }

    static Balancer compile(Name name, String label, long ttl, int maxAnswers, Pool fallback, Policy policy,
                            Policy.Rules rules, List<Pool> defaultPools, List<Net> nets, GeoIndex geo,
                            GeoTries shared) {
        Map<Decision, Integer> ids = new HashMap<>();
        List<Decision> list = new ArrayList<>();
        java.util.function.Function<Decision, Integer> id = d -> ids.computeIfAbsent(d, k -> {
            list.add(k);
            return list.size() - 1;
        });
        int[] byLocation = new int[geo.locationCount()];
        GeoTries.Tries tries;
        RuleTable locationRules;
        if (policy.usesLocation()) {
            // ids in the order locations first reach them: balancers with the same grouping get equal arrays
            Map<String, Integer> ruleIds = new HashMap<>();
            int[] ruleByLocation = new int[byLocation.length];
            for (int i = 0; i < byLocation.length; i++) {
                Policy.Choice choice = rules.decide(geo.location(i));
                byLocation[i] = id.apply(choice.decision());
                ruleByLocation[i] = ruleIds.computeIfAbsent(choice.rule(), r -> ruleIds.size());
            }
            String[] ruleTexts = new String[ruleIds.size()];
            ruleIds.forEach((text, i) -> ruleTexts[i] = text);
            tries = shared.get(geo, byLocation, () -> new GeoTries.Tries(geo.v4().map(i -> byLocation[i]),
                    geo.v6().map(i -> byLocation[i])));
            locationRules = shared.rules(geo, new RuleTable(ruleTexts, ruleByLocation));
        } else {
            Policy.Choice choice = rules.decide(Location.UNKNOWN);
            int only = id.apply(choice.decision());
            java.util.Arrays.fill(byLocation, only);
            tries = new GeoTries.Tries(IpTrie.constant(32, only), IpTrie.constant(128, only));
            locationRules = RuleTable.constant(choice.rule());
        }
        IpTrie.Builder b4 = null;
        IpTrie.Builder b6 = null;
        List<Net> widestFirst = new ArrayList<>(nets);
        widestFirst.sort(Comparator.comparingInt(Net::prefix)); // longer prefixes overwrite: longest wins
        Map<String, Net> byNetwork = new HashMap<>(); // the same network written twice: the last one stays
        for (Net n : widestFirst) {
            byNetwork.put(java.util.Arrays.toString(n.address()) + "/" + n.prefix(), n);
            if (n.v6()) {
                b6 = b6 != null ? b6 : IpTrie.builder(128, NO_NET);
                b6.insert(n.address(), n.prefix(), id.apply(new Decision(n.pools(), false)));
            } else {
                b4 = b4 != null ? b4 : IpTrie.builder(32, NO_NET);
                b4.insert(n.address(), n.prefix(), id.apply(new Decision(n.pools(), false)));
            }
        }
        return new Balancer(name, label, ttl, maxAnswers, fallback, policy, rules, List.copyOf(defaultPools),
                List.copyOf(nets), geo,
                list.toArray(new Decision[0]), byLocation[0], tries, locationRules,
                nets.stream().filter(n -> byNetwork.values().stream().anyMatch(kept -> kept == n)).toList(), b4 == null ? null : b4.build(),
                b6 == null ? null : b6.build());
    }

    /**
     * The decision for a client address (4 or 16 bytes) and the ECS scope, as {@link IpTrie#lookup} packs
     * them. A net wins; elsewhere the GeoIP trie answers, its scope narrowed so that it covers no net (the
     * nets trie ends at the widest network around the address that holds none).
     */
    long lookup(byte[] address) {
        boolean v6 = address.length == 16;
        IpTrie netTrie = v6 ? nets6 : nets4;
        long geoFound = (v6 ? tries.v6() : tries.v4()).lookup(address);
        if (netTrie == null) {
            return geoFound;
        }
        long netFound = netTrie.lookup(address);
        if (IpTrie.value(netFound) != NO_NET) {
            return netFound;
        }
        return IpTrie.depth(netFound) > IpTrie.depth(geoFound)
                ? ((long) IpTrie.value(geoFound) << 8) | IpTrie.depth(netFound) : geoFound;
    }

    /**
     * The rule that made the decision for a client address (4 or 16 bytes; null: no client information),
     * from what was kept at compile: the {@code nets} entry when the nets trie holds one for the address,
     * else the rule of the address's location. For explanations, not the answer path.
     */
    String ruleFor(byte[] address) {
        if (address == null) {
            return locationRules.rule(0); // location 0 is the unknown location: the decision's too
        }
        boolean v6 = address.length == 16;
        IpTrie netTrie = v6 ? nets6 : nets4;
        if (netTrie != null && IpTrie.value(netTrie.lookup(address)) != NO_NET) {
            return "nets " + netOf(address).text() + " (custom networks win over GeoIP)";
        }
        return locationRules.rule(IpTrie.value((v6 ? geo.v6() : geo.v4()).lookup(address)));
    }

    /** The most specific {@code nets} entry the trie applies to the address, or null (for explanations). */
    Net netOf(byte[] address) {
        Net best = null;
        for (Net n : effectiveNets) {
            if (n.contains(address) && (best == null || n.prefix() > best.prefix())) {
                best = n;
            }
        }
        return best;
    }
}
