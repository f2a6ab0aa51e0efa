package dev.geosteer.catalog;

import dev.geosteer.problem.ProblemException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where the files of one configuration set come from: the zone files ({@code <zone>.zone}), their
 * steering files ({@code <zone>.steer.yaml}) and {@code admin-state.yaml}, by plain name. The
 * {@link Reloader} polls a source; nothing else of the load pipeline knows where files live.
 *
 * <p>{@link LocalDirectory} (the zones directory) is the first implementation. The cluster's
 * configuration store (issue 12: a set published whole to etcd, {@code cluster.EtcdConfigSource}) is the
 * second: names are its file names, a fingerprint is the revision a file last changed at
 * ({@link Fingerprint#ofRevision}), and its {@link #settle()} is zero (a set arrives whole). GeoIP
 * databases are files of this machine in every source ({@link #geoip()}): too big for a store.
 *
 * <p>Called from the reload thread only.
 */
public interface ConfigSource {
    /** The name of the drains file in every set. */
    String ADMIN_STATE = dev.geosteer.health.AdminState.FILE;

    /**
     * The zone files of the set now, sorted by name.
     *
     * @throws ProblemException when the set cannot be listed at all (the zones in service stay)
     */
    List<String> zoneFiles() throws ProblemException;

    /** The file's fingerprint now, without reading it; null when there is no such file. */
    Fingerprint fingerprint(String name) throws IOException;

    /**
     * The file's content, or null when there is no such file.
     *
     * @param maxBytes  larger files are refused ({@code files.OperatorFiles.Refused}) without being read
     * @param limitName the setting that sets {@code maxBytes}, named in the refusal
     */
    byte[] read(String name, long maxBytes, String limitName) throws IOException;

    /** How the file is named in problems and logs: its path, or where the store keeps it. */
    String shown(String name);

    /** The file on this machine (a zone's {@code source}), or null when it has none. */
    Path path(String name);

    /**
     * How long a changed file is left alone before it is loaded: files written in place need time
     * ({@code reload.settle}); a set published whole needs none.
     */
    Duration settle();

    /** What the set is, for messages: "the zones directory /etc/geosteer/zones". */
    String describe();

    /** Where the GeoIP databases are: a directory of {@code .mmdb} files, or an explicit list (priority order). */
    GeoPaths geoip();

    /** The GeoIP databases of this machine. */
    record GeoPaths(Path dir, List<Path> explicit) {
        public GeoPaths {
            explicit = List.copyOf(explicit);
        }
    }

    /** The steering file beside a zone file: {@code example.com.zone} → {@code example.com.steer.yaml}. */
    static String steeringFileOf(String zoneFile) {
        return zoneFile.substring(0, zoneFile.length() - ".zone".length()) + ".steer.yaml";
    }
}
