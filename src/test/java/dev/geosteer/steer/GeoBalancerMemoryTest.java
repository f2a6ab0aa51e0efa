package dev.geosteer.steer;

import dev.geosteer.catalog.ZoneCatalog;
import dev.geosteer.geo.GeoIndex;
import dev.geosteer.health.HealthView;
import dev.geosteer.problem.Problem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What geo balancers cost against the shipped country database: the tries of balancers that group
 * locations the same way are shared, and a zone whose tries would exceed limits.steering_max_mb fails
 * to load with the line of the balancer that crossed it (bench/geo-balancers.sh measures the heap).
 */
class GeoBalancerMemoryTest {
    static GeoIndex geo;
    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        geo = GeoIndex.load(List.of(Path.of("geoip/geo-whois-asn-country.mmdb")));
    }

    /** The shipped pools, then {@code balancers}. */
    String steering(String balancers) throws Exception {
        return Files.readString(Path.of("zones/example.test.steer.yaml")).replaceAll("(?s)balancers:.*", "")
                + "balancers:\n" + balancers;
    }

    ZoneCatalog catalog(String steering, int maxMb) throws Exception {
        Files.copy(Path.of("zones/example.test.zone"), dir.resolve("example.test.zone"));
        Files.writeString(dir.resolve("example.test.steer.yaml"), steering);
        return new ZoneCatalog(dir, new SteeringCompiler(() -> geo, () -> HealthView.NONE, maxMb));
    }

    /** Balancer i: geo by continent, the same grouping for all, pools in an order of its own. */
    static String sameRegions(int n) {
        StringBuilder b = new StringBuilder();
        String[] orders = {"[eu, na, ap]", "[eu, ap, na]", "[eu, na]", "[eu, ap]"}; // never another region's pools
        for (int i = 0; i < n; i++) {
            b.append("  b").append(i).append(":\n    steering: geo\n    default_pools: [na, eu, ap]\n")
                    .append("    regions: { EU: ").append(orders[i % 4]).append(", AS: [ap, eu, na], NA: [na, eu, ap] }\n");
        }
        return b.toString();
    }

    /** Balancer i sends one more country of its own to ap: a grouping no other balancer has. */
    static String ownRegions(int n) {
        String[] countries = {"FR", "DE", "JP", "BR", "US", "IN", "ZA", "AU"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("  c").append(i).append(":\n    steering: geo\n    default_pools: [na, eu, ap]\n")
                    .append("    regions: { EU: [eu, na], ").append(countries[i]).append(": [ap, eu] }\n");
        }
        return b.toString();
    }

    @Test
    void balancersThatGroupLocationsTheSameWayShareOneTrie() throws Exception {
        ZoneCatalog one = catalog(steering(sameRegions(1)), 256);
        assertThat(one.refresh().errors()).isEmpty();
        long single = ((ZoneSteering) one.current().all().iterator().next().steering()).geoTrieBytes();
        assertThat(single).as("one geo balancer's tries, shipped database").isGreaterThan(1_000_000);

        Files.delete(dir.resolve("example.test.zone"));
        ZoneCatalog hundred = catalog(steering(sameRegions(100)), 256);
        assertThat(hundred.refresh().errors()).isEmpty();
        ZoneSteering s = (ZoneSteering) hundred.current().all().iterator().next().steering();
        assertThat(s.balancerCount()).isEqualTo(100);
        assertThat(s.geoTrieBytes()).as("a hundred balancers, one grouping").isEqualTo(single);
    }

    @Test
    void aZoneWhoseTriesExceedTheBoundFailsWithTheLineOfTheBalancer() throws Exception {
        ZoneCatalog c = catalog(steering(ownRegions(8)), 12);
        List<Problem> errors = c.refresh().errors();
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.file()).endsWith("example.test.steer.yaml");
            assertThat(e.line()).isGreaterThan(0);
            assertThat(e.toString()).contains("'balancers.c").contains("limits.steering_max_mb (12.0 MiB)");
        });
        String line = Files.readAllLines(dir.resolve("example.test.steer.yaml")).get(errors.get(0).line() - 1);
        assertThat(line).matches("  c[0-9]:");
        assertThat(c.current().size()).as("not served").isZero();
    }
}
