package dev.geosteer.steer;

import dev.geosteer.geo.CountryData;
import dev.geosteer.geo.Location;

import java.util.List;
import java.util.Locale;

/**
 * {@code geo}: the most specific {@code regions} entry that matches the client wins: subdivision
 * ({@code US-CA}) over country ({@code JP}) over continent ({@code AS}); else {@code default_pools}.
 */
final class GeoPolicy implements Policy {
    static final String CONTINENT = "continent:";
    static final String COUNTRY = "country:";
    static final String SUBDIVISION = "subdivision:";

    @Override
    public String name() {
        return "geo";
    }

    @Override
    public boolean usesLocation() {
        return true;
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
    public Choice decide(Location loc, Settings s) {
        List<Pool> pools;
        if (loc.subdivision() != null && (pools = s.regions().get(SUBDIVISION + loc.subdivision())) != null) {
            return new Choice(new Decision(pools, false), "region " + loc.subdivision());
        }
        if (loc.country() != null && (pools = s.regions().get(COUNTRY + loc.country())) != null) {
            return new Choice(new Decision(pools, false), "region " + loc.country() + " (country)");
        }
        if (loc.continent() != null && (pools = s.regions().get(CONTINENT + loc.continent())) != null) {
            return new Choice(new Decision(pools, false), "region " + loc.continent() + " (continent)");
        }
        return new Choice(new Decision(s.defaultPools(), false),
                loc.isKnown() ? "no region matches: default_pools" : "unknown location: default_pools");
    }
}
