package dev.geosteer.config;

import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import dev.geosteer.zone.Zone;
import dev.geosteer.zone.ZoneError;
import dev.geosteer.zone.ZoneException;
import dev.geosteer.zone.ZoneLoader;
import org.xbill.DNS.Name;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The zones directory: every {@code *.zone} file is a zone, with an optional {@code *.steer.yaml}
 * beside it. Loads them, notices changes, and publishes a new immutable {@link ServedZones} after each
 * successful change. A zone that fails to reload keeps its previous version in service. Not
 * thread-safe: one thread (the reload thread) calls it; readers use {@link #current()}.
 */
public final class ZoneCatalog {
    private static final Logger LOG = Logger.getLogger(ZoneCatalog.class.getName());

    /** Outcome of a load pass: the errors found (empty when all went well) and whether anything changed. */
    public record Result(List<ZoneError> errors, boolean changed) {
    }

    /** Identifies a version of a file without reading it: a rename over it or an edit changes one of these. */
    private record Fingerprint(java.nio.file.attribute.FileTime modified, long size, Object key) {
        static Fingerprint of(Path p) throws IOException {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                return new Fingerprint(a.lastModifiedTime(), a.size(), a.fileKey());
            } catch (NoSuchFileException e) {
                return null;
            }
        }
    }

    /** What the catalog remembers of one zone file. */
    private static final class Entry {
        Fingerprint zonePrint;
        Fingerprint steerPrint;
        SteeringLoader.Prepared steering;
        ServedZone served; // last good version, or null if it never loaded
    }

    private final Path dir;
    private final SteeringLoader steeringLoader;
    private final Map<Path, Entry> entries = new TreeMap<>();
    private final AtomicReference<ServedZones> current = new AtomicReference<>(ServedZones.EMPTY);
    private final List<Consumer<ServedZones>> listeners = new ArrayList<>();
    private volatile Result lastResult;

    public ZoneCatalog(Path dir, SteeringLoader steeringLoader) {
        this.dir = dir;
        this.steeringLoader = steeringLoader;
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

    public static Path steerFileOf(Path zoneFile) {
        String base = zoneFile.getFileName().toString();
        return zoneFile.resolveSibling(base.substring(0, base.length() - ".zone".length()) + ".steer.yaml");
    }

    /** Loads what changed since the last call (everything on the first), publishes if anything did. */
    public Result refresh() {
        List<ZoneError> errors = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".zone") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            errors.add(new ZoneError(dir.toString(), 0, "cannot list the zones directory: " + e.getMessage()));
            return new Result(errors, false);
        }
        boolean changed = false;
        for (Path gone : new ArrayList<>(entries.keySet())) {
            if (!files.contains(gone)) {
                Entry e = entries.remove(gone);
                if (e.served != null) {
                    LOG.info("zone " + e.served.zone().origin() + " removed: " + gone + " was deleted");
                    changed = true;
                }
            }
        }
        for (Path file : files) {
            Entry e = entries.computeIfAbsent(file, k -> new Entry());
            Fingerprint zp;
            Fingerprint sp;
            try {
                zp = Fingerprint.of(file);
                sp = Fingerprint.of(steerFileOf(file));
            } catch (IOException ex) {
                errors.add(new ZoneError(file.toString(), 0, "cannot read: " + ex.getMessage()));
                continue;
            }
            if (zp == null || (Objects.equals(zp, e.zonePrint) && Objects.equals(sp, e.steerPrint))) {
                continue;
            }
            e.zonePrint = zp;
            e.steerPrint = sp;
            try {
                load(file, e);
                changed = true;
            } catch (ZoneException ex) {
                errors.addAll(ex.errors());
                String what = e.served == null ? "zone " + file + " not loaded"
                        : "zone " + e.served.zone().origin() + " reload failed, still serving serial "
                        + e.served.zone().serial();
                for (ZoneError err : ex.errors()) {
                    LOG.severe(what + ": " + err);
                }
            }
        }
        if (changed) {
            publish();
        }
        Result result = new Result(List.copyOf(errors), changed);
        if (changed || !errors.isEmpty()) {
            lastResult = result;
        }
        return result;
    }

    /** Forgets what was loaded, so that the next {@link #refresh} reloads every file (the served versions stay until then). */
    public void invalidate() {
        for (Entry e : entries.values()) {
            e.zonePrint = null;
            e.steerPrint = null;
        }
    }

    /**
     * Rebuilds every zone's steering (after the GeoIP databases changed) and publishes. A zone whose
     * steering cannot be built against the new databases keeps the previous build.
     */
    public void rebuildSteering() {
        for (Entry e : entries.values()) {
            if (e.served != null && e.steering != null) {
                try {
                    e.served = new ServedZone(e.served.zone(), e.steering.build(e.served.zone()));
                } catch (ZoneException ex) {
                    for (ZoneError err : ex.errors()) {
                        LOG.severe("zone " + e.served.zone().origin() + ": steering not rebuilt for the new GeoIP"
                                + " databases, still served as built before: " + err);
                    }
                }
            }
        }
        publish();
    }

    private void load(Path file, Entry e) throws ZoneException {
        long start = System.nanoTime();
        ZoneLoader.ParsedZone parsed = ZoneLoader.parse(file);
        Path steerFile = steerFileOf(file);
        SteeringLoader.Prepared steering = steeringLoader.prepare(steerFile, parsed);
        Zone zone = ZoneLoader.compile(parsed, steering == null ? Map.of() : steering.names());
        for (Entry other : entries.values()) {
            if (other != e && other.served != null && other.served.zone().origin().equals(zone.origin())) {
                throw new ZoneException(new ZoneError(file.toString(), 0, "zone " + zone.origin()
                        + " is already served from " + other.served.zone().source()));
            }
        }
        ServedZone served = new ServedZone(zone, steering == null ? null : steering.build(zone));
        for (ZoneError w : parsed.warnings()) {
            LOG.warning("zone " + zone.origin() + ": " + w);
        }
        e.steering = steering;
        e.served = served;
        LOG.info(String.format("zone %s loaded: serial %d, %d records, %d names%s from %s (%d ms)",
                zone.origin(), zone.serial(), zone.recordCount(), zone.nameCount(),
                steering == null ? "" : ", " + steering.names().size() + " balancers", file,
                (System.nanoTime() - start) / 1_000_000));
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
