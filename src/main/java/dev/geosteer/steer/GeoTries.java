package dev.geosteer.steer;

import dev.geosteer.geo.GeoIndex;
import dev.geosteer.geo.IpTrie;

import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Balancers' GeoIP tries, shared. A balancer's trie maps every database network to a decision id; ids
 * are numbered in the order the GeoIP index's locations first reach them, so two balancers that group
 * the locations the same way (the same regions, whatever their pools) have the same array of ids per
 * location and the very same trie. Each trie costs about as much as the database's networks (5 MB for
 * the shipped country database): sharing makes a hundred balancers with the same regions cost one.
 * Entries are weak: a trie lives as long as a balancer uses it. Holds tries of one GeoIP index at a
 * time (a new index makes every balancer be rebuilt). Thread-safe.
 */
final class GeoTries {
    /** An IPv4 and an IPv6 trie from client network to decision id. */
    record Tries(IpTrie v4, IpTrie v6) {
        /** Bytes of the two tries' node arrays (8 bytes a node). */
        long bytes() {
            return 8L * (v4.nodeCount() + v6.nodeCount());
        }
    }

    private record Key(int[] idByLocation) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(idByLocation, k.idByLocation);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(idByLocation);
        }
    }

    private GeoIndex geo;
    private final Map<Key, WeakReference<Tries>> tries = new HashMap<>();
    private final Map<RuleTable, WeakReference<RuleTable>> rules = new HashMap<>();

    /** The tries for {@code idByLocation} (a decision id per location of {@code index}), built at most once. */
    synchronized Tries get(GeoIndex index, int[] idByLocation, Supplier<Tries> build) {
        forget(index);
        tries.values().removeIf(r -> r.get() == null);
        Key key = new Key(idByLocation.clone());
        WeakReference<Tries> ref = tries.get(key);
        Tries t = ref == null ? null : ref.get();
        if (t == null) {
            t = build.get();
            tries.put(key, new WeakReference<>(t));
        }
        return t;
    }

    /**
     * The shared table equal to {@code table} (the rules of each location of {@code index}): a hundred
     * balancers with the same regions keep one, as they keep one trie.
     */
    synchronized RuleTable rules(GeoIndex index, RuleTable table) {
        forget(index);
        rules.values().removeIf(r -> r.get() == null);
        WeakReference<RuleTable> ref = rules.get(table);
        RuleTable shared = ref == null ? null : ref.get();
        if (shared == null) {
            rules.put(table, new WeakReference<>(table));
            return table;
        }
        return shared;
    }

    /** Drops everything built against another index. */
    private void forget(GeoIndex index) {
        if (index != geo) {
            tries.clear();
            rules.clear();
            geo = index;
        }
    }
}
