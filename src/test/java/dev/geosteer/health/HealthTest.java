package dev.geosteer.health;

import dev.geosteer.TestServer;
import dev.geosteer.net.Addresses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health checks against real local HTTP and TCP origins that go down, come back, answer 503, hang, or
 * send the wrong body; every assertion is made over real DNS queries (or the checker's status), waiting
 * for the state with a deadline.
 */
class HealthTest {
    static final Duration DEADLINE = Duration.ofSeconds(15);
    static final String ZONE = """
            $TTL 300
            @    SOA ns1.hc.test. h.hc.test. 1 3600 600 86400 60
            @    NS  ns1
            ns1  A   192.0.2.53
            """;

    @TempDir
    Path dir;
    TestServer server;
    final List<AutoCloseable> origins = new ArrayList<>();

    /**
     * Errors Vert.x logs: a probe callback that throws, or a connection error nobody handled, shows
     * up only here (checks must report failures in their verdict, not as ERROR lines).
     */
    final List<String> vertxErrors = new CopyOnWriteArrayList<>();
    final java.util.logging.Logger vertxLog = java.util.logging.Logger.getLogger("io.vertx");
    final java.util.logging.Handler vertxErrorCatcher = new java.util.logging.Handler() {
        @Override
        public void publish(java.util.logging.LogRecord r) {
            if (r.getLevel() == java.util.logging.Level.SEVERE) {
                vertxErrors.add(r.getMessage() + ": " + r.getThrown());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void catchVertxErrors() {
        vertxLog.addHandler(vertxErrorCatcher);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        for (AutoCloseable o : origins) {
            o.close();
        }
        vertxLog.removeHandler(vertxErrorCatcher);
        assertThat(vertxErrors).as("errors logged by Vert.x during health checks").isEmpty();
    }

    OriginServer origin(String address) throws Exception {
        OriginServer o = OriginServer.start(address, 0);
        origins.add(o);
        return o;
    }

    /** eu: par1 (127.0.0.11), par2 (127.0.0.12); na: iad1 (127.0.0.13); all http on their own ports. */
    String steering(OriginServer par1, OriginServer par2, OriginServer iad1, String extraMonitor, String balancerExtra) {
        return """
                monitors:
                  eu-web: { type: http, port: %d, path: /health, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 %s }
                  par2-web: { type: http, port: %d, path: /health, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 }
                  na-web: { type: http, port: %d, path: /health, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 }
                pools:
                  eu:
                    monitor: eu-web
                    origins:
                      - { name: par1, address: 192.0.2.11, check_address: %s }
                      - { name: par2, address: 192.0.2.12, check_address: %s, monitor: par2-web }
                  na:
                    monitor: na-web
                    origins:
                      - { name: iad1, address: 192.0.2.13, check_address: %s }
                  static:
                    origins:
                      - { name: s1, address: 192.0.2.99 }
                balancers:
                  www:
                    steering: failover
                    ttl: 30
                    max_answers: 2
                    default_pools: [eu, na]
                    %s
                  plain:
                    steering: failover
                    ttl: 30
                    default_pools: [static]
                """.formatted(par1.port(), extraMonitor, par2.port(), iad1.port(), par1.address(), par2.address(),
                iad1.address(), balancerExtra);
    }

    void start(String steering, Consumer<dev.geosteer.config.ServerConfig> tweak) throws Exception {
        Path zones = Files.createDirectories(dir.resolve("zones"));
        Files.writeString(zones.resolve("hc.test.zone"), ZONE);
        Files.writeString(zones.resolve("hc.test.steer.yaml"), steering);
        server = TestServer.start(dir, tweak);
    }

    List<String> answer(String name) {
        try {
            SimpleResolver r = server.resolver(false);
            r.setEDNS(0, 1232, 0, List.<EDNSOption>of());
            Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
            List<String> out = new ArrayList<>();
            for (Record rec : m.getSection(Section.ANSWER)) {
                if (rec instanceof ARecord a) {
                    out.add(Addresses.format(a.getAddress()));
                } else if (rec instanceof AAAARecord a) {
                    out.add(Addresses.format(a.getAddress()));
                }
            }
            out.sort(null);
            return out;
        } catch (Exception e) {
            return List.of(e.toString());
        }
    }

    long ttl(String name) throws Exception {
        Message m = server.udp(name, Type.A);
        return m.getSection(Section.ANSWER).get(0).getTTL();
    }

    HealthState.OriginStatus status(String key) {
        try {
            return server.server.health().status().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)
                    .stream().filter(s -> s.key().equals(key)).findFirst().orElse(null);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    void awaitAnswer(String name, List<String> expected) throws InterruptedException {
        TestServer.await(name + " answers " + expected, DEADLINE, () -> answer(name).equals(expected));
    }

    void awaitState(String key, HealthView.State state) throws InterruptedException {
        TestServer.await(key + " is " + state, DEADLINE, () -> {
            HealthState.OriginStatus s = status(key);
            return s != null && s.state() == state;
        });
    }

    @Test
    void checksStartWhenTheConfigurationLoadsNotAtTheFirstQuery() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        start(steering(par1, par2, iad1, "", ""), c -> { });
        TestServer.await("every origin is checked without any DNS query", DEADLINE,
                () -> par1.requests() > 0 && par2.requests() > 0 && iad1.requests() > 0);
        awaitState("hc.test./eu/par1", HealthView.State.UP);
        awaitState("hc.test./na/iad1", HealthView.State.UP);
        assertThat(answer("www.hc.test.")).containsExactly("192.0.2.11", "192.0.2.12");
    }

    @Test
    void aStoppedOriginLeavesTheAnswerAfterFallFailuresAndReturnsAfterRiseSuccesses() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        start(steering(par1, par2, iad1, "", ""), c -> { });
        awaitState("hc.test./eu/par1", HealthView.State.UP);
        awaitAnswer("www.hc.test.", List.of("192.0.2.11", "192.0.2.12"));

        par1.down();
        awaitAnswer("www.hc.test.", List.of("192.0.2.12"));
        HealthState.OriginStatus down = status("hc.test./eu/par1");
        assertThat(down.state()).isEqualTo(HealthView.State.DOWN);
        assertThat(down.lastResult()).isEqualTo("connect refused");
        assertThat(down.failures()).isGreaterThanOrEqualTo(2); // fall: 2

        par1.up();
        awaitAnswer("www.hc.test.", List.of("192.0.2.11", "192.0.2.12"));
        assertThat(status("hc.test./eu/par1").state()).isEqualTo(HealthView.State.UP);
    }

    @Test
    void thePoolFailsOverToTheNextAndBack() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        start(steering(par1, par2, iad1, "", ""), c -> { });
        awaitAnswer("www.hc.test.", List.of("192.0.2.11", "192.0.2.12"));
        par1.mode(OriginServer.Mode.STATUS_503);
        par2.down();
        awaitAnswer("www.hc.test.", List.of("192.0.2.13"));
        assertThat(status("hc.test./eu/par1").lastResult()).isEqualTo("HTTP 503");
        par1.mode(OriginServer.Mode.OK);
        awaitAnswer("www.hc.test.", List.of("192.0.2.11"));
    }

    @Test
    void whenEveryPoolIsDownTheFallbackPoolAnswersHealthIgnored() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        start(steering(par1, par2, iad1, "", "fallback_pool: na"), c -> { });
        awaitAnswer("www.hc.test.", List.of("192.0.2.11", "192.0.2.12"));
        par1.down();
        par2.down();
        iad1.down();
        awaitState("hc.test./na/iad1", HealthView.State.DOWN);
        awaitState("hc.test./eu/par1", HealthView.State.DOWN);
        awaitState("hc.test./eu/par2", HealthView.State.DOWN);
        assertThat(answer("www.hc.test.")).containsExactly("192.0.2.13");
    }

    @Test
    void withoutAFallbackPoolTheFirstPoolAnswersWhenAllAreDown() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        start(steering(par1, par2, iad1, "", ""), c -> { });
        par1.down();
        par2.down();
        iad1.down();
        awaitState("hc.test./na/iad1", HealthView.State.DOWN);
        awaitState("hc.test./eu/par1", HealthView.State.DOWN);
        awaitState("hc.test./eu/par2", HealthView.State.DOWN);
        assertThat(answer("www.hc.test.")).containsExactly("192.0.2.11", "192.0.2.12");
    }

    @Test
    void hangingOriginsTimeOut() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        start(steering(par1, par2, iad1, "", ""), c -> { });
        awaitState("hc.test./eu/par1", HealthView.State.UP);
        par1.mode(OriginServer.Mode.HANG);
        awaitAnswer("www.hc.test.", List.of("192.0.2.12"));
        assertThat(status("hc.test./eu/par1").lastResult()).isEqualTo("timeout after 150 ms");
        par1.mode(OriginServer.Mode.OK);
        awaitAnswer("www.hc.test.", List.of("192.0.2.11", "192.0.2.12"));
    }

    /** Accepts, reads the request, then resets the connection (RST) or answers garbage and closes. */
    static final class RawOrigin implements AutoCloseable {
        final java.net.ServerSocket socket;
        volatile boolean garbage;

        RawOrigin(String address) throws java.io.IOException {
            socket = new java.net.ServerSocket(0, 50, InetAddress.getByName(address));
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (java.net.Socket c = socket.accept()) {
                        c.setSoTimeout(1000);
                        c.getInputStream().read(new byte[2048]);
                        if (garbage) {
                            c.getOutputStream().write("\u0000\u0007 not http at all\r\n\r\n".getBytes());
                        } else {
                            c.setSoLinger(true, 0); // close() sends RST
                        }
                    } catch (java.io.IOException e) {
                        // closed, or the client gave up: next
                    }
                }
            }, "raw-origin");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    @Test
    void originsThatResetOrSendGarbageAreDownAndLogNoErrors() throws Exception {
        String key = "hc.test./eu/par1";
        try (RawOrigin raw = new RawOrigin("127.0.0.15")) {
            start("""
                    monitors:
                      web: { type: http, port: %d, path: /health, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 }
                    pools:
                      eu:
                        monitor: web
                        origins:
                          - { name: par1, address: 192.0.2.11, check_address: 127.0.0.15 }
                    balancers:
                      www:
                        steering: failover
                        ttl: 30
                        default_pools: [eu]
                    """.formatted(raw.port()), c -> { });
            awaitState(key, HealthView.State.DOWN);
            long checks = status(key).checks();
            TestServer.await("more checks against resets", DEADLINE, () -> status(key).checks() >= checks + 3);
            raw.garbage = true;
            long more = status(key).checks();
            TestServer.await("checks against garbage", DEADLINE, () -> status(key).checks() >= more + 3);
            assertThat(status(key).state()).isEqualTo(HealthView.State.DOWN);
            assertThat(status(key).lastResult()).isNotBlank();
        }
        // the @AfterEach check: none of these failures was logged as an ERROR by Vert.x
    }

    @Test
    void theWrongBodyAndEndlessBodiesFail() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        start(steering(par1, par2, iad1, ", expect_body: healthy", ""), c -> { });
        awaitState("hc.test./eu/par1", HealthView.State.UP);
        par1.mode(OriginServer.Mode.WRONG_BODY);
        awaitState("hc.test./eu/par1", HealthView.State.DOWN);
        assertThat(status("hc.test./eu/par1").lastResult()).isEqualTo("body mismatch");
        par1.mode(OriginServer.Mode.OK);
        awaitState("hc.test./eu/par1", HealthView.State.UP);
        par1.mode(OriginServer.Mode.ENDLESS_BODY);
        awaitState("hc.test./eu/par1", HealthView.State.DOWN);
        assertThat(status("hc.test./eu/par1").lastResult()).matches("body mismatch.*|timeout after 150 ms");
        par1.mode(OriginServer.Mode.OK);
        awaitState("hc.test./eu/par1", HealthView.State.UP);
    }

    @Test
    void tcpMonitorsFollowTheListener() throws Exception {
        OriginServer.TcpListener tcp = new OriginServer.TcpListener("127.0.0.14", 0);
        origins.add(tcp);
        Path zones = Files.createDirectories(dir.resolve("zones"));
        Files.writeString(zones.resolve("hc.test.zone"), ZONE);
        Files.writeString(zones.resolve("hc.test.steer.yaml"), """
                monitors:
                  raw: { type: tcp, port: %d, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 }
                pools:
                  a:
                    monitor: raw
                    origins: [ { name: a1, address: 127.0.0.14 } ]
                  b:
                    origins: [ { name: b1, address: 192.0.2.50 } ]
                balancers:
                  www: { steering: failover, default_pools: [a, b] }
                """.formatted(tcp.port()));
        server = TestServer.start(dir);
        awaitAnswer("www.hc.test.", List.of("127.0.0.14"));
        tcp.down();
        awaitAnswer("www.hc.test.", List.of("192.0.2.50"));
        assertThat(status("hc.test./a/a1").lastResult()).isEqualTo("connect refused");
        tcp.up();
        awaitAnswer("www.hc.test.", List.of("127.0.0.14"));
    }

    @Test
    void drainAndUndrainThroughTheAdminStateFile() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        start(steering(par1, par2, iad1, "", ""), c -> { });
        awaitState("hc.test./eu/par1", HealthView.State.UP);
        awaitAnswer("www.hc.test.", List.of("192.0.2.11", "192.0.2.12"));
        Path state = server.zones.resolve("admin-state.yaml");
        Files.writeString(state, "drain:\n  - hc.test/eu/par1\n");
        awaitAnswer("www.hc.test.", List.of("192.0.2.12"));
        assertThat(status("hc.test./eu/par1").drained()).isTrue();
        assertThat(status("hc.test./eu/par1").state()).as("still checked and up").isEqualTo(HealthView.State.UP);
        Files.writeString(state, "drain:\n  - hc.test/eu\n");
        awaitAnswer("www.hc.test.", List.of("192.0.2.13"));
        // a selector that matches nothing is reported and drains nothing; the valid ones apply
        Files.writeString(state, "drain:\n  - hc.test/nowhere\n  - hc.test/eu/par2\n");
        TestServer.await("the stale selector is reported", DEADLINE, () -> {
            var r = server.server.lastReload();
            return r != null && r.errors().stream().anyMatch(e -> e.toString().contains("admin-state.yaml:2:"));
        });
        awaitAnswer("www.hc.test.", List.of("192.0.2.11"));
        Files.writeString(state, "drain: [\n"); // not YAML: the previous drains stay
        TestServer.await("the broken admin state is rejected", DEADLINE, () -> {
            var r = server.server.lastReload();
            return r != null && r.errors().stream().anyMatch(e -> e.toString().contains("admin-state.yaml")
                    && !e.toString().contains("nowhere"));
        });
        assertThat(answer("www.hc.test.")).containsExactly("192.0.2.11");
        Files.delete(state);
        awaitAnswer("www.hc.test.", List.of("192.0.2.11", "192.0.2.12"));
    }

    @Test
    void aReloadKeepsTheStateOfUnchangedOriginsAndStopsCheckingRemovedOnes() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        String before = steering(par1, par2, iad1, "", "");
        start(before, c -> { });
        par2.down();
        awaitState("hc.test./eu/par2", HealthView.State.DOWN);
        awaitState("hc.test./eu/par1", HealthView.State.UP);
        long checksBefore = status("hc.test./eu/par1").checks();

        // Remove iad1 (and pool na) and change a balancer setting: par1 and par2 are unchanged.
        String after = before.replace("default_pools: [eu, na]", "default_pools: [eu]")
                .replaceAll("(?s)  na:\\n    monitor: na-web\\n    origins:\\n      - \\{[^}]*}\\n", "")
                .replace("ttl: 30\n    max_answers: 2", "ttl: 20\n    max_answers: 2");
        assertThat(after).doesNotContain("iad1");
        Files.writeString(server.zones.resolve("hc.test.steer.yaml"), after);
        TestServer.await("the reload drops iad1", DEADLINE, () -> status("hc.test./na/iad1") == null);
        HealthState.OriginStatus kept = status("hc.test./eu/par2");
        assertThat(kept.state()).as("no flap through unknown").isEqualTo(HealthView.State.DOWN);
        assertThat(status("hc.test./eu/par1").checks()).isGreaterThanOrEqualTo(checksBefore);
        assertThat(answer("www.hc.test.")).containsExactly("192.0.2.11");

        int seen = iad1.requests();
        int par1Seen = par1.requests();
        // let the remaining origins be checked a few more times: iad1 must not be asked again
        TestServer.await("par1 is checked 4 more times", DEADLINE, () -> par1.requests() >= par1Seen + 4);
        assertThat(iad1.requests()).isLessThanOrEqualTo(seen + 1); // one check may have been in flight
    }

    @Test
    void editingAMonitorsTimingOrThresholdsKeepsItsOriginsVerdictsAndCounters() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        String before = steering(par1, par2, iad1, "", "");
        start(before, c -> { });
        par2.down();
        awaitState("hc.test./eu/par2", HealthView.State.DOWN);
        awaitState("hc.test./eu/par1", HealthView.State.UP);
        TestServer.await("par2 checked 5 times", DEADLINE, () -> status("hc.test./eu/par2").checks() >= 5);
        List<HealthView.State> seen = new CopyOnWriteArrayList<>();
        server.server.health().addListener(new HealthState.Listener() {
            @Override
            public void published(HealthView view) {
                seen.add(view.get("hc.test./eu/par2").state());
            }
        });
        long checks = status("hc.test./eu/par2").checks();

        // every monitor checked less often, with other thresholds: what is probed did not change
        Files.writeString(server.zones.resolve("hc.test.steer.yaml"), before
                .replace("interval: 200ms, timeout: 150ms, rise: 2, fall: 2", "interval: 30s, timeout: 1s, rise: 3, fall: 1"));
        TestServer.await("the new timing is in force", DEADLINE, () -> server.server.zones().all().stream()
                .flatMap(z -> z.steering().pools().stream())
                .flatMap(p -> p.origins().stream()).filter(o -> o.monitor() != null)
                .allMatch(o -> o.monitor().interval().equals(Duration.ofSeconds(30))));
        HealthState.OriginStatus after = status("hc.test./eu/par2");
        assertThat(after.state()).as("still down, never unknown").isEqualTo(HealthView.State.DOWN);
        assertThat(after.checks()).as("the same check goes on").isGreaterThanOrEqualTo(checks);
        assertThat(status("hc.test./eu/par1").state()).isEqualTo(HealthView.State.UP);
        assertThat(seen).as("views published since the edit").doesNotContain(HealthView.State.UNKNOWN);
        assertThat(answer("www.hc.test.")).containsExactly("192.0.2.11");

        // what is probed changes (the path): a new check, which starts unknown
        Files.writeString(server.zones.resolve("hc.test.steer.yaml"), before.replace("path: /health", "path: /other"));
        TestServer.await("par2 is a new check", DEADLINE, () -> status("hc.test./eu/par2").checks() < checks);
    }

    @Test
    void aNewOriginIsCheckedAsSoonAsItsConfigurationLoads() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        String before = steering(par1, par2, iad1, "", "");
        start(before, c -> { });
        awaitState("hc.test./eu/par1", HealthView.State.UP);
        OriginServer par3 = origin("127.0.0.14");
        par3.down();
        // par3 is checked once an hour: without a first check at load, it would be answered (unknown) for up to an hour
        Files.writeString(server.zones.resolve("hc.test.steer.yaml"), before.replace("""
                  na:
                """, """
                      - { name: par3, address: 192.0.2.14, check_address: 127.0.0.14, monitor: hourly }
                  na:
                """).replace("monitors:\n", "monitors:\n  hourly: { type: http, port: %d, interval: 1h, timeout: 150ms }\n"
                .formatted(par3.port())));
        awaitState("hc.test./eu/par3", HealthView.State.DOWN);
        assertThat(status("hc.test./eu/par3").checks()).isEqualTo(1);
        assertThat(answer("www.hc.test.")).containsExactly("192.0.2.11", "192.0.2.12");
    }

    @Test
    void theTtlIsCappedByTheNextPossibleChangeWithAFloor() throws Exception {
        OriginServer par1 = origin("127.0.0.11");
        OriginServer par2 = origin("127.0.0.12");
        OriginServer iad1 = origin("127.0.0.13");
        start(steering(par1, par2, iad1, "", ""), c -> c.health.ttlFloor = Duration.ofSeconds(3));
        awaitState("hc.test./eu/par1", HealthView.State.UP);
        // checked every 200 ms, 2 failures to go down: could change within 0.4 s, so the floor applies
        assertThat(ttl("www.hc.test.")).isEqualTo(3);
        // not monitored: never changes, the balancer's TTL applies
        assertThat(ttl("plain.hc.test.")).isEqualTo(30);
    }

    @Test
    void httpsMonitorsVerifyCertificatesUnlessToldNotTo() throws Exception {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            io.vertx.core.net.SelfSignedCertificate cert = io.vertx.core.net.SelfSignedCertificate.create("localhost");
            io.vertx.core.http.HttpServer https = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
                            .setSsl(true).setKeyCertOptions(cert.keyCertOptions()))
                    .requestHandler(req -> req.response().end("healthy"));
            int port = https.listen(0, "127.0.0.15").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                    .actualPort();
            Path zones = Files.createDirectories(dir.resolve("zones"));
            Files.writeString(zones.resolve("hc.test.zone"), ZONE);
            Files.writeString(zones.resolve("hc.test.steer.yaml"), """
                    monitors:
                      strict: { type: https, port: %1$d, host: localhost, interval: 2s, timeout: 1500ms }
                      lax: { type: https, port: %1$d, host: localhost, interval: 2s, timeout: 1500ms, tls_verify: false }
                      ca: { type: https, port: %1$d, host: localhost, interval: 2s, timeout: 1500ms, ca_file: "%2$s" }
                      wrongname: { type: https, port: %1$d, host: other.example, interval: 2s, timeout: 1500ms, ca_file: "%2$s" }
                    pools:
                      p:
                        origins:
                          - { name: strict, address: 127.0.0.15, monitor: strict }
                          - { name: lax, address: 127.0.0.15, monitor: lax }
                          - { name: ca, address: 127.0.0.15, monitor: ca }
                          - { name: wrongname, address: 127.0.0.15, monitor: wrongname }
                    balancers:
                      www: { default_pools: [p] }
                    """.formatted(port, cert.certificatePath()));
            server = TestServer.start(dir);
            awaitState("hc.test./p/lax", HealthView.State.UP);
            awaitState("hc.test./p/ca", HealthView.State.UP);
            awaitState("hc.test./p/strict", HealthView.State.DOWN);
            assertThat(status("hc.test./p/strict").lastResult()).startsWith("TLS");
            // a trusted certificate for another name: the host name is verified too
            awaitState("hc.test./p/wrongname", HealthView.State.DOWN);
            assertThat(status("hc.test./p/wrongname").lastResult()).startsWith("TLS");
        } finally {
            vertx.close();
        }
    }
}
