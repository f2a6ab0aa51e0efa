package dev.geosteer.health;

import dev.geosteer.TestServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The health state's seams as the cluster uses them: verdicts from a source other than the local
 * checks, and drains from a third source with its own rule for the API, combined into one view.
 */
class HealthStateTest {
    static final Duration DEADLINE = Duration.ofSeconds(10);
    final Vertx vertx = Vertx.vertx();

    /** Verdicts decided elsewhere (as other instances' would be), set by the test. */
    static final class Remote implements VerdictSource {
        final Map<String, Verdict> verdicts = new ConcurrentHashMap<>();
        Context loop;
        Runnable changed;
        List<CheckTarget> synced = List.of();

        @Override
        public void attach(Context loop, Runnable changed) {
            this.loop = loop;
            this.changed = changed;
        }

        @Override
        public void sync(List<CheckTarget> targets) {
            synced = targets;
        }

        @Override
        public Verdict verdict(String key) {
            return synced.stream().anyMatch(t -> t.key().equals(key))
                    ? verdicts.getOrDefault(key, new Verdict(HealthView.State.UNKNOWN, Instant.EPOCH, null, null, null, 0,
                    0, Verdict.Schedule.NONE)) : null;
        }

        void set(String key, HealthView.State state) {
            loop.runOnContext(v -> {
                verdicts.put(key, new Verdict(state, Instant.now(), "remote", null, null, 1, 0,
                        new Verdict.Schedule(10_000_000_000L, 0, 2, 3, 0)));
                changed.run();
            });
        }

        @Override
        public void close() {
        }
    }

    /** Drains the API did not make and may not lift (as cluster-wide ones would be). */
    static final class Cluster implements DrainSource {
        final List<Drain> drains;

        Cluster(List<Drain> drains) {
            this.drains = drains;
        }

        @Override
        public void attach(Context loop, Runnable changed) {
        }

        @Override
        public List<Drain> drains() {
            return drains;
        }

        @Override
        public String undrainRefusal(String selector) {
            return drains.stream().anyMatch(d -> d.covers(selector)) ? selector + " is drained for the whole cluster"
                    : null;
        }
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static CheckTarget target(String key, String address) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        return new CheckTarget(key, a, a, null);
    }

    @Test
    void theViewFollowsTheVerdictsOfAnySource() throws Exception {
        Remote remote = new Remote();
        HealthState state = new HealthState(vertx, remote, List.of(), new ApiDrains(null), false, 5);
        state.sync(List.of(target("z./p/a", "192.0.2.1"), target("z./p/b", "192.0.2.2")));
        TestServer.await("both synced", DEADLINE, () -> state.view().all().size() == 2);
        assertThat(state.view().usable("z./p/a")).as("unknown, and unknown_is_up is false").isFalse();

        remote.set("z./p/a", HealthView.State.UP);
        remote.set("z./p/b", HealthView.State.DOWN);
        TestServer.await("the remote verdicts in the view", DEADLINE,
                () -> state.view().usable("z./p/a") && state.view().get("z./p/b").state() == HealthView.State.DOWN);
        assertThat(state.view().get("z./p/a").earliestChange(0)).as("the source's schedule caps TTLs")
                .isEqualTo(10_000_000_000L + 10_000_000_000L);
        assertThat(await(state.status())).extracting(s -> s.key() + " " + s.address() + " " + s.state() + " "
                + s.lastResult()).containsExactly("z./p/a 192.0.2.1 UP remote", "z./p/b 192.0.2.2 DOWN remote");

        state.sync(List.of(target("z./p/b", "192.0.2.2")));
        TestServer.await("a removed origin leaves the view", DEADLINE, () -> state.view().all().size() == 1);
        assertThat(remote.synced).extracting(CheckTarget::key).containsExactly("z./p/b");
        state.close();
    }

    @Test
    void everySourceDrainsAndEachSaysWhatTheApiMayNotUndo() throws Exception {
        Remote remote = new Remote();
        Cluster cluster = new Cluster(List.of(new Drain("cluster", "z./p/a", "z./p/a", null, "rack power", "ops",
                Instant.parse("2026-11-27T22:41:07Z"))));
        HealthState state = new HealthState(vertx, remote, List.of(cluster), new ApiDrains(null), true, 5);
        state.sync(List.of(target("z./p/a", "192.0.2.1"), target("z./p/b", "192.0.2.2")));
        TestServer.await("a drained by the cluster", DEADLINE, () -> state.view().drained("z./p/a"));
        assertThat(state.view().drainedBy("z./p/a")).isEqualTo("cluster z./p/a by ops at 2026-11-27T22:41:07Z: rack power");

        HealthState.DrainChange refused = await(state.undrain("z./p/a", "alice"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.message()).isEqualTo("z./p/a is drained for the whole cluster");

        assertThat(await(state.drain("z./p", "maintenance", "alice")).status()).isEqualTo(200);
        assertThat(state.view().drained("z./p/b")).isTrue();
        HealthState.DrainChange origin = await(state.undrain("z./p/b", "bob"));
        assertThat(origin.status()).isEqualTo(409);
        assertThat(origin.message()).startsWith("its pool z./p is drained through the API (by alice at ");

        HealthState.DrainChange pool = await(state.undrain("z./p", "alice"));
        assertThat(pool.status()).isEqualTo(200);
        assertThat(pool.changed()).isTrue();
        assertThat(pool.persisted()).as("no store: in memory only").isFalse();
        assertThat(pool.origins()).extracting(o -> o.key() + " " + o.drained())
                .containsExactly("z./p/a true", "z./p/b false");
        assertThat(await(state.drain("z./q", null, "alice")).status()).as("no such pool").isEqualTo(404);
        state.close();
    }
}
