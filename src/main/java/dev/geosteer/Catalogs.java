package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.config.ZoneCatalog;
import dev.geosteer.files.FileVersion;
import dev.geosteer.files.OperatorFiles;
import dev.geosteer.files.Settling;
import dev.geosteer.geo.GeoService;
import dev.geosteer.health.AdminState;
import dev.geosteer.health.CheckTarget;
import dev.geosteer.health.Drain;
import dev.geosteer.health.HealthView;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import dev.geosteer.steer.SteeringCompiler;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
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
    private final Path zonesDir;
    private final Path adminStateFile;
    private final Settling adminWatch;
    private final Duration emptyGrace;
    private final long adminStateMaxBytes;
    private Consumer<List<Drain>> drainSink = s -> { };
    private Consumer<ZoneCatalog.Result> resultSink = r -> { };
    private ServedZones adminCheckedAgainst;
    private List<Drain> drains = List.of();
    private List<Problem> adminProblems = List.of();
    private Instant adminEmptySince;
    private boolean passedOnce;
    private volatile Runnable beforePass = () -> { };
    private volatile ZoneCatalog.Result lastResult;

    private Catalogs(GeoService geo, ZoneCatalog zones, Path zonesDir, ServerConfig config) {
        this.geo = geo;
        this.zones = zones;
        this.zonesDir = zonesDir;
        this.adminStateFile = zonesDir.resolve(AdminState.FILE);
        this.adminWatch = new Settling(config.reload.settle);
        this.emptyGrace = config.reload.emptyGrace;
        this.adminStateMaxBytes = config.limits.steeringFileMaxBytes;
    }

    static Catalogs of(ServerConfig config, Path baseDir, Supplier<HealthView> health) {
        Path geoDir = baseDir.resolve(config.geoip.dir);
        List<Path> explicit = config.geoip.databases.stream().map(baseDir::resolve).toList();
        GeoService geo = new GeoService(geoDir, explicit, config.limits.mmdbMaxBytes, config.reload.settle);
        Path zonesDir = baseDir.resolve(config.zonesDir);
        ZoneCatalog zones = new ZoneCatalog(zonesDir, new SteeringCompiler(geo::current, health,
                config.limits.steeringMaxMb), ZoneCatalog.Settings.of(config));
        return new Catalogs(geo, zones, zonesDir, config);
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

    /** Runs at the start of every pass, on the reload thread: lets a test make a pass fail. */
    void beforeEachPass(Runnable hook) {
        this.beforePass = hook;
    }

    /**
     * What is wrong with the files as they are now: every file whose current version was refused (its
     * previous version, if any, is in service), until it is fixed.
     */
    List<Problem> problems() {
        List<Problem> out = new ArrayList<>(zones.problems());
        String geoError = geo.lastError();
        if (geoError != null) {
            out.add(new Problem("geoip", 0, geoError));
        }
        out.addAll(adminProblems);
        return out;
    }

    /** Every origin of every served steering file, as health-check targets. */
    static List<CheckTarget> targets(ServedZones served) {
        List<CheckTarget> out = new ArrayList<>();
        for (ServedZone z : served.all()) {
            if (z.steering() != null) {
                out.addAll(z.steering().targets());
            }
        }
        return out;
    }

    /** Reloads every file now, changed or not, settled or not (the admin API's reload, SIGHUP). */
    ZoneCatalog.Result reloadAll() {
        geo.invalidate();
        zones.invalidate();
        adminWatch.forget();
        return pass(true);
    }

    /**
     * One pass over what changed, without waiting for files to settle (they were written whole: a set from
     * etcd); unchanged files, the GeoIP databases among them, are not read again.
     */
    ZoneCatalog.Result applyNow() {
        return pass(true);
    }

    /** One pass over what changed; the first pass loads everything at once. */
    ZoneCatalog.Result refresh() {
        return pass(!passedOnce);
    }

    /** Databases first (steering is compiled against them), then zones, then admin-state.yaml. */
    private ZoneCatalog.Result pass(boolean immediate) {
        passedOnce = true;
        beforePass.run();
        boolean builtBefore = zones.current().size() > 0;
        String geoErrorBefore = geo.lastError();
        boolean geoChanged = geo.refresh(immediate);
        if (geoChanged && builtBefore) {
            zones.rebuildSteering(); // zones loaded earlier were compiled against the old databases
        }
        ZoneCatalog.Result r = zones.refresh(immediate);
        List<Problem> errors = new ArrayList<>(r.errors());
        List<Problem> warnings = new ArrayList<>(r.warnings());
        String geoError = geo.lastError();
        if (geoError != null && (immediate || !geoError.equals(geoErrorBefore))) {
            errors.add(new Problem("geoip", 0, geoError));
        }
        errors.addAll(refreshAdminState(immediate, warnings));
        ZoneCatalog.Result all = new ZoneCatalog.Result(List.copyOf(errors), List.copyOf(warnings),
                r.changed() || geoChanged);
        if (all.changed() || !errors.isEmpty() || !warnings.isEmpty()) {
            lastResult = all;
            resultSink.accept(all);
        }
        return all;
    }

    private List<Problem> refreshAdminState(boolean immediate, List<Problem> warnings) {
        Instant now = Instant.now();
        String shown = adminStateFile.toString();
        ServedZones served = zones.current();
        FileVersion version;
        try {
            version = FileVersion.of(adminStateFile);
        } catch (IOException e) {
            return adminFailed(List.of(new Problem(shown, 0, OperatorFiles.describe(e))));
        }
        Settling.Verdict verdict = adminWatch.poll(version, now, immediate);
        if (verdict == Settling.Verdict.PENDING
                || (verdict == Settling.Verdict.UNCHANGED && served == adminCheckedAgainst)) {
            return List.of();
        }
        try {
            byte[] bytes = OperatorFiles.read(adminStateFile, zonesDir, adminStateMaxBytes,
                    "limits.steering_file_max_bytes");
            if (verdict == Settling.Verdict.READY && !immediate && bytes != null && !drains.isEmpty()
                    && new String(bytes, StandardCharsets.UTF_8).isBlank() && holdEmpty(shown, now, warnings)) {
                return List.of(); // looked at again at the next pass
            }
            adminEmptySince = null;
            if (!Objects.equals(version, FileVersion.of(adminStateFile))) {
                return List.of(); // changed while it was read: not settled after all
            }
            adminWatch.applied(version);
            adminCheckedAgainst = served;
            List<CheckTarget> known = targets(served);
            AdminState.Parsed parsed = bytes == null ? new AdminState.Parsed(List.of(), List.of())
                    : AdminState.parse(shown, bytes, sel -> known.stream()
                    .anyMatch(t -> t.key().equals(sel) || t.key().startsWith(sel + "/")));
            // Each bad selector is reported on its own; the others apply (one stale line must not undrain all).
            for (Problem problem : parsed.problems()) {
                LOG.warning("admin state: " + problem);
            }
            List<Drain> next = parsed.drains();
            if (!next.equals(drains)) {
                LOG.info("admin state: " + (next.isEmpty() ? "nothing drained" : "drained "
                        + next.stream().map(Drain::written).toList()) + " (" + adminStateFile + ")");
            }
            drains = next;
            adminProblems = parsed.problems();
            drainSink.accept(next);
            return parsed.problems();
        } catch (ProblemException e) {
            return adminFailed(e.errors());
        } catch (IOException e) {
            adminWatch.applied(version);
            adminCheckedAgainst = served;
            return adminFailed(List.of(new Problem(shown, 0, OperatorFiles.describe(e))));
        } catch (RuntimeException | Error e) {
            adminWatch.applied(version);
            adminCheckedAgainst = served;
            LOG.log(Level.SEVERE, "admin state " + adminStateFile + " could not be read: " + e, e);
            return adminFailed(List.of(new Problem(shown, 0, "not applied: internal error ("
                    + e.getClass().getSimpleName() + ")")));
        }
    }

    private List<Problem> adminFailed(List<Problem> errors) {
        for (Problem err : errors) {
            LOG.severe("admin state not applied, keeping " + drains.stream().map(Drain::written).toList() + ": " + err);
        }
        adminProblems = List.copyOf(errors);
        return errors;
    }

    /**
     * admin-state.yaml that drained something is now empty: most often caught between its truncation
     * and its new content. Keep the drains (true) until it has stayed empty for the grace period.
     */
    private boolean holdEmpty(String shown, Instant now, List<Problem> warnings) {
        if (adminEmptySince == null) {
            adminEmptySince = now;
            Problem w = new Problem(shown, 0, "is empty; keeping the drains "
                    + drains.stream().map(Drain::written).toList() + " unless it stays empty for "
                    + dev.geosteer.config.DurationParser.format(emptyGrace) + " (reload.empty_grace)");
            LOG.warning("admin state: " + w);
            warnings.add(w);
        }
        return Duration.between(adminEmptySince, now).compareTo(emptyGrace) < 0;
    }
}
