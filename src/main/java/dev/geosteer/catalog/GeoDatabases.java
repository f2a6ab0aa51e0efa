package dev.geosteer.catalog;

import dev.geosteer.files.OperatorFiles;
import dev.geosteer.geo.GeoIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The GeoIP databases in service: loads them, notices when a file changes, and swaps in a new
 * {@link GeoIndex} only when every file reads. The previous databases stay in service while a file is
 * being replaced: a changed file is loaded once it has settled, a half-copied or oversized one
 * (checked before it is opened) is refused, and a file that vanished (deleted, then copied again) is
 * waited for: until it is back, or an explicit reload says it is gone for good. Called from the reload
 * thread; readers use {@link #current()}.
 */
public final class GeoDatabases {
    private static final Logger LOG = Logger.getLogger(GeoDatabases.class.getName());

    private final Path dir;
    private final List<Path> explicit;
    private final long maxBytes;
    private final Duration settle;
    private final AtomicReference<GeoIndex> current = new AtomicReference<>(GeoIndex.EMPTY);
    private final Map<Path, Watch> watches = new HashMap<>();
    private Set<Path> loaded = Set.of();
    private Set<Path> vanishedWarned = Set.of();
    private boolean triedOnce;
    private volatile String lastError;

    /** Loads every change at once, databases up to 512 MiB. */
    public GeoDatabases(Path dir, List<Path> explicit) {
        this(dir, explicit, 512L << 20, Duration.ZERO);
    }

    /**
     * @param dir      directory whose {@code .mmdb} files are loaded (in name order) when {@code explicit} is empty
     * @param explicit databases to load, in priority order
     * @param maxBytes larger databases are refused before they are opened
     * @param settle   a changed database is loaded once it has not changed for this long
     */
    public GeoDatabases(Path dir, List<Path> explicit, long maxBytes, Duration settle) {
        this.dir = dir;
        this.explicit = List.copyOf(explicit);
        this.maxBytes = maxBytes;
        this.settle = settle;
    }

    public GeoIndex current() {
        return current.get();
    }

    /** The problem with the databases on disk now (the previous ones are in service), or null. */
    public String lastError() {
        return lastError;
    }

    private List<Path> files() throws IOException {
        if (!explicit.isEmpty()) {
            return explicit;
        }
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".mmdb")).sorted().toList();
        }
    }

    /** Forgets what was loaded, so that the next {@link #refresh} reloads the databases. */
    public void invalidate() {
        watches.values().forEach(Watch::forget);
    }

    /** Reloads if a database changed and settled; returns true when a new index was published. */
    public boolean refresh() {
        return refresh(false);
    }

    /**
     * @param immediate load now, settled or not, and accept that a vanished database is gone (start-up,
     *                  an explicit reload)
     */
    public boolean refresh(boolean immediate) {
        Instant now = Instant.now();
        List<Path> files;
        Map<Path, Fingerprint> versions = new HashMap<>();
        boolean pending = false;
        boolean changed = false;
        try {
            files = files();
            Set<Path> all = new LinkedHashSet<>(files);
            all.addAll(watches.keySet());
            for (Path f : all) {
                Watch w = watches.computeIfAbsent(f, k -> new Watch(() -> Fingerprint.of(k), settle));
                Settling.Verdict verdict = w.poll(now, immediate);
                versions.put(f, w.polled());
                switch (verdict) {
                    case PENDING -> pending = true;
                    case READY -> changed = true;
                    default -> { }
                }
            }
        } catch (IOException e) {
            report("cannot read the GeoIP databases: " + OperatorFiles.describe(e));
            return false;
        }
        if (pending || !(changed || !triedOnce)) { // the first pass loads, if only to say there is no database
            return false;
        }
        triedOnce = true;
        List<Path> vanished = versions.entrySet().stream().filter(e -> e.getValue() == null && loaded.contains(e.getKey()))
                .map(Map.Entry::getKey).sorted().toList();
        if (!vanished.isEmpty() && !immediate) {
            if (!vanishedWarned.equals(Set.copyOf(vanished))) {
                vanishedWarned = Set.copyOf(vanished);
                lastError = "geoip " + vanished + " vanished: keeping the databases in service until "
                        + (vanished.size() == 1 ? "it is" : "they are") + " back (an explicit reload, or a restart,"
                        + " drops " + (vanished.size() == 1 ? "it" : "them") + ")";
                LOG.warning(lastError);
            }
            return false;
        }
        vanishedWarned = Set.of();
        List<Path> present = files.stream().filter(f -> versions.get(f) != null || !explicit.isEmpty()).toList();
        try {
            return load(present);
        } finally {
            versions.forEach((f, v) -> {
                if (v == null && !explicit.contains(f)) {
                    watches.remove(f);
                } else {
                    watches.get(f).tried();
                }
            });
        }
    }

    private boolean load(List<Path> files) {
        long start = System.nanoTime();
        try {
            for (Path f : files) {
                try {
                    Path target = OperatorFiles.check(f, null);
                    if (target == null) {
                        throw new OperatorFiles.Refused("no such file");
                    }
                    OperatorFiles.checkSize(Files.size(target), maxBytes, "limits.mmdb_max_bytes");
                } catch (OperatorFiles.Refused e) {
                    throw new OperatorFiles.Refused(f + ": " + e.getMessage());
                }
            }
            GeoIndex index = GeoIndex.load(files);
            current.set(index);
            loaded = Set.copyOf(files);
            lastError = null;
            for (GeoIndex.Database db : index.databases()) {
                LOG.info(String.format("geoip %s loaded: %s, IPv%d, built %s, %d networks", db.path(), db.type(),
                        db.ipVersion(), db.built(), db.networks()));
            }
            LOG.info(String.format("geoip index ready: %d locations, %d IPv4 and %d IPv6 trie nodes (%d ms)",
                    index.locationCount(), index.v4().nodeCount(), index.v6().nodeCount(),
                    (System.nanoTime() - start) / 1_000_000));
            if (files.isEmpty()) {
                LOG.warning("no GeoIP database in " + dir + ": every client is in an unknown location");
            }
            return true;
        } catch (IOException e) {
            report("geoip reload failed, keeping the previous databases: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            report("geoip reload failed, keeping the previous databases: ran out of memory (" + e.getMessage()
                    + "): lower limits.mmdb_max_bytes or give the server more heap (-Xmx)");
        } catch (RuntimeException | Error e) {
            // e.g. InternalError when a mapped database is truncated while it is read
            LOG.log(Level.SEVERE, "geoip reload failed: " + e, e);
            report("geoip reload failed, keeping the previous databases: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        return false;
    }

    private void report(String message) {
        lastError = message;
        LOG.severe(message);
    }
}
