package dev.geosteer.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.geosteer.catalog.ConfigSource;
import dev.geosteer.catalog.Fingerprint;
import dev.geosteer.files.OperatorFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The configuration set published to etcd ({@code cluster.config: etcd}) as the catalog's {@link ConfigSource}:
 * the second one, beside the zones directory. Names are the set's file names, a file's fingerprint is the etcd
 * revision it last changed at ({@link Fingerprint#ofRevision}), and nothing settles: a set arrives whole and
 * checked ({@link ConfigStore#assemble}).
 *
 * <p>The set in service is kept on this machine, under {@code <state_dir>/cluster-config}: one directory per set
 * ({@code r<revision>/}, the files by name; a file the previous set had with the same content is a hard link to
 * it) and {@code current.json}, which names the set in service with each file's revision, size and SHA-256. It is
 * written before the set is loaded, {@code current.json} last and by rename, so a crash leaves the previous set or
 * the new one. An instance that starts reads it back (each file checked against its SHA-256) and serves it until
 * etcd hands a set over: a restart while etcd is away serves the last set applied. {@link #fromCache()} says
 * which.
 *
 * <p>{@link #install} and every {@link ConfigSource} method run on the reload thread; {@link #revision()},
 * {@link #fromCache()} and {@link #describe()} may be read from any thread.
 */
public final class EtcdConfigSource implements ConfigSource {
    /** The directory under {@code state_dir}. */
    public static final String DIR = "cluster-config";
    static final String CURRENT = "current.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

    /** One file of the set in service. */
    record Entry(long modRevision, long size, String sha256, Instant changedAt) {
    }

    /** The set in service: where its files are, and what they are. */
    record Applied(long revision, long generation, Instant publishedAt, String by, Path root, Map<String, Entry> files) {
    }

    /** {@code current.json}. */
    public static final class Model {
        public int version = 1;
        public long revision;
        public long generation;
        public String publishedAt;
        public String by;
        public String savedAt;
        public Map<String, FileModel> files = new TreeMap<>();
    }

    public static final class FileModel {
        public long modRevision;
        public long size;
        public String sha256;
        public String changedAt;
    }

    private final Path dir;
    private final String shownPrefix;
    private final GeoPaths geoip;
    private volatile Applied applied;
    private volatile boolean fromCache;
    /** Why the local copy found at start was not used (null: it was, or there was none). */
    private final String cacheProblem;

    private EtcdConfigSource(Path dir, String shownPrefix, GeoPaths geoip, Applied applied, String cacheProblem) {
        this.dir = dir;
        this.shownPrefix = shownPrefix;
        this.geoip = geoip;
        this.applied = applied;
        this.fromCache = applied != null;
        this.cacheProblem = cacheProblem;
    }

    /**
     * The source, holding the set kept in {@code dir} if there is a sound one (every file present with the
     * SHA-256 {@code current.json} gives); files are named in problems as etcd keys under {@code prefix}.
     */
    public static EtcdConfigSource open(Path dir, String prefix, GeoPaths geoip) throws IOException {
        Files.createDirectories(dir);
        Applied cached = null;
        String problem = null;
        try {
            cached = load(dir);
        } catch (IOException e) {
            problem = e.getMessage();
        }
        return new EtcdConfigSource(dir, "etcd:" + new Keys(prefix).configFile(""), geoip, cached, problem);
    }

    private static Applied load(Path dir) throws IOException {
        Path current = dir.resolve(CURRENT);
        if (!Files.exists(current)) {
            return null;
        }
        Model m;
        try {
            m = JSON.readValue(current.toFile(), Model.class);
        } catch (IOException e) {
            throw new IOException(current + " is not readable (" + firstLine(e.getMessage()) + ")", e);
        }
        Path root = dir.resolve("r" + m.revision);
        Map<String, Entry> files = new TreeMap<>();
        for (Map.Entry<String, FileModel> f : (m.files == null ? Map.<String, FileModel>of() : m.files).entrySet()) {
            FileModel fm = f.getValue();
            Path p = within(root, f.getKey());
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(p);
            } catch (IOException e) {
                throw new IOException("revision " + m.revision + " in " + dir + " lacks " + f.getKey() + " ("
                        + OperatorFiles.describe(e) + ")", e);
            }
            if (!Values.sha256(bytes).equals(fm.sha256)) {
                throw new IOException("revision " + m.revision + " in " + dir + ": " + f.getKey()
                        + " is not the content applied (SHA-256 differs)");
            }
            files.put(f.getKey(), new Entry(fm.modRevision, bytes.length, fm.sha256, instant(fm.changedAt)));
        }
        return new Applied(m.revision, m.generation, instant(m.publishedAt), m.by, root, files);
    }

    /**
     * Makes {@code set} the set in service: written under the state directory (before anything is loaded from
     * it), the previous set's directory removed. Returns the names of the files that changed, were added or
     * were removed; none when {@code set} is the set already in service (read back at start, now confirmed by
     * etcd). On the reload thread.
     *
     * @throws IOException the set could not be written: the previous one stays in service
     */
    public List<String> install(ConfigSet set) throws IOException {
        Applied before = applied;
        if (before != null && before.revision() == set.revision()) {
            fromCache = false;
            return List.of();
        }
        Path root = dir.resolve("r" + set.revision());
        deleteTree(root); // a directory left half-written by a crash
        Files.createDirectories(root);
        Map<String, Entry> files = new TreeMap<>();
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, ConfigSet.File> f : new TreeMap<>(set.files()).entrySet()) {
            String name = f.getKey();
            ConfigSet.File file = f.getValue();
            Path target = within(root, name);
            Entry prev = before == null ? null : before.files().get(name);
            boolean same = prev != null && prev.sha256().equals(file.sha256());
            if (!same || !link(target, before.root().resolve(name))) {
                write(target, file.bytes());
            }
            files.put(name, new Entry(file.modRevision(), file.bytes().length, file.sha256(),
                    same && prev.modRevision() == file.modRevision() ? prev.changedAt() : set.publishedAt()));
            if (prev == null || prev.modRevision() != file.modRevision() || !same) {
                changed.add(name);
            }
        }
        if (before != null) {
            before.files().keySet().stream().filter(n -> !set.files().containsKey(n)).forEach(changed::add);
        }
        Model m = new Model();
        m.revision = set.revision();
        m.generation = set.generation();
        m.publishedAt = set.publishedAt() == null ? null : set.publishedAt().toString();
        m.by = set.by();
        m.savedAt = Instant.now().toString();
        files.forEach((name, e) -> {
            FileModel fm = new FileModel();
            fm.modRevision = e.modRevision();
            fm.size = e.size();
            fm.sha256 = e.sha256();
            fm.changedAt = e.changedAt() == null ? null : e.changedAt().toString();
            m.files.put(name, fm);
        });
        Path tmp = dir.resolve("." + CURRENT + ".tmp");
        write(tmp, JSON.writeValueAsBytes(m));
        Files.move(tmp, dir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        applied = new Applied(set.revision(), set.generation(), set.publishedAt(), set.by(), root, files);
        fromCache = false;
        removeOtherSets(root);
        return changed;
    }

    /** The etcd revision of the set in service, 0 when there is none yet. */
    public long revision() {
        Applied a = applied;
        return a == null ? 0 : a.revision();
    }

    /** The set in service was read back from this machine's copy at start, and etcd has not handed one over since. */
    public boolean fromCache() {
        return fromCache;
    }

    /** Where the set in service is kept. */
    public Path dir() {
        return dir;
    }

    /**
     * One line for the log at start: the set read back from the local copy (revision, generation, who published
     * it, when), or that there is none, or why the copy found is not used.
     */
    public String startLine() {
        Applied a = applied;
        if (a != null) {
            return "serving configuration revision " + a.revision() + " (generation " + a.generation() + ", published"
                    + (a.by() == null ? "" : " by " + a.by()) + (a.publishedAt() == null ? "" : " at " + a.publishedAt())
                    + ") from the local copy in " + dir + " until etcd hands a set over";
        }
        return cacheProblem != null ? "the local copy in " + dir + " is not used: " + cacheProblem
                + "; no zone until etcd hands a set over"
                : "no set received yet (" + dir + " is empty): no zone until etcd hands one over";
    }

    // ---------------------------------------------------------------- ConfigSource

    @Override
    public List<String> zoneFiles() {
        Applied a = applied;
        return a == null ? List.of() : a.files().keySet().stream().filter(n -> n.endsWith(".zone")).sorted().toList();
    }

    @Override
    public Fingerprint fingerprint(String name) {
        Applied a = applied;
        Entry e = a == null ? null : a.files().get(name);
        return e == null ? null : Fingerprint.ofRevision(e.modRevision(), e.size(), e.changedAt());
    }

    @Override
    public byte[] read(String name, long maxBytes, String limitName) throws IOException {
        Applied a = applied;
        if (a == null || !a.files().containsKey(name)) {
            return null;
        }
        return OperatorFiles.read(within(a.root(), name), a.root(), maxBytes, limitName);
    }

    @Override
    public String shown(String name) {
        return shownPrefix + name;
    }

    @Override
    public Path path(String name) {
        Applied a = applied;
        return a == null ? null : a.root().resolve(name);
    }

    @Override
    public Duration settle() {
        return Duration.ZERO;
    }

    @Override
    public String describe() {
        Applied a = applied;
        return a == null ? "the configuration from etcd (none received yet)"
                : "the configuration from etcd (revision " + a.revision() + (fromCache ? ", from the local copy in "
                + dir : "") + ")";
    }

    @Override
    public GeoPaths geoip() {
        return geoip;
    }

    // ---------------------------------------------------------------- files

    /** {@code root/name}, refusing a name that is not a plain file name. */
    private static Path within(Path root, String name) throws IOException {
        Path p = root.resolve(name).normalize();
        if (name.isEmpty() || !root.equals(p.getParent())) {
            throw new IOException("'" + name + "' is not a plain file name");
        }
        return p;
    }

    private static boolean link(Path target, Path existing) {
        try {
            Files.createLink(target, existing);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false; // another file system, or no hard links: the bytes are written instead
        }
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    private void removeOtherSets(Path keep) {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!p.equals(keep) && n.matches("r\\d+") && Files.isDirectory(p)) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            // the next set tries again; an old directory costs disk only
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Instant instant(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
