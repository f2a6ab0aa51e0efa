package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.config.ZoneCatalog;
import dev.geosteer.geo.GeoService;
import dev.geosteer.health.HealthView;
import dev.geosteer.steer.SteeringCompiler;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The files a server reads (GeoIP databases, zones, steering files), wired the same way for
 * {@code serve}, {@code check} and {@code lookup}, so that the tools see exactly what the server sees.
 */
record Catalogs(GeoService geo, ZoneCatalog zones) {

    static Catalogs of(ServerConfig config, Path baseDir, Supplier<HealthView> health) {
        Path geoDir = baseDir.resolve(config.geoip.dir);
        List<Path> explicit = config.geoip.databases.stream().map(baseDir::resolve).toList();
        GeoService geo = new GeoService(geoDir, explicit);
        ZoneCatalog zones = new ZoneCatalog(baseDir.resolve(config.zonesDir), new SteeringCompiler(geo::current, health));
        return new Catalogs(geo, zones);
    }

    /** One pass: databases first (steering is compiled against them), then the zones. */
    ZoneCatalog.Result refresh() {
        boolean builtBefore = zones.current().size() > 0;
        boolean geoChanged = geo.refresh();
        if (geoChanged && builtBefore) {
            zones.rebuildSteering(); // zones loaded earlier were compiled against the old databases
        }
        return zones.refresh();
    }
}
