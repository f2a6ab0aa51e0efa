package dev.geosteer.fuzz;

import dev.geosteer.catalog.ZoneCatalog;
import dev.geosteer.geo.GeoIndex;
import dev.geosteer.health.HealthView;
import dev.geosteer.query.ServedZones;
import dev.geosteer.steer.SteeringCompiler;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;
import dev.geosteer.zone.ZoneLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Name;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Regression tests for the bugs the fuzz targets found, each reduced to a minimal reproducer through the
 * public API the server uses ({@link ZoneCatalog#refresh}: a broken file must come back as a
 * {@link Problem}, never as an exception out of the reload pass). The crash files Jazzer wrote for the
 * fixed bugs are in the Jazzer inputs directories, replayed by {@link FuzzInputsTest} and by the fuzz tests.
 *
 * <p>Reproducers of bugs not fixed yet are in {@code src/test/resources/fuzz/findings/<target>/}, out of the
 * inputs directories so that plain {@code mvn test} stays green, and their tests are {@code @Disabled} with
 * the failing source line. When such a bug is fixed: remove the {@code @Disabled} and move its files into
 * {@code src/test/resources/dev/geosteer/fuzz/<Class>Inputs/<method>/}.
 */
class FuzzFindingsTest {
    @TempDir
    Path dir;
    private ServedZones served;

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
        served = catalog.current();
        dev.geosteer.catalog.LoadResult[] result = new dev.geosteer.catalog.LoadResult[1];
        assertThatCode(() -> result[0] = catalog.refresh()).as("ZoneCatalog.refresh() must not throw")
                .doesNotThrowAnyException();
        served = catalog.current();
        assertThat(served.get(Name.fromConstantString("good.test."))).as("the good zone is served").isNotNull();
        return result[0].errors().stream().map(Problem::toString).toList();
    }

    // ---------------------------------------------------------------- zone files

    /** Was a NullPointerException in ZoneLoader.checkNameServers (fixed in 4616afd). */
    @Test
    void aZoneWithoutNsAtTheApexIsAnError() throws Exception {
        assertThat(load("s.test.zone", "$TTL 300\n@ SOA ns1 h 1 2 3 4 5\nns1 A 192.0.2.1\n", null))
                .anySatisfy(e -> assertThat(e).contains("s.test.zone").contains("no NS records at the zone apex"));
    }

    /** Was a NullPointerException in ZoneLoader.checkNameServers: the apex had no entry at all (fixed in 4616afd). */
    @Test
    void aZoneWhoseOnlySoaIsNotInIsAnError() throws Exception {
        assertThat(load("s.test.zone", "$TTL 300\n@ CH SOA ns1 h 1 2 3 4 5\n", null))
                .anySatisfy(e -> assertThat(e).contains("s.test.zone").contains("class CH is not served"));
    }

    @Test
    @SuppressWarnings({"deprecation", "removal"}) // Thread.stop: the only way to end dnsjava's loop if the bug is still there
    void aHugeGenerateRangeIsRejectedQuickly() throws Exception {
        byte[] text = ("$TTL 300\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n"
                + "$GENERATE 1-100000000 host$ A 192.0.2.1\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Throwable[] outcome = new Throwable[1];
        Thread loader = new Thread(() -> {
            try {
                ZoneLoader.compile(ZoneLoader.parse("g.zone", Path.of("g.zone"), text,
                        Name.fromConstantString("example.test.")), java.util.Map.of());
                outcome[0] = new AssertionError("a zone of 10^8 generated records was accepted");
            } catch (Throwable t) {
                outcome[0] = t;
            }
        }, "huge-generate");
        loader.setDaemon(true);
        loader.start();
        loader.join(10_000);
        if (loader.isAlive()) {
            loader.stop();
            throw new AssertionError("ZoneLoader still expanding $GENERATE 1-100000000 after 10 s");
        }
        assertThat(outcome[0]).as("rejected with a ProblemException (a cap on $GENERATE or on records)")
                .isInstanceOf(ProblemException.class);
    }

    // ---------------------------------------------------------------- steering files

    static final String POOL = "pools:\n  p:\n    origins:\n      - { name: a, address: 192.0.2.10 }\n";
    static final String BALANCER = "balancers:\n  www:\n    default_pools: [p]\n";

    /**
     * Were NullPointerExceptions out of SteeringCompiler.Checker (fixed in 4616afd: YAML nulls now bind as
     * empty). Each file is now either accepted or reported; never an exception.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "monitors:\n",                                  // was f.monitors == null
            "pools:\n",                                     // was f.pools == null
            "balancers:\n",                                 // was f.balancers == null
            "monitors:\n  m:\n",                            // was m == null
            "pools:\n  p:\n",                               // was p == null
            POOL + "balancers:\n  www:\n",                  // was b == null
            "monitors:\n  m:\n    headers:\n" + POOL + BALANCER,      // was Map.copyOf(null)
            "monitors:\n  m:\n    headers: { X-A: }\n" + POOL + BALANCER, // was Map.copyOf with a null value
            POOL + BALANCER + "    regions:\n",             // was b.regions == null
            POOL + BALANCER + "    nets:\n",                // was b.nets == null
            POOL + BALANCER + "    default_pools:\n",
            "pools:\n  p:\n    origins:\n      -\n" + BALANCER,
            "pools:\n  p:\n    location:\n    origins:\n      - { name: a, address: 192.0.2.10 }\n" + BALANCER,
    })
    void emptyKeysInASteeringFileAreAcceptedOrReported(String steer) throws Exception {
        List<String> errors = load("s.test.zone", "$TTL 300\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n",
                steer);
        assertThat(errors).allSatisfy(e -> assertThat(e).contains("s.test.steer.yaml"));
        if (errors.isEmpty()) {
            assertThat(served.get(Name.fromConstantString("s.test."))).as("accepted, so served").isNotNull();
        }
    }

    /** Was an InvalidPathException out of SteeringCompiler.Checker.monitor, 'Path.of(m.caFile)' (fixed in 4616afd). */
    @Test
    void aCaFileThatIsNotAPathIsAnError() throws Exception {
        assertThat(load("s.test.zone", "$TTL 300\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n",
                "monitors:\n  m:\n    type: https\n    ca_file: \"/etc/ssl/\\0ca.pem\"\n" + POOL.replace("    origins:",
                        "    monitor: m\n    origins:") + BALANCER))
                .anySatisfy(e -> assertThat(e).contains("s.test.steer.yaml").contains("ca_file"));
    }

    // ---------------------------------------------------------------- reproducers of open bugs

    static Stream<Arguments> openFindings() throws IOException, URISyntaxException {
        URL root = FuzzFindingsTest.class.getClassLoader().getResource("fuzz/findings");
        if (root == null) {
            return Stream.empty();
        }
        Path base = Path.of(root.toURI());
        try (Stream<Path> s = Files.walk(base)) {
            return s.filter(Files::isRegularFile).sorted()
                    .map(p -> Arguments.of(base.relativize(p).toString().replace('\\', '/')))
                    .toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("openFindings")
    void openFindingsReplay(String file) throws Exception {
        byte[] input = FuzzInputsTest.resource("fuzz/findings/" + file);
        String target = file.substring(0, file.indexOf('/'));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> FuzzInputsTest.replay(target, input), file);
    }
}
