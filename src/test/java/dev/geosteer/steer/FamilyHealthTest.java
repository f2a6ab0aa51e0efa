package dev.geosteer.steer;

import dev.geosteer.TestServer;
import dev.geosteer.net.Addresses;
import dev.geosteer.health.OriginServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pool health is judged per address family: a pool whose IPv4 origins are all down or drained does not
 * answer A queries (the next pool does), while its IPv6 origins still answer AAAA, and the other way
 * round. A pool with no origins of a family at all keeps answering NODATA for it. Over real DNS, with
 * the shipped example and with monitored origins.
 */
class FamilyHealthTest {
    static final Duration DEADLINE = Duration.ofSeconds(15);
    @TempDir
    Path dir;
    TestServer server;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    /** The shipped zones/ and geoip/ of the repository, copied to the test's directory. */
    void startShipped() throws Exception {
        Path zones = Files.createDirectories(dir.resolve("zones"));
        Path geoip = Files.createDirectories(dir.resolve("geoip"));
        Files.copy(Path.of("zones/example.test.zone"), zones.resolve("example.test.zone"));
        Files.copy(Path.of("zones/example.test.steer.yaml"), zones.resolve("example.test.steer.yaml"));
        Files.copy(Path.of("geoip/geo-whois-asn-country.mmdb"), geoip.resolve("geo-whois-asn-country.mmdb"));
        server = TestServer.start(dir, c -> c.admin.listen = "127.0.0.1:0");
    }

    com.fasterxml.jackson.databind.JsonNode pools() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + server.server.adminPort() + "/api/v1/pools")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("pools");
    }

    void drain(String... selectors) throws Exception {
        StringBuilder b = new StringBuilder("drain:\n");
        for (String s : selectors) {
            b.append("  - ").append(s).append('\n');
        }
        Files.writeString(server.zones.resolve("admin-state.yaml"), b.toString());
    }

    Message ask(String name, int type, String subnet) {
        try {
            return subnet == null ? server.udp(name, type) : server.withSubnet(name, type, subnet);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<String> addresses(Message m) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof ARecord a) {
                out.add(Addresses.format(a.getAddress()));
            } else if (r instanceof AAAARecord a) {
                out.add(Addresses.format(a.getAddress()));
            }
        }
        return out;
    }

    List<String> answer(String name, int type, String subnet) {
        return addresses(ask(name, type, subnet));
    }

    long ttl(String name, int type) {
        return ask(name, type, null).getSection(Section.ANSWER).get(0).getTTL();
    }

    void awaitAnswer(String name, int type, String subnet, String expected) throws InterruptedException {
        TestServer.await(name + " " + Type.string(type) + " from " + subnet + " answers " + expected, DEADLINE,
                () -> answer(name, type, subnet).equals(List.of(expected)));
    }

    @Test
    void drainingTheShippedIpv4OriginOfNaMovesAToEuWhileAaaaStaysOnNa() throws Exception {
        startShipped();
        assertThat(answer("www.example.test.", Type.A, null)).containsExactly("198.51.100.10");
        drain("example.test/na/iad1");
        // unknown client (no ECS, 127.0.0.1) and a North American one: A moves to eu, the next pool
        awaitAnswer("www.example.test.", Type.A, null, "192.0.2.10");
        assertThat(answer("www.example.test.", Type.A, "8.8.8.0/24")).containsExactly("192.0.2.10");
        assertThat(ask("www.example.test.", Type.A, "8.8.8.0/24").getRcode()).isEqualTo(Rcode.NOERROR);
        // the IPv6 origin of na is up and not drained: AAAA stays on na
        assertThat(answer("www.example.test.", Type.AAAA, null)).containsExactly("2001:db8:20::10");
        assertThat(answer("www.example.test.", Type.AAAA, "8.8.8.0/24")).containsExactly("2001:db8:20::10");
        // a European client never used na
        assertThat(answer("www.example.test.", Type.A, "193.0.6.0/24")).containsExactly("192.0.2.10");

        List<String> explained = dev.geosteer.query.Lookup.explain(server.server::zones, "www.example.test",
                "A", dev.geosteer.query.Lookup.parseClient("8.8.8.0/24"), false);
        assertThat(String.join("\n", explained)).contains("na (unhealthy for IPv4: 0/1 IPv4 origins usable")
                .contains("answering pool eu");
        com.fasterxml.jackson.databind.JsonNode na = pools().get(1);
        assertThat(na.get("name").asText()).isEqualTo("na");
        assertThat(na.get("ipv4").get("healthy").asBoolean()).isFalse();
        assertThat(na.get("ipv4").get("usable_origins").asInt()).isZero();
        assertThat(na.get("ipv6").get("healthy").asBoolean()).isTrue();
        assertThat(na.get("healthy").asBoolean()).as("healthy for every family").isFalse();
    }

    @Test
    void drainingTheShippedIpv6OriginOfNaMovesAaaaToEuWhileAStaysOnNa() throws Exception {
        startShipped();
        drain("example.test/na/iad1-v6");
        awaitAnswer("www.example.test.", Type.AAAA, null, "2001:db8:10::10");
        assertThat(answer("www.example.test.", Type.AAAA, "8.8.8.0/24")).containsExactly("2001:db8:10::10");
        assertThat(answer("www.example.test.", Type.A, null)).containsExactly("198.51.100.10");
        assertThat(answer("www.example.test.", Type.A, "8.8.8.0/24")).containsExactly("198.51.100.10");
    }

    @Test
    void aPoolWithoutOriginsOfTheFamilyStillAnswersNodata() throws Exception {
        server = TestServer.start(dir, "geo.test.zone", "geo.test.steer.yaml", "geoip/GeoIP2-City-Test.mmdb");
        // fail: [na, eu]; na has no IPv6 origin at all and is healthy by its IPv4 origin: NODATA, as documented
        Message m = ask("fail.geo.test.", Type.AAAA, null);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(m.getSection(Section.AUTHORITY).get(0).getType()).isEqualTo(Type.SOA);
        // na drained as a whole: unhealthy by the overall rule, so eu answers AAAA
        drain("geo.test/na");
        awaitAnswer("fail.geo.test.", Type.AAAA, null, "2001:db8::1");
    }

    /** Pool a: a4 (IPv4, monitored, its origin is down), a6 (IPv6); b: b4, b6; c: 2 IPv4 + 1 IPv6, minimum 2. */
    void startMonitored() throws Exception {
        OriginServer gone = OriginServer.start("127.0.0.31", 0);
        int port = gone.port();
        gone.down(); // connections to it are refused: a4 goes down at its first check
        Path zones = Files.createDirectories(dir.resolve("zones"));
        Files.writeString(zones.resolve("fam.test.zone"), """
                $TTL 300
                @    SOA ns1.fam.test. h.fam.test. 1 3600 600 86400 60
                @    NS  ns1
                ns1  A   192.0.2.53
                """);
        Files.writeString(zones.resolve("fam.test.steer.yaml"), """
                monitors:
                  web: { type: http, port: %d, interval: 200ms, timeout: 150ms, rise: 1, fall: 1 }
                pools:
                  a:
                    origins:
                      - { name: a4, address: 192.0.2.1, monitor: web, check_address: 127.0.0.31 }
                      - { name: a6, address: "2001:db8::1" }
                  b:
                    origins:
                      - { name: b4, address: 192.0.2.2 }
                      - { name: b6, address: "2001:db8::2" }
                  c:
                    minimum_origins: 2
                    origins:
                      - { name: c4a, address: 192.0.2.31 }
                      - { name: c4b, address: 192.0.2.32 }
                      - { name: c6, address: "2001:db8::3" }
                balancers:
                  fail: { steering: failover, ttl: 30, default_pools: [a, b] }
                  rand: { steering: random, ttl: 30, default_pools: [a, b] }
                  min: { steering: failover, ttl: 30, max_answers: 2, default_pools: [c, b] }
                """.formatted(port));
        server = TestServer.start(dir, c -> c.health.ttlFloor = Duration.ofSeconds(2));
    }

    @Test
    void anIpv4OriginDownByItsChecksMovesAAndCapsTheTtlByItsReturn() throws Exception {
        startMonitored();
        awaitAnswer("fail.fam.test.", Type.A, null, "192.0.2.2");
        // a4 is checked every 200 ms and comes back after one good check: b's answer may change soon
        assertThat(ttl("fail.fam.test.", Type.A)).isEqualTo(2);
        // AAAA: a's IPv6 origin is not monitored, a answers it and nothing can change it
        assertThat(answer("fail.fam.test.", Type.AAAA, null)).containsExactly("2001:db8::1");
        assertThat(ttl("fail.fam.test.", Type.AAAA)).isEqualTo(30);
    }

    @Test
    void weightedDecisionsUseTheSameFamilyHealth() throws Exception {
        startMonitored();
        awaitAnswer("fail.fam.test.", Type.A, null, "192.0.2.2");
        Set<String> v4 = new HashSet<>();
        Set<String> v6 = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            v4.addAll(answer("rand.fam.test.", Type.A, null));
            v6.addAll(answer("rand.fam.test.", Type.AAAA, null));
        }
        assertThat(v4).containsExactly("192.0.2.2");
        assertThat(v6).containsExactlyInAnyOrder("2001:db8::1", "2001:db8::2");
    }

    @Test
    void minimumOriginsCountsTheOriginsOfTheAskedFamily() throws Exception {
        startMonitored();
        assertThat(answer("min.fam.test.", Type.A, null)).containsExactlyInAnyOrder("192.0.2.31", "192.0.2.32");
        drain("fam.test/c/c4a");
        // one IPv4 origin of two usable, minimum 2: c is unhealthy for A (b answers)...
        awaitAnswer("min.fam.test.", Type.A, null, "192.0.2.2");
        // ...and healthy for AAAA: its only IPv6 origin is up (min(minimum_origins, 1) = 1)
        assertThat(answer("min.fam.test.", Type.AAAA, null)).containsExactly("2001:db8::3");
    }
}
