package dev.geosteer.cluster;

import dev.geosteer.catalog.ConfigSource;
import dev.geosteer.catalog.Fingerprint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration from etcd as a catalog source, without etcd: sets handed over as the cluster hands them,
 * kept under the state directory, read back at start.
 */
class EtcdConfigSourceTest {
    @TempDir
    Path dir;

    private static ConfigSet.File file(String text, long revision) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new ConfigSet.File(b, revision, Values.sha256(b));
    }

    private static ConfigSet set(long revision, Map<String, ConfigSet.File> files) {
        return new ConfigSet(revision, revision / 10, files, Instant.parse("2026-12-01T10:00:00Z").plusSeconds(revision),
                "alice@laptop");
    }

    private EtcdConfigSource open() throws Exception {
        return EtcdConfigSource.open(dir.resolve("cluster-config"), "/geosteer/",
                new ConfigSource.GeoPaths(dir.resolve("geoip"), List.of()));
    }

    private static String text(EtcdConfigSource s, String name) throws Exception {
        byte[] b = s.read(name, 1 << 20, "limit");
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void servesTheSetHandedOverAndKeepsItForTheNextStart() throws Exception {
        EtcdConfigSource s = open();
        assertThat(s.revision()).isZero();
        assertThat(s.zoneFiles()).isEmpty();
        assertThat(s.fromCache()).isFalse();

        Map<String, ConfigSet.File> files = new LinkedHashMap<>();
        files.put("b.test.zone", file("b 1", 10));
        files.put("a.test.zone", file("a 1", 10));
        files.put("a.test.steer.yaml", file("pools: {}", 10));
        assertThat(s.install(set(10, files))).containsExactlyInAnyOrder("a.test.zone", "b.test.zone",
                "a.test.steer.yaml");
        assertThat(s.zoneFiles()).containsExactly("a.test.zone", "b.test.zone");
        assertThat(text(s, "a.test.zone")).isEqualTo("a 1");
        assertThat(s.read("admin-state.yaml", 100, "limit")).isNull();
        assertThat(s.fingerprint("admin-state.yaml")).isNull();
        assertThat(s.shown("a.test.zone")).isEqualTo("etcd:/geosteer/config/files/a.test.zone");
        assertThat(s.settle()).isZero();
        Fingerprint bBefore = s.fingerprint("b.test.zone");

        // the next set changes a, drops b, keeps the steering file as it was
        Map<String, ConfigSet.File> next = new LinkedHashMap<>();
        next.put("a.test.zone", file("a 2", 20));
        next.put("a.test.steer.yaml", file("pools: {}", 10));
        Fingerprint steerBefore = s.fingerprint("a.test.steer.yaml");
        assertThat(s.install(set(20, next))).containsExactlyInAnyOrder("a.test.zone", "b.test.zone");
        assertThat(s.fingerprint("a.test.steer.yaml")).as("unchanged since revision 10").isEqualTo(steerBefore);
        assertThat(s.fingerprint("b.test.zone")).isNull();
        assertThat(bBefore).isNotNull();
        assertThat(s.zoneFiles()).containsExactly("a.test.zone");
        assertThat(text(s, "a.test.zone")).isEqualTo("a 2");
        try (var listing = Files.list(dir.resolve("cluster-config"))) {
            assertThat(listing.map(p -> p.getFileName().toString()).sorted().toList())
                    .as("the previous set's directory is gone").containsExactly("current.json", "r20");
        }

        // a restart reads it back, marked as the local copy until etcd confirms it
        EtcdConfigSource again = open();
        assertThat(again.revision()).isEqualTo(20);
        assertThat(again.fromCache()).isTrue();
        assertThat(again.startLine()).contains("revision 20").contains("alice@laptop");
        assertThat(again.zoneFiles()).containsExactly("a.test.zone");
        assertThat(text(again, "a.test.steer.yaml")).isEqualTo("pools: {}");
        assertThat(again.fingerprint("a.test.steer.yaml")).isEqualTo(steerBefore);
        assertThat(again.install(set(20, next))).as("the same revision from etcd: nothing to load").isEmpty();
        assertThat(again.fromCache()).isFalse();
    }

    @Test
    void aDamagedCopyIsNotServed() throws Exception {
        EtcdConfigSource s = open();
        s.install(set(7, Map.of("a.test.zone", file("a 1", 7))));
        Files.writeString(dir.resolve("cluster-config/r7/a.test.zone"), "a 1 edited by hand");
        EtcdConfigSource again = open();
        assertThat(again.revision()).isZero();
        assertThat(again.zoneFiles()).isEmpty();
        assertThat(again.startLine()).contains("not used").contains("a.test.zone").contains("SHA-256");
        // etcd's next set is applied whole, the damaged directory replaced
        again.install(set(8, Map.of("a.test.zone", file("a 2", 8))));
        assertThat(text(again, "a.test.zone")).isEqualTo("a 2");
    }

    @Test
    void refusesNamesThatAreNotPlainFileNames() throws Exception {
        EtcdConfigSource s = open();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.install(set(3, Map.of("../x.zone", file("x", 3)))))
                .hasMessageContaining("not a plain file name");
        assertThat(s.revision()).isZero();
    }
}
