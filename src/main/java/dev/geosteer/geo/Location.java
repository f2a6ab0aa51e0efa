package dev.geosteer.geo;

/**
 * Where a client is, as far as the databases tell: ISO country, continent code (AF AN AS EU NA OC SA),
 * first-level subdivision as {@code US-CA}, and coordinates (NaN when unknown). Coordinates taken from
 * the country-centroid table rather than the database are flagged {@code approximate}.
 */
public record Location(String country, String continent, String subdivision, double lat, double lon,
                       boolean approximate, String source) {
    public static final Location UNKNOWN = new Location(null, null, null, Double.NaN, Double.NaN, false, null);

    public boolean hasCoordinates() {
        return !Double.isNaN(lat) && !Double.isNaN(lon);
    }

    public boolean isKnown() {
        return country != null || continent != null || hasCoordinates();
    }

    @Override
    public String toString() {
        if (!isKnown()) {
            return "unknown location";
        }
        StringBuilder b = new StringBuilder();
        if (subdivision != null) {
            b.append("subdivision ").append(subdivision).append(", ");
        }
        b.append("country ").append(country == null ? "?" : country);
        b.append(", continent ").append(continent == null ? "?" : continent);
        if (hasCoordinates()) {
            b.append(String.format(", coordinates %.2f,%.2f", lat, lon));
            if (approximate) {
                b.append(" (country centroid)");
            }
        }
        return b.toString();
    }
}
