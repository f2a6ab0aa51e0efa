package dev.geosteer.health;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin API's drains on disk ({@code <state_dir>/drains.json}), so that they survive a restart.
 * Written whole to a temporary file beside it, flushed, then renamed over it: a crash leaves the old
 * version or the new one, never half of one. Blocking I/O: call it off the event loops.
 */
public final class DrainStore {
    public static final String FILE = "drains.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

    /** The file's shape. */
    public static final class Model {
        public int version = 1;
        public List<Entry> drains = new ArrayList<>();
    }

    public static final class Entry {
        public String selector;
        public String reason;
        public String by;
        public String at;
    }

    private final Path file;

    public DrainStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The persisted drains; none when the file does not exist. */
    public List<Drain> load() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        Model m;
        try {
            m = JSON.readValue(file.toFile(), Model.class);
        } catch (IOException e) {
            throw new IOException(file + ": not a drains file: " + firstLine(e.getMessage()), e);
        }
        List<Drain> out = new ArrayList<>();
        for (Entry e : m.drains == null ? List.<Entry>of() : m.drains) {
            String selector = AdminState.normalize(e.selector);
            if (selector == null) {
                throw new IOException(file + ": '" + e.selector + "' is not a drain selector (zone/pool[/origin])");
            }
            Instant at;
            try {
                at = e.at == null ? Instant.EPOCH : Instant.parse(e.at);
            } catch (java.time.format.DateTimeParseException ex) {
                throw new IOException(file + ": '" + e.at + "' is not a time (at of " + e.selector + ")");
            }
            out.add(Drain.api(selector, e.reason, e.by, at));
        }
        return out;
    }

    /** Replaces the file with {@code drains} (API drains only), atomically. */
    public void save(List<Drain> drains) throws IOException {
        Model m = new Model();
        for (Drain d : drains) {
            Entry e = new Entry();
            e.selector = d.selector();
            e.reason = d.reason();
            e.by = d.by();
            e.at = d.at() == null ? null : d.at().toString();
            m.drains.add(e);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(m)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
