package dev.geosteer.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.geosteer.files.OperatorFiles;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The one YAML mapper of the project: snake_case keys, unknown keys rejected, durations like
 * {@code 10s}; and the translation of Jackson's exceptions into {@code file:line:column: reason}.
 */
public final class Yaml {
    public static final ObjectMapper MAPPER = create();
    /** Binds the tree of a document with errors: as {@link #MAPPER}, with YAML 1.1 boolean words for booleans. */
    private static final ObjectMapper TREE_MAPPER = MAPPER.copy().registerModule(yamlBooleanWords());

    private Yaml() {
    }

    /** {@code yes}/{@code on}/{@code no}/{@code off} for booleans, as the YAML parser reads them from text. */
    private static SimpleModule yamlBooleanWords() {
        java.util.Map<String, Boolean> words = new java.util.HashMap<>();
        for (String w : List.of("yes", "Yes", "YES", "on", "On", "ON")) {
            words.put(w, Boolean.TRUE);
        }
        for (String w : List.of("no", "No", "NO", "off", "Off", "OFF")) {
            words.put(w, Boolean.FALSE);
        }
        JsonDeserializer<Boolean> d = new JsonDeserializer<>() {
            @Override
            public Boolean deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                JsonToken t = p.currentToken();
                if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                    return t == JsonToken.VALUE_TRUE;
                }
                Boolean word = t == JsonToken.VALUE_STRING ? words.get(p.getText()) : null;
                return word != null ? word : (Boolean) ctx.handleUnexpectedToken(Boolean.class, p);
            }
        };
        SimpleModule m = new SimpleModule();
        m.addDeserializer(Boolean.class, d);
        m.addDeserializer(Boolean.TYPE, d);
        return m;
    }

    private static ObjectMapper create() {
        SimpleModule durations = new SimpleModule();
        durations.addDeserializer(Duration.class, new JsonDeserializer<>() {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                String text = p.getValueAsString();
                if (text == null) {
                    return (Duration) ctx.handleUnexpectedToken(Duration.class, p);
                }
                try {
                    Duration d = DurationParser.parse(text);
                    if (d.isNegative()) {
                        throw new IllegalArgumentException("negative");
                    }
                    return d;
                } catch (IllegalArgumentException e) {
                    throw InvalidFormatException.from(p, e.getMessage(), text, Duration.class);
                }
            }
        });
        return JsonMapper.builder(YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // ttl: 30.5 is an error, not 30
                // "key:" with nothing after it binds as empty (list, map, string, defaults), never as null:
                // the checks then report what is missing instead of tripping over a null.
                .defaultSetterInfo(com.fasterxml.jackson.annotation.JsonSetter.Value.construct(
                        com.fasterxml.jackson.annotation.Nulls.AS_EMPTY, com.fasterxml.jackson.annotation.Nulls.AS_EMPTY))
                .addModule(durations)
                .build();
    }

    /**
     * A bound document: the value, where each key is (for the checks that follow binding), and the
     * problems binding found. A value that could not be bound is left out (its default applies) and its
     * path is remembered as broken, so that the checks do not report it a second time in other words.
     */
    public static final class Document<T> {
        private final String file;
        private final T value;
        private final YamlLocations where;
        private final List<Problem> errors;
        private final List<String> broken;

        Document(String file, T value, YamlLocations where, List<Problem> errors, List<String> broken) {
            this.file = file;
            this.value = value;
            this.where = where;
            this.errors = new ArrayList<>(errors);
            this.broken = new ArrayList<>(broken);
        }

        public T value() {
            return value;
        }

        /** The file's name, as errors show it. */
        public String file() {
            return file;
        }

        public YamlLocations where() {
            return where;
        }

        /** Syntax, duplicate-key and binding errors (those of {@link #bind} included), in file order. */
        public List<Problem> errors() {
            List<Problem> sorted = new ArrayList<>(errors);
            sorted.sort(FILE_ORDER);
            return List.copyOf(sorted);
        }

        /** True when binding already failed at, above or below {@code path}: a check there would only echo it. */
        public boolean isBroken(String path) {
            for (String b : broken) {
                if (b.isEmpty() || related(b, path)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean related(String a, String b) {
            String shorter = a.length() <= b.length() ? a : b;
            String longer = shorter == a ? b : a;
            return longer.startsWith(shorter) && (longer.length() == shorter.length()
                    || longer.charAt(shorter.length()) == '.' || longer.charAt(shorter.length()) == '[');
        }

        /** An error at the key {@code path}, unless binding already failed there (then null). */
        public Problem error(String path, String reason) {
            return isBroken(path) ? null : where.error(file, path, reason);
        }

        /**
         * Binds {@code node}, the value written at {@code path}, as {@code type}, the way {@link Yaml#parse}
         * binds a whole document: each error reported at its key, its value dropped so that the next one
         * is found too (its default applies), and its path remembered as broken. Used for the keys a plug-in
         * owns (see {@link OwnKeys}).
         */
        public <V> V bind(String path, JsonNode node, Class<V> type, Supplier<V> empty) {
            return bindTree(file, where, path, node.deepCopy(), type, empty, errors, broken);
        }

        /** A binding error at {@code path} (an unknown key): reported, and checks there say nothing more. */
        void bindingError(String path, String reason) {
            errors.add(where.error(file, path, reason));
            broken.add(path);
        }

        /** Throws the binding errors and {@code more}, in file order, if there are any. */
        public void throwIfAny(List<Problem> more) throws ProblemException {
            if (errors.isEmpty() && more.isEmpty()) {
                return;
            }
            List<Problem> all = new ArrayList<>(errors);
            all.addAll(more);
            all.sort(FILE_ORDER);
            throw new ProblemException(all);
        }
    }

    /** Errors sorted by line, then column (unknown lines first: they concern the whole file). */
    public static final Comparator<Problem> FILE_ORDER = Comparator.comparingInt(Problem::line)
            .thenComparingInt(Problem::column);

    /** At most this many binding errors per file: each costs one more binding pass. */
    private static final int MAX_BINDING_ERRORS = 50;

    /**
     * Reads an operator's YAML file of at most {@code maxBytes} ({@code limitName} is the setting that
     * says so). Returns null when the file does not exist; an empty file gives {@code empty}; the
     * errors found are in the document, as {@code file:line:column: reason}.
     */
    public static <T> Document<T> read(Path file, Class<T> type, Supplier<T> empty, long maxBytes, String limitName)
            throws ProblemException {
        byte[] bytes;
        try {
            bytes = OperatorFiles.read(file, null, maxBytes, limitName);
        } catch (IOException e) {
            throw new ProblemException(new Problem(file.toString(), 0, OperatorFiles.describe(e)));
        }
        return bytes == null ? null : parse(file.toString(), bytes, type, empty);
    }

    /**
     * Binds a YAML document, collecting every error at once: a syntax error (then nothing else can be
     * read), every duplicate key, and every value of the wrong type or unknown key. A document without
     * errors is bound straight from the text; one with errors is then read as a tree, and bound again
     * and again, each error dropping its value, so that the next one is found too.
     */
    public static <T> Document<T> parse(String shown, byte[] bytes, Class<T> type, Supplier<T> empty) {
        YamlLocations where = YamlLocations.index(shown, bytes);
        List<Problem> errors = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        if (where.syntaxError() != null) {
            errors.add(where.syntaxError());
            broken.add("");
            return new Document<>(shown, empty.get(), where, errors, broken);
        }
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return new Document<>(shown, empty.get(), where, errors, broken);
        }
        if (where.duplicates().isEmpty()) {
            try {
                T value = MAPPER.readValue(bytes, type);
                return new Document<>(shown, value == null ? empty.get() : value, where, errors, broken);
            } catch (IOException e) {
                // collect every error below
            }
        }
        errors.addAll(where.duplicates());
        JsonNode tree;
        try {
            tree = tree(bytes);
        } catch (IOException e) {
            errors.add(YamlLocations.syntaxError(shown, e));
            broken.add("");
            return new Document<>(shown, empty.get(), where, errors, broken);
        }
        if (tree == null || tree.isNull()) {
            return new Document<>(shown, empty.get(), where, errors, broken);
        }
        if (!tree.isObject()) {
            errors.add(new Problem(shown, 1, 1, "the file must be a map of keys (key: value), not "
                    + tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
            broken.add("");
            return new Document<>(shown, empty.get(), where, errors, broken);
        }
        T value = bindTree(shown, where, "", tree, type, empty, errors, broken);
        errors.sort(FILE_ORDER);
        return new Document<>(shown, value, where, errors, broken);
    }

    /**
     * Binds {@code tree} (written at {@code prefix}, "" for the whole document) again and again, each
     * error dropping its value, so that every error is found; the errors and the broken paths are added
     * to {@code errors} and {@code broken}. A value that cannot be bound at all gives {@code empty}.
     */
    private static <V> V bindTree(String shown, YamlLocations where, String prefix, JsonNode tree, Class<V> type,
                                  Supplier<V> empty, List<Problem> errors, List<String> broken) {
        V value = null;
        while (value == null) {
            try {
                value = TREE_MAPPER.treeToValue(tree, type);
                if (value == null) {
                    value = empty.get(); // a null node
                }
            } catch (JsonMappingException e) {
                String path = join(prefix, path(e));
                errors.add(where.error(shown, path, reason(e, path)));
                if (path.equals(prefix) || broken.contains(path) || broken.size() >= MAX_BINDING_ERRORS
                        || !drop(tree, e.getPath())) {
                    broken.add(prefix);
                    value = empty.get();
                } else {
                    broken.add(path);
                }
            } catch (JsonProcessingException e) {
                errors.add(new Problem(shown, 0, String.valueOf(e.getOriginalMessage())));
                broken.add(prefix);
                value = empty.get();
            }
        }
        return value;
    }

    private static String join(String prefix, String path) {
        return prefix.isEmpty() ? path : path.isEmpty() ? prefix : path.startsWith("[") ? prefix + path
                : prefix + "." + path;
    }

    /**
     * The document as a tree that binds as the text does: YAML 1.1 words the parser reads as booleans
     * ({@code on}, {@code yes}, {@code off}, {@code no}) stay words, so that {@code rrl.mode: on} is
     * still {@code "on"} (boolean keys accept them, see {@link #TREE_MAPPER}). A key written twice keeps
     * its last value (the duplicate is reported by {@link YamlLocations}).
     */
    private static JsonNode tree(byte[] bytes) throws IOException {
        try (JsonParser p = new YAMLFactory().createParser(bytes)) {
            JsonToken t = p.nextToken();
            return t == null ? null : node(p, t);
        }
    }

    private static JsonNode node(JsonParser p, JsonToken t) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = f.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    o.set(key, node(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = f.arrayNode();
                JsonToken next;
                while ((next = p.nextToken()) != JsonToken.END_ARRAY && next != null) {
                    a.add(node(p, next));
                }
                return a;
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                String word = p.getText();
                return word.equalsIgnoreCase("true") || word.equalsIgnoreCase("false")
                        ? f.booleanNode(t == JsonToken.VALUE_TRUE) : f.textNode(word);
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                Number n = p.getNumberValue();
                if (n instanceof Integer i) {
                    return f.numberNode(i);
                } else if (n instanceof Long l) {
                    return f.numberNode(l);
                } else if (n instanceof java.math.BigInteger b) {
                    return f.numberNode(b);
                } else if (n instanceof java.math.BigDecimal d) {
                    return f.numberNode(d);
                }
                return f.numberNode(n.doubleValue());
            }
            case VALUE_NULL -> {
                return f.nullNode();
            }
            default -> {
                return f.textNode(p.getText());
            }
        }
    }

    /** Removes the value at {@code refs} (a list item becomes null): its default applies at the next binding. */
    private static boolean drop(JsonNode tree, List<JsonMappingException.Reference> refs) {
        JsonNode parent = tree;
        for (int i = 0; i < refs.size() - 1 && parent != null; i++) {
            JsonMappingException.Reference r = refs.get(i);
            parent = r.getFieldName() != null ? parent.get(r.getFieldName()) : parent.get(r.getIndex());
        }
        JsonMappingException.Reference last = refs.get(refs.size() - 1);
        if (parent instanceof ObjectNode o && last.getFieldName() != null && o.has(last.getFieldName())) {
            o.remove(last.getFieldName());
            return true;
        }
        if (parent instanceof ArrayNode a && last.getFieldName() == null && last.getIndex() >= 0
                && last.getIndex() < a.size() && !a.get(last.getIndex()).isNull()) {
            a.set(last.getIndex(), NullNode.getInstance());
            return true;
        }
        return false;
    }

    /** The key path of a binding error, as {@link YamlLocations} writes it: {@code pools.eu.origins[0].weight}. */
    static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /** What went wrong, in the operator's words, for a Jackson binding failure at {@code path}. */
    static String reason(JsonMappingException e, String path) {
        if (e instanceof UnrecognizedPropertyException u) {
            return unknownKey(path, u.getPropertyName(), u.getKnownPropertyIds().stream().map(String::valueOf).toList());
        }
        if (e instanceof InvalidFormatException f) {
            if (f.getValue() instanceof Number n && !(n instanceof Integer || n instanceof Long)
                    && isInteger(f.getTargetType())) {
                return "'" + path + "': " + n + " is not a whole number";
            }
            return "'" + path + "': " + cleanMessage(f.getOriginalMessage(), f.getValue());
        }
        if (e instanceof MismatchedInputException m) {
            return "'" + path + "': wrong type, expected " + describe(m.getTargetType());
        }
        if (e.getCause() instanceof IllegalArgumentException iae) {
            return (path.isEmpty() ? "" : "'" + path + "': ") + iae.getMessage();
        }
        return (path.isEmpty() ? "" : "'" + path + "': ") + e.getOriginalMessage();
    }

    /** The reason for a key no one reads: {@code unknown key 'colour' in balancers.www; known keys: ...}. */
    static String unknownKey(String path, String key, java.util.Collection<String> known) {
        return "unknown key " + Problem.quote(key) + (path.contains(".") ? " in "
                + path.substring(0, path.lastIndexOf('.')) : "") + "; known keys: "
                + known.stream().distinct().sorted().collect(Collectors.joining(", "));
    }

    /** The keys a class binds (snake_case), e.g. to list the keys a plug-in owns. */
    public static List<String> keysOf(Class<?> type) {
        return MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(type)).findProperties().stream()
                .filter(p -> p.hasSetter() || p.hasField()).map(p -> p.getName()).toList();
    }

    /**
     * A value the generic binding of a file leaves to whoever owns its key (a steering policy, a monitor
     * type; see {@link OwnKeys}), as written: the tree {@link #parse} would bind, words like {@code on}
     * kept as words.
     */
    @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = RawReader.class)
    public record Raw(JsonNode node) {
        /** Nothing written: {@code key:}, {@code key: {}}, {@code key: []} or {@code key: ""}. */
        public boolean isEmpty() {
            return node == null || node.isNull() || node.isMissingNode() || (node.isContainerNode() && node.isEmpty())
                    || (node.isTextual() && node.asText().isEmpty());
        }
    }

    static final class RawReader extends JsonDeserializer<Raw> {
        @Override
        public Raw deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            return new Raw(node(p, p.currentToken()));
        }

        @Override
        public Raw getNullValue(DeserializationContext ctx) {
            return new Raw(NullNode.getInstance());
        }
    }

    private static boolean isInteger(Class<?> type) {
        return type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class;
    }

    private static String cleanMessage(String msg, Object value) {
        if (msg != null && msg.startsWith("'") && (msg.contains("is not a duration") || msg.contains("is not a size")
                || msg.contains("is too large"))) {
            return msg;
        }
        if (msg != null && msg.equals("negative")) {
            return Problem.quote(value) + " must not be negative";
        }
        return "invalid value " + Problem.quote(value) + (msg != null && !msg.startsWith("Cannot") ? ": " + msg : "");
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || !type.getName().startsWith("java.")) {
            return "a map of keys";
        }
        return type.getSimpleName();
    }
}
