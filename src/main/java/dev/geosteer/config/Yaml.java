package dev.geosteer.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
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
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.geosteer.zone.ZoneError;
import dev.geosteer.zone.ZoneException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * The one YAML mapper of the project: snake_case keys, unknown keys rejected, durations like
 * {@code 10s}; and the translation of Jackson's exceptions into {@code file:line:column: reason}.
 */
public final class Yaml {
    public static final ObjectMapper MAPPER = create();

    private Yaml() {
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
        return JsonMapper.builder(new YAMLFactory())
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // "key:" with nothing after it binds as empty (list, map, string, defaults), never as null:
                // the checks then report what is missing instead of tripping over a null.
                .defaultSetterInfo(com.fasterxml.jackson.annotation.JsonSetter.Value.construct(
                        com.fasterxml.jackson.annotation.Nulls.AS_EMPTY, com.fasterxml.jackson.annotation.Nulls.AS_EMPTY))
                .addModule(durations)
                .build();
    }

    /** A bound document and its bytes (to locate keys for later checks with {@link YamlLocations}). */
    public record Document<T>(T value, byte[] bytes) {
    }

    /**
     * Reads and binds an operator's YAML file. Returns null when the file does not exist; an empty file
     * gives {@code empty}; any problem is a ZoneException with {@code file:line:column: reason}.
     */
    public static <T> Document<T> read(Path file, Class<T> type, java.util.function.Supplier<T> empty)
            throws ZoneException {
        String shown = file.toString();
        byte[] bytes;
        try {
            bytes = java.nio.file.Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ZoneException(new ZoneError(shown, 0, "cannot read: " + e.getMessage()));
        }
        try {
            T value = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank() ? null
                    : MAPPER.readValue(bytes, type);
            return new Document<>(value == null ? empty.get() : value, bytes);
        } catch (JsonProcessingException e) {
            throw new ZoneException(error(shown, e));
        } catch (IOException e) {
            throw new ZoneException(new ZoneError(shown, 0, "cannot read: " + e.getMessage()));
        }
    }

    /** {@code file:line:column: reason} for a Jackson failure, naming the key path. */
    public static ZoneError error(String file, JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        int line = loc == null ? 0 : loc.getLineNr();
        int column = loc == null ? 0 : loc.getColumnNr();
        String path = e instanceof JsonMappingException jme ? jme.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[") : "";
        String reason;
        if (e instanceof UnrecognizedPropertyException u) {
            reason = "unknown key '" + u.getPropertyName() + "'" + (path.contains(".") ? " in "
                    + path.substring(0, path.lastIndexOf('.')) : "") + "; known keys: "
                    + u.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
        } else if (e instanceof InvalidFormatException f) {
            reason = "'" + path + "': " + cleanMessage(f.getOriginalMessage(), f.getValue());
        } else if (e instanceof MismatchedInputException m) {
            reason = "'" + path + "': wrong type, expected " + describe(m.getTargetType());
        } else if (e instanceof JsonMappingException m && m.getCause() instanceof IllegalArgumentException iae) {
            reason = (path.isEmpty() ? "" : "'" + path + "': ") + iae.getMessage();
        } else {
            reason = (path.isEmpty() ? "" : "'" + path + "': ") + e.getOriginalMessage();
        }
        return new ZoneError(file, line, column, reason);
    }

    private static String cleanMessage(String msg, Object value) {
        if (msg != null && msg.startsWith("'") && msg.contains("is not a duration")) {
            return msg;
        }
        if (msg != null && msg.equals("negative")) {
            return "'" + value + "' must not be negative";
        }
        return "invalid value '" + value + "'" + (msg != null && !msg.startsWith("Cannot") ? ": " + msg : "");
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
