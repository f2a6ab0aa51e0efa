package dev.geosteer.catalog;

import dev.geosteer.problem.Problem;

import java.util.List;

/**
 * Outcome of a load pass (of the zones, or of the whole set): the errors found (empty when all went
 * well), what is worth a warning (a file held back, a zone changed without a new serial, balancers that
 * vanished), and whether anything served changed.
 */
public record LoadResult(List<Problem> errors, List<Problem> warnings, boolean changed) {
    public LoadResult {
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }

    public LoadResult(List<Problem> errors, boolean changed) {
        this(errors, List.of(), changed);
    }

    /** Worth recording: something changed or something is wrong. */
    public boolean noteworthy() {
        return changed || !errors.isEmpty() || !warnings.isEmpty();
    }
}
