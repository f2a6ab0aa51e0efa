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
 * What the fleet tests share: a real etcd, real geosteer servers (in this JVM, each with its own sockets,
 * event loops and etcd client) on one zone, and two real HTTP origins, one of which looks at the User-Agent
 * of each check so that it can fail for some vantage points only.
 */
abstract class FleetFixture {
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
        startEtcd();
    }

    void startEtcd() throws Exception {
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

    String steering() {
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
    Path files(String node) throws IOException {
        Path d = Files.createDirectories(dir.resolve(node));
        Path zones = Files.createDirectories(d.resolve("zones"));
        Files.writeString(zones.resolve("fleet.test.zone"), ZONE);
        Files.writeString(zones.resolve("fleet.test.steer.yaml"), steering());
        return d;
    }

    TestServer start(String node) throws Exception {
        return start(node, c -> { });
    }

    TestServer start(String node, Consumer<ServerConfig> tweak) throws Exception {
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

    ClusterSettings settings(String node) {
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

    void drainThrough(String node, String pool) throws Exception {
        JsonNode r = post(servers.get(node).server.adminPort(), "/api/v1/pools/" + pool + "/drain", "{}");
        assertThat(r.path("http_status").asInt()).as(r.toString()).isEqualTo(200);
    }

}
