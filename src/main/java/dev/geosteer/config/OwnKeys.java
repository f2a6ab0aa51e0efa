package dev.geosteer.config;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The keys of one YAML map that the generic binding of the file leaves to a plug-in (a steering policy's
 * {@code regions}, a monitor type's {@code path}), as written. The plug-in binds them into a class of its
 * own and checks them; every error is reported at its key, like the other errors of the file.
 */
public final class OwnKeys {
    /**
     * A map of a YAML file whose keys beyond the subclass's fields belong to a plug-in (a balancer's to
     * its policy, a monitor's to its type): binding keeps them, as written, for {@link #route}.
     */
    public abstract static class Open {
        @JsonIgnore
        private final Map<String, Yaml.Raw> others = new LinkedHashMap<>();

        @JsonAnySetter
        public void other(String key, Yaml.Raw value) {
            others.put(key, value);
        }

        /** The keys the subclass does not bind, in the order written. */
        public Map<String, Yaml.Raw> others() {
            return others;
        }
    }

    private final Yaml.Document<?> doc;
    private final String path;
    private final Map<String, Yaml.Raw> written;
    private final YamlProblems problems;

    private OwnKeys(Yaml.Document<?> doc, String path, Map<String, Yaml.Raw> written, YamlProblems problems) {
        this.doc = doc;
        this.path = path;
        this.written = written;
        this.problems = problems;
    }

    /** The path of the map, e.g. {@code balancers.www}. */
    public String path() {
        return path;
    }

    /** The keys written. */
    public Set<String> names() {
        return written.keySet();
    }

    /**
     * The keys bound as {@code type} (snake_case keys; absent keys keep the class's defaults), each
     * binding error reported at its key. Never null.
     */
    public <T> T bind(Class<T> type, Supplier<T> empty) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        written.forEach((k, v) -> node.set(k, v.node()));
        return doc.bind(path, node, type, empty);
    }

    /** Reports a problem at {@code path} (a key of this map or below it, or another key of the file). */
    public void add(String path, String message) {
        problems.add(path, message);
    }

    /**
     * Splits the keys {@code written} in the map at {@code path}, beyond those {@code common} binds, among
     * {@code plugins} (in registration order), by the keys each owns ({@code keysOf}):
     * <ul>
     * <li>a key no plug-in owns is an unknown key, reported as binding reports one (with every known key:
     *     {@code common}'s and every plug-in's);</li>
     * <li>with a {@code chosen} plug-in, it gets the keys it owns (the result always has it); a key only
     *     other plug-ins own is reported with {@code onlyUsedBy(key, owners)}, unless nothing is written
     *     there ({@code regions: {}});</li>
     * <li>without one (the map names a plug-in that does not exist, already reported), each key goes to its
     *     first owner, so that its errors are found too.</li>
     * </ul>
     */
    public static <P> Map<P, OwnKeys> route(Yaml.Document<?> doc, String path, Map<String, Yaml.Raw> written,
                                            YamlProblems problems, Class<?> common, List<P> plugins,
                                            Function<P, Collection<String>> keysOf, P chosen,
                                            BiFunction<String, List<P>, String> onlyUsedBy) {
        Map<P, Map<String, Yaml.Raw>> split = new LinkedHashMap<>();
        if (chosen != null) {
            split.put(chosen, new LinkedHashMap<>());
        }
        for (Map.Entry<String, Yaml.Raw> e : written.entrySet()) {
            String key = e.getKey();
            List<P> owners = new ArrayList<>();
            for (P p : plugins) {
                if (keysOf.apply(p).contains(key)) {
                    owners.add(p);
                }
            }
            String at = path + "." + key;
            if (owners.isEmpty()) {
                List<String> known = new ArrayList<>(Yaml.keysOf(common));
                plugins.forEach(p -> known.addAll(keysOf.apply(p)));
                doc.bindingError(at, Yaml.unknownKey(at, key, known));
            } else if (chosen == null) {
                split.computeIfAbsent(owners.get(0), p -> new LinkedHashMap<>()).put(key, e.getValue());
            } else if (owners.contains(chosen)) {
                split.get(chosen).put(key, e.getValue());
            } else if (!e.getValue().isEmpty()) {
                problems.add(at, onlyUsedBy.apply(key, owners));
            }
        }
        Map<P, OwnKeys> out = new LinkedHashMap<>();
        split.forEach((p, keys) -> out.put(p, new OwnKeys(doc, path, keys, problems)));
        return out;
    }
}
