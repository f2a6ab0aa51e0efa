package dev.geosteer.catalog;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.files.OperatorFiles;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * The configuration set as files in the zones directory ({@code zones_dir}): the first {@link ConfigSource}.
 * Every file is read through {@link OperatorFiles} (regular files only, no link out of the directory,
 * size checked before reading).
 */
public final class LocalDirectory implements ConfigSource {
    private final Path dir;
    private final Duration settle;
    private final GeoPaths geoip;

    public LocalDirectory(Path dir, Duration settle, GeoPaths geoip) {
        this.dir = dir;
        this.settle = settle;
        this.geoip = geoip;
    }

    /** The zones directory and GeoIP databases of a configuration; relative paths are relative to {@code baseDir}. */
    public static LocalDirectory of(ServerConfig config, Path baseDir) {
        return new LocalDirectory(baseDir.resolve(config.zonesDir), config.reload.settle,
                new GeoPaths(baseDir.resolve(config.geoip.dir), config.geoip.databases.stream().map(baseDir::resolve).toList()));
    }

    /** A directory read at once, without GeoIP databases (tests, tools). */
    public static LocalDirectory of(Path dir) {
        return new LocalDirectory(dir, Duration.ZERO, new GeoPaths(dir.resolve("geoip-none"), List.of()));
    }

    public Path dir() {
        return dir;
    }

    @Override
    public List<String> zoneFiles() throws ProblemException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".zone")).sorted().toList();
        } catch (IOException e) {
            throw new ProblemException(new Problem(dir.toString(), 0, e instanceof NoSuchFileException
                    ? "the zones directory does not exist"
                    : e instanceof NotDirectoryException ? "the zones directory is not a directory"
                    : "cannot list the zones directory: " + OperatorFiles.describe(e)));
        }
    }

    @Override
    public Fingerprint fingerprint(String name) throws IOException {
        return Fingerprint.of(dir.resolve(name));
    }

    @Override
    public byte[] read(String name, long maxBytes, String limitName) throws IOException {
        return OperatorFiles.read(dir.resolve(name), dir, maxBytes, limitName);
    }

    @Override
    public String shown(String name) {
        return dir.resolve(name).toString();
    }

    @Override
    public Path path(String name) {
        return dir.resolve(name);
    }

    @Override
    public Duration settle() {
        return settle;
    }

    @Override
    public String describe() {
        return "the zones directory " + dir;
    }

    @Override
    public GeoPaths geoip() {
        return geoip;
    }
}
