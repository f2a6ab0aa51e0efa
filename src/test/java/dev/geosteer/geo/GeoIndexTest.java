package dev.geosteer.geo;

import dev.geosteer.TestServer;
import dev.geosteer.catalog.GeoDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Databases of every supported layout load into the index, in priority order, and reload safely. */
class GeoIndexTest {
    static final Path SHIPPED = Path.of("geoip/geo-whois-asn-country.mmdb");
    @TempDir
    Path dir;

    Path resource(String name) throws IOException {
        Path p = dir.resolve(name);
        TestServer.copyResource("geoip/" + name, p);
        return p;
    }

    static Location at(GeoIndex index, String ip) throws Exception {
        return index.find(InetAddress.getByName(ip)).location();
    }

    @Test
    void readsMaxMindCityRecordsWithSubdivisionsAndCoordinates() throws Exception {
        GeoIndex index = GeoIndex.load(List.of(resource("GeoIP2-City-Test.mmdb")));
        Location sd = at(index, "214.78.120.1");
        assertThat(sd.country()).isEqualTo("US");
        assertThat(sd.continent()).isEqualTo("NA");
        assertThat(sd.subdivision()).isEqualTo("US-CA");
        assertThat(sd.lat()).isEqualTo(32.7405);
        assertThat(sd.approximate()).isFalse();
        assertThat(at(index, "2001:218::1").country()).isEqualTo("JP");
        assertThat(at(index, "::ffff:175.16.199.1").country()).as("IPv4-mapped").isEqualTo("CN");
        assertThat(at(index, "10.0.0.1").isKnown()).isFalse();
        assertThat(index.find(InetAddress.getByName("2.2.3.77")).prefix()).isLessThanOrEqualTo(24);
        assertThat(index.databases()).singleElement().satisfies(db -> {
            assertThat(db.type()).isEqualTo("GeoIP2-City");
            assertThat(db.ipVersion()).isEqualTo(6);
        });
    }

    @Test
    void readsFlatCountryDatabasesAndFillsContinentAndCentroid() throws Exception {
        GeoIndex index = GeoIndex.load(List.of(SHIPPED));
        Location nl = at(index, "193.0.6.139");
        assertThat(nl.country()).isEqualTo("NL");
        assertThat(nl.continent()).isEqualTo("EU");
        assertThat(nl.hasCoordinates()).isTrue();
        assertThat(nl.approximate()).isTrue();
        assertThat(at(index, "8.8.8.8").continent()).isEqualTo("NA");
        assertThat(at(index, "202.12.27.33").continent()).isEqualTo("AS");
        assertThat(at(index, "2a02:d180::1").country()).isEqualTo("DE");
    }

    @Test
    void anIpv4OnlyDatabaseIsNeverAskedAboutIpv6() throws Exception {
        GeoIndex index = GeoIndex.load(List.of(resource("ipv4-only-country.mmdb")));
        assertThat(index.databases().get(0).ipVersion()).isEqualTo(4);
        assertThat(at(index, "193.0.6.139").country()).isEqualTo("NL");
        // IPv4-only trees answer garbage for IPv6 lookups in naive readers; here IPv6 is simply unknown
        assertThat(at(index, "2a02:d180::1").isKnown()).isFalse();
        assertThat(at(index, "2001:67c:2e8::1").isKnown()).isFalse();
    }

    @Test
    void theFirstDatabaseThatKnowsAnAddressWins() throws Exception {
        GeoIndex index = GeoIndex.load(List.of(resource("GeoIP2-City-Test.mmdb"), SHIPPED));
        Location gb = at(index, "2.2.3.1");
        assertThat(gb.source()).isEqualTo("GeoIP2-City-Test.mmdb");
        assertThat(gb.approximate()).isFalse();
        Location nl = at(index, "193.0.6.139");
        assertThat(nl.source()).isEqualTo("geo-whois-asn-country.mmdb");
        assertThat(nl.country()).isEqualTo("NL");
    }

    @Test
    void aFileThatIsNotADatabaseIsNamedInTheError() throws Exception {
        Path bad = dir.resolve("broken.mmdb");
        Files.writeString(bad, "this is not a MaxMind database");
        assertThatThrownBy(() -> GeoIndex.load(List.of(bad))).isInstanceOf(IOException.class)
                .hasMessageContaining("broken.mmdb");
    }

    @Test
    void reloadsAChangedDatabaseAndKeepsTheOldOneWhenTheNewOneIsBroken() throws Exception {
        Path geo = Files.createDirectories(dir.resolve("geo"));
        Path db = geo.resolve("a.mmdb");
        Files.copy(resource("GeoIP2-City-Test.mmdb"), db);
        GeoDatabases service = new GeoDatabases(geo, List.of());
        assertThat(service.refresh()).isTrue();
        assertThat(at(service.current(), "214.78.120.1").subdivision()).isEqualTo("US-CA");
        assertThat(service.refresh()).as("nothing changed").isFalse();

        Files.writeString(db, "half a file");
        assertThat(service.refresh()).isFalse();
        assertThat(service.lastError()).contains("a.mmdb");
        assertThat(at(service.current(), "214.78.120.1").subdivision()).as("old index kept").isEqualTo("US-CA");

        Files.copy(SHIPPED, db, StandardCopyOption.REPLACE_EXISTING);
        assertThat(service.refresh()).isTrue();
        assertThat(service.lastError()).isNull();
        assertThat(at(service.current(), "193.0.6.139").country()).isEqualTo("NL");
    }

    @Test
    void aHugeDatabaseIsRefusedBeforeItIsOpened() throws Exception {
        Path geo = Files.createDirectories(dir.resolve("geo"));
        Files.copy(resource("GeoIP2-City-Test.mmdb"), geo.resolve("a.mmdb"));
        GeoDatabases service = new GeoDatabases(geo, List.of());
        assertThat(service.refresh()).isTrue();
        try (java.io.RandomAccessFile sparse = new java.io.RandomAccessFile(geo.resolve("b.mmdb").toFile(), "rw")) {
            sparse.setLength(3L << 30); // 3 GiB of nothing: reading it used to take 17 s and 2 GB of memory
        }
        assertThat(service.refresh()).isFalse();
        assertThat(service.lastError()).isEqualTo("geoip reload failed, keeping the previous databases: "
                + geo.resolve("b.mmdb") + ": 3221225472 bytes, more than limits.mmdb_max_bytes (536870912):"
                + " refused without reading it");
        assertThat(at(service.current(), "214.78.120.1").subdivision()).as("old index kept").isEqualTo("US-CA");
    }

    @Test
    void aDeletedDatabaseKeepsItsIndexUntilItIsBackOrAnExplicitReloadDropsIt() throws Exception {
        Path geo = Files.createDirectories(dir.resolve("geo"));
        Path db = geo.resolve("a.mmdb");
        Files.copy(resource("GeoIP2-City-Test.mmdb"), db);
        GeoDatabases service = new GeoDatabases(geo, List.of());
        assertThat(service.refresh(true)).isTrue();
        Files.delete(db); // rm, then cp: the copy is not there yet
        assertThat(service.refresh()).isFalse();
        assertThat(service.lastError()).contains("vanished").contains("a.mmdb");
        assertThat(at(service.current(), "214.78.120.1").subdivision()).as("old index kept").isEqualTo("US-CA");
        assertThat(service.refresh()).isFalse();
        Files.copy(SHIPPED, db);
        assertThat(service.refresh()).isTrue();
        assertThat(service.lastError()).isNull();
        assertThat(at(service.current(), "193.0.6.139").country()).isEqualTo("NL");
        Files.delete(db);
        assertThat(service.refresh()).isFalse();
        assertThat(service.refresh(true)).as("an explicit reload takes the file as gone").isTrue();
        assertThat(service.current().databases()).isEmpty();
    }
}
