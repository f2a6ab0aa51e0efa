package dev.geosteer.problem;

import java.util.List;
import java.util.stream.Collectors;

/** A file that cannot be served, with every error found in it. */
public final class ProblemException extends Exception {
    private final transient List<Problem> errors;

    public ProblemException(List<Problem> errors) {
        super(errors.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public ProblemException(Problem error) {
        this(List.of(error));
    }

    public List<Problem> errors() {
        return errors;
    }
}
