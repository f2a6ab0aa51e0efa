package dev.geosteer.xfr;

import dev.geosteer.TestServer;
import dev.geosteer.testkit.Secondaries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.geosteer.testkit.Secondaries.DIG_KEY;
import static dev.geosteer.testkit.Secondaries.answer;
import static dev.geosteer.testkit.Secondaries.dig;
import static dev.geosteer.testkit.Secondaries.freePort;
import static dev.geosteer.testkit.Secondaries.read;
import static dev.geosteer.testkit.Secondaries.serial;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * geosteer as the primary of real secondaries on loopback, with TSIG: Knot DNS (which also follows the
 * catalog zone) and NSD 4.6 (which cannot: catalog zones came in NSD 4.9), started by the {@link Secondaries}
 * fixture (a throw-away configuration each, stopped by its PID). Skipped when a binary is missing, unless
 * GEOSTEER_REQUIRE_KNOT / GEOSTEER_REQUIRE_NSD is set.
 */
class SecondariesTest {
    @TempDir
    Path dir;
    TestServer geosteer;
    Secondaries secondaries;

    @AfterEach
    void stop() throws InterruptedException {
        if (secondaries != null) {
            secondaries.close();
        }
        if (geosteer != null) {
            geosteer.close();
        }
    }

    void startGeosteer(int... notify) throws Exception {
        Path zones = Files.createDirectories(dir.resolve("zones"));
        Files.writeString(zones.resolve("xfr.test.zone"), XfrTest.zone(1, "192.0.2.1", 0));
        Files.writeString(zones.resolve("xfr.test.steer.yaml"), XfrTest.STEER);
        Files.writeString(zones.resolve("denied.test.zone"), plainZone("denied.test", 1));
        geosteer = TestServer.start(dir, c -> {
            Secondaries.allowTransfers(c);
            c.transfer.catalog = "catalog.geosteer.";
            for (int port : notify) {
                c.transfer.notify.add("127.0.0.1:" + port);
            }
        }, "geoip/GeoIP2-City-Test.mmdb");
        secondaries = new Secondaries(dir, geosteer.address.getPort());
    }

    static String plainZone(String name, long serial) {
        return "$TTL 300\n@ SOA ns." + name + ". h." + name + ". " + serial + " 7200 3600 1209600 300\n@ NS ns." + name
                + ".\nns A 192.0.2.9\n";
    }

    double xfrCount(String kind) {
        var c = geosteer.server.metrics().find("geosteer_xfr").tag("kind", kind).tag("result", "ok").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void knotAndNsdFollowGeosteerThroughNotifyIxfrAndTheCatalog() throws Exception {
        Secondaries.require();
        int knotPort = freePort();
        int nsdPort = freePort();
        startGeosteer(knotPort, nsdPort);
        secondaries.knotFollowingCatalog(knotPort, "catalog.geosteer.");
        secondaries.nsd(nsdPort, Map.of("xfr.test", Secondaries.KEY, "denied.test", Secondaries.WRONG_KEY));
        Path knotLog = secondaries.knotLog();
        Path nsdLog = secondaries.nsdLog();

        // Initial AXFR: Knot finds xfr.test through the catalog zone, NSD from its configuration
        TestServer.await("Knot serves xfr.test serial 1 (log: " + knotLog + ")", Duration.ofSeconds(30),
                () -> serial(knotPort, "xfr.test.") == 1);
        TestServer.await("NSD serves xfr.test serial 1", Duration.ofSeconds(30), () -> serial(nsdPort, "xfr.test.") == 1);
        // The steered name: its documented fixed answer (transfer_as: default, what an unknown client gets)
        assertThat(answer(knotPort, "www.xfr.test.", Type.A)).containsExactly("198.51.100.10");
        assertThat(answer(nsdPort, "www.xfr.test.", Type.A)).containsExactly("198.51.100.10");
        assertThat(answer(nsdPort, "api.xfr.test.", Type.A)).isEmpty(); // transfer_as: omit

        // A wrong key: geosteer answers BADKEY, NSD logs it and serves nothing for that zone
        TestServer.await("NSD logs the refused transfer of denied.test", Duration.ofSeconds(20),
                () -> read(nsdLog).contains("denied.test") && read(nsdLog).toLowerCase().contains("bad"));
        assertThat(serial(nsdPort, "denied.test.")).isEqualTo(-1);

        // An edit: NOTIFY, then both serve the new serial within 5 s; Knot by IXFR
        double ixfrBefore = xfrCount("ixfr");
        Files.writeString(geosteer.zones.resolve("xfr.test.zone"), XfrTest.zone(2, "192.0.2.2", 0));
        TestServer.await("geosteer serves serial 2", Duration.ofSeconds(10), () -> serial(geosteer.address.getPort(), "xfr.test.") == 2);
        long edited = System.nanoTime();
        TestServer.await("Knot and NSD serve serial 2 within 5 s", Duration.ofSeconds(5),
                () -> serial(knotPort, "xfr.test.") == 2 && serial(nsdPort, "xfr.test.") == 2);
        System.out.printf("secondaries at serial 2 %d ms after geosteer%n", (System.nanoTime() - edited) / 1_000_000);
        assertThat(answer(knotPort, "static.xfr.test.", Type.A)).containsExactly("192.0.2.2");
        TestServer.await("geosteer counted an IXFR", Duration.ofSeconds(5), () -> xfrCount("ixfr") >= ixfrBefore + 1);
        TestServer.await("Knot logs an incoming IXFR of xfr.test", Duration.ofSeconds(5),
                () -> secondaries.knotTookIxfr("xfr.test."));

        // A new zone file: Knot picks it up through the catalog zone; removed: Knot drops it
        Files.writeString(geosteer.zones.resolve("new.test.zone"), plainZone("new.test", 7));
        TestServer.await("Knot serves new.test from the catalog", Duration.ofSeconds(20),
                () -> serial(knotPort, "new.test.") == 7);
        Files.delete(geosteer.zones.resolve("new.test.zone"));
        TestServer.await("Knot drops new.test", Duration.ofSeconds(20), () -> serial(knotPort, "new.test.") == -1);
    }

    @Test
    void digTransfersWithAndWithoutTheKey() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dig")), "dig is not installed");
        startGeosteer();
        String port = String.valueOf(geosteer.address.getPort());
        String axfr = dig("@127.0.0.1", "-p", port, "xfr.test", "AXFR", "-y", DIG_KEY);
        assertThat(axfr.lines().filter(l -> l.contains("\tSOA\t")).count()).isEqualTo(2);
        assertThat(axfr).contains("www.xfr.test.\t\t30\tIN\tA\t198.51.100.10");
        assertThat(dig("@127.0.0.1", "-p", port, "xfr.test", "AXFR")).contains("Transfer failed");
        assertThat(dig("@127.0.0.1", "-p", port, "xfr.test", "AXFR", "-y",
                "hmac-sha256:" + Secondaries.KEY + ":" + Secondaries.WRONG_SECRET)).contains("Transfer failed");
        Files.writeString(geosteer.zones.resolve("xfr.test.zone"), XfrTest.zone(2, "192.0.2.2", 0));
        TestServer.await("serial 2", Duration.ofSeconds(10), () -> serial(geosteer.address.getPort(), "xfr.test.") == 2);
        String ixfr = dig("@127.0.0.1", "-p", port, "xfr.test", "IXFR=1", "-y", DIG_KEY);
        assertThat(ixfr.lines().filter(l -> !l.startsWith(";") && !l.isBlank() && !l.contains("TSIG")).toList())
                .hasSize(6).anySatisfy(l -> assertThat(l).contains("192.0.2.1"))
                .anySatisfy(l -> assertThat(l).contains("192.0.2.2"));
        assertThat(dig("@127.0.0.1", "-p", port, "xfr.test", "IXFR=1")).contains("Transfer failed");
    }
}
