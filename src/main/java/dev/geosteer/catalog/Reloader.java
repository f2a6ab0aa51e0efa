package dev.geosteer.catalog;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.health.Drain;
import dev.geosteer.health.HealthView;
import dev.geosteer.problem.Problem;
import dev.geosteer.steer.SteeringCompiler;
import dev.geosteer.steer.SteeringLoader;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one reload loop: files of a {@link ConfigSource} → validated, compiled {@link Catalog} → published.
 * The same for {@code serve} (passes on its own thread, {@code geosteer-reload}, every
 * {@code reload.interval}), {@code check} and {@code lookup} (one pass on the caller's thread), so that
 * the tools see exactly what the server sees.
 *
 * <p>A pass: GeoIP databases first (steering is compiled against them; zones compiled before are
 * rebuilt when they change), then the zones and their steering files, then the catalog is published if
 * anything changed, then {@code admin-state.yaml}. One file, one outcome: a refused file keeps its last
 * good version in service and is listed in {@link ReloadStatus#problems()}; a pass that fails as a whole
 * (any {@code Throwable}) is logged, recorded as the status's {@code failure}, and never stops the passes
 * that follow.
 *
 * <p>Hooks: {@link #onPublish} (every new catalog: health checks, and later zone transfers and DNSSEC
 * signing), {@link #onDrains} (the drains of admin-state.yaml), {@link #onPass} (metrics).
 */
public final class Reloader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Reloader.class.getName());

    /** Told of each pass, on the reload thread. */
    public interface PassListener {
        /** A pass finished; {@code result} says what it changed and found. */
        void passed(LoadResult result, ReloadStatus status);

        /** A pass could not finish. */
        void failed(Throwable cause, ReloadStatus status);
    }

    private final ConfigSource source;
    private final GeoDatabases geo;
    private final ZoneCatalog zones;
    private final AdminStateLoader adminState;
    private final Duration interval;
    private final List<Consumer<Catalog>> publishListeners = new CopyOnWriteArrayList<>();
    private final List<PassListener> passListeners = new CopyOnWriteArrayList<>();
    private volatile Catalog current = Catalog.EMPTY;
    private volatile ReloadStatus status = ReloadStatus.START;
    private volatile Runnable beforePass = () -> { };
    private final List<Runnable> afterPass = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService thread;
    private boolean passedOnce;

    Reloader(ConfigSource source, GeoDatabases geo, SteeringLoader steering, ZoneCatalog.Settings settings,
             Duration emptyGrace, long adminStateMaxBytes, Duration interval) {
        this.source = source;
        this.geo = geo;
        this.zones = new ZoneCatalog(source, steering, settings);
        this.adminState = new AdminStateLoader(source, source.settle(), emptyGrace, adminStateMaxBytes);
        this.interval = interval;
    }

    /**
     * The load pipeline of a configuration, reading {@code source}; steering compiled against the
     * GeoIP databases the source names and the health view given (for {@code lookup}'s explanations).
     */
    public static Reloader of(ServerConfig config, ConfigSource source, Supplier<HealthView> health) {
        ConfigSource.GeoPaths paths = source.geoip();
        GeoDatabases geo = new GeoDatabases(paths.dir(), paths.explicit(), config.limits.mmdbMaxBytes,
                config.reload.settle);
        SteeringCompiler steering = new SteeringCompiler(() -> geo.current(), health, config.limits.steeringMaxMb);
        return new Reloader(source, geo, steering, ZoneCatalog.Settings.of(config), config.reload.emptyGrace,
                config.limits.steeringFileMaxBytes, config.reload.interval);
    }

    public ConfigSource source() {
        return source;
    }

    /** The catalog in service. */
    public Catalog current() {
        return current;
    }

    /** What the last pass found. */
    public ReloadStatus status() {
        return status;
    }

    /** Zone files found at the last pass (loaded or not). */
    public int zoneFileCount() {
        return zones.fileCount();
    }

    /** Called with every catalog published, on the reload thread, in order; a listener must not block long. */
    public void onPublish(Consumer<Catalog> listener) {
        publishListeners.add(listener);
    }

    /** Where the drains of admin-state.yaml go (the health state). */
    public void onDrains(Consumer<List<Drain>> sink) {
        adminState.onDrains(sink);
    }

    public void onPass(PassListener listener) {
        passListeners.add(listener);
    }

    /**
     * Runs at the end of every pass, inside it, on the reload thread: work due with time rather than with
     * a file change (DNSSEC re-signing). A throw fails the pass, as any error of a pass does.
     */
    public void afterEachPass(Runnable work) {
        afterPass.add(work);
    }

    /** Runs at the start of every pass, on the reload thread: lets a test make a pass fail. */
    public void beforeEachPass(Runnable hook) {
        this.beforePass = hook;
    }

    /**
     * What is wrong with the files as they are now: every file whose current version was refused (its
     * previous version, if any, is in service), until it is fixed.
     */
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>(zones.problems());
        String geoError = geo.lastError();
        if (geoError != null) {
            out.add(new Problem("geoip", 0, geoError));
        }
        out.addAll(adminState.problems());
        return out;
    }

    /**
     * One pass on the caller's thread (the first loads everything at once), recorded in the status. For
     * the tools; a running server passes on its own thread ({@link #start}, {@link #reload}).
     */
    public LoadResult refresh() {
        return record(pass(!passedOnce));
    }

    /**
     * Starts the passes on the reload thread: the first one now (the returned future completes with its
     * result, or with what made it fail), the others every {@code reload.interval}.
     */
    public synchronized CompletableFuture<LoadResult> start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "geosteer-reload");
            t.setDaemon(true);
            return t;
        });
        CompletableFuture<LoadResult> first = onThread(false);
        long every = interval.toMillis();
        thread.scheduleWithFixedDelay(this::scheduledPass, every, every, TimeUnit.MILLISECONDS);
        return first;
    }

    /**
     * Reloads every file now (zones, steering, GeoIP, admin-state.yaml), changed or not, settled or not,
     * on the reload thread, so reloads never overlap; returns at once. The admin API's reload, SIGHUP.
     */
    public CompletableFuture<LoadResult> reload() {
        return onThread(true, () -> null);
    }

    /**
     * On the reload thread: {@code first} (e.g. writing a set received whole from etcd into the source),
     * then one pass over what changed without waiting for files to settle; unchanged files, the GeoIP
     * databases among them, are not read again. Returns at once.
     */
    public CompletableFuture<LoadResult> applyNow(java.util.concurrent.Callable<?> first) {
        return onThread(false, first);
    }

    private CompletableFuture<LoadResult> onThread(boolean all) {
        return onThread(all, () -> null);
    }

    private CompletableFuture<LoadResult> onThread(boolean all, java.util.concurrent.Callable<?> first) {
        CompletableFuture<LoadResult> f = new CompletableFuture<>();
        ScheduledExecutorService thread;
        synchronized (this) {
            thread = this.thread;
        }
        if (thread == null) {
            f.completeExceptionally(new IllegalStateException("the reload thread is not started"));
            return f;
        }
        try {
            thread.execute(() -> {
                try {
                    first.call();
                    if (all) {
                        geo.invalidate();
                        zones.invalidate();
                        adminState.forget();
                    }
                    f.complete(record(pass(true)));
                } catch (Throwable t) { // an Error too: the caller must get an answer, never wait forever
                    passFailed(t);
                    f.completeExceptionally(new IllegalStateException(t.getClass().getSimpleName()
                            + (t.getMessage() == null ? "" : ": " + t.getMessage()), t));
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new IllegalStateException("the server is stopping"));
        }
        return f;
    }

    /**
     * One scheduled pass. Nothing may escape it: an exception or error thrown out of a scheduled task
     * cancels every later run, silently, and the files would never be looked at again.
     */
    private void scheduledPass() {
        try {
            record(pass(false));
        } catch (Throwable t) {
            passFailed(t);
        }
    }

    private LoadResult record(LoadResult r) {
        status = status.passed(Instant.now(), problems(), r);
        for (PassListener l : passListeners) {
            l.passed(r, status);
        }
        return r;
    }

    /** A pass that could not finish: logged, counted, and shown by /readyz and /status until one does. */
    private void passFailed(Throwable t) {
        try {
            status = status.failed(Instant.now(), t);
            for (PassListener l : passListeners) {
                l.failed(t, status);
            }
            LOG.log(Level.SEVERE, "reload pass failed, the files will be looked at again in "
                    + interval.toMillis() + " ms: " + t, t);
        } catch (Throwable ignored) {
            // even logging failed (out of memory): the next pass tries again
        }
    }

    /** Databases first (steering is compiled against them), then zones, publication, then admin-state.yaml. */
    private LoadResult pass(boolean immediate) {
        passedOnce = true;
        beforePass.run();
        boolean builtBefore = zones.current().size() > 0;
        String geoErrorBefore = geo.lastError();
        boolean geoChanged = geo.refresh(immediate);
        if (geoChanged && builtBefore) {
            zones.rebuildSteering(); // zones loaded earlier were compiled against the old databases
        }
        LoadResult r = zones.refresh(immediate);
        List<Problem> errors = new ArrayList<>(r.errors());
        List<Problem> warnings = new ArrayList<>(r.warnings());
        String geoError = geo.lastError();
        if (geoError != null && (immediate || !geoError.equals(geoErrorBefore))) {
            errors.add(new Problem("geoip", 0, geoError));
        }
        publishIfChanged();
        errors.addAll(adminState.refresh(zones.current(), immediate, warnings));
        afterPass.forEach(Runnable::run);
        return new LoadResult(errors, warnings, r.changed() || geoChanged);
    }

    private void publishIfChanged() {
        Catalog before = current;
        if (before.zones() == zones.current() && before.geo() == geo.current() && before != Catalog.EMPTY) {
            return;
        }
        Catalog next = new Catalog(before.generation() + 1, zones.current(), geo.current());
        current = next;
        for (Consumer<Catalog> l : publishListeners) {
            l.accept(next);
        }
    }

    /** Stops the passes; a pass running finishes. */
    @Override
    public synchronized void close() {
        if (thread != null) {
            thread.shutdownNow();
        }
    }
}
