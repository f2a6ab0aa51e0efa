package dev.geosteer.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Lines explaining how an answer was made, for {@code lookup} and the admin API. Not thread-safe. The
 * answer path is given {@link #NONE}, which keeps nothing: code that builds a line from parts checks
 * {@link #enabled()} first, so that no string is made per query.
 */
public class Trace {
    /** Keeps nothing: the answer path's trace. */
    public static final Trace NONE = new Trace() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void add(String line) {
        }
    };

    private final List<String> lines = new ArrayList<>();

    /** Whether lines are kept: false for {@link #NONE}. */
    public boolean enabled() {
        return true;
    }

    public void add(String line) {
        lines.add(line);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }
}
