package dev.geosteer.health;

import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** admin-state.yaml is read as strictly as every other YAML file. */
class AdminStateTest {
    static java.util.List<String> errors(String yaml) {
        ProblemException e = catchThrowableOfType(ProblemException.class, () -> AdminState.parse("admin-state.yaml",
                yaml.getBytes(StandardCharsets.UTF_8), s -> true));
        assertThat(e).as("refused").isNotNull();
        return e.errors().stream().map(Problem::toString).toList();
    }

    @Test
    void aSecondDrainListIsAnErrorNotASilentReplacement() {
        assertThat(errors("drain:\n  - example.test/eu\ndrain:\n  - example.test/na\n")).containsExactly(
                "admin-state.yaml:3:1: duplicate key 'drain' (first at line 1): a key may appear only once in a map");
    }

    @Test
    void everyBadSelectorIsReportedAtOnceAndTheOthersApply() throws Exception {
        AdminState.Parsed parsed = AdminState.parse("admin-state.yaml",
                "drain:\n  - example.test\n  - example.test/eu\n  - a/b/c/d\n".getBytes(StandardCharsets.UTF_8), s -> true);
        assertThat(parsed.drains()).extracting(Drain::selector).containsExactly("example.test./eu");
        assertThat(parsed.problems()).extracting(Problem::toString).containsExactly(
                "admin-state.yaml:2:5: 'example.test': write zone/pool or zone/pool/origin, e.g. example.test/eu/par1 (ignored)",
                "admin-state.yaml:4:5: 'a/b/c/d': write zone/pool or zone/pool/origin, e.g. example.test/eu/par1 (ignored)");
    }
}
