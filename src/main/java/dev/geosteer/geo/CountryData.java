package dev.geosteer.geo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Country → continent and country → centroid, from the tables shipped in the jar (sources and licences
 * in their header lines). They let country-only databases drive continent rules and proximity.
 */
public final class CountryData {
    public static final Set<String> CONTINENTS = Set.of("AF", "AN", "AS", "EU", "NA", "OC", "SA");

    private static final Map<String, String> CONTINENT = new HashMap<>();
    private static final Map<String, double[]> CENTROID = new HashMap<>();

    static {
        read("geo/country-continent.csv", cols -> CONTINENT.put(cols[0], cols[1]));
        read("geo/country-centroid.csv", cols -> CENTROID.put(cols[0],
                new double[] {Double.parseDouble(cols[1]), Double.parseDouble(cols[2])}));
    }

    private CountryData() {
    }

    private static void read(String resource, java.util.function.Consumer<String[]> row) {
        try (InputStream in = CountryData.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            boolean header = true;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                if (header) {
                    header = false;
                    continue;
                }
                row.accept(line.trim().split(","));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Continent code of an ISO country code, or null. */
    public static String continentOf(String country) {
        return country == null ? null : CONTINENT.get(country);
    }

    /** {lat, lon} of a country's (population) centre, or null. */
    public static double[] centroidOf(String country) {
        return country == null ? null : CENTROID.get(country);
    }

    public static boolean isCountry(String code) {
        return CONTINENT.containsKey(code);
    }
}
