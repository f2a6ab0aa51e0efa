package dev.geosteer.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where an instance with {@code cluster.config: etcd} keeps the configuration set it serves: a directory of its
 * own ({@code <state_dir>/etcd-config}) that the zone catalog reads as its zones directory. A set from etcd is
 * written into it file by file (temporary file and rename; unchanged files untouched; files no longer in the set
 * removed), then the revision it came from, last. The directory outlives restarts: an instance that starts while
 * etcd is away serves the last set it received.
 */
public final class ConfigDirectory {
    /** The etcd revision of the set in the directory. */
    static final String MARK = ".etcd-revision";

    private final Path dir;

    public ConfigDirectory(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The revision of the set in the directory, 0 when none was written. */
    public long revision() {
        try {
            return Long.parseLong(Files.readString(dir.resolve(MARK), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Makes the directory hold exactly {@code set}; returns the names of the files written or removed. */
    public List<String> write(ConfigSet set) throws IOException {
        java.util.ArrayList<String> changed = new java.util.ArrayList<>();
        for (Map.Entry<String, ConfigSet.File> e : set.files().entrySet()) {
            Path target = dir.resolve(e.getKey()).normalize();
            if (!target.getParent().equals(dir)) {
                throw new IOException("'" + e.getKey() + "' is not a plain file name");
            }
            byte[] bytes = e.getValue().bytes();
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
                continue;
            }
            replace(target, bytes);
            changed.add(e.getKey());
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!set.files().containsKey(name) && (name.endsWith(".zone") || name.endsWith(".steer.yaml")
                        || name.equals("admin-state.yaml"))) {
                    Files.deleteIfExists(p);
                    changed.add(name);
                }
            }
        }
        replace(dir.resolve(MARK), (set.revision() + "\n").getBytes(StandardCharsets.US_ASCII));
        return changed;
    }

    private static void replace(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
