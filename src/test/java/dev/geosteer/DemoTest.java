package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.health.HealthView;
import dev.geosteer.health.OriginServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's health walkthrough on the shipped demo/ files, with the docker-compose topology played by
 * local processes: three HTTP origins, geosteer checking them, an origin stopped and restarted, a pool
 * drained through the admin API. Checks run every 2 s with fall 2 / rise 2, as shipped.
 */
class DemoTest {
    @TempDir
    Path dir;
    Geosteer server;
    final List<OriginServer> origins = new ArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        origins.forEach(OriginServer::close);
    }

    String www(String subnet) {
        try {
            TestServerLike dns = new TestServerLike(server);
            var m = dns.withSubnet("www.example.test.", Type.A, subnet);
            return m.getSection(Section.ANSWER).get(0).rdataToString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** TestServer's query helpers over a server started from a config file. */
    static final class TestServerLike {
        final Geosteer g;

        TestServerLike(Geosteer g) {
            this.g = g;
        }

        org.xbill.DNS.Message withSubnet(String name, int type, String subnet) throws Exception {
            var r = new org.xbill.DNS.SimpleResolver(g.dnsAddresses().get(0));
            r.setTimeout(Duration.ofSeconds(3));
            String[] p = subnet.split("/");
            r.setEDNS(0, 1232, 0, List.of(new org.xbill.DNS.ClientSubnetOption(Integer.parseInt(p[1]),
                    java.net.InetAddress.getByName(p[0]))));
            return r.send(org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                    org.xbill.DNS.Name.fromString(name), type, org.xbill.DNS.DClass.IN)));
        }
    }

    @Test
    void anOriginStoppedFailsOverAndComesBackAndADrainMovesTraffic() throws Exception {
        OriginServer eu = OriginServer.start("127.0.0.11", 0);
        origins.add(eu);
        origins.add(OriginServer.start("127.0.0.12", eu.port()));
        origins.add(OriginServer.start("127.0.0.13", eu.port()));
        // The shipped demo files, with the origins' port (18080 may be taken on a shared machine).
        Path zones = Files.createDirectories(dir.resolve("zones"));
        Files.copy(Path.of("demo/zones/example.test.zone"), zones.resolve("example.test.zone"));
        Files.writeString(zones.resolve("example.test.steer.yaml"),
                Files.readString(Path.of("demo/zones/example.test.steer.yaml")).replace("port: 18080", "port: " + eu.port()));
        ServerConfig c = ServerConfig.load(Path.of("demo/geosteer.yaml"));
        c.zonesDir = zones.toString();
        c.geoip.dir = Path.of("geoip").toAbsolutePath().toString();
        c.admin.listen = "127.0.0.1:0";
        c.stateDir = dir.resolve("state").toString(); // the drain below must not outlive the test
        server = Geosteer.start(c, Path.of("demo").toAbsolutePath(), List.of("127.0.0.1:0"));

        TestServer.await("every origin up", Duration.ofSeconds(15), () -> server.health().view().all().values()
                .stream().filter(h -> h.state() == HealthView.State.UP).count() == 3);
        assertThat(www("193.0.6.0/24")).isEqualTo("127.0.0.11");   // NL: eu
        assertThat(www("202.12.27.0/24")).isEqualTo("127.0.0.12");  // JP: ap
        assertThat(www("8.8.8.0/24")).isEqualTo("127.0.0.13");      // US: na

        long stopped = System.nanoTime();
        eu.down();
        TestServer.await("EU fails over to na", Duration.ofSeconds(10), () -> www("193.0.6.0/24").equals("127.0.0.13"));
        double failover = (System.nanoTime() - stopped) / 1e9;
        assertThat(failover).as("within fall x interval + timeout = 5 s, plus one interval of phase")
                .isLessThan(7.5);

        long restarted = System.nanoTime();
        eu.up();
        TestServer.await("EU back on eu", Duration.ofSeconds(10), () -> www("193.0.6.0/24").equals("127.0.0.11"));
        assertThat((System.nanoTime() - restarted) / 1e9).as("within rise x interval, plus one interval").isLessThan(6.5);

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> drained = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.adminPort() + "/api/v1/pools/eu/drain"))
                .header("Authorization", "Bearer demo-token").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(drained.statusCode()).isEqualTo(200);
        TestServer.await("drained eu: EU goes to na", Duration.ofSeconds(5), () -> www("193.0.6.0/24").equals("127.0.0.13"));
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("geosteer_origin_drained{origin=\"eu1\",pool=\"eu\",zone=\"example.test.\"} 1.0")
                .contains("geosteer_health_transitions_total{from=\"up\",to=\"down\"} 1.0");
    }
}
