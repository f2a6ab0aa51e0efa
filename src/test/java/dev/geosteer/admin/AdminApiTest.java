package dev.geosteer.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geosteer.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The admin API and /metrics over real HTTP against a running server, auth on and off. */
class AdminApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "s3cret-token";
    @TempDir
    Path dir;
    TestServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    void start(String token, Consumer<dev.geosteer.config.ServerConfig> more) throws Exception {
        server = TestServer.start(dir, c -> {
            c.admin.listen = "127.0.0.1:0";
            c.admin.token = token;
            more.accept(c);
        }, "geo.test.zone", "geo.test.steer.yaml", "geoip/GeoIP2-City-Test.mmdb", "example.test.zone");
    }

    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    Reply call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.adminPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    Reply get(String path) throws Exception {
        return call("GET", path, TOKEN, null);
    }

    Reply post(String path) throws Exception {
        return call("POST", path, TOKEN, null);
    }

    String answer(String name, String subnet) {
        try {
            var m = server.withSubnet(name, Type.A, subnet);
            return m.getSection(org.xbill.DNS.Section.ANSWER).get(0).rdataToString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void statusListsZonesDatabasesAndListeners() throws Exception {
        start(TOKEN, c -> { });
        JsonNode s = get("/api/v1/status").json();
        assertThat(s.get("version").asText()).isNotEmpty();
        assertThat(s.get("uptime_seconds").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(s.get("listen").get(0).asText()).isEqualTo("127.0.0.1:" + server.address.getPort());
        assertThat(s.get("zones")).hasSize(2);
        assertThat(s.get("zones").get(1).get("zone").asText()).isEqualTo("geo.test.");
        assertThat(s.get("zones").get(1).get("serial").asLong()).isEqualTo(1);
        assertThat(s.get("zones").get(1).get("balancers").asInt()).isEqualTo(8);
        assertThat(s.get("zones").get(1).get("loaded_at").asText()).isNotEmpty();
        assertThat(s.get("geoip").get(0).get("type").asText()).isEqualTo("GeoIP2-City");
        assertThat(s.get("geoip").get(0).get("built").asText()).startsWith("20");
    }

    @Test
    void poolsAndBalancersShowEveryOrigin() throws Exception {
        start(TOKEN, c -> { });
        JsonNode pools = get("/api/v1/pools?zone=geo.test").json().get("pools");
        assertThat(pools).hasSize(7);
        JsonNode eu = pools.get(0);
        assertThat(eu.get("name").asText()).isEqualTo("eu");
        assertThat(eu.get("healthy").asBoolean()).isTrue();
        assertThat(eu.get("origins").get(0).get("name").asText()).isEqualTo("par1");
        assertThat(eu.get("origins").get(0).get("state").asText()).isEqualTo("up");
        assertThat(eu.get("origins").get(0).get("drained").asBoolean()).isFalse();
        JsonNode balancers = get("/api/v1/zones/geo.test/balancers").json().get("balancers");
        assertThat(balancers.get(0).get("name").asText()).isEqualTo("geo.geo.test.");
        assertThat(balancers.get(0).get("steering").asText()).isEqualTo("geo");
        assertThat(balancers.get(0).get("regions").get("continent:EU").get(0).asText()).isEqualTo("eu");
        assertThat(get("/api/v1/zones/nope.test/balancers").status()).isEqualTo(404);
    }

    @Test
    void lookupExplainsWithLiveHealth() throws Exception {
        start(TOKEN, c -> { });
        JsonNode lines = get("/api/v1/lookup?name=geo.geo.test&type=A&client=2.2.3.0/24").json().get("lines");
        assertThat(lines.toString()).contains("rule: region EU (continent)").contains("answering pool eu");
        assertThat(get("/api/v1/lookup?type=A").status()).isEqualTo(400);
        Reply bad = get("/api/v1/lookup?name=geo.geo.test&client=nope");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).contains("not an IP address");
    }

    @Test
    void drainAndUndrainChangeRealDnsAnswers() throws Exception {
        start(TOKEN, c -> { });
        assertThat(answer("geo.geo.test.", "2.2.3.0/24")).isEqualTo("192.0.2.1");
        Reply r = post("/api/v1/pools/eu/drain");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("origins").asInt()).isEqualTo(2);
        TestServer.await("eu drained: EU clients go to na", Duration.ofSeconds(5),
                () -> answer("geo.geo.test.", "2.2.3.0/24").equals("192.0.2.2"));
        assertThat(get("/api/v1/pools?zone=geo.test").json().get("pools").get(0).get("healthy").asBoolean()).isFalse();
        assertThat(post("/api/v1/pools/eu/undrain").status()).isEqualTo(200);
        TestServer.await("eu back", Duration.ofSeconds(5), () -> answer("geo.geo.test.", "2.2.3.0/24").equals("192.0.2.1"));

        assertThat(post("/api/v1/pools/many/origins/m4/drain").status()).isEqualTo(200);
        TestServer.await("m4 never answered", Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 30; i++) {
                if (answer("multi.geo.test.", "2.2.3.0/24").equals("192.0.2.14")) {
                    return false;
                }
            }
            return true;
        });
        assertThat(post("/api/v1/pools/many/origins/m4/undrain").status()).isEqualTo(200);
    }

    @Test
    void drainErrors() throws Exception {
        start(TOKEN, c -> { });
        assertThat(post("/api/v1/pools/nowhere/drain").status()).isEqualTo(404);
        assertThat(post("/api/v1/pools/eu/origins/nobody/drain").status()).isEqualTo(404);
        Reply badJson = call("POST", "/api/v1/pools/eu/drain", TOKEN, "{not json");
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(badJson.json().get("error").asText()).contains("JSON");
        assertThat(call("POST", "/api/v1/pools/eu/drain", TOKEN, "{\"reason\": \"deploy\"}").status()).isEqualTo(200);
        assertThat(post("/api/v1/pools/eu/drain?zone=example.test").status()).isEqualTo(404);
    }

    @Test
    void aPoolNameInSeveralZonesNeedsTheZone() throws Exception {
        start(TOKEN, c -> { });
        Files.copy(server.zones.resolve("geo.test.steer.yaml"), server.zones.resolve("example.test.steer.yaml"));
        Files.writeString(server.zones.resolve("example.test.steer.yaml"),
                Files.readString(server.zones.resolve("example.test.steer.yaml")).replaceAll("(?s)balancers:.*", "balancers: {}\n"));
        TestServer.await("second zone has pools", Duration.ofSeconds(10),
                () -> { try { return get("/api/v1/pools?zone=example.test").json().get("pools").size() == 7; }
                        catch (Exception e) { return false; } });
        Reply r = post("/api/v1/pools/eu/drain");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("error").asText()).contains("?zone=");
        assertThat(post("/api/v1/pools/eu/drain?zone=geo.test").status()).isEqualTo(200);
    }

    @Test
    void reloadReportsErrorsAndKeepsTheOldVersion() throws Exception {
        start(TOKEN, c -> { });
        Reply ok = post("/api/v1/reload");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("errors")).isEmpty();
        Files.writeString(server.zones.resolve("geo.test.zone"), "$TTL 60\n@ SOA broken\n");
        Reply bad = post("/api/v1/reload");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("errors").get(0).asText()).contains("geo.test.zone:2");
        assertThat(answer("geo.geo.test.", "2.2.3.0/24")).isEqualTo("192.0.2.1");
        assertThat(get("/api/v1/status").json().get("zones")).hasSize(2);
    }

    @Test
    void tokenRules() throws Exception {
        start(TOKEN, c -> { });
        assertThat(call("GET", "/api/v1/status", null, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/status", "wrong", null).status()).isEqualTo(401);
        assertThat(call("POST", "/api/v1/reload", "wrong", null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/status", TOKEN, null).status()).isEqualTo(200);
        // probes and metrics stay open for load balancers and Prometheus
        assertThat(call("GET", "/api/v1/livez", null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/metrics", null, null).status()).isEqualTo(200);
    }

    @Test
    void withoutATokenReadsWorkAndWritesAreRefused() throws Exception {
        start(null, c -> { });
        assertThat(call("GET", "/api/v1/status", null, null).status()).isEqualTo(200);
        Reply w = call("POST", "/api/v1/pools/eu/drain", null, null);
        assertThat(w.status()).isEqualTo(403);
        assertThat(w.json().get("error").asText()).contains("GEOSTEER_ADMIN_TOKEN");
    }

    @Test
    void aPublicAdminAddressWithoutATokenIsRefusedAtStart() {
        assertThatThrownBy(() -> TestServer.start(dir, c -> c.admin.listen = "0.0.0.0:0"))
                .hasStackTraceContaining("set admin.token");
    }

    @Test
    void unknownRoutesAndMethodsAreJsonErrors() throws Exception {
        start(TOKEN, c -> { });
        Reply nf = get("/api/v1/nothing");
        assertThat(nf.status()).isEqualTo(404);
        assertThat(nf.json().get("error").asText()).contains("/api/v1/nothing");
        assertThat(call("DELETE", "/api/v1/status", TOKEN, null).status()).isIn(404, 405);
        assertThat(get("/").status()).isEqualTo(404);
        assertThat(get("/api/v1/nothing").body()).doesNotContain("Exception").doesNotContain("at dev.");
    }

    @Test
    void livenessAndReadiness() throws Exception {
        start(TOKEN, c -> { });
        assertThat(get("/api/v1/livez").status()).isEqualTo(200);
        Reply ready = get("/api/v1/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asText()).isEqualTo("ready");
    }

    @Test
    void notReadyWithoutZones() throws Exception {
        server = TestServer.start(dir, c -> {
            c.admin.listen = "127.0.0.1:0";
            c.admin.token = TOKEN;
        });
        Reply r = get("/api/v1/readyz");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.json().get("reason").asText()).contains("no zone");
    }

    static double metric(String exposition, String name, Map<String, String> labels) {
        double sum = 0;
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)} ([0-9.eE+-]+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(exposition);
        while (m.find()) {
            boolean all = true;
            for (var e : labels.entrySet()) {
                all &= m.group(1).contains(e.getKey() + "=\"" + e.getValue() + "\"");
            }
            if (all) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    @Test
    void metricsCountRealQueries() throws Exception {
        start(TOKEN, c -> { });
        String before = get("/metrics").body();
        for (int i = 0; i < 7; i++) {
            server.udp("static.geo.test.", Type.A);
        }
        for (int i = 0; i < 3; i++) {
            server.tcp("nothere.geo.test.", Type.A);
        }
        answer("geo.geo.test.", "2.2.3.0/24");
        server.udp("www.example.org.", Type.A);
        server.udpRaw(new byte[] {1, 2, 3}, Duration.ofMillis(200));
        String after = get("/metrics").body();
        Map<String, String> udpA = Map.of("zone", "geo.test.", "qtype", "A", "rcode", "NOERROR", "transport", "udp");
        assertThat(metric(after, "geosteer_dns_queries_total", udpA) - metric(before, "geosteer_dns_queries_total", udpA))
                .isEqualTo(8.0); // 7 static + 1 steered (ECS) over UDP
        Map<String, String> nx = Map.of("zone", "geo.test.", "rcode", "NXDOMAIN", "transport", "tcp", "ecs", "no");
        assertThat(metric(after, "geosteer_dns_queries_total", nx)).isEqualTo(3.0);
        assertThat(metric(after, "geosteer_dns_queries_total", Map.of("zone", "none", "rcode", "REFUSED"))).isEqualTo(1.0);
        assertThat(metric(after, "geosteer_dns_queries_total", Map.of("ecs", "yes"))).isEqualTo(1.0);
        assertThat(metric(after, "geosteer_steering_decisions_total",
                Map.of("balancer", "geo", "pool", "eu", "rule", "first"))).isEqualTo(1.0);
        assertThat(metric(after, "geosteer_dns_dropped_total", Map.of("transport", "udp"))).isEqualTo(1.0);
        assertThat(metric(after, "geosteer_dns_query_duration_seconds_count", Map.of("transport", "udp")))
                .isGreaterThanOrEqualTo(9.0);
        assertThat(metric(after, "geosteer_origin_up", Map.of("zone", "geo.test.", "pool", "eu", "origin", "par1")))
                .isEqualTo(1.0);
        assertThat(after).contains("geosteer_zones 2.0").contains("geosteer_reloads_total{result=\"ok\"}")
                .contains("geosteer_tcp_connections");
        assertThat(after).doesNotContain("127.0.0.1").doesNotContain("www.example.org");
    }

    @Test
    void theQueryLogWritesOneJsonLinePerQuery() throws Exception {
        Path log = dir.resolve("queries.log");
        start(TOKEN, c -> {
            c.queryLog.enabled = true;
            c.queryLog.output = log.toString();
        });
        answer("geo.geo.test.", "2.2.3.0/24");
        server.udp("nothere.geo.test.", Type.AAAA);
        TestServer.await("two lines logged", Duration.ofSeconds(10),
                () -> { try { return Files.exists(log) && Files.readAllLines(log).size() >= 2; }
                        catch (Exception e) { return false; } });
        List<String> lines = Files.readAllLines(log);
        JsonNode steered = JSON.readTree(lines.get(0));
        assertThat(steered.get("qname").asText()).isEqualTo("geo.geo.test.");
        assertThat(steered.get("qtype").asText()).isEqualTo("A");
        assertThat(steered.get("rcode").asText()).isEqualTo("NOERROR");
        assertThat(steered.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(steered.get("ecs").asText()).isEqualTo("2.2.3.0/24");
        assertThat(steered.get("ecs_scope").asInt()).isEqualTo(24);
        assertThat(steered.get("answer").get(0).asText()).isEqualTo("A 192.0.2.1");
        assertThat(steered.get("balancer").asText()).isEqualTo("geo");
        assertThat(steered.get("pool").asText()).isEqualTo("eu");
        assertThat(steered.get("rule").asText()).isEqualTo("first");
        assertThat(steered.get("latency_us").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(steered.get("time").asText()).endsWith("Z");
        JsonNode nx = JSON.readTree(lines.get(1));
        assertThat(nx.get("rcode").asText()).isEqualTo("NXDOMAIN");
        assertThat(nx.get("answer")).isEmpty();
    }
}
