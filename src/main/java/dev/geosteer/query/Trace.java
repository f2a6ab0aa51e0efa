package dev.geosteer.query;

import java.util.ArrayList;
import java.util.List;

/** Lines explaining how an answer was made, for {@code lookup} and the admin API. Not thread-safe. */
public final class Trace {
    private final List<String> lines = new ArrayList<>();

    public void add(String line) {
        lines.add(line);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }
}
