package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.config.ZoneCatalog;
import dev.geosteer.geo.GeoService;
import dev.geosteer.health.AdminState;
import dev.geosteer.health.CheckTarget;
import dev.geosteer.health.Drain;
import dev.geosteer.health.HealthView;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import dev.geosteer.steer.SteeringCompiler;
import dev.geosteer.steer.ZoneSteering;
import dev.geosteer.zone.ZoneError;
import dev.geosteer.zone.ZoneException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The files a server reads (GeoIP databases, zones, steering files, admin-state.yaml), wired the same
 * way for {@code serve}, {@code check} and {@code lookup}, so that the tools see exactly what the
 * server sees. Used from one thread (the reload thread).
 */
final class Catalogs {
    private static final Logger LOG = Logger.getLogger(Catalogs.class.getName());

    private final GeoService geo;
    private final ZoneCatalog zones;
    private final Path adminStateFile;
    private Consumer<List<Drain>> drainSink = s -> { };
    private Consumer<ZoneCatalog.Result> resultSink = r -> { };
    private Object adminPrint;
    private ServedZones adminCheckedAgainst;
    private List<Drain> drains = List.of();
    private volatile ZoneCatalog.Result lastResult;

    private Catalogs(GeoService geo, ZoneCatalog zones, Path adminStateFile) {
        this.geo = geo;
        this.zones = zones;
        this.adminStateFile = adminStateFile;
    }

    static Catalogs of(ServerConfig config, Path baseDir, Supplier<HealthView> health) {
        Path geoDir = baseDir.resolve(config.geoip.dir);
        List<Path> explicit = config.geoip.databases.stream().map(baseDir::resolve).toList();
        GeoService geo = new GeoService(geoDir, explicit);
        Path zonesDir = baseDir.resolve(config.zonesDir);
        ZoneCatalog zones = new ZoneCatalog(zonesDir, new SteeringCompiler(geo::current, health, config.limits.steeringMaxMb));
        return new Catalogs(geo, zones, zonesDir.resolve(AdminState.FILE));
    }

    GeoService geo() {
        return geo;
    }

    ZoneCatalog zones() {
        return zones;
    }

    /** The last pass that changed something or found errors, over every file. */
    ZoneCatalog.Result lastResult() {
        return lastResult;
    }

    /** Told of every pass that changed something or found errors (metrics, admin API). */
    void onResult(Consumer<ZoneCatalog.Result> sink) {
        this.resultSink = sink;
    }

    /** Where the drains of admin-state.yaml go (the health checker). */
    void onDrains(Consumer<List<Drain>> sink) {
        this.drainSink = sink;
    }

    /** Every origin of every served steering file, as health-check targets. */
    static List<CheckTarget> targets(ServedZones served) {
        List<CheckTarget> out = new ArrayList<>();
        for (ServedZone z : served.all()) {
            if (z.steering() instanceof ZoneSteering s) {
                out.addAll(s.targets());
            }
        }
        return out;
    }

    /** Reloads every file now, changed or not (the admin API's reload). */
    ZoneCatalog.Result reloadAll() {
        geo.invalidate();
        zones.invalidate();
        adminPrint = null;
        return refresh();
    }

    /** One pass: databases first (steering is compiled against them), then zones, then admin-state.yaml. */
    ZoneCatalog.Result refresh() {
        boolean builtBefore = zones.current().size() > 0;
        boolean geoChanged = geo.refresh();
        if (geoChanged && builtBefore) {
            zones.rebuildSteering(); // zones loaded earlier were compiled against the old databases
        }
        ZoneCatalog.Result r = zones.refresh();
        List<ZoneError> errors = new ArrayList<>(r.errors());
        errors.addAll(refreshAdminState());
        ZoneCatalog.Result all = new ZoneCatalog.Result(List.copyOf(errors), r.changed());
        if (all.changed() || !errors.isEmpty()) {
            lastResult = all;
            resultSink.accept(all);
        }
        return all;
    }

    private List<ZoneError> refreshAdminState() {
        Object print;
        try {
            BasicFileAttributes a = Files.readAttributes(adminStateFile, BasicFileAttributes.class);
            print = List.of(a.lastModifiedTime(), a.size(), Objects.toString(a.fileKey()));
        } catch (NoSuchFileException e) {
            print = "absent";
        } catch (IOException e) {
            print = e.toString();
        }
        ServedZones served = zones.current();
        if (print.equals(adminPrint) && served == adminCheckedAgainst) {
            return List.of();
        }
        adminPrint = print;
        adminCheckedAgainst = served;
        List<CheckTarget> known = targets(served);
        try {
            AdminState.Parsed parsed = AdminState.read(adminStateFile, sel -> known.stream()
                    .anyMatch(t -> t.key().equals(sel) || t.key().startsWith(sel + "/")));
            // Each bad selector is reported on its own; the others apply (one stale line must not undrain all).
            for (ZoneError problem : parsed.problems()) {
                LOG.warning("admin state: " + problem);
            }
            List<Drain> next = parsed.drains();
            if (!next.equals(drains)) {
                LOG.info("admin state: " + (next.isEmpty() ? "nothing drained" : "drained "
                        + next.stream().map(Drain::written).toList()) + " (" + adminStateFile + ")");
            }
            drains = next;
            drainSink.accept(next);
            return parsed.problems();
        } catch (ZoneException e) {
            for (ZoneError err : e.errors()) {
                LOG.severe("admin state not applied, keeping " + drains + ": " + err);
            }
            return e.errors();
        }
    }
}
