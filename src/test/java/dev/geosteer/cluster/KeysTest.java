package dev.geosteer.cluster;

import dev.geosteer.health.HealthView.State;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key layout and its values: what each key is, and what is foreign. */
class KeysTest {
    private final Keys keys = new Keys("/geosteer/");

    @Test
    void everyKeyOfTheLayout() {
        assertThat(keys.parse(keys.member("par-1"))).isEqualTo(new Keys.Member("par-1"));
        assertThat(keys.parse(keys.verdict("example.com/eu/o1", "par-1")))
                .isEqualTo(new Keys.VerdictKey("example.com/eu/o1", "par-1"));
        assertThat(keys.parse(keys.drain("example.com/eu"))).isEqualTo(new Keys.DrainKey("example.com/eu"));
        assertThat(keys.parse(keys.drain("example.com/eu/o1"))).isEqualTo(new Keys.DrainKey("example.com/eu/o1"));
        assertThat(keys.parse(keys.generation())).isEqualTo(new Keys.Generation());
        assertThat(keys.parse(keys.configFile("example.com.zone"))).isEqualTo(new Keys.ConfigFile("example.com.zone"));
        assertThat(keys.parse(keys.configFile("sub/dir.zone"))).isEqualTo(new Keys.ConfigFile("sub/dir.zone"));
    }

    @Test
    void foreignKeysSayWhy() {
        assertThat(keys.parse("/geosteer/leader")).isInstanceOf(Keys.Foreign.class);
        assertThat(keys.parse("/geosteer/members/par 1")).isEqualTo(new Keys.Foreign("'par 1' is not a node name"));
        assertThat(keys.parse("/geosteer/health/par-1")).isInstanceOf(Keys.Foreign.class);
        assertThat(keys.parse("/geosteer/health//par-1")).isInstanceOf(Keys.Foreign.class);
        assertThat(keys.parse("/geosteer/drains/example.com")).isInstanceOf(Keys.Foreign.class);
        assertThat(keys.parse("/geosteer/drains/a/b/c/d")).isInstanceOf(Keys.Foreign.class);
        assertThat(keys.parse("/geosteer/config/files/../x")).isInstanceOf(Keys.Foreign.class);
        assertThat(keys.parse("/geosteer/config/files/.hidden")).isInstanceOf(Keys.Foreign.class);
        assertThat(keys.parse("/geosteer/config/other")).isInstanceOf(Keys.Foreign.class);
        assertThat(keys.parse("/geosteerx/members/a")).isInstanceOf(Keys.Foreign.class);
    }

    @Test
    void valuesRoundTripAndBadOnesSayWhatIsWrong() {
        Verdict v = new Verdict(State.DOWN, Instant.parse("2026-01-01T00:00:00Z"), "HTTP 503",
                Instant.parse("2026-01-01T00:00:10Z"), 12L, Duration.ofSeconds(10));
        assertThat(Values.verdict(Values.verdict(v))).isEqualTo(v);
        Member m = new Member("par-1", "0.1.0", 42, Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T00:01:00Z"), 7);
        assertThat(Values.member("par-1", Values.member(m), 7)).isEqualTo(m);
        Drain d = new Drain("maintenance", "par-1", Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(Values.drain(Values.drain(d))).isEqualTo(d);
        Values.Manifest manifest = new Values.Manifest(3, Map.of("a.zone", "ab"), Instant.EPOCH, "push");
        assertThat(Values.manifest(Values.manifest(manifest))).isEqualTo(manifest);
        assertThatThrownBy(() -> Values.verdict(bytes("{\"state\":\"SIDEWAYS\"}"))).hasMessage(
                "'state' must be UP, DOWN or UNKNOWN");
        assertThatThrownBy(() -> Values.drain(bytes("not json"))).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> Values.drain(bytes("{\"reason\":\"x\",\"by\":\"a\",\"at\":\"yesterday\"}")))
                .hasMessageContaining("'at' is not a time");
        assertThatThrownBy(() -> Values.manifest(bytes("{\"generation\":1,\"files\":{\"../x\":\"00\"}}")))
                .hasMessageContaining("'../x'");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
