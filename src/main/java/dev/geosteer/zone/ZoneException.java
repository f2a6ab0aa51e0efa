package dev.geosteer.zone;

import java.util.List;
import java.util.stream.Collectors;

/** A file that cannot be served, with every error found in it. */
public final class ZoneException extends Exception {
    private final transient List<ZoneError> errors;

    public ZoneException(List<ZoneError> errors) {
        super(errors.stream().map(ZoneError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public ZoneException(ZoneError error) {
        this(List.of(error));
    }

    public List<ZoneError> errors() {
        return errors;
    }
}
