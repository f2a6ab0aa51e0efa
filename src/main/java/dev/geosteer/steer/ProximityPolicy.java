package dev.geosteer.steer;

import dev.geosteer.geo.Location;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code proximity}: the pools of {@code default_pools} by great-circle distance from the client's
 * coordinates (ties keep the written order); clients without coordinates get {@code default_pools}.
 */
final class ProximityPolicy implements Policy {
    private static final double EARTH_RADIUS_KM = 6371.0;

    @Override
    public String name() {
        return "proximity";
    }

    @Override
    public boolean usesLocation() {
        return true;
    }

    @Override
    public Rules configure(Input in) {
        List<Pool> pools = in.defaultPools();
        boolean located = true;
        for (Pool p : pools) {
            if (!p.hasLocation()) {
                in.add(in.path() + ".default_pools", "proximity steering needs a 'location: {lat, lon}' on pool '"
                        + p.name() + "'");
                located = false;
            }
        }
        return located ? location -> decide(location, pools) : null;
    }

    private static Choice decide(Location loc, List<Pool> pools) {
        if (!loc.hasCoordinates()) {
            return new Choice(new Decision(pools, false), "no coordinates: default_pools");
        }
        List<Pool> sorted = new ArrayList<>(pools); // stable sort: ties keep the written order
        sorted.sort(Comparator.comparingDouble(p -> distanceKm(loc.lat(), loc.lon(), p.lat(), p.lon())));
        return new Choice(new Decision(sorted, false),
                String.format("nearest to %.2f,%.2f: %s at %.0f km", loc.lat(), loc.lon(), sorted.get(0).name(),
                        distanceKm(loc.lat(), loc.lon(), sorted.get(0).lat(), sorted.get(0).lon())));
    }

    /** Haversine distance. */
    static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(Math.toRadians(lat1))
                * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
    }
}
