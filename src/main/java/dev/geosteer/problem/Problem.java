package dev.geosteer.problem;

/**
 * One problem in an operator's input (a zone, a steering file, geosteer.yaml, admin-state.yaml, a GeoIP
 * database), printed as {@code file:line:column: reason}; line and column are left out when unknown (0).
 * It lives in the lowest layer so that every package reports problems alike without importing another's.
 *
 * <p>Errors end up in logs, {@code /status} and {@code check}'s output, and may quote what a file
 * contains. So that a file that is not what it seems (a link to a secret, a binary) cannot be dumped
 * through them, the file name and the reason are escaped (control and invisible characters as
 * {@code \xNN} or {@code \}{@code uNNNN}) and the reason is cut at {@value #MAX_REASON} characters;
 * quoted values should go through {@link #quote}, which keeps a short excerpt.
 */
public record Problem(String file, int line, int column, String reason) {
    static final int MAX_REASON = 400;
    static final int MAX_QUOTED = 64;

    public Problem {
        file = escape(String.valueOf(file), 4 * MAX_REASON);
        reason = escape(String.valueOf(reason), MAX_REASON);
    }

    public Problem(String file, int line, String reason) {
        this(file, line, 0, reason);
    }

    /** {@code 'value'}, escaped, and cut to a short excerpt when long. */
    public static String quote(Object value) {
        return "'" + escape(String.valueOf(value), MAX_QUOTED) + "'";
    }

    /** Escapes characters that could forge or hide log lines, and cuts to {@code max} characters (then "…"). */
    public static String escape(String s, int max) {
        StringBuilder b = null;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean hidden = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029'
                    || Character.getType(c) == Character.FORMAT;
            if (hidden && b == null) {
                b = new StringBuilder(n + 16).append(s, 0, i);
            }
            if (hidden) {
                b.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
            int length = b == null ? i + 1 : b.length();
            if (length >= max && i + 1 < n && !Character.isHighSurrogate(c)) {
                return (b == null ? s.substring(0, i + 1) : b.toString()) + "…";
            }
        }
        return b == null ? s : b.toString();
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
