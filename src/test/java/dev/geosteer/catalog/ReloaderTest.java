package dev.geosteer.catalog;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.health.Drain;
import dev.geosteer.health.HealthView;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.geosteer.catalog.ZoneCatalogTest.STEER;
import static dev.geosteer.catalog.ZoneCatalogTest.zone;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load pipeline on a source that is not a directory: the shape the cluster's configuration store
 * takes (files by name, a revision per file, a set that needs no settling).
 */
class ReloaderTest {
    /** A configuration set in memory; each put is a new revision of that file. */
    static class MemorySource implements ConfigSource {
        final Map<String, byte[]> files = new TreeMap<>();
        final Map<String, Long> revisions = new TreeMap<>();
        long revision;

        void put(String name, String content) {
            files.put(name, content.getBytes(StandardCharsets.UTF_8));
            revisions.put(name, ++revision);
        }

        @Override
        public List<String> zoneFiles() throws ProblemException {
            return files.keySet().stream().filter(n -> n.endsWith(".zone")).toList();
        }

        @Override
        public Fingerprint fingerprint(String name) {
            byte[] b = files.get(name);
            return b == null ? null : Fingerprint.ofRevision(revisions.get(name), b.length, Instant.EPOCH);
        }

        @Override
        public byte[] read(String name, long maxBytes, String limitName) throws IOException {
            return files.get(name);
        }

        @Override
        public String shown(String name) {
            return "memory:" + name;
        }

        @Override
        public Path path(String name) {
            return null;
        }

        @Override
        public Duration settle() {
            return Duration.ZERO;
        }

        @Override
        public String describe() {
            return "a set in memory";
        }

        @Override
        public GeoPaths geoip() {
            return new GeoPaths(Path.of("/nonexistent-geoip"), List.of());
        }
    }

    @Test
    void aSetFromAnySourceIsCompiledPublishedAndKeptWhenANewVersionIsBad() throws Exception {
        MemorySource source = new MemorySource();
        source.put("a.test.zone", zone("a.test.", 1, ""));
        source.put("a.test.steer.yaml", STEER);
        source.put(ConfigSource.ADMIN_STATE, "drain:\n  - a.test./eu\n");
        Reloader reloader = Reloader.of(new ServerConfig(), source, () -> HealthView.NONE);
        List<Catalog> published = new ArrayList<>();
        List<List<Drain>> drains = new ArrayList<>();
        reloader.onPublish(published::add);
        reloader.onDrains(drains::add);

        LoadResult first = reloader.refresh();
        assertThat(first.errors()).isEmpty();
        assertThat(published).singleElement().satisfies(c -> {
            assertThat(c.generation()).isEqualTo(1);
            assertThat(c.zones().get(Name.fromString("a.test.")).zone().serial()).isEqualTo(1);
            assertThat(c.targets()).extracting(t -> t.key()).containsExactly("a.test./eu/a");
        });
        assertThat(drains).singleElement().satisfies(d -> assertThat(d).extracting(Drain::written).containsExactly("a.test./eu"));
        assertThat(reloader.status().state()).isEqualTo("ok");

        // Nothing changed: nothing published.
        assertThat(reloader.refresh().changed()).isFalse();
        assertThat(published).hasSize(1);

        // A bad version: refused, the last good set stays in service, the status says why.
        source.put("a.test.zone", zone("a.test.", 2, "bad A 192.0.2\n"));
        LoadResult bad = reloader.refresh();
        assertThat(bad.errors()).extracting(Problem::toString).singleElement().asString().startsWith("memory:a.test.zone:");
        assertThat(published).hasSize(1);
        assertThat(reloader.current().zones().get(Name.fromString("a.test.")).zone().serial()).isEqualTo(1);
        assertThat(reloader.status().state()).isEqualTo("errors");
        assertThat(reloader.status().lastResult()).isEqualTo(bad);

        // Fixed: published again, problems gone.
        source.put("a.test.zone", zone("a.test.", 3, ""));
        assertThat(reloader.refresh().errors()).isEmpty();
        assertThat(published).hasSize(2);
        assertThat(published.get(1).generation()).isEqualTo(2);
        assertThat(reloader.status().problems()).isEmpty();
        assertThat(reloader.status().passes()).isEqualTo(4);
        assertThat(reloader.status().lastSuccessAt()).isNotNull();
    }

    @Test
    void aSetThatCannotBeListedIsAProblemAndTheZonesServedStay() throws Exception {
        boolean[] broken = {false};
        MemorySource source = new MemorySource() {
            @Override
            public List<String> zoneFiles() throws ProblemException {
                if (broken[0]) {
                    throw new ProblemException(new Problem("memory", 0, "the set cannot be listed"));
                }
                return super.zoneFiles();
            }
        };
        source.put("a.test.zone", zone("a.test.", 1, ""));
        Reloader reloader = Reloader.of(new ServerConfig(), source, () -> HealthView.NONE);
        assertThat(reloader.refresh().errors()).isEmpty();
        broken[0] = true;
        assertThat(reloader.refresh().errors()).extracting(Problem::toString).containsExactly("memory: the set cannot be listed");
        assertThat(reloader.current().zones().size()).isEqualTo(1);
        assertThat(reloader.status().state()).isEqualTo("errors");
        broken[0] = false;
        assertThat(reloader.refresh().errors()).isEmpty();
        assertThat(reloader.status().state()).isEqualTo("ok");
    }
}
