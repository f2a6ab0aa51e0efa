package dev.geosteer.catalog;

import dev.geosteer.geo.GeoIndex;
import dev.geosteer.steer.SteeringLoader;
import dev.geosteer.health.HealthView;
import dev.geosteer.steer.SteeringCompiler;
import dev.geosteer.problem.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The zones directory, file by file: one bad file never stops the others, and nothing leaks through errors. */
class ZoneCatalogTest {
    @TempDir
    Path dir;

    static String zone(String origin, int serial, String more) {
        return "$ORIGIN " + origin + "\n$TTL 60\n@ SOA ns1 h " + serial + " 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.53\n"
                + more;
    }

    static final String STEER = """
            pools:
              eu:
                origins:
                  - { name: a, address: 192.0.2.10 }
            balancers:
              www:
                default_pools: [eu]
              api:
                default_pools: [eu]
            """;

    ZoneCatalog catalog(SteeringLoader loader) {
        return new ZoneCatalog(dir, loader);
    }

    SteeringLoader compiler() {
        return new SteeringCompiler(() -> GeoIndex.EMPTY, () -> HealthView.NONE);
    }

    static List<String> strings(List<Problem> errors) {
        return errors.stream().map(Problem::toString).toList();
    }

    @Test
    void anErrorLoadingOneZoneIsThatZonesErrorAndTheOthersLoad() throws Exception {
        Files.writeString(dir.resolve("a.test.zone"), zone("a.test.", 1, ""));
        Files.writeString(dir.resolve("b.test.zone"), zone("b.test.", 1, ""));
        Files.writeString(dir.resolve("b.test.steer.yaml"), STEER);
        Files.writeString(dir.resolve("c.test.zone"), zone("c.test.", 1, ""));
        SteeringLoader ooms = (shown, yaml, parsed) -> {
            throw new OutOfMemoryError("Java heap space");
        };
        ZoneCatalog catalog = catalog(ooms);
        dev.geosteer.catalog.LoadResult r = catalog.refresh();
        assertThat(strings(r.errors())).singleElement().asString()
                .startsWith(dir.resolve("b.test.zone") + ": ran out of memory loading it")
                .contains("limits.zone_max_records");
        assertThat(catalog.current().all()).extracting(z -> z.zone().origin().toString())
                .containsExactlyInAnyOrder("a.test.", "c.test.");
        assertThat(strings(catalog.problems())).hasSize(1);
        // not retried until it changes; fixed, it loads
        assertThat(catalog.refresh().errors()).isEmpty();
        Files.delete(dir.resolve("b.test.steer.yaml"));
        Files.writeString(dir.resolve("b.test.zone"), zone("b.test.", 2, ""));
        assertThat(catalog.refresh().errors()).isEmpty();
        assertThat(catalog.current().all()).hasSize(3);
        assertThat(catalog.problems()).isEmpty();
    }

    @Test
    void aLinkOutOfTheZonesDirectoryIsRefusedWithoutReadingIt() throws Exception {
        Files.writeString(dir.resolve("a.test.zone"), zone("a.test.", 1, ""));
        Path secret = Files.createTempFile("secret", ".txt");
        try {
            Files.writeString(secret, "GEOSTEER_ADMIN_TOKEN=hunter2\n");
            Files.createSymbolicLink(dir.resolve("env.zone"), Path.of("/proc/self/environ"));
            Files.createSymbolicLink(dir.resolve("secret.zone"), secret);
            Files.createSymbolicLink(dir.resolve("a.test.steer.yaml"), secret);
            ZoneCatalog catalog = catalog(compiler());
            List<String> errors = strings(catalog.refresh().errors());
            assertThat(errors).anyMatch(e -> e.startsWith(dir.resolve("env.zone") + ": a symbolic link to /proc/")
                    && e.contains("outside " + dir));
            assertThat(errors).anyMatch(e -> e.startsWith(dir.resolve("secret.zone") + ": a symbolic link to "));
            assertThat(errors).anyMatch(e -> e.startsWith(dir.resolve("a.test.steer.yaml") + ": a symbolic link to "));
            assertThat(String.join("\n", errors)).doesNotContain("hunter2").doesNotContain("PATH=");
        } finally {
            Files.delete(secret);
        }
    }

    @Test
    void aLinkThatStaysInsideTheZonesDirectoryIsFollowed() throws Exception {
        Path versions = Files.createDirectories(dir.resolve("versions"));
        Files.writeString(versions.resolve("a-v7.txt"), zone("a.test.", 7, ""));
        Files.createSymbolicLink(dir.resolve("a.test.zone"), Path.of("versions/a-v7.txt"));
        ZoneCatalog catalog = catalog(compiler());
        assertThat(catalog.refresh().errors()).isEmpty();
        assertThat(catalog.current().all()).singleElement().satisfies(z -> assertThat(z.zone().serial()).isEqualTo(7));
    }

    @Test
    void aFifoOrADirectoryNamedLikeAZoneIsRefusedNotWaitedOn() throws Exception {
        Path fifo = dir.resolve("pipe.zone");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Files.createDirectories(dir.resolve("folder.zone"));
        List<String> errors = strings(catalog(compiler()).refresh().errors());
        assertThat(errors).contains(fifo + ": not a regular file (a device, FIFO or socket): refused",
                dir.resolve("folder.zone") + ": not a regular file (a directory): refused");
    }

    @Test
    void filesOverTheirSizeLimitAreRefusedUnread() throws Exception {
        Files.writeString(dir.resolve("a.test.zone"), zone("a.test.", 1, "txt TXT \"" + "x".repeat(200) + "\"\n"));
        Files.writeString(dir.resolve("b.test.zone"), zone("b.test.", 1, ""));
        Files.writeString(dir.resolve("b.test.steer.yaml"), STEER);
        ZoneCatalog.Settings small = ZoneCatalog.Settings.IMMEDIATE;
        small = new ZoneCatalog.Settings(small.settle(), small.emptyGrace(), 200, small.zoneMaxRecords(), 100);
        List<String> errors = strings(new ZoneCatalog(dir, compiler(), small).refresh().errors());
        assertThat(errors).containsExactlyInAnyOrder(
                dir.resolve("a.test.zone") + ": " + Files.size(dir.resolve("a.test.zone"))
                        + " bytes, more than limits.zone_file_max_bytes (200): refused without reading it",
                dir.resolve("b.test.steer.yaml") + ": " + Files.size(dir.resolve("b.test.steer.yaml"))
                        + " bytes, more than limits.steering_file_max_bytes (100): refused without reading it");
    }

    @Test
    void aSteeringFileThatDisappearsIsAWarningNamingEveryBalancer() throws Exception {
        Files.writeString(dir.resolve("a.test.zone"), zone("a.test.", 1, ""));
        Files.writeString(dir.resolve("a.test.steer.yaml"), STEER);
        ZoneCatalog catalog = catalog(compiler());
        assertThat(catalog.refresh().errors()).isEmpty();
        Files.delete(dir.resolve("a.test.steer.yaml"));
        dev.geosteer.catalog.LoadResult r = catalog.refresh();
        assertThat(r.errors()).isEmpty();
        assertThat(strings(r.warnings())).singleElement().asString()
                .startsWith(dir.resolve("a.test.steer.yaml") + ": is gone: balancers api.a.test., www.a.test. vanished");
        assertThat(catalog.current().all()).singleElement().satisfies(z -> assertThat(z.steering()).isNull());
    }

    @Test
    void aZoneChangedWithoutANewSerialIsLoadedWithAWarning() throws Exception {
        Path f = dir.resolve("a.test.zone");
        Files.writeString(f, zone("a.test.", 5, "www A 192.0.2.1\n"));
        ZoneCatalog catalog = catalog(compiler());
        catalog.refresh();
        Files.writeString(f, "; a comment and another layout change nothing\n" + zone("a.test.", 5, "www   A   192.0.2.1\n"));
        dev.geosteer.catalog.LoadResult same = catalog.refresh();
        assertThat(same.changed()).isTrue();
        assertThat(same.warnings()).isEmpty();
        Files.writeString(f, zone("a.test.", 5, "www A 192.0.2.2\n"));
        dev.geosteer.catalog.LoadResult r = catalog.refresh();
        assertThat(r.changed()).isTrue();
        assertThat(strings(r.warnings())).singleElement().asString()
                .isEqualTo(f + ": the records changed but the serial is still 5: loaded, but secondaries (and anything"
                        + " that compares serials) will not see the change; increase the serial");
        assertThat(catalog.current().all().iterator().next().zone().node(Name.fromString("www.a.test."))
                .get(org.xbill.DNS.Type.A).size()).isEqualTo(1);
    }

    @Test
    void anEmptiedSteeringFileIsHeldUntilItStaysEmpty() throws Exception {
        Files.writeString(dir.resolve("a.test.zone"), zone("a.test.", 1, ""));
        Path steer = dir.resolve("a.test.steer.yaml");
        Files.writeString(steer, STEER);
        ZoneCatalog catalog = new ZoneCatalog(dir, compiler(),
                ZoneCatalog.Settings.IMMEDIATE.with(Duration.ZERO, Duration.ofMillis(300)));
        catalog.refresh();
        Files.writeString(steer, "");
        dev.geosteer.catalog.LoadResult r = catalog.refresh();
        assertThat(strings(r.warnings())).singleElement().asString().startsWith(steer + ": is empty; keeping the"
                + " previous steering (api.a.test., www.a.test.) unless it stays empty for 300ms");
        assertThat(r.changed()).isFalse();
        assertThat(balancers(catalog)).isEqualTo(2);
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(5000) && balancers(catalog) > 0) {
            catalog.refresh();
            Thread.sleep(20);
        }
        assertThat(balancers(catalog)).as("the empty file is applied after the grace").isZero();
    }

    static int balancers(ZoneCatalog catalog) {
        return catalog.current().all().iterator().next().steering().balancerCount();
    }
}
