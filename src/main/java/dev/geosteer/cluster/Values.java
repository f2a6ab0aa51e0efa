package dev.geosteer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.geosteer.health.HealthView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON values stored under the keys of {@link Keys}: small objects with snake_case fields and times as
 * ISO-8601 text, readable with {@code etcdctl get}. Decoding a value that is not what its key promises
 * throws IllegalArgumentException saying what is wrong.
 */
final class Values {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private Values() {
    }

    /** The manifest under {@code config/generation}: which files, with which content, make the set. */
    record Manifest(long generation, Map<String, String> files, Instant publishedAt, String by) {
    }

    static byte[] member(Member m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("node", m.node());
        o.put("version", m.version());
        o.put("config_revision", m.configRevision());
        o.put("started_at", m.startedAt().toString());
        o.put("heartbeat", m.heartbeat().toString());
        return bytes(o);
    }

    static Member member(String node, byte[] value, long leaseId) {
        JsonNode o = tree(value);
        return new Member(node, text(o, "version"), number(o, "config_revision"), instant(o, "started_at"),
                instant(o, "heartbeat"), leaseId);
    }

    static byte[] verdict(Verdict v) {
        ObjectNode o = JSON.createObjectNode();
        o.put("state", v.state().name());
        o.put("since", v.since().toString());
        o.put("reason", v.reason());
        o.put("last_check", v.lastCheck().toString());
        if (v.latencyMs() != null) {
            o.put("latency_ms", v.latencyMs());
        }
        o.put("interval_ms", v.interval().toMillis());
        return bytes(o);
    }

    static Verdict verdict(byte[] value) {
        JsonNode o = tree(value);
        HealthView.State state;
        try {
            state = HealthView.State.valueOf(text(o, "state"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'state' must be UP, DOWN or UNKNOWN");
        }
        JsonNode latency = o.get("latency_ms");
        long interval = number(o, "interval_ms");
        if (interval <= 0) {
            throw new IllegalArgumentException("'interval_ms' must be positive");
        }
        return new Verdict(state, instant(o, "since"), text(o, "reason"), instant(o, "last_check"),
                latency == null || latency.isNull() ? null : latency.asLong(), Duration.ofMillis(interval));
    }

    static byte[] drain(Drain d) {
        ObjectNode o = JSON.createObjectNode();
        o.put("reason", d.reason());
        o.put("by", d.by());
        o.put("at", d.at().toString());
        return bytes(o);
    }

    static Drain drain(byte[] value) {
        JsonNode o = tree(value);
        return new Drain(text(o, "reason"), text(o, "by"), instant(o, "at"));
    }

    static byte[] manifest(Manifest m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("generation", m.generation());
        ObjectNode files = o.putObject("files");
        new TreeMap<>(m.files()).forEach(files::put);
        o.put("published_at", m.publishedAt().toString());
        o.put("by", m.by());
        return bytes(o);
    }

    static Manifest manifest(byte[] value) {
        JsonNode o = tree(value);
        JsonNode files = o.get("files");
        if (files == null || !files.isObject()) {
            throw new IllegalArgumentException("'files' must be an object of name: sha256");
        }
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> f : files.properties()) {
            if (!f.getValue().isTextual() || !Keys.validFileName(f.getKey())) {
                throw new IllegalArgumentException("'files' entry '" + f.getKey() + "' is not a name: sha256");
            }
            out.put(f.getKey(), f.getValue().asText());
        }
        return new Manifest(number(o, "generation"), out, instant(o, "published_at"), text(o, "by"));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }

    private static byte[] bytes(ObjectNode o) {
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode tree(byte[] value) {
        try {
            JsonNode n = JSON.readTree(value);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' is missing or not text");
        }
        return n.asText();
    }

    private static long number(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.canConvertToLong()) {
            throw new IllegalArgumentException("'" + field + "' is missing or not a whole number");
        }
        return n.asLong();
    }

    private static Instant instant(JsonNode o, String field) {
        try {
            return Instant.parse(text(o, field));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + field + "' is not a time like 2026-01-31T12:00:00Z");
        }
    }
}
