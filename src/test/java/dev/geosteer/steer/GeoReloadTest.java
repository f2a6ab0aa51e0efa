package dev.geosteer.steer;

import dev.geosteer.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A replaced GeoIP database changes the answers without a restart; a broken steering file does not. */
class GeoReloadTest {
    @TempDir
    Path dir;
    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    String answer(String subnet) {
        try {
            return GeoSteeringTest.addresses(server.withSubnet("geo.geo.test.", Type.A, subnet)).toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void aNewDatabaseChangesTheAnswers() throws Exception {
        server = TestServer.start(dir, "geo.test.zone", "geo.test.steer.yaml", "geoip/GeoIP2-City-Test.mmdb");
        // the test database puts 214.78.120.0/24 in California: pool ca
        assertThat(answer("214.78.120.0/24")).isEqualTo("[192.0.2.5]");
        Path db = dir.resolve("geoip/GeoIP2-City-Test.mmdb");
        Path tmp = dir.resolve("geoip/new.tmp");
        Files.copy(Path.of("geoip/geo-whois-asn-country.mmdb"), tmp);
        Files.move(tmp, db, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // the real country database only knows the country (US, NA): default pools, na
        TestServer.await("steering rebuilt on the new database", Duration.ofSeconds(20),
                () -> answer("214.78.120.0/24").equals("[192.0.2.2]"));
    }

    @Test
    void aBrokenSteeringFileKeepsThePreviousSteeringInService() throws Exception {
        server = TestServer.start(dir, "geo.test.zone", "geo.test.steer.yaml", "geoip/GeoIP2-City-Test.mmdb");
        assertThat(answer("2.2.3.0/24")).isEqualTo("[192.0.2.1]");
        Path steer = server.zones.resolve("geo.test.steer.yaml");
        String good = Files.readString(steer);
        Files.writeString(steer, good.replace("EU: [eu, na]", "EU: [europe]"));
        TestServer.await("the broken edit is rejected", Duration.ofSeconds(10), () -> {
            var r = server.server.lastReload();
            return r != null && r.errors().stream().anyMatch(e -> e.toString().contains("no pool named 'europe'"));
        });
        assertThat(answer("2.2.3.0/24")).isEqualTo("[192.0.2.1]");
        Files.writeString(steer, good.replace("EU: [eu, na]", "EU: [ap]"));
        TestServer.await("the fixed steering is served", Duration.ofSeconds(10),
                () -> answer("2.2.3.0/24").equals("[192.0.2.3]"));
    }

    @Test
    void aDeletedDatabaseKeepsGeoSteeringUntilItsReplacementLoads() throws Exception {
        server = TestServer.start(dir, "geo.test.zone", "geo.test.steer.yaml", "geoip/GeoIP2-City-Test.mmdb");
        assertThat(answer("214.78.120.0/24")).isEqualTo("[192.0.2.5]");
        Path db = dir.resolve("geoip/GeoIP2-City-Test.mmdb");
        Files.delete(db); // rm, then cp: for a moment there is no database
        long passes = server.server.reloadStatus().passes();
        TestServer.await("five reload passes without the database", Duration.ofSeconds(20),
                () -> server.server.reloadStatus().passes() >= passes + 5 || !answer("214.78.120.0/24").equals("[192.0.2.5]"));
        assertThat(answer("214.78.120.0/24")).as("still steered by the deleted database").isEqualTo("[192.0.2.5]");
        assertThat(server.server.reloadStatus().problems()).anyMatch(p -> p.toString().contains("vanished"));
        Files.copy(Path.of("geoip/geo-whois-asn-country.mmdb"), db);
        TestServer.await("the replacement is loaded", Duration.ofSeconds(20),
                () -> answer("214.78.120.0/24").equals("[192.0.2.2]"));
    }
}
