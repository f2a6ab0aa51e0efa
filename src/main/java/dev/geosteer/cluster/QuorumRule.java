package dev.geosteer.cluster;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;

import java.io.IOException;

/**
 * {@code health.quorum}: how many of the vantage points that check an origin must say DOWN for the origin to
 * be down everywhere. {@code majority} (more than half), {@code any} (one is enough), {@code all}, or a number;
 * a number larger than the vantage points left means all of them.
 */
@JsonDeserialize(using = QuorumRule.Reader.class)
public record QuorumRule(Kind kind, int count) {
    public enum Kind { MAJORITY, ANY, ALL, COUNT }

    public static final QuorumRule MAJORITY = new QuorumRule(Kind.MAJORITY, 0);
    public static final QuorumRule ANY = new QuorumRule(Kind.ANY, 0);
    public static final QuorumRule ALL = new QuorumRule(Kind.ALL, 0);

    public QuorumRule {
        if (kind == Kind.COUNT && count < 1) {
            throw new IllegalArgumentException("a quorum count must be at least 1, not " + count);
        }
    }

    /**
     * From YAML: {@code majority}, {@code any}, {@code all}, or a whole number written bare ({@code 2}) or as
     * text ({@code "2"}); {@code quorum:} with nothing after it is the default, majority.
     */
    static final class Reader extends StdScalarDeserializer<QuorumRule> {
        Reader() {
            super(QuorumRule.class);
        }

        @Override
        public QuorumRule deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            Object value = p.currentToken() == JsonToken.VALUE_NUMBER_INT ? (Object) p.getLongValue()
                    : p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
            if (value == null) {
                return (QuorumRule) ctx.handleUnexpectedToken(QuorumRule.class, p);
            }
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(p, e.getMessage(), e);
            }
        }

        @Override
        public QuorumRule getNullValue(DeserializationContext ctx) {
            return MAJORITY;
        }

        @Override
        public Object getEmptyValue(DeserializationContext ctx) {
            return MAJORITY;
        }
    }

    /** {@code majority}, {@code any}, {@code all}, or a number of vantage points (an Integer/Long or digits). */
    public static QuorumRule parse(Object value) {
        if (value instanceof Integer || value instanceof Long) {
            long n = ((Number) value).longValue();
            if (n < 1 || n > 1000) {
                throw new IllegalArgumentException("quorum must be majority, any, all or a number of vantage points"
                        + " from 1 to 1000, not " + n);
            }
            return new QuorumRule(Kind.COUNT, (int) n);
        }
        String text = value == null ? "" : value.toString().trim();
        switch (text) {
            case "majority":
                return MAJORITY;
            case "any":
                return ANY;
            case "all":
                return ALL;
            default:
                if (text.matches("\\d{1,4}")) {
                    return parse(Long.parseLong(text));
                }
                throw new IllegalArgumentException("quorum must be majority, any, all or a number of vantage points,"
                        + " not '" + text + "'");
        }
    }

    /** How many DOWN votes make an origin down when {@code vantagePoints} (at least 1) count. */
    public int required(int vantagePoints) {
        if (vantagePoints < 1) {
            throw new IllegalArgumentException("no vantage points");
        }
        return switch (kind) {
            case MAJORITY -> vantagePoints / 2 + 1;
            case ANY -> 1;
            case ALL -> vantagePoints;
            case COUNT -> Math.min(count, vantagePoints);
        };
    }

    @JsonValue
    @Override
    public String toString() {
        return kind == Kind.COUNT ? Integer.toString(count) : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
