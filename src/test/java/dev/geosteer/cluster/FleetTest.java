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
 * A fleet end to end: a real etcd, three real geosteer servers (one as a separate process where it must die by
 * SIGKILL) and real HTTP origins that fail for some vantage points only. Everything is asserted through DNS
 * answers and the admin API, waiting for states with deadlines.
 */
class FleetTest extends FleetFixture {
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
                .containsPattern("geosteer_cluster_origin_vantage_points_down\\{origin=\"par1\".*} \\d");
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
        // c's answers come from its drain source; /api/v1/cluster reads the membership view, which the same
        // watch updates a moment apart: wait for it rather than read it once
        TestServer.await("c's /api/v1/cluster lists alice's drain of fleet.test./eu", Duration.ofSeconds(2), () -> {
            try {
                String drains = cluster("c").path("drains").toString();
                return drains.contains("fleet.test./eu") && drains.contains("alice");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

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
    void anInstanceRestartedWhileEtcdIsDownKeepsTheFleetsDrainsUntilEtcdAnswers() throws Exception {
        start("a");
        start("c");
        awaitAll("eu", List.of("192.0.2.11"), DEADLINE, "a", "c");
        drainThrough("a", "eu");
        awaitAll("drained", List.of("192.0.2.13"), Duration.ofSeconds(2), "c");
        Path copy = dir.resolve("c/state").resolve(ClusterDrains.CACHE);
        TestServer.await("c keeps the fleet's drains in " + copy, DEADLINE, () -> {
            try {
                return Files.readString(copy).contains("fleet.test./eu");
            } catch (IOException e) {
                return false;
            }
        });

        // etcd is unreachable when c comes back: c answers with the drains it last saw
        servers.remove("c").close();
        etcd.stop();
        start("c");
        assertThat(answer("c")).as("c, restarted without etcd, still drained").containsExactly("192.0.2.13");
        JsonNode c = cluster("c");
        assertThat(c.path("connected").asBoolean()).isFalse();
        assertThat(c.path("drains_from_cache").asBoolean()).isTrue();
        assertThat(c.path("drains").toString()).contains("fleet.test./eu");
        assertThat(get(servers.get("c").server.adminPort(), "/api/v1/status").path("cluster")
                .path("drains_from_cache").asBoolean()).isTrue();

        etcd.restart();
        TestServer.await("c reads etcd's drains", Duration.ofSeconds(20), () -> {
            try {
                JsonNode x = cluster("c");
                return x.path("connected").asBoolean() && !x.path("drains_from_cache").asBoolean();
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(answer("c")).as("etcd agrees: still drained").containsExactly("192.0.2.13");

        // etcd wins over the copy: undrained while c was away, c undrains once it reads etcd
        servers.remove("c").close();
        TestServer.await("a reconnected", Duration.ofSeconds(20), () -> {
            try {
                return cluster("a").path("connected").asBoolean();
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode u = post(servers.get("a").server.adminPort(), "/api/v1/pools/eu/undrain", "{}");
        assertThat(u.path("http_status").asInt()).as(u.toString()).isEqualTo(200);
        assertThat(Files.readString(copy)).as("c's copy, from before").contains("fleet.test./eu");
        start("c");
        awaitAll("undrained: etcd's word wins over c's copy", List.of("192.0.2.11"), DEADLINE, "c");
        TestServer.await("c's copy follows etcd", DEADLINE, () -> {
            try {
                return !Files.readString(copy).contains("fleet.test./eu");
            } catch (IOException e) {
                return false;
            }
        });
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

    @Test
    void badInputIsNamedAndAnswersGoOn() throws Exception {
        start("a");
        start("b");
        awaitFullQuorum("a", "b");
        // a second instance calling itself a: refused its membership, named, answering
        start("a-again", c -> c.cluster.node = "a");
        // an endpoint where no etcd listens
        start("lost", c -> c.cluster.etcd = new ArrayList<>(List.of("http://127.0.0.1:1")));
        // a key under the prefix that is not geosteer's, and a verdict that is not JSON
        etcd.run(List.of("put", "/geosteer/something/else", "x"));
        etcd.run(List.of("put", "/geosteer/health/fleet.test./eu/par1/intruder", "not json"));
        for (String n : List.of("a-again", "lost")) {
            assertThat(answer(n)).as(n + " answers").containsExactly("192.0.2.11");
        }
        TestServer.await("a-again names the duplicate", DEADLINE, () -> {
            try {
                return cluster("a-again").path("error").asText().contains("node name 'a' is taken");
            } catch (Exception e) {
                return false;
            }
        });
        TestServer.await("lost names the endpoint", DEADLINE, () -> {
            try {
                JsonNode c = cluster("lost");
                return !c.path("connected").asBoolean() && c.path("error").asText().matches(
                        "(cannot connect to etcd|etcd did not answer in time).*");
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode a = cluster("a");
        assertThat(a.path("connected").asBoolean()).isTrue();
        assertThat(a.path("members").size()).as(a.toString()).isEqualTo(2);
        assertThat(a.path("origins").path("fleet.test./eu/par1").path("votes").has("intruder")).isFalse();
        assertThat(answer("a")).containsExactly("192.0.2.11");
    }
}
