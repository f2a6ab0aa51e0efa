package dev.geosteer.config;

import dev.geosteer.files.FileVersion;
import dev.geosteer.files.OperatorFiles;
import dev.geosteer.files.Settling;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import dev.geosteer.zone.Zone;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;
import dev.geosteer.zone.ZoneLoader;
import org.xbill.DNS.Name;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The zones directory: every {@code *.zone} file is a zone, with an optional {@code *.steer.yaml}
 * beside it. Loads them, notices changes, and publishes a new immutable {@link ServedZones} after each
 * successful change. A zone that fails to reload keeps its previous version in service; a change is
 * loaded only once the files have settled ({@link Settling}), so a file caught half-written is not
 * served. Not thread-safe: one thread (the reload thread) calls it; readers use {@link #current()}.
 */
public final class ZoneCatalog {
    private static final Logger LOG = Logger.getLogger(ZoneCatalog.class.getName());

    /**
     * Outcome of a load pass: the errors found (empty when all went well), what is worth a warning
     * (a file held back, a zone changed without a new serial, balancers that vanished), and whether
     * anything changed.
     */
    public record Result(List<Problem> errors, List<Problem> warnings, boolean changed) {
        public Result(List<Problem> errors, boolean changed) {
            this(errors, List.of(), changed);
        }
    }

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
        final Settling zoneWatch = new Settling(settings.settle());
        final Settling steerWatch = new Settling(settings.settle());
        SteeringLoader.Prepared steering;
        ServedZone served; // last good version, or null if it never loaded
        Instant emptySteeringSince;
        List<Problem> problems = List.of(); // errors of the files as they are now (empty once they load)
    }

    private final Path dir;
    private final SteeringLoader steeringLoader;
    private final Settings settings;
    private final Map<Path, Entry> entries = new TreeMap<>();
    private final AtomicReference<ServedZones> current = new AtomicReference<>(ServedZones.EMPTY);
    private final List<Consumer<ServedZones>> listeners = new ArrayList<>();
    private volatile Result lastResult;
    private Problem dirProblem;
    private boolean loadedOnce;

    /** A catalog that loads every change at once, with the default limits. */
    public ZoneCatalog(Path dir, SteeringLoader steeringLoader) {
        this(dir, steeringLoader, Settings.IMMEDIATE);
    }

    public ZoneCatalog(Path dir, SteeringLoader steeringLoader, Settings settings) {
        this.dir = dir;
        this.steeringLoader = steeringLoader;
        this.settings = settings;
    }

    public Path dir() {
        return dir;
    }

    /** The last pass that changed something or found errors (for tests and the admin API). */
    public Result lastResult() {
        return lastResult;
    }

    public ServedZones current() {
        return current.get();
    }

    /** Called (on the reload thread) after each publication. */
    public void onPublish(Consumer<ServedZones> listener) {
        listeners.add(listener);
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
        String base = zoneFile.getFileName().toString();
        return zoneFile.resolveSibling(base.substring(0, base.length() - ".zone".length()) + ".steer.yaml");
    }

    /**
     * Loads what changed and has settled since the last call (everything, at once, on the first call),
     * and publishes if anything did.
     */
    public Result refresh() {
        return refresh(!loadedOnce);
    }

    /**
     * @param immediate load every change now, settled or not (start-up, an explicit reload): the
     *                  operator says the files are ready
     */
    public Result refresh(boolean immediate) {
        loadedOnce = true;
        Instant now = Instant.now();
        List<Problem> errors = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        List<Path> listed;
        try (Stream<Path> s = Files.list(dir)) {
            listed = s.filter(p -> p.getFileName().toString().endsWith(".zone")).sorted().toList();
            dirProblem = null;
        } catch (IOException e) {
            Problem err = new Problem(dir.toString(), 0, e instanceof NoSuchFileException
                    ? "the zones directory does not exist"
                    : e instanceof NotDirectoryException ? "the zones directory is not a directory"
                    : "cannot list the zones directory: " + OperatorFiles.describe(e));
            if (!err.equals(dirProblem)) {
                LOG.severe(err + (current().size() == 0 ? "" : "; still serving the " + current().size()
                        + " zones loaded before"));
            }
            dirProblem = err;
            errors.add(err);
            return finish(errors, warnings, false);
        }
        boolean changed = false;
        TreeSet<Path> files = new TreeSet<>(listed);
        files.addAll(entries.keySet()); // a file that vanished is a change too, once it has stayed away
        for (Path file : files) {
            Entry e = entries.computeIfAbsent(file, k -> new Entry());
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

    private Result finish(List<Problem> errors, List<Problem> warnings, boolean changed) {
        Result result = new Result(List.copyOf(errors), List.copyOf(warnings), changed);
        if (changed || !errors.isEmpty() || !warnings.isEmpty()) {
            lastResult = result;
        }
        return result;
    }

    /** One zone file and its steering file; true when what is served changed. */
    private boolean refreshOne(Path file, Entry e, Instant now, boolean immediate, List<Problem> errors,
                               List<Problem> warnings) throws ProblemException {
        Path steerFile = steerFileOf(file);
        FileVersion zv;
        FileVersion sv;
        try {
            zv = FileVersion.of(file);
            sv = FileVersion.of(steerFile);
        } catch (IOException ex) {
            throw problem(e, new Problem(file.toString(), 0, OperatorFiles.describe(ex)));
        }
        Settling.Verdict zoneVerdict = e.zoneWatch.poll(zv, now, immediate);
        Settling.Verdict steerVerdict = e.steerWatch.poll(sv, now, immediate);
        if (zoneVerdict == Settling.Verdict.PENDING || steerVerdict == Settling.Verdict.PENDING
                || (zoneVerdict == Settling.Verdict.UNCHANGED && steerVerdict == Settling.Verdict.UNCHANGED)) {
            return false;
        }
        if (zv == null) {
            entries.remove(file);
            if (e.served != null) {
                LOG.info("zone " + e.served.zone().origin() + " removed: " + file + " was deleted");
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
            byte[] zoneBytes = OperatorFiles.read(file, dir, settings.zoneFileMaxBytes(), "limits.zone_file_max_bytes");
            if (zoneBytes == null || !Objects.equals(zv, FileVersion.of(file))
                    || !Objects.equals(sv, FileVersion.of(steerFile))) {
                return false; // changed while it was read: it is not settled after all
            }
            tried(e, zv, sv);
            load(file, zoneBytes, steerFile, steerBytes, e, warnings, start);
            e.problems = List.of();
            return true;
        } catch (SteeringReadFailure ex) {
            tried(e, zv, sv);
            throw reject(file, e, List.of(new Problem(steerFile.toString(), 0, OperatorFiles.describe(ex.cause()))));
        } catch (IOException ex) {
            tried(e, zv, sv);
            throw reject(file, e, List.of(new Problem(file.toString(), 0, OperatorFiles.describe(ex))));
        } catch (ProblemException ex) {
            tried(e, zv, sv);
            throw reject(file, e, ex.errors());
        } catch (OutOfMemoryError ex) {
            tried(e, zv, sv);
            throw reject(file, e, List.of(new Problem(file.toString(), 0, "ran out of memory loading it ("
                    + ex.getMessage() + "): lower limits.zone_max_records or limits.zone_file_max_bytes, or give the"
                    + " server more heap (-Xmx)")));
        } catch (RuntimeException | Error ex) {
            // A bug or a fault of the machine (e.g. an I/O error while mapped): this file fails, the others go on.
            LOG.log(Level.SEVERE, "zone file " + file + " could not be loaded: " + ex, ex);
            tried(e, zv, sv);
            throw reject(file, e, List.of(new Problem(file.toString(), 0, "not loaded: internal error ("
                    + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage()) + ")")));
        }
    }

    /** These versions were tried: they are not looked at again until they change, whatever the outcome. */
    private static void tried(Entry e, FileVersion zv, FileVersion sv) {
        e.zoneWatch.applied(zv);
        e.steerWatch.applied(sv);
    }

    /** Logs why a zone's files failed and records it as the zone's current problem. */
    private static ProblemException reject(Path file, Entry e, List<Problem> errs) {
        String what = e.served == null ? "zone " + file + " not loaded"
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

    private byte[] readSteering(Path steerFile) throws SteeringReadFailure {
        try {
            return OperatorFiles.read(steerFile, dir, settings.steeringFileMaxBytes(), "limits.steering_file_max_bytes");
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
    private boolean holdEmptySteering(Path file, Path steerFile, Entry e, Instant now, List<Problem> warnings) {
        if (e.emptySteeringSince == null) {
            e.emptySteeringSince = now;
            Problem w = new Problem(steerFile.toString(), 0, "is empty; keeping the previous steering ("
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
        for (Map.Entry<Path, Entry> me : entries.entrySet()) {
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

    private void load(Path file, byte[] zoneBytes, Path steerFile, byte[] steerBytes, Entry e, List<Problem> warnings,
                      long start) throws ProblemException {
        ZoneLoader.ParsedZone parsed = ZoneLoader.parse(file.toString(), file, zoneBytes,
                ZoneLoader.originFromFileName(file), settings.zoneMaxRecords());
        // Both files are checked before giving up, so that every error of either is reported at once.
        List<Problem> errors = new ArrayList<>();
        SteeringLoader.Prepared steering = null;
        try {
            steering = steerBytes == null ? null : steeringLoader.prepare(steerFile.toString(), steerBytes, parsed);
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
                throw new ProblemException(new Problem(file.toString(), 0, "zone " + zone.origin()
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
                steering == null ? "" : ", " + steering.names().size() + " balancers", file,
                (System.nanoTime() - start) / 1_000_000));
    }

    /** What a reload changes that the operator may not have meant: a serial left as it was, balancers gone. */
    private void warnAboutTheChange(Path file, Path steerFile, byte[] steerBytes, Entry e,
                                    Zone zone, List<Problem> warnings) {
        Zone before = e.served.zone();
        if (before.serial() == zone.serial() && !before.sameRecords(zone)) {
            Problem w = new Problem(file.toString(), 0, "the records changed but the serial is still "
                    + zone.serial() + ": loaded, but secondaries (and anything that compares serials) will not see"
                    + " the change; increase the serial");
            LOG.warning("zone " + zone.origin() + ": " + w);
            warnings.add(w);
        }
        if (steerBytes == null && hasBalancers(e)) {
            Problem w = new Problem(steerFile.toString(), 0, "is gone: balancers " + balancerNames(e)
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
        ServedZones next = new ServedZones(m);
        current.set(next);
        for (Consumer<ServedZones> l : listeners) {
            l.accept(next);
        }
    }
}
