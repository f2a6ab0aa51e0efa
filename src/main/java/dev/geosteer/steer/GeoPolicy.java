package dev.geosteer.steer;

import dev.geosteer.config.Yaml;
import dev.geosteer.geo.CountryData;
import dev.geosteer.geo.Location;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code geo}: the most specific {@code regions} entry that matches the client wins: subdivision
 * ({@code US-CA}) over country ({@code JP}) over continent ({@code AS}); else {@code default_pools}.
 */
final class GeoPolicy implements Policy {
    static final String CONTINENT = "continent:";
    static final String COUNTRY = "country:";
    static final String SUBDIVISION = "subdivision:";

    /** The balancer keys of this policy, as written. */
    public static final class Keys {
        public Map<String, List<String>> regions = new LinkedHashMap<>();
    }

    @Override
    public String name() {
        return "geo";
    }

    @Override
    public boolean usesLocation() {
        return true;
    }

    private static final List<String> KEYS = Yaml.keysOf(Keys.class);

    @Override
    public List<String> keys() {
        return KEYS;
    }

    /**
     * The normal form of a {@code regions} key, or null when it names nothing. Two letters are a
     * continent when they are one of AF AN AS EU NA OC SA, else a country; {@code country:NA} forces the
     * country (Namibia) and {@code continent:NA} the continent.
     */
    static String normalize(String key) {
        String k = key.trim().toUpperCase(Locale.ROOT);
        if (k.startsWith("COUNTRY:")) {
            String cc = k.substring(8);
            return CountryData.isCountry(cc) ? COUNTRY + cc : null;
        }
        if (k.startsWith("CONTINENT:")) {
            String c = k.substring(10);
            return CountryData.CONTINENTS.contains(c) ? CONTINENT + c : null;
        }
        if (k.matches("[A-Z]{2}-[A-Z0-9]{1,3}") && CountryData.isCountry(k.substring(0, 2))) {
            return SUBDIVISION + k;
        }
        if (CountryData.CONTINENTS.contains(k)) {
            return CONTINENT + k;
        }
        if (CountryData.isCountry(k)) {
            return COUNTRY + k;
        }
        return null;
    }

    @Override
    public Rules configure(Input in) {
        Keys keys = in.keys().bind(Keys.class, Keys::new);
        Map<String, List<Pool>> regions = new LinkedHashMap<>();
        boolean ok = true;
        for (Map.Entry<String, List<String>> e : keys.regions.entrySet()) {
            String region = e.getKey();
            String path = in.path() + ".regions." + region;
            String normal = normalize(region);
            if (normal == null) {
                in.add(path, "'" + region + "' is not a continent (AF AN AS EU NA OC SA), an ISO country code (JP),"
                        + " or a subdivision (US-CA)");
                ok = false;
            } else if (regions.containsKey(normal)) {
                in.add(path, "region '" + region + "' is listed twice");
                ok = false;
            }
            List<Pool> pools = in.pools(path, e.getValue());
            if (normal != null && pools != null) {
                regions.put(normal, pools);
            }
            ok &= pools != null;
        }
        return ok ? new Regions(java.util.Collections.unmodifiableMap(regions), in.defaultPools()) : null;
    }

    /** {@code regions} keys normalized (see {@link #normalize}), in the order written. */
    private record Regions(Map<String, List<Pool>> regions, List<Pool> defaultPools) implements Rules {
        @Override
        public Choice decide(Location loc) {
            List<Pool> pools;
            if (loc.subdivision() != null && (pools = regions.get(SUBDIVISION + loc.subdivision())) != null) {
                return new Choice(new Decision(pools, false), "region " + loc.subdivision());
            }
            if (loc.country() != null && (pools = regions.get(COUNTRY + loc.country())) != null) {
                return new Choice(new Decision(pools, false), "region " + loc.country() + " (country)");
            }
            if (loc.continent() != null && (pools = regions.get(CONTINENT + loc.continent())) != null) {
                return new Choice(new Decision(pools, false), "region " + loc.continent() + " (continent)");
            }
            return new Choice(new Decision(defaultPools, false),
                    loc.isKnown() ? "no region matches: default_pools" : "unknown location: default_pools");
        }

        @Override
        public Map<String, Object> describe() {
            Map<String, Object> out = new LinkedHashMap<>();
            regions.forEach((k, v) -> out.put(k, v.stream().map(Pool::name).toList()));
            return Map.of("regions", out);
        }
    }
}
