package dev.geosteer.health;

import dev.geosteer.config.Yaml;
import dev.geosteer.config.YamlLocations;
import dev.geosteer.zone.ZoneError;
import dev.geosteer.zone.ZoneException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code zones/admin-state.yaml}: origins and pools taken out of service by hand (maintenance), like
 * gdnsd's admin_state. Survives restarts because it is a file; watched and reloaded like a zone.
 *
 * <pre>
 * drain:
 *   - example.test/eu          # every origin of pool eu in zone example.test
 *   - example.test/na/iad1     # one origin
 * </pre>
 */
public final class AdminState {
    public static final String FILE = "admin-state.yaml";

    /** The file's shape, bound by Jackson. */
    public static final class FileModel {
        public List<String> drain = new ArrayList<>();
    }

    private AdminState() {
    }

    /**
     * Reads the drain selectors; each must name a pool ({@code zone/pool}) or origin
     * ({@code zone/pool/origin}) that exists, as judged by {@code known}. A missing file drains nothing.
     */
    public static Set<String> read(Path file, Predicate<String> known) throws ZoneException {
        String shown = file.toString();
        Yaml.Document<FileModel> doc = Yaml.read(file, FileModel.class, FileModel::new);
        if (doc == null || doc.value().drain == null) {
            return Set.of();
        }
        FileModel model = doc.value();
        byte[] bytes = doc.bytes();
        YamlLocations where = YamlLocations.index(bytes);
        List<ZoneError> errors = new ArrayList<>();
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < model.drain.size(); i++) {
            String raw = model.drain.get(i);
            String selector = normalize(raw);
            String path = "drain[" + i + "]";
            if (selector == null) {
                errors.add(new ZoneError(shown, where.line(path), where.column(path),
                        "'" + raw + "': write zone/pool or zone/pool/origin, e.g. example.test/eu/par1"));
            } else if (!known.test(selector)) {
                errors.add(new ZoneError(shown, where.line(path), where.column(path),
                        "'" + raw + "': no such pool or origin in the served steering files"));
            } else {
                out.add(selector);
            }
        }
        if (!errors.isEmpty()) {
            throw new ZoneException(errors);
        }
        return out;
    }

    /** {@code example.test./eu} → {@code example.test./eu}; zone names get their trailing dot. */
    public static String normalize(String raw) {
        if (raw == null) {
            return null;
        }
        String[] parts = raw.trim().split("/");
        if (parts.length < 2 || parts.length > 3) {
            return null;
        }
        for (String p : parts) {
            if (p.isEmpty()) {
                return null;
            }
        }
        String zone = parts[0].toLowerCase(java.util.Locale.ROOT);
        if (!zone.endsWith(".")) {
            zone += ".";
        }
        return zone + "/" + String.join("/", java.util.Arrays.copyOfRange(parts, 1, parts.length));
    }
}
