package dev.geosteer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.geosteer.ServerProcess;
import dev.geosteer.TestServer;
import dev.geosteer.config.ServerConfig;
import dev.geosteer.net.Addresses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fleet end to end: a real etcd, three real geosteer servers (in this JVM, each with its own sockets, event
 * loops and etcd client; one as a separate process where it must die by SIGKILL) and real HTTP origins that
 * look at the User-Agent of each check, so that an origin can fail for some vantage points only. Everything
 * is asserted through DNS answers and the admin API, waiting for states with deadlines.
 */
class FleetTest {
    static final Duration DEADLINE = Duration.ofSeconds(10);
    static final String ZONE = """
            $TTL 300
            @    SOA ns1.fleet.test. h.fleet.test. 1 3600 600 86400 60
            @    NS  ns1
            ns1  A   192.0.2.53
            """;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "fleet-test-token";
    /** One client: its connections are reused (the admin API caps open connections). */
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    EtcdProcess etcd;
    final Map<String, TestServer> servers = new LinkedHashMap<>();
    final List<AutoCloseable> closeLast = new ArrayList<>();
    /** The origin that fails for some vantage points: the nodes it answers 503 to. */
    final Set<String> failFor = ConcurrentHashMap.newKeySet();
    final List<String> userAgents = new CopyOnWriteArrayList<>();
    int euPort;
    int naPort;

    @BeforeEach
    void origins() throws Exception {
        EtcdProcess.requireInstalled(false);
        euPort = origin(ua -> {
            userAgents.add(ua);
            for (String n : failFor) {
                if (ua.endsWith("(node " + n + ")")) {
                    return 503;
                }
            }
            return 200;
        });
        naPort = origin(ua -> 200);
        etcd = EtcdProcess.start(dir, EtcdProcess.Options.PLAIN);
    }

    @AfterEach
    void stopAll() {
        servers.values().forEach(TestServer::close);
        servers.clear();
        for (AutoCloseable c : closeLast) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    /** An HTTP origin on 127.0.0.1: {@code status} says what each check gets, given its User-Agent. */
    private int origin(java.util.function.ToIntFunction<String> status) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        s.createContext("/health", x -> {
            String ua = String.valueOf(x.getRequestHeaders().getFirst("User-Agent"));
            int code = status.applyAsInt(ua);
            byte[] body = (code == 200 ? "ok" : "failing for " + ua).getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(code, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        s.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        s.start();
        closeLast.add(() -> s.stop(0));
        return s.getAddress().getPort();
    }

    private String steering() {
        return """
                monitors:
                  eu-web: { type: http, port: %d, path: /health, interval: 300ms, timeout: 250ms, rise: 1, fall: 1 }
                  na-web: { type: http, port: %d, path: /health, interval: 300ms, timeout: 250ms, rise: 1, fall: 1 }
                pools:
                  eu:
                    monitor: eu-web
                    origins:
                      - { name: par1, address: 192.0.2.11, check_address: 127.0.0.1 }
                  na:
                    monitor: na-web
                    origins:
                      - { name: iad1, address: 192.0.2.13, check_address: 127.0.0.1 }
                balancers:
                  www:
                    steering: failover
                    ttl: 30
                    default_pools: [eu, na]
                """.formatted(euPort, naPort);
    }

    /** Writes the zone and steering files for {@code node} and returns its directory. */
    private Path files(String node) throws IOException {
        Path d = Files.createDirectories(dir.resolve(node));
        Path zones = Files.createDirectories(d.resolve("zones"));
        Files.writeString(zones.resolve("fleet.test.zone"), ZONE);
        Files.writeString(zones.resolve("fleet.test.steer.yaml"), steering());
        return d;
    }

    private TestServer start(String node) throws Exception {
        return start(node, c -> { });
    }

    private TestServer start(String node, Consumer<ServerConfig> tweak) throws Exception {
        Path d = files(node);
        TestServer s = TestServer.start(d, c -> {
            c.admin.listen = "127.0.0.1:0";
            c.admin.token = TOKEN;
            c.cluster = settings(node);
            tweak.accept(c);
        });
        servers.put(node, s);
        return s;
    }

    private ClusterSettings settings(String node) {
        ClusterSettings s = new ClusterSettings();
        s.etcd = new ArrayList<>(List.of(etcd.endpoint()));
        s.node = node;
        s.leaseTtl = Duration.ofSeconds(2);
        return s;
    }

    // ------------------------------------------------------------------ helpers

    static List<String> answer(InetSocketAddress server) {
        try {
            SimpleResolver r = new SimpleResolver(server);
            r.setTimeout(Duration.ofSeconds(2));
            Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString("www.fleet.test."), Type.A, DClass.IN)));
            List<String> out = new ArrayList<>();
            for (Record rec : m.getSection(Section.ANSWER)) {
                if (rec instanceof ARecord a) {
                    out.add(Addresses.format(a.getAddress()));
                }
            }
            out.sort(null);
            return out;
        } catch (Exception e) {
            return List.of(e.toString());
        }
    }

    List<String> answer(String node) {
        return answer(servers.get(node).address);
    }

    static JsonNode get(int adminPort, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        return ((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.body()))
                .put("http_status", r.statusCode());
    }

    static JsonNode post(int adminPort, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        return ((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.body()))
                .put("http_status", r.statusCode());
    }

    JsonNode cluster(String node) throws Exception {
        return get(servers.get(node).server.adminPort(), "/api/v1/cluster");
    }

    /** Every node sees every node's verdict on par1, fresh and counted. */
    void awaitFullQuorum(String... nodes) throws InterruptedException {
        for (String n : nodes) {
            try {
                TestServer.await(n + " counts " + nodes.length + " vantage points on par1", DEADLINE, () -> {
                    try {
                        return cluster(n).path("origins").path("fleet.test./eu/par1").path("vantage_points").asInt()
                                == nodes.length;
                    } catch (Exception e) {
                        return false;
                    }
                });
            } catch (AssertionError e) {
                String seen;
                try {
                    seen = cluster(n).toPrettyString();
                } catch (Exception x) {
                    seen = x.toString();
                }
                throw new AssertionError(e.getMessage() + "; /api/v1/cluster says " + seen, e);
            }
        }
    }

    void awaitAll(String what, List<String> expected, Duration deadline, String... nodes) throws InterruptedException {
        for (String n : nodes) {
            TestServer.await(n + ": " + what + " " + expected, deadline, () -> answer(n).equals(expected));
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void anOriginFailingForOneVantagePointStaysUpEverywhereAndForAMajorityGoesDownEverywhere() throws Exception {
        start("a");
        start("b");
        start("c");
        awaitFullQuorum("a", "b", "c");
        assertThat(answer("a")).containsExactly("192.0.2.11");

        failFor.add("a");
        TestServer.await("a says par1 is down", DEADLINE, () -> {
            try {
                return cluster("b").path("origins").path("fleet.test./eu/par1").path("down").asInt() == 1;
            } catch (Exception e) {
                return false;
            }
        });
        // one of three: every instance, a included, keeps answering it
        for (int i = 0; i < 5; i++) {
            for (String n : List.of("a", "b", "c")) {
                assertThat(answer(n)).as(n).containsExactly("192.0.2.11");
            }
            Thread.sleep(200);
        }
        JsonNode par1 = cluster("a").path("origins").path("fleet.test./eu/par1");
        assertThat(par1.path("effective").asText()).isEqualTo("up");
        assertThat(par1.path("votes").path("a").path("state").asText()).isEqualTo("down");
        assertThat(par1.path("votes").path("b").path("state").asText()).isEqualTo("up");
        assertThat(par1.path("required").asInt()).isEqualTo(2);

        failFor.add("b");
        long t0 = System.nanoTime();
        awaitAll("moves to na", List.of("192.0.2.13"), DEADLINE, "a", "b", "c");
        System.out.println("FleetTest: 2 of 3 vantage points fail -> every instance answers around it in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms (interval 300 ms)");
        assertThat(cluster("c").path("origins").path("fleet.test./eu/par1").path("effective").asText())
                .isEqualTo("down");

        // lookup --server shows the vantage points
        JsonNode lookup = get(servers.get("c").server.adminPort(), "/api/v1/lookup?name=www.fleet.test&type=A");
        String lines = lookup.path("lines").toString();
        assertThat(lines).contains("VANTAGE POINTS").contains("fleet.test./na/iad1: up");

        failFor.clear();
        awaitAll("back to eu", List.of("192.0.2.11"), DEADLINE, "a", "b", "c");

        // every check names its vantage point
        assertThat(userAgents).anyMatch(u -> u.matches("geosteer/\\S+ \\(node a\\)"))
                .anyMatch(u -> u.endsWith("(node b)")).anyMatch(u -> u.endsWith("(node c)"));

        // metrics
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + servers.get("b").server.adminPort() + "/metrics")).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("geosteer_cluster_connected 1.0").contains("geosteer_cluster_members 3.0")
                .containsPattern("geosteer_cluster_origin_vantage_points\\{origin=\"par1\".*} 3.0")
                .contains("geosteer_cluster_origin_vantage_points_down");
    }

    @Test
    void aDrainThroughOneInstanceReachesEveryInstanceAndOutlivesARestart() throws Exception {
        start("a");
        start("b");
        start("c");
        awaitAll("eu", List.of("192.0.2.11"), DEADLINE, "a", "b", "c");

        JsonNode r = post(servers.get("a").server.adminPort(), "/api/v1/pools/eu/drain",
                "{\"reason\": \"maintenance\", \"by\": \"alice\"}");
        assertThat(r.path("http_status").asInt()).as(r.toString()).isEqualTo(200);
        assertThat(r.path("drained").asBoolean()).isTrue();
        assertThat(answer("a")).as("a drains at once").containsExactly("192.0.2.13");
        long t0 = System.nanoTime();
        awaitAll("drained", List.of("192.0.2.13"), Duration.ofSeconds(2), "c", "b");
        System.out.println("FleetTest: drain through a seen by b and c in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertThat(cluster("c").path("drains").toString()).contains("fleet.test./eu").contains("alice");

        // c restarts: it reads the drains before it answers
        servers.remove("c").close();
        start("c");
        assertThat(answer("c")).as("c, restarted, answers drained from its first query").containsExactly("192.0.2.13");

        // an origin of the drained pool cannot be undrained alone, on any instance
        JsonNode refused = post(servers.get("b").server.adminPort(), "/api/v1/pools/eu/origins/par1/undrain", "{}");
        assertThat(refused.path("http_status").asInt()).isEqualTo(409);

        JsonNode u = post(servers.get("b").server.adminPort(), "/api/v1/pools/eu/undrain", "{}");
        assertThat(u.path("http_status").asInt()).as(u.toString()).isEqualTo(200);
        awaitAll("undrained", List.of("192.0.2.11"), Duration.ofSeconds(2), "a", "b", "c");
    }

    @Test
    void losingEtcdChangesNoAnswerAndTheFleetRejoinsWhenItIsBack() throws Exception {
        Consumer<ServerConfig> shortGrace = c -> c.cluster.grace = Duration.ofSeconds(1);
        start("a", shortGrace);
        start("b", shortGrace);
        start("c", shortGrace);
        failFor.add("a"); // one vantage point disagrees: the quorum keeps par1 up everywhere
        awaitFullQuorum("a", "b", "c");
        TestServer.await("a's verdict counted down", DEADLINE, () -> {
            try {
                return cluster("c").path("origins").path("fleet.test./eu/par1").path("down").asInt() == 1;
            } catch (Exception e) {
                return false;
            }
        });
        awaitAll("eu", List.of("192.0.2.11"), DEADLINE, "b", "c");
        drainThrough("b", "na");

        etcd.stop();
        for (String n : List.of("a", "b", "c")) {
            TestServer.await(n + " disconnected", DEADLINE, () -> {
                try {
                    return !cluster(n).path("connected").asBoolean();
                } catch (Exception e) {
                    return false;
                }
            });
        }
        for (String n : List.of("b", "c")) {
            assertThat(answer(n)).as(n + " without etcd").containsExactly("192.0.2.11");
        }
        TestServer.await("a falls back to its own verdict after the grace period", DEADLINE, () -> {
            try {
                return cluster("a").path("local_only").asBoolean();
            } catch (Exception e) {
                return false;
            }
        });
        // after the grace, a trusts its own checks only (par1 fails from a); the others were never told down
        for (String n : List.of("b", "c")) {
            assertThat(answer(n)).as(n + " local only").containsExactly("192.0.2.11");
        }
        JsonNode status = get(servers.get("b").server.adminPort(), "/api/v1/status");
        assertThat(status.path("cluster").path("connected").asBoolean()).isFalse();
        assertThat(cluster("c").path("drains").toString()).as("the drains known stay").contains("fleet.test./na");

        etcd.restart();
        for (String n : List.of("a", "b", "c")) {
            TestServer.await(n + " reconnected", Duration.ofSeconds(20), () -> {
                try {
                    JsonNode c = cluster(n);
                    return c.path("connected").asBoolean() && !c.path("local_only").asBoolean()
                            && c.path("members").size() == 3;
                } catch (Exception e) {
                    return false;
                }
            });
        }
        awaitFullQuorum("a", "b", "c");
        awaitAll("eu again everywhere", List.of("192.0.2.11"), DEADLINE, "a", "b", "c");
    }

    private void drainThrough(String node, String pool) throws Exception {
        JsonNode r = post(servers.get(node).server.adminPort(), "/api/v1/pools/" + pool + "/drain", "{}");
        assertThat(r.path("http_status").asInt()).as(r.toString()).isEqualTo(200);
    }

    @Test
    void anInstanceKilledBySigkillDropsOutOfTheQuorumWhenItsLeaseExpires() throws Exception {
        start("a");
        start("b");
        // d: a separate process, killed below
        Path d = files("d");
        Files.writeString(d.resolve("geosteer.yaml"), """
                listen: ["127.0.0.1:0"]
                zones_dir: zones
                admin: { listen: "" }
                reload: { interval: 200ms }
                cluster:
                  etcd: ["%s"]
                  node: d
                  lease_ttl: 2s
                """.formatted(etcd.endpoint()));
        ServerProcess p = ServerProcess.fromClasspath(d, Map.of(), "serve", "--config", d.resolve("geosteer.yaml")
                .toString());
        closeLast.add(0, p);
        TestServer.await("d is a member", Duration.ofSeconds(30), () -> {
            try {
                return cluster("a").path("members").toString().contains("\"node\":\"d\"")
                        && cluster("a").path("origins").path("fleet.test./eu/par1").path("vantage_points").asInt() == 3;
            } catch (Exception e) {
                return false;
            }
        });
        failFor.add("a");
        failFor.add("d");
        awaitAll("2 of 3 say down", List.of("192.0.2.13"), DEADLINE, "a", "b");

        p.signal("KILL");
        long t0 = System.nanoTime();
        // d's lease expires (2 s): its DOWN no longer counts; a DOWN, b UP: 1 of 2, majority needs 2
        awaitAll("d dropped out", List.of("192.0.2.11"), DEADLINE, "a", "b");
        System.out.println("FleetTest: SIGKILLed member dropped out after " + (System.nanoTime() - t0) / 1_000_000
                + " ms (lease TTL 2 s)");
        assertThat(cluster("b").path("members").toString()).doesNotContain("\"node\":\"d\"");
    }
}
