package dev.geosteer.dnssec;

/**
 * Something wrong with a key file, printed as {@code file:line: reason} (line left out when 0). An
 * error means the key is not used; a warning (a world-readable private key, a field geosteer ignores)
 * leaves it in service.
 */
public record KeyProblem(String file, int line, String reason, boolean warning) {
    static KeyProblem error(Object file, int line, String reason) {
        return new KeyProblem(String.valueOf(file), line, reason, false);
    }

    static KeyProblem error(Object file, String reason) {
        return error(file, 0, reason);
    }

    static KeyProblem warning(Object file, String reason) {
        return new KeyProblem(String.valueOf(file), 0, reason, true);
    }

    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + (warning ? "warning: " : "") + reason;
    }
}
