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
 * query path from the GeoIP index, the policy and the {@code nets} overrides. The depth at which a
 * lookup ends is the width of the network that gets the same decision: the ECS scope.
 */
final class Balancer {
    /** A {@code nets} entry: CIDR → pools in failover order. */
    record Net(byte[] address, int prefix, boolean v6, String text, List<Pool> pools) {
        boolean contains(byte[] a) {
            return dev.geosteer.dns.Addresses.inPrefix(address, prefix, a);
        }
    }

    final Name name;
    final byte[] nameWire;
    final String label;
    final long ttl;
    final int maxAnswers;
    final Pool fallback;
    final Policy policy;
    final Policy.Settings settings;
    final List<Net> nets;
    final GeoIndex geo;
    final Decision[] decisions;
    final int unknownDecision;
    final IpTrie v4;
    final IpTrie v6;

    private Balancer(Name name, String label, long ttl, int maxAnswers, Pool fallback, Policy policy,
                     Policy.Settings settings, List<Net> nets, GeoIndex geo, Decision[] decisions,
                     int unknownDecision, IpTrie v4, IpTrie v6) {
        this.name = name;
        this.nameWire = name.toWire();
        this.label = label;
        this.ttl = ttl;
        this.maxAnswers = maxAnswers;
        this.fallback = fallback;
        this.policy = policy;
        this.settings = settings;
        this.nets = nets;
        this.geo = geo;
        this.decisions = decisions;
        this.unknownDecision = unknownDecision;
        this.v4 = v4;
        this.v6 = v6;
    }

    static Balancer compile(Name name, String label, long ttl, int maxAnswers, Pool fallback, Policy policy,
                            Policy.Settings settings, List<Net> nets, GeoIndex geo) {
        Map<Decision, Integer> ids = new HashMap<>();
        List<Decision> list = new ArrayList<>();
        java.util.function.Function<Decision, Integer> id = d -> ids.computeIfAbsent(d, k -> {
            list.add(k);
            return list.size() - 1;
        });
        int[] byLocation = new int[geo.locationCount()];
        IpTrie v4;
        IpTrie v6;
        if (policy.usesLocation()) {
            for (int i = 0; i < byLocation.length; i++) {
                byLocation[i] = id.apply(policy.decide(geo.location(i), settings).decision());
            }
            v4 = geo.v4().map(i -> byLocation[i]);
            v6 = geo.v6().map(i -> byLocation[i]);
        } else {
            int only = id.apply(policy.decide(Location.UNKNOWN, settings).decision());
            java.util.Arrays.fill(byLocation, only);
            v4 = IpTrie.constant(32, only);
            v6 = IpTrie.constant(128, only);
        }
        if (!nets.isEmpty()) {
            IpTrie.Builder b4 = v4.toBuilder();
            IpTrie.Builder b6 = v6.toBuilder();
            List<Net> widestFirst = new ArrayList<>(nets);
            widestFirst.sort(Comparator.comparingInt(Net::prefix)); // longer prefixes overwrite: longest wins
            for (Net n : widestFirst) {
                (n.v6() ? b6 : b4).insert(n.address(), n.prefix(), id.apply(new Decision(n.pools(), false)));
            }
            v4 = b4.build();
            v6 = b6.build();
        }
        return new Balancer(name, label, ttl, maxAnswers, fallback, policy, settings, List.copyOf(nets), geo,
                list.toArray(new Decision[0]), byLocation[0], v4, v6);
    }

    /** The most specific {@code nets} entry containing the address, or null (for explanations). */
    Net netOf(byte[] address) {
        Net best = null;
        for (Net n : nets) {
            if (n.contains(address) && (best == null || n.prefix() > best.prefix())) {
                best = n;
            }
        }
        return best;
    }
}
