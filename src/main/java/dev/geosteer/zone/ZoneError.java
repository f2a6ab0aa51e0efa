package dev.geosteer.zone;

/**
 * One problem in an operator's file, printed as {@code file:line:column: reason}; line and column are
 * left out when unknown (0).
 */
public record ZoneError(String file, int line, int column, String reason) {
    public ZoneError(String file, int line, String reason) {
        this(file, line, 0, reason);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(file);
        if (line > 0) {
            b.append(':').append(line);
            if (column > 0) {
                b.append(':').append(column);
            }
        }
        return b.append(": ").append(reason).toString();
    }
}
