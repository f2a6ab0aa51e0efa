package dev.geosteer.dnssec;

import java.util.List;
import java.util.stream.Collectors;

/** A key that cannot be used, with every error found in its files (each naming its file). */
public final class KeyFileException extends Exception {
    private final transient List<KeyProblem> problems;

    KeyFileException(List<KeyProblem> problems) {
        super(problems.stream().map(KeyProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    KeyFileException(KeyProblem problem) {
        this(List.of(problem));
    }

    public List<KeyProblem> problems() {
        return problems;
    }
}
