package dev.geosteer.cluster;

import dev.geosteer.TestServer;
import dev.geosteer.health.HealthView.State;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Several {@link EtcdCluster} members with different node names in one JVM, against a real etcd process on
 * ephemeral ports: membership, shared verdicts and the quorum, leases running out, drains, configuration
 * sets, etcd going away and coming back, TLS with a CA made here, and authentication.
 */
class EtcdClusterTest {
    private static final String ORIGIN = "example.com/eu/o1";
    private static final Duration SLOW = Duration.ofSeconds(10); // check interval: verdicts stay fresh 30 s
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private EtcdProcess etcd;
    private final List<EtcdCluster> members = new ArrayList<>();
    private final List<LogRecord> logs = new CopyOnWriteArrayList<>();
    private final Logger clusterLog = Logger.getLogger(EtcdCluster.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logs.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private Level levelBefore;

    @BeforeEach
    void captureLogs() {
        // INFO lines are asserted: other tests of the suite may have raised the root logger's level
        levelBefore = clusterLog.getLevel();
        clusterLog.setLevel(Level.INFO);
        clusterLog.addHandler(capture);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (EtcdCluster m : members) {
            m.close();
        }
        clusterLog.removeHandler(capture);
        clusterLog.setLevel(levelBefore);
        if (etcd != null) {
            etcd.close();
        }
    }

    /** What a member's listeners were told. */
    static final class Heard implements EtcdCluster.Listener {
        final List<ClusterState> states = new CopyOnWriteArrayList<>();
        final List<Map<String, Drain>> drains = new CopyOnWriteArrayList<>();
        final List<ConfigSet> configs = new CopyOnWriteArrayList<>();

        @Override
        public void stateChanged(ClusterState state) {
            states.add(state);
        }

        @Override
        public void drainsChanged(Map<String, Drain> d) {
            drains.add(d);
        }

        @Override
        public void configChanged(ConfigSet set) {
            configs.add(set);
        }
    }

    private ClusterSettings settings(String node) {
        ClusterSettings s = new ClusterSettings();
        s.etcd = List.of(etcd.endpoint());
        s.node = node;
        s.leaseTtl = Duration.ofSeconds(2);
        return s;
    }

    private EtcdCluster member(ClusterSettings s, Duration grace, Heard heard) {
        assertThat(s.problems("cluster", dir, Map.of())).isEmpty();
        EtcdCluster m = new EtcdCluster(s, EtcdConnection.open(s, dir, Map.of()), "test", grace);
        if (heard != null) {
            m.addListener(heard);
        }
        members.add(m);
        m.start();
        return m;
    }

    private EtcdCluster member(String node) {
        return member(settings(node), Duration.ofSeconds(30), null);
    }

    private static Verdict verdict(State state, Duration interval) {
        return new Verdict(state, Instant.now(), state == State.DOWN ? "HTTP 503" : "HTTP 200", Instant.now(), 3L,
                interval);
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        TestServer.await(what, WAIT, condition);
    }

    private static void awaitRegistered(EtcdCluster... ms) throws InterruptedException {
        for (EtcdCluster m : ms) {
            await(m.node() + " registered", () -> m.view().state().registered()
                    && m.view().members().containsKey(m.node()));
        }
    }

    private static State effective(EtcdCluster m, Verdict local) {
        return m.view().effective(ORIGIN, local, QuorumRule.MAJORITY, System.nanoTime()).state();
    }

    private boolean logged(Level level, String text) {
        return logs.stream().anyMatch(r -> r.getLevel().equals(level) && r.getMessage().contains(text));
    }

    private void start(EtcdProcess.Options options) throws Exception {
        EtcdProcess.requireInstalled(options.tls() != null);
        etcd = EtcdProcess.start(dir.resolve("etcd"), options);
    }

    /** A plain etcd and registered members with these node names. */
    private List<EtcdCluster> cluster(String... nodes) throws Exception {
        start(EtcdProcess.Options.PLAIN);
        List<EtcdCluster> out = new ArrayList<>();
        for (String n : nodes) {
            out.add(member(n));
        }
        awaitRegistered(out.toArray(new EtcdCluster[0]));
        return out;
    }

    @Test
    void verdictsAreSharedAndTheQuorumDecides() throws Exception {
        List<EtcdCluster> all = cluster("a", "b", "c");
        EtcdCluster a = all.get(0);
        EtcdCluster b = all.get(1);
        EtcdCluster c = all.get(2);
        await("every member sees three members", () -> List.of(a, b, c).stream()
                .allMatch(m -> m.view().members().keySet().equals(java.util.Set.of("a", "b", "c"))));
        Verdict aDown = verdict(State.DOWN, SLOW);
        Verdict bUp = verdict(State.UP, SLOW);
        Verdict cUp = verdict(State.UP, SLOW);
        a.publish(ORIGIN, aDown);
        b.publish(ORIGIN, bUp);
        c.publish(ORIGIN, cUp);
        await("every member has the three verdicts", () -> List.of(a, b, c).stream()
                .allMatch(m -> m.view().verdicts().getOrDefault(ORIGIN, Map.of()).size() == 3));
        // one vantage point of three says down: the origin stays up everywhere, a included
        assertThat(effective(a, aDown)).isEqualTo(State.UP);
        assertThat(effective(b, bUp)).isEqualTo(State.UP);
        assertThat(effective(c, cUp)).isEqualTo(State.UP);
        Quorum.Seen seen = b.view().verdicts().get(ORIGIN).get("a");
        assertThat(seen.verdict()).isEqualTo(aDown);
        // a second one says down: down everywhere, the third included
        Verdict bDown = verdict(State.DOWN, SLOW);
        b.publish(ORIGIN, bDown);
        await("c sees b's DOWN", () -> c.view().verdicts().get(ORIGIN).get("b").verdict().state() == State.DOWN);
        assertThat(effective(c, cUp)).isEqualTo(State.DOWN);
        Quorum.Effective e = c.view().effective(ORIGIN, cUp, QuorumRule.MAJORITY, System.nanoTime());
        assertThat(e.vantagePoints()).isEqualTo(3);
        assertThat(e.down()).isEqualTo(2);
        await("a sees b's DOWN", () -> effective(a, aDown) == State.DOWN);
        // an origin a node no longer checks leaves etcd
        a.withdraw(ORIGIN);
        await("a's verdict withdrawn", () -> !c.view().verdicts().get(ORIGIN).containsKey("a"));
        assertThat(effective(c, cUp)).as("1 of 2").isEqualTo(State.UP);
    }

    @Test
    void unchangedVerdictsAreRefreshedNotWrittenPerCheckAndASilentVantagePointGoesStale() throws Exception {
        List<EtcdCluster> all = cluster("a", "b");
        EtcdCluster a = all.get(0);
        EtcdCluster b = all.get(1);
        Duration interval = Duration.ofMillis(200); // refreshed every 1 s, stale after 3 s
        Instant since = Instant.now();
        a.publish(ORIGIN, new Verdict(State.DOWN, since, "HTTP 503", Instant.now(), 3L, interval));
        await("b sees a's verdict", () -> b.view().verdicts().containsKey(ORIGIN));
        // a checker every 100 ms with the same outcome: written again about once a second (a refresh, so that
        // b knows a still checks), never once per check
        long firstRevision = get(a, "/geosteer/health/" + ORIGIN + "/a").getModRevision();
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ScheduledExecutorService checker = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        long started = System.nanoTime();
        try {
            checker.scheduleAtFixedRate(() -> {
                a.publish(ORIGIN, new Verdict(State.DOWN, since, "HTTP 503", Instant.now(), 3L, interval));
                checks.incrementAndGet();
            }, 0, 100, TimeUnit.MILLISECONDS);
            await("20 checks and a refresh of the unchanged verdict", () -> {
                try {
                    return checks.get() >= 20
                            && get(a, "/geosteer/health/" + ORIGIN + "/a").getModRevision() != firstRevision;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            checker.shutdownNow();
        }
        long elapsedSeconds = (System.nanoTime() - started) / 1_000_000_000L;
        long writes = get(a, "/geosteer/health/" + ORIGIN + "/a").getVersion();
        assertThat(writes).as("writes for " + checks.get() + " checks in " + elapsedSeconds + " s")
                .isGreaterThanOrEqualTo(2).isLessThanOrEqualTo(2 + elapsedSeconds);
        Verdict bUp = verdict(State.UP, interval);
        assertThat(b.view().effective(ORIGIN, bUp, QuorumRule.ANY, System.nanoTime()).state()).isEqualTo(State.DOWN);
        // a's checks stop (its lease lives on): after 3 s without a write its verdict no longer counts at b
        await("a's silent verdict goes stale at b", () -> {
            Quorum.Effective e = b.view().effective(ORIGIN, bUp, QuorumRule.ANY, System.nanoTime());
            return e.state() == State.UP && e.votes().get("a").ignoredBecause().startsWith("stale");
        });
        assertThat(b.view().members()).containsKey("a");
    }

    private static KeyValue get(EtcdCluster m, String key) throws Exception {
        List<KeyValue> kvs = m.connectionForTest().client().getKVClient()
                .get(ByteSequence.from(key, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS).getKvs();
        assertThat(kvs).as(key).hasSize(1);
        return kvs.get(0);
    }

    @Test
    void aKilledMemberDropsOutOfTheQuorumWhenItsLeaseExpires() throws Exception {
        List<EtcdCluster> all = cluster("a", "b", "c");
        EtcdCluster a = all.get(0);
        EtcdCluster b = all.get(1);
        EtcdCluster c = all.get(2);
        Verdict bUp = verdict(State.UP, SLOW);
        a.publish(ORIGIN, verdict(State.DOWN, SLOW));
        b.publish(ORIGIN, bUp);
        c.publish(ORIGIN, verdict(State.DOWN, SLOW));
        await("b counts 2 of 3 down", () -> effective(b, bUp) == State.DOWN);
        c.abandon(); // like SIGKILL: no revoke, the lease runs out on its own (TTL 2 s)
        members.remove(c);
        await("c's membership and verdict expire", () -> !b.view().members().containsKey("c")
                && !b.view().verdicts().get(ORIGIN).containsKey("c"));
        assertThat(effective(b, bUp)).as("1 of 2 down").isEqualTo(State.UP);
        await("a sees c gone too", () -> a.view().members().keySet().equals(java.util.Set.of("a", "b")));
    }

    @Test
    void drainsReachEveryMemberAndSurviveThem() throws Exception {
        start(EtcdProcess.Options.PLAIN);
        Heard heardB = new Heard();
        Heard heardC = new Heard();
        EtcdCluster a = member("a");
        EtcdCluster b = member(settings("b"), Duration.ofSeconds(30), heardB);
        EtcdCluster c = member(settings("c"), Duration.ofSeconds(30), heardC);
        awaitRegistered(a, b, c);
        a.drain("example.com/eu", "maintenance", "a").get(5, TimeUnit.SECONDS);
        TestServer.await("b and c see the drain", Duration.ofSeconds(2), () ->
                b.view().drains().containsKey("example.com/eu") && c.view().drains().containsKey("example.com/eu"));
        Map<String, Drain> last = heardC.drains.get(heardC.drains.size() - 1);
        assertThat(last).containsOnlyKeys("example.com/eu");
        assertThat(last.get("example.com/eu").reason()).isEqualTo("maintenance");
        assertThat(last.get("example.com/eu").by()).isEqualTo("a");
        b.drain("example.com/eu/o2", "bad disk", "b").get(5, TimeUnit.SECONDS);
        b.drain("example.com/eu2", "other pool", "b").get(5, TimeUnit.SECONDS);
        await("c has all three", () -> c.view().drains().size() == 3);
        assertThat(a.listDrains().get(5, TimeUnit.SECONDS)).containsOnlyKeys("example.com/eu", "example.com/eu/o2",
                "example.com/eu2");
        // drains have no lease: they outlive whoever made them, and a newcomer sees them
        a.close();
        members.remove(a);
        EtcdCluster d = member("d");
        await("d sees the three drains", () -> d.view().drains().size() == 3);
        // undraining the pool undrains its origins too, not the pool next door
        assertThat(c.undrain("example.com/eu").get(5, TimeUnit.SECONDS)).isEqualTo(2);
        await("b sees only eu2 drained", () -> heardB.drains.get(heardB.drains.size() - 1).keySet()
                .equals(java.util.Set.of("example.com/eu2")));
        assertThatThrownBy(() -> c.drain("example.com", "", "c").get()).hasMessageContaining("not a drain selector");
    }

    @Test
    void aConfigurationSetIsPublishedInOneTransactionAndSeenWhole() throws Exception {
        start(EtcdProcess.Options.PLAIN);
        Heard heardB = new Heard();
        Heard heardC = new Heard();
        EtcdCluster a = member("a");
        EtcdCluster b = member(settings("b"), Duration.ofSeconds(30), heardB);
        awaitRegistered(a, b);
        Map<String, byte[]> v1 = Map.of(
                "example.com.zone", bytes("$ORIGIN example.com.\n@ 300 IN SOA ns hostmaster 1 3600 600 86400 300\n"),
                "example.com.steering.yaml", bytes("balancers: {}\n"),
                "admin-state.yaml", bytes("drains: []\n"));
        ConfigSet published = a.publishConfig(v1, "test").get(5, TimeUnit.SECONDS);
        assertThat(published.generation()).isEqualTo(1);
        await("b has generation 1", () -> heardB.configs.size() == 1);
        assertSameFiles(heardB.configs.get(0), v1);
        assertThat(heardB.configs.get(0).revision()).isEqualTo(published.revision());
        // a member that starts later gets the current set at once
        EtcdCluster c = member(settings("c"), Duration.ofSeconds(30), heardC);
        await("c has generation 1", () -> heardC.configs.size() == 1);
        assertSameFiles(heardC.configs.get(0), v1);
        // the next set: one file changed, one removed, one kept (with the revision it last changed at)
        Map<String, byte[]> v2 = Map.of(
                "example.com.zone", bytes("$ORIGIN example.com.\n@ 300 IN SOA ns hostmaster 2 3600 600 86400 300\n"),
                "example.com.steering.yaml", bytes("balancers: {}\n"));
        ConfigSet second = a.publishConfig(v2, "test").get(5, TimeUnit.SECONDS);
        assertThat(second.generation()).isEqualTo(2);
        await("b and c have generation 2", () -> heardB.configs.size() == 2 && heardC.configs.size() == 2);
        for (ConfigSet seen : List.of(heardB.configs.get(1), heardC.configs.get(1))) {
            assertSameFiles(seen, v2);
            assertThat(seen.revision()).isEqualTo(second.revision());
            assertThat(seen.files().get("example.com.zone").modRevision()).isEqualTo(second.revision());
            assertThat(seen.files().get("example.com.steering.yaml").modRevision()).isEqualTo(published.revision());
        }
        // a publication that raced another (the manifest moved since it was read) writes nothing
        assertThatThrownBy(() -> ConfigStore.commit(a.connectionForTest(), Map.of("x.zone", bytes("x")), "late",
                Map.of(), published.revision(), 2).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ConfigStore.ConcurrentPublishException.class);
        assertThatThrownBy(() -> a.publishConfig(Map.of("../etc/passwd", bytes("x")), "test").get())
                .hasMessageContaining("cannot be a file name");
        // more files than etcd takes in one transaction: said with the setting to raise, nothing written
        Map<String, byte[]> many = new java.util.HashMap<>();
        for (int i = 0; i < 130; i++) {
            many.put("z" + i + ".zone", bytes("zone " + i));
        }
        assertThatThrownBy(() -> a.publishConfig(many, "test").get(5, TimeUnit.SECONDS))
                .hasMessageContaining("133 operations") // 130 puts, 2 deletions, the manifest
                .hasMessageContaining("--max-txn-ops");
        assertThat(a.publishConfig(v2, "test").get(5, TimeUnit.SECONDS).generation()).as("nothing half-written")
                .isEqualTo(3);
        await("b and c have generation 3, the same files", () -> heardB.configs.size() == 3
                && heardC.configs.size() == 3);
        assertSameFiles(heardB.configs.get(2), v2);
        // a manifest naming a file etcd does not have: never handed over, and said once
        put(a, "/geosteer/config/generation", "{\"generation\":4,\"files\":{\"gone.zone\":\"00\"},"
                + "\"published_at\":\"2026-01-01T00:00:00Z\",\"by\":\"hand\"}");
        put(a, "/geosteer/surprise/key", "x");
        await("the broken set and the foreign key are named in the log", () ->
                logged(Level.WARNING, "configuration generation 4") && logged(Level.WARNING, "missing gone.zone")
                        && logged(Level.WARNING, "/geosteer/surprise/key"));
        assertThat(heardB.configs).hasSize(3);
        await("b's view keeps generation 3", () -> b.view().config().generation() == 3);
    }

    private static void put(EtcdCluster m, String key, String value) throws Exception {
        m.connectionForTest().client().getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8),
                ByteSequence.from(value, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    }

    private static void assertSameFiles(ConfigSet seen, Map<String, byte[]> expected) {
        assertThat(seen.files().keySet()).isEqualTo(expected.keySet());
        expected.forEach((name, content) -> assertThat(seen.files().get(name).bytes()).as(name).isEqualTo(content));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void etcdGoingAwayAndComingBack() throws Exception {
        start(EtcdProcess.Options.PLAIN);
        Heard heardA = new Heard();
        EtcdCluster a = member(settings("a"), Duration.ofSeconds(1), heardA);
        EtcdCluster b = member(settings("b"), Duration.ofSeconds(1), null);
        awaitRegistered(a, b);
        Verdict aUp = verdict(State.UP, SLOW);
        a.publish(ORIGIN, aUp);
        b.publish(ORIGIN, verdict(State.UP, SLOW));
        await("a sees b's verdict", () -> a.view().verdicts().getOrDefault(ORIGIN, Map.of()).containsKey("b"));
        etcd.stop();
        await("both disconnected", () -> !a.view().state().connected() && !b.view().state().connected());
        assertThat(a.view().state().phase()).isEqualTo(ClusterState.Phase.DISCONNECTED);
        assertThat(a.view().state().lastError()).isNotBlank();
        assertThat(heardA.states).anyMatch(s -> s.phase() == ClusterState.Phase.DISCONNECTED);
        // the last known verdicts stay in the view; after the grace period only local verdicts count
        assertThat(a.view().verdicts().get(ORIGIN)).containsKey("b");
        await("local verdicts only after the grace", () -> a.view().state().localOnly()
                && b.view().state().localOnly());
        assertThat(a.view().effective(ORIGIN, aUp, QuorumRule.ANY, System.nanoTime()).basis())
                .isEqualTo(Quorum.Basis.LOCAL_ONLY);
        // b's checks change their mind while etcd is away
        b.publish(ORIGIN, verdict(State.DOWN, SLOW));
        assertThat(logs.stream().filter(r -> r.getMessage().contains("lost etcd")).count())
                .as("one line per member for the loss").isEqualTo(2);
        etcd.restart();
        await("both connected again, peers count again", () -> a.view().state().connected()
                && b.view().state().connected() && !a.view().state().localOnly());
        await("b's new verdict reaches a", () ->
                a.view().verdicts().get(ORIGIN).get("b").verdict().state() == State.DOWN);
        assertThat(a.view().effective(ORIGIN, aUp, QuorumRule.ANY, System.nanoTime()).state()).isEqualTo(State.DOWN);
        assertThat(logged(Level.INFO, "etcd reachable again")).isTrue();
        // and the watch works again: a new drain reaches a
        b.drain("example.com/eu", "after the outage", "b").get(5, TimeUnit.SECONDS);
        await("a sees a drain made after the outage", () -> a.view().drains().containsKey("example.com/eu"));
    }

    @Test
    void aLostLeaseIsGrantedAgainAndVerdictsArePublishedAgain() throws Exception {
        List<EtcdCluster> all = cluster("a", "b");
        EtcdCluster a = all.get(0);
        EtcdCluster b = all.get(1);
        a.publish(ORIGIN, verdict(State.DOWN, SLOW));
        await("b sees a's verdict", () -> b.view().verdicts().getOrDefault(ORIGIN, Map.of()).containsKey("a"));
        long lease = a.view().state().leaseId();
        etcd.run(List.of("lease", "revoke", Long.toHexString(lease)));
        await("a holds a new lease and is registered again", () -> a.view().state().leaseId() != lease
                && a.view().state().registered());
        await("b sees a's membership and verdict again", () -> b.view().members().containsKey("a")
                && b.view().verdicts().getOrDefault(ORIGIN, Map.of()).containsKey("a"));
        assertThat(logged(Level.WARNING, "expired; registering again")).isTrue();
    }

    @Test
    void aNodeNameHeldByAnotherLiveInstanceIsRefusedUntilItsLeaseExpires() throws Exception {
        start(EtcdProcess.Options.PLAIN);
        EtcdCluster first = member("par-1");
        awaitRegistered(first);
        EtcdCluster second = member("par-1");
        await("the second one says why it is not a member", () -> second.view().state().lastError() != null
                && second.view().state().lastError().contains("node name 'par-1' is taken"));
        assertThat(second.view().state().registered()).isFalse();
        assertThat(second.view().state().connected()).isTrue();
        assertThat(logged(Level.WARNING, "node name 'par-1' is taken")).isTrue();
        // its verdicts wait: they would overwrite the other instance's
        second.publish(ORIGIN, verdict(State.DOWN, SLOW));
        first.publish(ORIGIN, verdict(State.UP, SLOW));
        await("the second one sees the first one's verdict", () -> second.view().verdicts().containsKey(ORIGIN));
        assertThat(second.view().verdicts().get(ORIGIN).get("par-1").verdict().state()).isEqualTo(State.UP);
        // the first one dies without a goodbye: once its lease expires the name is free
        first.abandon();
        members.remove(first);
        await("the second one registers", () -> second.view().state().registered());
        await("and publishes its own verdict", () ->
                second.view().verdicts().get(ORIGIN).get("par-1").verdict().state() == State.DOWN);
        assertThat(logged(Level.INFO, "is free again")).isTrue();
    }

    /** etcd with TLS (client certificates required) and authentication, and the CA of it all. */
    private TestCa startSecured() throws Exception {
        EtcdProcess.requireInstalled(true);
        TestCa ca = TestCa.create(dir.resolve("ca"));
        start(new EtcdProcess.Options(ca, "root-secret", "user-secret"));
        return ca;
    }

    @Test
    void tlsWithAClientCertificateAndAPassword() throws Exception {
        TestCa ca = startSecured();
        ClusterSettings s = tlsSettings("a", ca);
        s.password = "user-secret";
        EtcdCluster a = member(s, Duration.ofSeconds(30), null);
        ClusterSettings sb = tlsSettings("b", ca);
        EtcdCluster b = new EtcdCluster(sb, EtcdConnection.open(sb, dir, Map.of(ClusterSettings.PASSWORD_ENV,
                "user-secret")), "test", Duration.ofSeconds(30));
        members.add(b);
        b.start();
        awaitRegistered(a, b);
        a.publish(ORIGIN, verdict(State.DOWN, SLOW));
        await("b sees a's verdict over TLS", () -> b.view().verdicts().getOrDefault(ORIGIN, Map.of()).containsKey("a"));
        a.drain("example.com/eu", "", "a").get(5, TimeUnit.SECONDS);
        await("b sees the drain", () -> b.view().drains().containsKey("example.com/eu"));
    }

    @Test
    void wrongCredentialsAndForeignCertificatesAreNamed() throws Exception {
        TestCa ca = startSecured();
        ClusterSettings wrong = tlsSettings("a", ca);
        wrong.password = "not-the-password";
        EtcdCluster a = member(wrong, Duration.ofSeconds(30), null);
        await("a says the password is wrong", () -> "etcd refused user 'geosteer': wrong user name or password"
                .equals(a.view().state().lastError()));
        assertThat(a.view().state().connected()).isFalse();
        assertThat(logged(Level.WARNING, "etcd refused user 'geosteer': wrong user name or password")).isTrue();
        // a CA that did not sign etcd's certificate
        TestCa other = TestCa.create(dir.resolve("other-ca"));
        ClusterSettings untrusted = tlsSettings("b", ca);
        untrusted.ca = other.caCert().toString();
        untrusted.password = "user-secret";
        EtcdCluster b = member(untrusted, Duration.ofSeconds(30), null);
        await("b names the TLS failure", () -> b.view().state().lastError() != null
                && b.view().state().lastError().startsWith("TLS with etcd failed"));
        assertThat(b.view().state().lastError()).contains("cluster.ca");
        // a user that may not write under the prefix
        ClusterSettings outside = tlsSettings("c", ca);
        outside.password = "user-secret";
        outside.prefix = "/elsewhere/";
        EtcdCluster c = member(outside, Duration.ofSeconds(30), null);
        await("c says it was denied", () -> c.view().state().lastError() != null
                && c.view().state().lastError().contains("permission denied"));
        assertThat(c.view().state().registered()).isFalse();
    }

    private ClusterSettings tlsSettings(String node, TestCa ca) {
        ClusterSettings s = settings(node);
        s.ca = ca.caCert().toString();
        s.cert = ca.clientCert().toString();
        s.key = ca.clientKey().toString();
        s.user = EtcdProcess.USER;
        return s;
    }
}
