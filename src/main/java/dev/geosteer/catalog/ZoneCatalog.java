package dev.geosteer.catalog;

import dev.geosteer.config.DurationParser;
import dev.geosteer.config.ServerConfig;
import dev.geosteer.files.OperatorFiles;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import dev.geosteer.zone.Zone;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;
import dev.geosteer.steer.SteeringLoader;
import dev.geosteer.zone.ZoneLoader;
import org.xbill.DNS.Name;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The zones of a {@link ConfigSource}: every {@code *.zone} file is a zone, with an optional
 * {@code *.steer.yaml} beside it. Loads them, notices changes, and publishes a new immutable {@link ServedZones} after each
 * successful change (the {@link Reloader} publishes it in a {@link Catalog}). A zone that fails to reload keeps its previous version in service; a change is
 * loaded only once the files have settled ({@link Settling}), so a file caught half-written is not
 * served. Not thread-safe: one thread (the reload thread) calls it; readers use {@link #current()}.
 */
public final class ZoneCatalog {
    private static final Logger LOG = Logger.getLogger(ZoneCatalog.class.getName());

    /**
     * How files are read and when a change is taken.
     *
     * @param settle                 a change is loaded once the files have not changed for this long
     * @param emptyGrace             a steering file that becomes empty is applied only after staying empty this long
     * @param zoneFileMaxBytes       larger zone files are refused unread
     * @param zoneMaxRecords         most records a zone may have, {@code $GENERATE} included
     * @param steeringFileMaxBytes   larger steering files are refused unread
     */
    public record Settings(Duration settle, Duration emptyGrace, long zoneFileMaxBytes, long zoneMaxRecords,
                           long steeringFileMaxBytes) {
        /** Every change loaded at once (tests, tools that read the files once). */
        public static final Settings IMMEDIATE = of(new ServerConfig()).with(Duration.ZERO, Duration.ZERO);

        public static Settings of(ServerConfig c) {
            return new Settings(c.reload.settle, c.reload.emptyGrace, c.limits.zoneFileMaxBytes, c.limits.zoneMaxRecords,
                    c.limits.steeringFileMaxBytes);
        }

        public Settings with(Duration settle, Duration emptyGrace) {
            return new Settings(settle, emptyGrace, zoneFileMaxBytes, zoneMaxRecords, steeringFileMaxBytes);
        }
    }

    /** What the catalog remembers of one zone file. */
    private final class Entry {
        final Watch zoneWatch;
        final Watch steerWatch;
        SteeringLoader.Prepared steering;
        ServedZone served; // last good version, or null if it never loaded
        Instant emptySteeringSince;
        List<Problem> problems = List.of(); // errors of the files as they are now (empty once they load)

        Entry(String file) {
            zoneWatch = new Watch(() -> source.fingerprint(file), settings.settle());
            steerWatch = new Watch(() -> source.fingerprint(ConfigSource.steeringFileOf(file)), settings.settle());
        }
    }

    private final ConfigSource source;
    private final SteeringLoader steeringLoader;
    private final Settings settings;
    private final Map<String, Entry> entries = new TreeMap<>();
    private final AtomicReference<ServedZones> current = new AtomicReference<>(ServedZones.EMPTY);
    private Problem dirProblem;
    private boolean loadedOnce;

    /** The zones of a directory, every change loaded at once, with the default limits (tests, tools). */
    public ZoneCatalog(Path dir, SteeringLoader steeringLoader) {
        this(dir, steeringLoader, Settings.IMMEDIATE);
    }

    public ZoneCatalog(Path dir, SteeringLoader steeringLoader, Settings settings) {
        this(LocalDirectory.of(dir), steeringLoader, settings);
    }

    /** {@code settings.settle()} applies to the files of a source that needs settling at all. */
    public ZoneCatalog(ConfigSource source, SteeringLoader steeringLoader, Settings settings) {
        this.source = source;
        this.steeringLoader = steeringLoader;
        this.settings = source.settle().isZero() ? settings.with(Duration.ZERO, settings.emptyGrace()) : settings;
    }

    public ConfigSource source() {
        return source;
    }

    public ServedZones current() {
        return current.get();
    }

    /**
     * What is wrong now: the errors of every zone and steering file whose current version could not be
     * loaded (its previous version, if any, is served), and a zones directory that cannot be read.
     */
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if (dirProblem != null) {
            out.add(dirProblem);
        }
        for (Entry e : entries.values()) {
            out.addAll(e.problems);
        }
        return out;
    }

    /** Zone files found in the directory at the last pass (loaded or not). */
    public int fileCount() {
        return entries.size();
    }

    public static Path steerFileOf(Path zoneFile) {
        return zoneFile.resolveSibling(ConfigSource.steeringFileOf(zoneFile.getFileName().toString()));
    }

    /**
     * Loads what changed and has settled since the last call (everything, at once, on the first call),
     * and publishes if anything did.
     */
    public LoadResult refresh() {
        return refresh(!loadedOnce);
    }

    /**
     * @param immediate load every change now, settled or not (start-up, an explicit reload): the
     *                  operator says the files are ready
     */
    public LoadResult refresh(boolean immediate) {
        loadedOnce = true;
        Instant now = Instant.now();
        List<Problem> errors = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        List<String> listed;
        try {
            listed = source.zoneFiles();
            dirProblem = null;
        } catch (ProblemException e) {
            Problem err = e.errors().get(0);
            if (!err.equals(dirProblem)) {
                LOG.severe(err + (current().size() == 0 ? "" : "; still serving the " + current().size()
                        + " zones loaded before"));
            }
            dirProblem = err;
            errors.add(err);
            return finish(errors, warnings, false);
        }
        boolean changed = false;
        TreeSet<String> files = new TreeSet<>(listed);
        files.addAll(entries.keySet()); // a file that vanished is a change too, once it has stayed away
        for (String file : files) {
            Entry e = entries.computeIfAbsent(file, Entry::new);
            try {
                changed |= refreshOne(file, e, now, immediate, errors, warnings);
            } catch (ProblemException ex) {
                errors.addAll(ex.errors());
            }
        }
        if (changed) {
            publish();
        }
        return finish(errors, warnings, changed);
    }

    private static LoadResult finish(List<Problem> errors, List<Problem> warnings, boolean changed) {
        return new LoadResult(List.copyOf(errors), List.copyOf(warnings), changed);
    }

    /** One zone file and its steering file; true when what is served changed. */
    private boolean refreshOne(String file, Entry e, Instant now, boolean immediate, List<Problem> errors,
                               List<Problem> warnings) throws ProblemException {
        String steerFile = ConfigSource.steeringFileOf(file);
        Settling.Verdict zoneVerdict;
        Settling.Verdict steerVerdict;
        try {
            zoneVerdict = e.zoneWatch.poll(now, immediate);
            steerVerdict = e.steerWatch.poll(now, immediate);
        } catch (IOException ex) {
            throw problem(e, new Problem(source.shown(file), 0, OperatorFiles.describe(ex)));
        }
        if (zoneVerdict == Settling.Verdict.PENDING || steerVerdict == Settling.Verdict.PENDING
                || (zoneVerdict == Settling.Verdict.UNCHANGED && steerVerdict == Settling.Verdict.UNCHANGED)) {
            return false;
        }
        if (e.zoneWatch.polled() == null) {
            entries.remove(file);
            if (e.served != null) {
                LOG.info("zone " + e.served.zone().origin() + " removed: " + source.shown(file) + " was deleted");
                return true;
            }
            return false;
        }
        long start = System.nanoTime();
        try {
            byte[] steerBytes = readSteering(steerFile);
            if (steerBytes != null && isBlank(steerBytes) && hasBalancers(e) && !immediate) {
                if (holdEmptySteering(file, steerFile, e, now, warnings)) {
                    return false; // looked at again at the next pass
                }
            } else {
                e.emptySteeringSince = null;
            }
            byte[] zoneBytes = source.read(file, settings.zoneFileMaxBytes(), "limits.zone_file_max_bytes");
            if (zoneBytes == null || !e.zoneWatch.unchangedSincePoll() || !e.steerWatch.unchangedSincePoll()) {
                return false; // changed while it was read: it is not settled after all
            }
            tried(e);
            load(file, zoneBytes, steerFile, steerBytes, e, warnings, start);
            e.problems = List.of();
            return true;
        } catch (SteeringReadFailure ex) {
            tried(e);
            throw reject(file, e, List.of(new Problem(source.shown(steerFile), 0, OperatorFiles.describe(ex.cause()))));
        } catch (IOException ex) {
            tried(e);
            throw reject(file, e, List.of(new Problem(source.shown(file), 0, OperatorFiles.describe(ex))));
        } catch (ProblemException ex) {
            tried(e);
            throw reject(file, e, ex.errors());
        } catch (OutOfMemoryError ex) {
            tried(e);
            throw reject(file, e, List.of(new Problem(source.shown(file), 0, "ran out of memory loading it ("
                    + ex.getMessage() + "): lower limits.zone_max_records or limits.zone_file_max_bytes, or give the"
                    + " server more heap (-Xmx)")));
        } catch (RuntimeException | Error ex) {
            // A bug or a fault of the machine (e.g. an I/O error while mapped): this file fails, the others go on.
            LOG.log(Level.SEVERE, "zone file " + source.shown(file) + " could not be loaded: " + ex, ex);
            tried(e);
            throw reject(file, e, List.of(new Problem(source.shown(file), 0, "not loaded: internal error ("
                    + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage()) + ")")));
        }
    }

    /** These versions were tried: they are not looked at again until they change, whatever the outcome. */
    private static void tried(Entry e) {
        e.zoneWatch.tried();
        e.steerWatch.tried();
    }

    /** Logs why a zone's files failed and records it as the zone's current problem. */
    private ProblemException reject(String file, Entry e, List<Problem> errs) {
        String what = e.served == null ? "zone " + source.shown(file) + " not loaded"
                : "zone " + e.served.zone().origin() + " reload failed, still serving serial " + e.served.zone().serial();
        for (Problem err : errs) {
            LOG.severe(what + ": " + err);
        }
        return problem(e, errs);
    }

    private static ProblemException problem(Entry e, Problem err) {
        return problem(e, List.of(err));
    }

    private static ProblemException problem(Entry e, List<Problem> errs) {
        e.problems = List.copyOf(errs);
        return new ProblemException(errs);
    }

    /** Thrown when the steering file, not the zone file, cannot be read. */
    private static final class SteeringReadFailure extends IOException {
        SteeringReadFailure(IOException cause) {
            super(cause);
        }

        IOException cause() {
            return (IOException) getCause();
        }
    }

    private byte[] readSteering(String steerFile) throws SteeringReadFailure {
        try {
            return source.read(steerFile, settings.steeringFileMaxBytes(), "limits.steering_file_max_bytes");
        } catch (IOException ex) {
            throw new SteeringReadFailure(ex);
        }
    }

    private static boolean hasBalancers(Entry e) {
        return e.steering != null && !e.steering.names().isEmpty();
    }

    /**
     * A steering file that was serving balancers is now empty: most often a file caught between its
     * truncation and its new content. Keep the previous steering (true) until it has stayed empty for
     * the grace period.
     */
    private boolean holdEmptySteering(String file, String steerFile, Entry e, Instant now, List<Problem> warnings) {
        if (e.emptySteeringSince == null) {
            e.emptySteeringSince = now;
            Problem w = new Problem(source.shown(steerFile), 0, "is empty; keeping the previous steering ("
                    + balancerNames(e) + ") unless it stays empty for " + DurationParser.format(settings.emptyGrace())
                    + " (reload.empty_grace)");
            LOG.warning("zone " + e.served.zone().origin() + ": " + w);
            warnings.add(w);
        }
        return Duration.between(e.emptySteeringSince, now).compareTo(settings.emptyGrace()) < 0;
    }

    private static String balancerNames(Entry e) {
        return e.steering.names().keySet().stream().map(Name::toString).sorted().collect(Collectors.joining(", "));
    }

    private static boolean isBlank(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).isBlank();
    }

    /** Forgets what was loaded, so that the next {@link #refresh} reloads every file (the served versions stay until then). */
    public void invalidate() {
        for (Entry e : entries.values()) {
            e.zoneWatch.forget();
            e.steerWatch.forget();
        }
    }

    /**
     * Rebuilds every zone's steering (after the GeoIP databases changed) and publishes. A zone whose
     * steering cannot be built against the new databases keeps the previous build.
     */
    public void rebuildSteering() {
        for (Map.Entry<String, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            if (e.served != null && e.steering != null) {
                try {
                    e.served = new ServedZone(e.served.zone(), e.steering.build(e.served.zone()));
                } catch (ProblemException ex) {
                    for (Problem err : ex.errors()) {
                        LOG.severe("zone " + e.served.zone().origin() + ": steering not rebuilt for the new GeoIP"
                                + " databases, still served as built before: " + err);
                    }
                } catch (RuntimeException | Error ex) {
                    // this zone keeps its steering on the previous databases; the others get the new ones
                    LOG.log(Level.SEVERE, "zone " + e.served.zone().origin() + ": steering not rebuilt on the new"
                            + " GeoIP databases, still served as built before: " + ex, ex);
                }
            }
        }
        publish();
    }

    private void load(String file, byte[] zoneBytes, String steerFile, byte[] steerBytes, Entry e, List<Problem> warnings,
                      long start) throws ProblemException {
        ZoneLoader.ParsedZone parsed = ZoneLoader.parse(source.shown(file), source.path(file), zoneBytes,
                ZoneLoader.originFromFileName(Path.of(file)), settings.zoneMaxRecords());
        // Both files are checked before giving up, so that every error of either is reported at once.
        List<Problem> errors = new ArrayList<>();
        SteeringLoader.Prepared steering = null;
        try {
            steering = steerBytes == null ? null : steeringLoader.prepare(source.shown(steerFile), steerBytes, parsed);
        } catch (ProblemException ex) {
            errors.addAll(ex.errors());
        }
        Zone zone = null;
        try {
            zone = ZoneLoader.compile(parsed, steering == null ? Map.of() : steering.names());
        } catch (ProblemException ex) {
            errors.addAll(0, ex.errors());
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(errors);
        }
        for (Entry other : entries.values()) {
            if (other != e && other.served != null && other.served.zone().origin().equals(zone.origin())) {
                throw new ProblemException(new Problem(source.shown(file), 0, "zone " + zone.origin()
                        + " is already served from " + other.served.zone().source()));
            }
        }
        ServedZone served = new ServedZone(zone, steering == null ? null : steering.build(zone));
        for (Problem w : parsed.warnings()) {
            LOG.warning("zone " + zone.origin() + ": " + w);
        }
        if (e.served != null) {
            warnAboutTheChange(file, steerFile, steerBytes, e, zone, warnings);
        }
        e.steering = steering;
        e.served = served;
        e.emptySteeringSince = null;
        LOG.info(String.format("zone %s loaded: serial %d, %d records, %d names%s from %s (%d ms)",
                zone.origin(), zone.serial(), zone.recordCount(), zone.nameCount(),
                steering == null ? "" : ", " + steering.names().size() + " balancers", source.shown(file),
                (System.nanoTime() - start) / 1_000_000));
    }

    /** What a reload changes that the operator may not have meant: a serial left as it was, balancers gone. */
    private void warnAboutTheChange(String file, String steerFile, byte[] steerBytes, Entry e,
                                    Zone zone, List<Problem> warnings) {
        Zone before = e.served.zone();
        if (before.serial() == zone.serial() && !before.sameRecords(zone)) {
            Problem w = new Problem(source.shown(file), 0, "the records changed but the serial is still "
                    + zone.serial() + ": loaded, but secondaries (and anything that compares serials) will not see"
                    + " the change; increase the serial");
            LOG.warning("zone " + zone.origin() + ": " + w);
            warnings.add(w);
        }
        if (steerBytes == null && hasBalancers(e)) {
            Problem w = new Problem(source.shown(steerFile), 0, "is gone: balancers " + balancerNames(e)
                    + " vanished with it (their names now answer from the zone file alone)");
            LOG.warning("zone " + zone.origin() + ": " + w);
            warnings.add(w);
        }
    }

    private void publish() {
        Map<Name, ServedZone> m = new HashMap<>();
        for (Entry e : entries.values()) {
            if (e.served != null) {
                m.put(e.served.zone().origin(), e.served);
            }
        }
        current.set(new ServedZones(m));
    }
}
