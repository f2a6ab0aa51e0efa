package dev.geosteer.cluster;

import dev.geosteer.ServerProcess;
import dev.geosteer.TestServer;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Configuration from etcd ({@code cluster.config: etcd}): {@code geosteer push} validates a zones directory as
 * {@code check} does and publishes it whole; three servers serve each new set within 2 s and report the revision
 * they serve; an invalid set is refused with file:line and changes nothing anywhere.
 */
class ConfigPushTest extends FleetFixture {
    Path source;

    long serial(String node) {
        try {
            SimpleResolver r = new SimpleResolver(servers.get(node).address);
            r.setTimeout(Duration.ofSeconds(2));
            Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString("fleet.test."), Type.SOA, DClass.IN)));
            for (Record rec : m.getSection(Section.ANSWER)) {
                if (rec instanceof SOARecord soa) {
                    return soa.getSerial();
                }
            }
            return -1;
        } catch (Exception e) {
            return -2;
        }
    }

    private void source(long serial, String extra) throws Exception {
        Path zones = Files.createDirectories(source.resolve("zones"));
        Files.writeString(zones.resolve("fleet.test.zone"), ZONE.replace(" 1 3600 600", " " + serial + " 3600 600")
                + extra);
        Files.writeString(zones.resolve("fleet.test.steer.yaml"), steering());
    }

    private ServerProcess push() throws Exception {
        ServerProcess p = ServerProcess.fromClasspath(source, Map.of(), "push", "--config",
                source.resolve("geosteer.yaml").toString());
        closeLast.add(0, p);
        return p;
    }

    private void pushSource() throws Exception {
        source = Files.createDirectories(dir.resolve("source"));
        Files.writeString(source.resolve("geosteer.yaml"), """
                zones_dir: zones
                cluster:
                  etcd: ["%s"]
                """.formatted(etcd.endpoint()));
    }

    /** Pushes serial {@code serial} and waits for {@code nodes} to serve it; returns the set's revision. */
    private long pushServed(long serial, String... nodes) throws Exception {
        source(serial, "");
        ServerProcess p = push();
        assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.log()).isZero();
        for (String n : nodes) {
            TestServer.await(n + " serves serial " + serial, DEADLINE, () -> serial(n) == serial);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("at etcd revision (\\d+)").matcher(p.log());
        assertThat(m.find()).as(p.log()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private TestServer startFromEtcd(String node) throws Exception {
        return start(node, c -> c.cluster.config = "etcd");
    }

    /** {@code node}'s /api/v1/cluster says it serves {@code revision}, from its local copy or not. */
    private void awaitServing(String node, long revision, boolean fromCache) throws InterruptedException {
        TestServer.await(node + " serves revision " + revision + (fromCache ? " from its local copy" : " from etcd"),
                DEADLINE, () -> {
                    try {
                        com.fasterxml.jackson.databind.JsonNode c = cluster(node);
                        return c.path("config_revision").asLong() == revision
                                && c.path("config_from_cache").asBoolean() == fromCache;
                    } catch (Exception e) {
                        return false;
                    }
                });
    }

    @Test
    void anInstanceRestartedWhileEtcdIsDownServesTheSetItLastApplied() throws Exception {
        pushSource();
        startFromEtcd("a");
        startFromEtcd("b");
        long revision = pushServed(2, "a", "b"); // the instances' own zones directories have serial 1
        awaitServing("b", revision, false);
        assertThat(Files.exists(dir.resolve("b/state").resolve(EtcdConfigSource.DIR).resolve("current.json"))).isTrue();

        servers.remove("b").close();
        etcd.stop();
        startFromEtcd("b");
        assertThat(serial("b")).as("b, restarted without etcd, serves the set it last applied").isEqualTo(2);
        awaitServing("b", revision, true);
        com.fasterxml.jackson.databind.JsonNode status = get(servers.get("b").server.adminPort(), "/api/v1/status");
        assertThat(status.path("cluster").path("config_revision").asLong()).isEqualTo(revision);
        assertThat(status.path("cluster").path("config_from_cache").asBoolean()).isTrue();
        assertThat(status.path("cluster").path("connected").asBoolean()).isFalse();

        etcd.restart();
        awaitServing("b", revision, false); // etcd hands the same revision over: confirmed, nothing reloaded
        assertThat(serial("b")).isEqualTo(2);
    }

    @Test
    void aPushWhileAnInstanceIsDownReachesItWhenItComesBack() throws Exception {
        pushSource();
        for (String n : List.of("a", "b", "c")) {
            startFromEtcd(n);
        }
        long first = pushServed(2, "a", "b", "c");
        awaitServing("c", first, false);

        servers.remove("c").close();
        long second = pushServed(3, "a", "b");
        assertThat(second).isGreaterThan(first);

        startFromEtcd("c");
        TestServer.await("c, back, serves serial 3", DEADLINE, () -> serial("c") == 3);
        awaitServing("c", second, false);
        TestServer.await("a sees c's membership at revision " + second, DEADLINE, () -> {
            try {
                return cluster("a").path("members").toString().contains("\"node\":\"c\"")
                        && cluster("a").path("members").toString().matches(".*\"node\":\"c\"[^}]*\"config_revision\":"
                        + second + ".*");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void pushedSetsAreServedEverywhereAndAnInvalidOneChangesNothing() throws Exception {
        pushSource();
        for (String n : List.of("a", "b", "c")) {
            startFromEtcd(n);
        }
        source(1, "");
        ServerProcess p = push();
        assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.log()).isZero();
        assertThat(p.log()).contains("published generation 1");
        for (String n : List.of("a", "b", "c")) {
            TestServer.await(n + " serves serial 1", DEADLINE, () -> serial(n) == 1);
        }

        source(2, "");
        p = push();
        assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.log()).isZero();
        long t0 = System.nanoTime();
        for (String n : List.of("a", "b", "c")) {
            TestServer.await(n + " serves serial 2", Duration.ofSeconds(2), () -> serial(n) == 2);
        }
        System.out.println("ConfigPushTest: a pushed serial served by 3 instances in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms after push exited");
        long revision = cluster("a").path("config_latest").path("revision").asLong();
        assertThat(revision).isPositive();
        for (String n : List.of("a", "b", "c")) {
            TestServer.await(n + " reports revision " + revision, DEADLINE, () -> {
                try {
                    return cluster(n).path("config_revision").asLong() == revision
                            && cluster("a").path("members").toString().contains("\"config_revision\":" + revision);
                } catch (Exception e) {
                    return false;
                }
            });
        }

        source(3, "bad  IN  A  300.1.2.3\n");
        p = push();
        assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.log()).isEqualTo(1);
        assertThat(p.log()).containsPattern("fleet\\.test\\.zone:\\d+").contains("nothing published");
        Thread.sleep(500); // nothing was published: nothing can arrive (checked once more below)
        for (String n : List.of("a", "b", "c")) {
            assertThat(serial(n)).as(n).isEqualTo(2);
            assertThat(cluster(n).path("config_latest").path("revision").asLong()).isEqualTo(revision);
        }
    }
}
