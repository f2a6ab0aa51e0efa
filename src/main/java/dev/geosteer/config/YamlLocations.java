package dev.geosteer.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.geosteer.problem.Problem;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each key and list item of a YAML document is, by path ({@code balancers.www.default_pools[1]}),
 * so that checks made after data binding can still say {@code file:line:column} (the column of the
 * key). Reading the document for that also finds what binding cannot report well: every duplicate
 * key, and a syntax error as one line.
 */
public final class YamlLocations {
    private final Map<String, JsonLocation> byPath;
    private final List<Problem> duplicates;
    private final Problem syntaxError;

    private YamlLocations(Map<String, JsonLocation> byPath, List<Problem> duplicates, Problem syntaxError) {
        this.byPath = byPath;
        this.duplicates = duplicates;
        this.syntaxError = syntaxError;
    }

    /** Indexes {@code yaml}; {@code shown} is the file name used in the errors found. */
    public static YamlLocations index(String shown, byte[] yaml) {
        Map<String, JsonLocation> out = new HashMap<>();
        List<Problem> duplicates = new ArrayList<>();
        Problem syntax = null;
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            Deque<String> path = new ArrayDeque<>();
            Deque<int[]> arrayIndex = new ArrayDeque<>();
            Deque<Map<String, JsonLocation>> keysSeen = new ArrayDeque<>();
            String pendingField = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    pendingField = p.currentName();
                    JsonLocation here = p.currentTokenLocation();
                    JsonLocation first = keysSeen.isEmpty() ? null : keysSeen.peek().putIfAbsent(pendingField, here);
                    if (first != null) {
                        duplicates.add(new Problem(shown, here.getLineNr(), here.getColumnNr(), "duplicate key "
                                + Problem.quote(pendingField) + " (first at line " + first.getLineNr()
                                + "): a key may appear only once in a map"));
                    } else {
                        out.put(join(path, pendingField), here);
                    }
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
                    keysSeen.push(new HashMap<>());
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    if (!path.isEmpty()) {
                        path.pop();
                        arrayIndex.pop();
                        keysSeen.pop();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            syntax = syntaxError(shown, e);
        }
        return new YamlLocations(out, List.copyOf(duplicates), syntax);
    }

    /**
     * One line for a YAML syntax error, at the place the parser gave up: snakeyaml's problem and the
     * construct it was in, without its multi-line dump of the input.
     */
    static Problem syntaxError(String shown, Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                Mark at = m.getProblemMark();
                String context = m.getContext();
                Mark contextAt = m.getContextMark();
                String reason = "YAML syntax: " + m.getProblem() + (context == null ? ""
                        : " (" + context + (contextAt == null ? "" : " started at line " + (contextAt.getLine() + 1))
                        + ")");
                return new Problem(shown, at.getLine() + 1, at.getColumn() + 1, reason);
            }
        }
        if (e instanceof JsonProcessingException j) {
            JsonLocation l = j.getLocation();
            return new Problem(shown, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                    "YAML syntax: " + j.getOriginalMessage());
        }
        return new Problem(shown, 0, "YAML syntax: " + e.getMessage());
    }

    /** Every key written twice in the same map, at the second one. */
    public List<Problem> duplicates() {
        return duplicates;
    }

    /** The syntax error that stopped the reading, or null. */
    public Problem syntaxError() {
        return syntaxError;
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

    /** An error located at the key (or item) {@code path}. */
    public Problem error(String shown, String path, String reason) {
        return new Problem(shown, line(path), column(path), reason);
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
