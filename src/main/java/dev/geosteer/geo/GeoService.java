package dev.geosteer.geo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The GeoIP databases in service: loads them, notices when a file changes, and swaps in a new
 * {@link GeoIndex} only when every file still reads (a half-copied database keeps the old index).
 * Called from the reload thread; readers use {@link #current()}.
 */
public final class GeoService {
    private static final Logger LOG = Logger.getLogger(GeoService.class.getName());

    private final Path dir;
    private final List<Path> explicit;
    private final AtomicReference<GeoIndex> current = new AtomicReference<>(GeoIndex.EMPTY);
    private List<Object> printed = null;
    private String lastError;

    /**
     * @param dir      directory whose {@code .mmdb} files are loaded (in name order) when {@code explicit} is empty
     * @param explicit databases to load, in priority order
     */
    public GeoService(Path dir, List<Path> explicit) {
        this.dir = dir;
        this.explicit = List.copyOf(explicit);
    }

    public GeoIndex current() {
        return current.get();
    }

    /** The last load error, or null. */
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
        printed = null;
    }

    /** Reloads if any database file changed; returns true when a new index was published. */
    public boolean refresh() {
        List<Path> files;
        List<Object> prints = new ArrayList<>();
        try {
            files = files();
            for (Path f : files) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                prints.add(List.of(f, a.lastModifiedTime(), a.size(), Objects.toString(a.fileKey())));
            }
        } catch (IOException e) {
            report("cannot read the GeoIP databases: " + e);
            return false;
        }
        if (prints.equals(printed)) {
            return false;
        }
        printed = prints;
        long start = System.nanoTime();
        try {
            GeoIndex index = GeoIndex.load(files);
            current.set(index);
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
            return false;
        }
    }

    private void report(String message) {
        lastError = message;
        LOG.severe(message);
    }
}
