package dev.geosteer.fuzz;

import dev.geosteer.config.ZoneCatalog;
import dev.geosteer.geo.GeoIndex;
import dev.geosteer.health.HealthView;
import dev.geosteer.steer.SteeringCompiler;
import dev.geosteer.zone.ZoneError;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Name;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Regression tests for what the fuzz targets found. Each bug has a minimal reproducer through the public
 * API the server uses ({@link ZoneCatalog#refresh}: a broken file must come back as a {@link ZoneError},
 * never as an exception out of the reload pass), and the crash files Jazzer wrote are replayed through the
 * fuzz targets from {@code src/test/resources/fuzz/findings/<target>/}.
 *
 * <p>Those files are kept out of the Jazzer inputs directories on purpose: there, plain {@code mvn test}
 * would fail until the bugs are fixed. The tests are {@code @Disabled} with the failing source line; when a
 * bug is fixed, remove its {@code @Disabled} (and, if you like, move its crash files into
 * {@code src/test/resources/dev/geosteer/fuzz/<Class>Inputs/<method>/}, where the fuzz test replays them).
 */
class FuzzFindingsTest {
    @TempDir
    Path dir;

    /** Loads the zones directory as the server does and returns the errors; fails if refresh() throws. */
    private List<String> load(String zoneFile, String zoneText, String steerText) throws IOException {
        Files.writeString(dir.resolve("good.test.zone"), """
                $TTL 300
                @ SOA ns1 hostmaster 1 7200 3600 1209600 300
                @ NS ns1
                ns1 A 192.0.2.53
                """);
        Files.writeString(dir.resolve(zoneFile), zoneText);
        if (steerText != null) {
            Files.writeString(ZoneCatalog.steerFileOf(dir.resolve(zoneFile)), steerText);
        }
        ZoneCatalog catalog = new ZoneCatalog(dir, new SteeringCompiler(() -> GeoIndex.EMPTY, () -> HealthView.NONE));
        ZoneCatalog.Result[] result = new ZoneCatalog.Result[1];
        assertThatCode(() -> result[0] = catalog.refresh()).as("ZoneCatalog.refresh() must not throw")
                .doesNotThrowAnyException();
        assertThat(catalog.current().get(Name.fromConstantString("good.test."))).as("the good zone is served")
                .isNotNull();
        return result[0].errors().stream().map(ZoneError::toString).toList();
    }

    // ---------------------------------------------------------------- zone files

    @Test
    @Disabled("bug: NullPointerException at ZoneLoader.checkNameServers (ZoneLoader.java:222, 'for (Record r : ns)'):"
            + " the apex has a SOA but no NS, so byName(origin).get(NS) is null. The error 'no NS records at the"
            + " zone apex' is collected but never reported: the NPE escapes ZoneCatalog.refresh().")
    void aZoneWithoutNsAtTheApexIsAnError() throws Exception {
        assertThat(load("s.test.zone", "$TTL 300\n@ SOA ns1 h 1 2 3 4 5\nns1 A 192.0.2.1\n", null))
                .anySatisfy(e -> assertThat(e).contains("s.test.zone").contains("no NS records at the zone apex"));
    }

    @Test
    @Disabled("bug: NullPointerException at ZoneLoader.checkNameServers (ZoneLoader.java:221,"
            + " 'parsed.byName().get(node.name()).get(Type.NS)'): the origin comes from a SOA of another class"
            + " (CH, ANY), which is then dropped, so the apex has no entry in byName.")
    void aZoneWhoseOnlySoaIsNotInIsAnError() throws Exception {
        assertThat(load("s.test.zone", "$TTL 300\n@ CH SOA ns1 h 1 2 3 4 5\n", null))
                .anySatisfy(e -> assertThat(e).contains("s.test.zone").contains("class CH is not served"));
    }

    // ---------------------------------------------------------------- steering files

    static final String POOL = "pools:\n  p:\n    origins:\n      - { name: a, address: 192.0.2.10 }\n";
    static final String BALANCER = "balancers:\n  www:\n    default_pools: [p]\n";

    @ParameterizedTest
    @ValueSource(strings = {
            "monitors:\n",                                  // f.monitors == null: SteeringCompiler.java:102
            "pools:\n",                                     // f.pools == null: SteeringCompiler.java:109
            "balancers:\n",                                 // f.balancers == null: SteeringCompiler.java:117
            "monitors:\n  m:\n",                            // m == null: SteeringCompiler.java:135
            "pools:\n  p:\n",                               // p == null: SteeringCompiler.java:216
            POOL + "balancers:\n  www:\n",                  // b == null: SteeringCompiler.balancer
            "monitors:\n  m:\n    headers:\n" + POOL + BALANCER,      // Map.copyOf(null headers)
            "monitors:\n  m:\n    headers: { X-A: }\n" + POOL + BALANCER, // Map.copyOf: a null header value
            POOL + BALANCER + "    regions:\n",             // b.regions == null
            POOL + BALANCER + "    nets:\n",                // b.nets == null
    })
    @Disabled("bug: SteeringCompiler.Checker dereferences YAML values that may be null (an empty 'key:' binds"
            + " null over the field's default): NullPointerException out of SteeringCompiler.prepare and"
            + " ZoneCatalog.refresh() instead of a file:line:column error")
    void nullsInASteeringFileAreErrors(String steer) throws Exception {
        assertThat(load("s.test.zone", "$TTL 300\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n", steer))
                .anySatisfy(e -> assertThat(e).contains("s.test.steer.yaml"));
    }

    @Test
    @Disabled("bug: InvalidPathException out of SteeringCompiler.Checker.monitor ('Path ca = Path.of(m.caFile)'):"
            + " a ca_file with a NUL character is not a path; the exception escapes ZoneCatalog.refresh()")
    void aCaFileThatIsNotAPathIsAnError() throws Exception {
        assertThat(load("s.test.zone", "$TTL 300\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n",
                "monitors:\n  m:\n    type: https\n    ca_file: \"/etc/ssl/\\0ca.pem\"\n" + POOL.replace("    origins:",
                        "    monitor: m\n    origins:") + BALANCER))
                .anySatisfy(e -> assertThat(e).contains("s.test.steer.yaml").contains("ca_file"));
    }

    // ---------------------------------------------------------------- Jazzer's crash files, replayed

    static Stream<Arguments> crashFiles() throws IOException, URISyntaxException {
        URL root = FuzzFindingsTest.class.getClassLoader().getResource("fuzz/findings");
        if (root == null) {
            return Stream.empty();
        }
        Path base = Path.of(root.toURI());
        try (Stream<Path> s = Files.walk(base)) {
            return s.filter(Files::isRegularFile).sorted()
                    .map(p -> Arguments.of(base.relativize(p).toString()))
                    .toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("crashFiles")
    @Disabled("replays the crash files of the bugs above: zone/* fail at ZoneLoader.java:221-222, steering/* at"
            + " SteeringCompiler.java:102-216 (see the tests above)")
    void crashFileReplays(String file) throws Exception {
        byte[] input;
        try (InputStream in = FuzzFindingsTest.class.getClassLoader().getResourceAsStream("fuzz/findings/" + file)) {
            input = in.readAllBytes();
        }
        // The loader targets read their FuzzedDataProvider as: options = the last byte, data = the rest.
        int last = input.length == 0 ? 0 : input[input.length - 1] & 0xFF;
        byte[] rest = input.length == 0 ? input : Arrays.copyOf(input, input.length - 1);
        if (file.startsWith("zone/")) {
            ZoneFileFuzzTarget.zoneFile(last, rest);
        } else if (file.startsWith("steering/")) {
            SteeringFileFuzzTarget.steeringFile(last, rest);
        } else if (file.startsWith("packet/")) {
            PacketFuzzTarget.packet(input);
        } else {
            throw new IllegalArgumentException(file);
        }
    }
}
