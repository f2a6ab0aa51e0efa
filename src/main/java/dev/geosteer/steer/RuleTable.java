package dev.geosteer.steer;

import java.util.Arrays;

/**
 * The rule that made each location's decision ("region JP (country)", "nearest to 35.68,139.75"), as
 * the policy said when the balancer was compiled: explanations read it here instead of asking the
 * policy again, so that they show the rule behind the decision the trie really holds. Rules are
 * stored once and referenced by a small id per location of the GeoIP index; equal tables are shared
 * between balancers (see {@link GeoTries#rules}). Immutable.
 */
final class RuleTable {
    private final String[] rules;
    /** The rule id of each location; null when every location has rule 0 (a policy that ignores location). */
    private final int[] byLocation;
    private final int hash;

    RuleTable(String[] rules, int[] byLocation) {
        this.rules = rules;
        this.byLocation = byLocation;
        this.hash = 31 * Arrays.hashCode(rules) + Arrays.hashCode(byLocation);
    }

    /** One rule for every location. */
    static RuleTable constant(String rule) {
        return new RuleTable(new String[] {rule}, null);
    }

    /** The rule of the decision for clients at location {@code index} of the GeoIP index compiled against. */
    String rule(int location) {
        return rules[byLocation == null ? 0 : byLocation[location]];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RuleTable t && hash == t.hash && Arrays.equals(byLocation, t.byLocation)
                && Arrays.equals(rules, t.rules);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
