package dev.geosteer.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each key and list item of a YAML document is, by path ({@code balancers.www.default_pools[1]}),
 * so that checks made after data binding can still say {@code file:line:column}.
 */
public final class YamlLocations {
    private final Map<String, JsonLocation> byPath;

    private YamlLocations(Map<String, JsonLocation> byPath) {
        this.byPath = byPath;
    }

    public static YamlLocations index(byte[] yaml) {
        Map<String, JsonLocation> out = new HashMap<>();
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            Deque<String> path = new ArrayDeque<>();
            Deque<int[]> arrayIndex = new ArrayDeque<>();
            String pendingField = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    pendingField = p.currentName();
                    out.put(join(path, pendingField), p.currentTokenLocation());
                    continue;
                }
                String element = null;
                if (pendingField != null) {
                    element = pendingField;
                    pendingField = null;
                } else if (!arrayIndex.isEmpty() && arrayIndex.peek()[0] >= 0) {
                    element = "[" + arrayIndex.peek()[0]++ + "]";
                    out.put(join(path, element), p.currentTokenLocation());
                }
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    path.push(element == null ? "" : element);
                    arrayIndex.push(new int[] {t == JsonToken.START_ARRAY ? 0 : -1});
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    if (!path.isEmpty()) {
                        path.pop();
                        arrayIndex.pop();
                    }
                }
            }
        } catch (IOException e) {
            // a syntax error is reported by the data binding, with its own location
        }
        return new YamlLocations(out);
    }

    private static String join(Deque<String> path, String last) {
        StringBuilder b = new StringBuilder();
        var it = path.descendingIterator();
        while (it.hasNext()) {
            append(b, it.next());
        }
        append(b, last);
        return b.toString();
    }

    private static void append(StringBuilder b, String part) {
        if (part.isEmpty()) {
            return;
        }
        if (b.length() > 0 && !part.startsWith("[")) {
            b.append('.');
        }
        b.append(part);
    }

    /** Line of the key or item at {@code path}, or of its closest known ancestor; 0 if none. */
    public int line(String path) {
        JsonLocation l = find(path);
        return l == null ? 0 : l.getLineNr();
    }

    public int column(String path) {
        JsonLocation l = find(path);
        return l == null ? 0 : l.getColumnNr();
    }

    private JsonLocation find(String path) {
        String p = path;
        while (!p.isEmpty()) {
            JsonLocation l = byPath.get(p);
            if (l != null) {
                return l;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut <= 0 ? "" : p.substring(0, cut);
        }
        return null;
    }
}
