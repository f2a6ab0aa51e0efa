package dev.geosteer.dnssec;

import org.xbill.DNS.Name;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The keys directory ({@code zones/keys/} by default), scanned once: every {@code K*.key} file (with
 * its {@code .private}) read and grouped by zone. A bad file is a {@link KeyProblem} (file: reason),
 * never an exception: the other keys still load. Immutable: a rescan makes a new one.
 */
public final class KeyStore {
    private final Path dir;
    private final Map<Name, KeySet> zones;
    private final List<KeyProblem> problems;

    private KeyStore(Path dir, Map<Name, KeySet> zones, List<KeyProblem> problems) {
        this.dir = dir;
        this.zones = zones;
        this.problems = problems;
    }

    /** Reads every key in {@code dir}. A missing directory is an empty store (no zone is signed). */
    public static KeyStore scan(Path dir) {
        List<KeyProblem> problems = new ArrayList<>();
        Map<Name, List<DnssecKey>> byZone = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "K*")) {
            ds.forEach(files::add);
        } catch (NoSuchFileException e) {
            return new KeyStore(dir, Map.of(), List.of());
        } catch (IOException e) {
            return new KeyStore(dir, Map.of(), List.of(KeyProblem.error(dir, "cannot read the keys directory: " + e)));
        }
        files.sort(null);
        Set<String> keyBases = new HashSet<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".key")) {
                keyBases.add(name.substring(0, name.length() - 4));
            }
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".private") && !keyBases.contains(name.substring(0, name.length() - 8))) {
                problems.add(KeyProblem.error(f, "no " + name.substring(0, name.length() - 8) + ".key beside it:"
                        + " a key needs both files"));
            }
            if (!name.endsWith(".key")) {
                continue; // .private and .state files are read with their .key
            }
            try {
                KeyFile.Loaded loaded = KeyFile.read(f, null);
                problems.addAll(loaded.warnings());
                byZone.computeIfAbsent(loaded.key().zone(), z -> new ArrayList<>()).add(loaded.key());
            } catch (KeyFileException e) {
                problems.addAll(e.problems());
            }
        }
        Map<Name, KeySet> zones = new LinkedHashMap<>();
        byZone.forEach((zone, keys) -> zones.put(zone, new KeySet(zone, keys)));
        return new KeyStore(dir, Map.copyOf(zones), List.copyOf(problems));
    }

    public Path dir() { return dir; }

    /** The keys of {@code zone} (an empty set when it has none: it is not signed). */
    public KeySet keys(Name zone) {
        KeySet set = zones.get(zone);
        return set != null ? set : new KeySet(zone, List.of());
    }

    /** Every zone that has at least one readable key. */
    public Set<Name> zones() { return zones.keySet(); }

    /** Every file that could not be used (errors) or should be looked at (warnings), all zones. */
    public List<KeyProblem> problems() { return problems; }

    /** The problems in files of {@code zone}'s keys (by file name; unreadable names are everyone's). */
    public List<KeyProblem> problems(Name zone) {
        List<KeyProblem> out = new ArrayList<>();
        for (KeyProblem p : problems) {
            Name z = zoneOfFile(p.file());
            if (z == null || z.equals(zone)) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Creates a key for {@code zone} in {@code dir}: generated, with a key tag that no key of the zone
     * there has (a tag names a key in RRSIG and DS records), and written (.private mode 0600).
     */
    public static DnssecKey create(Path dir, Name zone, Algorithm algorithm, int flags, KeyTiming timing,
                                   SecureRandom random) throws IOException {
        Set<Integer> taken = new HashSet<>();
        for (DnssecKey k : scan(dir).keys(zone).keys()) {
            taken.add(k.keyTag());
        }
        for (int attempt = 0; ; attempt++) {
            DnssecKey key = DnssecKey.generate(zone, algorithm, flags, timing, random);
            // also avoid the tag the key would have once revoked (RFC 5011), as BIND does
            int revokedTag = DnssecKey.keyTag(DnssecKey.dnskeyRdata(flags | DnssecKey.REVOKE,
                    algorithm.number(), key.publicKey()));
            if ((!taken.contains(key.keyTag()) && !taken.contains(revokedTag)
                    && !Files.exists(dir.resolve(key.baseName() + ".key"))
                    && !Files.exists(dir.resolve(key.baseName() + ".private"))) || attempt > 100) {
                return KeyFile.write(dir, key);
            }
        }
    }

    private static Name zoneOfFile(String file) {
        String name = Path.of(file).getFileName().toString();
        int plus = name.lastIndexOf('+', name.lastIndexOf('+') - 1);
        return name.startsWith("K") && plus > 1 ? KeyFile.zoneFromFileName(name.substring(1, plus)) : null;
    }
}
