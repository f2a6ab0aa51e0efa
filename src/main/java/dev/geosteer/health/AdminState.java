package dev.geosteer.health;

import dev.geosteer.config.Yaml;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;

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
     * The drains of the file, and what is wrong with the rest: a selector that is not
     * {@code zone/pool[/origin]} is left out; one that names no pool or origin served now (as judged by
     * {@code known}) is kept (it drains nothing until that pool exists again) and reported. One bad
     * selector never throws the others away.
     */
    public record Parsed(List<Drain> drains, List<Problem> problems) {
    }

    /**
     * Reads the drain selectors of {@code bytes} (the file's content, {@code shown} its name). Empty
     * content drains nothing.
     *
     * @throws ProblemException when the content is not YAML of this shape (a syntax error, a duplicate key,
     *                       a wrong type): then none of it applies
     */
    public static Parsed parse(String shown, byte[] bytes, Predicate<String> known) throws ProblemException {
        Yaml.Document<FileModel> doc = Yaml.parse(shown, bytes, FileModel.class, FileModel::new);
        doc.throwIfAny(List.of());
        FileModel model = doc.value();
        List<Problem> problems = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<Drain> out = new ArrayList<>();
        for (int i = 0; model.drain != null && i < model.drain.size(); i++) {
            String raw = model.drain.get(i);
            String selector = normalize(raw);
            String path = "drain[" + i + "]";
            if (selector == null) {
                problems.add(doc.where().error(shown, path, Problem.quote(raw)
                        + ": write zone/pool or zone/pool/origin, e.g. example.test/eu/par1 (ignored)"));
                continue;
            }
            if (!known.test(selector)) {
                problems.add(doc.where().error(shown, path, Problem.quote(raw)
                        + ": no such pool or origin in the served steering files (it drains nothing until one exists)"));
            }
            if (seen.add(selector)) {
                out.add(Drain.file(selector, raw.trim(), shown));
            }
        }
        return new Parsed(List.copyOf(out), List.copyOf(problems));
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
