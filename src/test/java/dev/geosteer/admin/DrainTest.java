package dev.geosteer.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geosteer.TestServer;
import dev.geosteer.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drains from the two sources, admin-state.yaml and the admin API, over the real API and real DNS: how
 * they combine, what the API may not undo, what it records (reason, who, when), and that API drains
 * survive a restart.
 */
class DrainTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "drain-token";
    static final Duration DEADLINE = Duration.ofSeconds(10);
    static final String EU = "192.0.2.1";
    static final String NA = "192.0.2.2";

    @TempDir
    Path dir;
    TestServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final List<String> logs = new CopyOnWriteArrayList<>();
    final Handler catcher = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logs.add(r.getLevel() + " " + r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    final List<Logger> loggers = List.of(Logger.getLogger("dev.geosteer.health"),
            Logger.getLogger("dev.geosteer.catalog.AdminStateLoader"));

    @BeforeEach
    void catchLogs() {
        loggers.forEach(l -> l.addHandler(catcher));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        loggers.forEach(l -> l.removeHandler(catcher));
    }

    void start(Consumer<ServerConfig> more) throws Exception {
        server = TestServer.start(dir, c -> {
            c.admin.listen = "127.0.0.1:0";
            c.admin.token = TOKEN;
            more.accept(c);
        }, "geo.test.zone", "geo.test.steer.yaml", "geoip/GeoIP2-City-Test.mmdb");
    }

    record Reply(int status, JsonNode json) {
    }

    Reply call(String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.server.adminPort() + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), JSON.readTree(r.body()));
    }

    Reply post(String path, String body) throws Exception {
        return call("POST", path, body);
    }

    JsonNode pool(String zone, String name) throws Exception {
        for (JsonNode p : call("GET", "/api/v1/pools?zone=" + zone, null).json().get("pools")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no pool " + name);
    }

    /** The A answer of geo.geo.test for a client in Europe: eu (192.0.2.1) unless eu is drained (then na). */
    String european() {
        return answer("geo.geo.test.", "2.2.3.0/24");
    }

    String answer(String name, String subnet) {
        try {
            return server.withSubnet(name, Type.A, subnet).getSection(Section.ANSWER).get(0).rdataToString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    void awaitEuropean(String expected) throws InterruptedException {
        TestServer.await("European clients answered " + expected, DEADLINE, () -> european().equals(expected));
    }

    @Test
    void theApiCannotUndrainWhatTheFileDrains() throws Exception {
        start(c -> { });
        Files.writeString(server.zones.resolve("admin-state.yaml"), "drain:\n  - geo.test/eu\n");
        awaitEuropean(NA);

        Reply pool = post("/api/v1/pools/eu/undrain", null);
        assertThat(pool.status()).isEqualTo(409);
        assertThat(pool.json().get("error").asText()).contains("admin-state.yaml").contains("'geo.test/eu'")
                .doesNotContain("\n");
        assertThat(pool.json().get("drained").asBoolean()).as("the answer tells the truth").isTrue();
        assertThat(pool.json().get("state").get(0).get("drained_by").get(0).get("source").asText()).isEqualTo("file");
        Reply origin = post("/api/v1/pools/eu/origins/par1/undrain", null);
        assertThat(origin.status()).as("its pool is drained by the file").isEqualTo(409);
        assertThat(european()).isEqualTo(NA);

        // draining through the API as well: both sources hold it; the file still wins an undrain
        assertThat(post("/api/v1/pools/eu/drain", "{\"reason\": \"belt and braces\"}").status()).isEqualTo(200);
        assertThat(post("/api/v1/pools/eu/undrain", null).status()).isEqualTo(409);
        JsonNode eu = pool("geo.test", "eu");
        assertThat(eu.get("drained_by")).hasSize(2);
        assertThat(eu.get("drained_by").get(0).get("source").asText()).isEqualTo("file");
        assertThat(eu.get("drained_by").get(1).get("reason").asText()).isEqualTo("belt and braces");

        Files.writeString(server.zones.resolve("admin-state.yaml"), "drain: []\n");
        TestServer.await("the file no longer drains eu", DEADLINE,
                () -> logs.stream().anyMatch(l -> l.contains("admin state: nothing drained")));
        assertThat(european()).as("the API's drain still holds").isEqualTo(NA);
        Reply undrained = post("/api/v1/pools/eu/undrain", null);
        assertThat(undrained.status()).isEqualTo(200);
        assertThat(undrained.json().get("drained").asBoolean()).isFalse();
        awaitEuropean(EU);
    }

    @Test
    void anOriginOfAPoolDrainedThroughTheApiIsUndrainedWithItsPool() throws Exception {
        start(c -> { });
        Reply drained = post("/api/v1/pools/eu/drain", "{\"reason\": \"maintenance\", \"by\": \"alice\"}");
        assertThat(drained.status()).isEqualTo(200);
        assertThat(drained.json().get("drained").asBoolean()).isTrue();
        assertThat(drained.json().get("persisted").asBoolean()).isTrue();
        awaitEuropean(NA);
        Reply origin = post("/api/v1/pools/eu/origins/par1/undrain", null);
        assertThat(origin.status()).isEqualTo(409);
        assertThat(origin.json().get("error").asText()).contains("undrain the pool").contains("alice");
        assertThat(european()).isEqualTo(NA);

        // an origin drained on its own stays drained when its pool is undrained
        assertThat(post("/api/v1/pools/many/drain", null).status()).isEqualTo(200);
        assertThat(post("/api/v1/pools/many/origins/m4/drain", "{\"reason\": \"disk\"}").status()).isEqualTo(200);
        Reply many = post("/api/v1/pools/many/undrain", null);
        assertThat(many.status()).isEqualTo(200);
        assertThat(many.json().get("drained").asBoolean()).isFalse();
        JsonNode m4 = many.json().get("state").get(3);
        assertThat(m4.get("origin").asText()).isEqualTo("m4");
        assertThat(m4.get("drained").asBoolean()).isTrue();
        assertThat(m4.get("drained_by").get(0).get("reason").asText()).isEqualTo("disk");

        assertThat(post("/api/v1/pools/eu/undrain", null).status()).isEqualTo(200);
        awaitEuropean(EU);
    }

    @Test
    void apiDrainsRecordWhyWhoAndWhenInThePoolsTheLogAndLookup() throws Exception {
        start(c -> { });
        assertThat(post("/api/v1/pools/eu/drain", "{\"reason\": \"kernel upgrade\"}").status()).isEqualTo(200);
        awaitEuropean(NA);
        JsonNode eu = pool("geo.test", "eu");
        JsonNode d = eu.get("drained_by").get(0);
        assertThat(d.get("source").asText()).isEqualTo("api");
        assertThat(d.get("reason").asText()).isEqualTo("kernel upgrade");
        assertThat(d.get("by").asText()).as("the client, when the body names no one").isEqualTo("127.0.0.1");
        assertThat(d.get("at").asText()).endsWith("Z");
        JsonNode par1 = eu.get("origins").get(0);
        assertThat(par1.get("drained").asBoolean()).isTrue();
        assertThat(par1.get("drained_by").get(0).get("selector").asText()).isEqualTo("geo.test./eu");
        assertThat(logs).anyMatch(l -> l.contains("geo.test./eu drained through the admin API by 127.0.0.1")
                && l.contains("kernel upgrade"));
        JsonNode lines = call("GET", "/api/v1/lookup?name=geo.geo.test&type=A&client=2.2.3.0/24", null).json()
                .get("lines");
        assertThat(lines.toString()).contains("eu/par1 192.0.2.1: up, drained (api geo.test./eu by 127.0.0.1 at ")
                .contains(": kernel upgrade)");
        assertThat(post("/api/v1/pools/eu/drain", "{\"reason\": 42}").status()).isEqualTo(400);
    }

    @Test
    void apiDrainsSurviveARestart() throws Exception {
        start(c -> { });
        assertThat(post("/api/v1/pools/eu/drain", "{\"reason\": \"moving racks\", \"by\": \"bob\"}").status())
                .isEqualTo(200);
        awaitEuropean(NA);
        assertThat(dir.resolve("state/drains.json")).exists();
        server.close();

        start(c -> { });
        assertThat(european()).as("drained from the first answer on").isEqualTo(NA);
        JsonNode d = pool("geo.test", "eu").get("drained_by").get(0);
        assertThat(d.get("by").asText()).isEqualTo("bob");
        assertThat(d.get("reason").asText()).isEqualTo("moving racks");
        assertThat(post("/api/v1/pools/eu/undrain", null).status()).isEqualTo(200);
        awaitEuropean(EU);
        server.close();
        start(c -> { });
        assertThat(european()).isEqualTo(EU);
    }

    @Test
    void anUnwritableStateDirectoryStillDrainsAndSaysItIsNotPersisted() throws Exception {
        Files.writeString(dir.resolve("not-a-directory"), "a file");
        start(c -> c.stateDir = "not-a-directory/state");
        Reply r = post("/api/v1/pools/eu/drain", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("persisted").asBoolean()).isFalse();
        awaitEuropean(NA);
        assertThat(logs).anyMatch(l -> l.startsWith("WARNING") && l.contains("not persisted"));
    }

    @Test
    void oneBadSelectorInTheFileDoesNotThrowTheOthersAwayAtStartOrOnReload() throws Exception {
        Files.createDirectories(dir.resolve("zones"));
        Files.writeString(dir.resolve("zones/admin-state.yaml"),
                "drain:\n  - geo.test/nowhere\n  - geo.test/eu\n  - not a selector\n");
        start(c -> { });
        assertThat(european()).as("eu drained from the start").isEqualTo(NA);
        assertThat(logs).anyMatch(l -> l.startsWith("WARNING") && l.contains("admin-state.yaml:2:")
                && l.contains("geo.test/nowhere"));
        assertThat(logs).anyMatch(l -> l.startsWith("WARNING") && l.contains("admin-state.yaml:4:"));

        Files.writeString(server.zones.resolve("admin-state.yaml"), "drain:\n  - geo.test/gone\n  - geo.test/na/iad1\n");
        awaitEuropean(EU);
        assertThat(answer("geo.geo.test.", "81.2.69.160/27")).as("a client in the UK goes to eu first anyway")
                .isEqualTo(EU);
        TestServer.await("na drained: unknown clients go to eu", DEADLINE, () -> answer("fail.geo.test.", "0.0.0.0/0")
                .equals(EU));
    }

    @Test
    void aPersistedDrainWhosePoolVanishesIsKeptAndAppliesAgainWhenItComesBack() throws Exception {
        start(c -> { });
        Path steer = server.zones.resolve("geo.test.steer.yaml");
        String original = Files.readString(steer);
        assertThat(post("/api/v1/pools/jp/drain", "{\"reason\": \"closing\"}").status()).isEqualTo(200);
        // without pool jp (and the balancer line that uses it)
        Files.writeString(steer, original.replaceAll("(?s)  jp:\\n    origins:\\n      - \\{[^}]*}\\n", "")
                .replace("      JP: [jp, ap]\n", "").replace("      \"175.16.0.0/16\": [jp]\n", ""));
        TestServer.await("a warning that the drain matches nothing", DEADLINE, () -> logs.stream()
                .anyMatch(l -> l.startsWith("WARNING") && l.contains("geo.test./jp") && l.contains("matches no served")));
        assertThat(Files.readString(dir.resolve("state/drains.json"))).contains("geo.test./jp").contains("closing");
        Files.writeString(steer, original);
        TestServer.await("the drain applies again", DEADLINE,
                () -> logs.stream().anyMatch(l -> l.contains("API drain of geo.test./jp applies again")));
        JsonNode jp = pool("geo.test", "jp");
        assertThat(jp.get("drained_by").get(0).get("reason").asText()).isEqualTo("closing");
        assertThat(jp.get("healthy").asBoolean()).isFalse();
    }
}
