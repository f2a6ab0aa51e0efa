package dev.geosteer.config;

import dev.geosteer.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files caught while they are being written are not served: a change is loaded once it has settled,
 * and a steering file or admin-state.yaml that suddenly becomes empty is held for a while.
 */
class HalfWrittenFilesTest {
    static final Duration DEADLINE = Duration.ofSeconds(20);
    @TempDir
    Path dir;
    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String head(int serial) {
        return "$TTL 60\n@ SOA ns1.half.test. h.half.test. " + serial + " 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.53\n";
    }

    static String names(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append("h").append(i).append(" A 10.0.").append(i / 256).append('.').append(i % 256).append('\n');
        }
        return b.toString();
    }

    String rcode(String name, int type) {
        try {
            Message m = server.udp(name, type);
            return m.getRcode() == Rcode.NOERROR && !m.getSection(Section.ANSWER).isEmpty()
                    ? m.getSection(Section.ANSWER).get(0).rdataToString() : Rcode.string(m.getRcode());
        } catch (IOException e) {
            return e.toString();
        }
    }

    long serial() {
        return server.server.zones().all().iterator().next().zone().serial();
    }

    @Test
    void aZoneRewrittenInTwoWritesIsNeverServedHalf() throws Exception {
        server = TestServer.start(dir, c -> c.reload.settle = Duration.ofSeconds(2));
        Path file = server.zones.resolve("half.test.zone");
        Files.writeString(file, head(1) + names(0, 400));
        TestServer.await("the zone is served", DEADLINE, () -> rcode("h399.half.test.", Type.A).equals("10.0.1.143"));

        AtomicBoolean stop = new AtomicBoolean();
        List<String> bad = new CopyOnWriteArrayList<>();
        AtomicInteger asked = new AtomicInteger();
        Thread querier = new Thread(() -> {
            while (!stop.get()) {
                String a = rcode("h399.half.test.", Type.A);
                asked.incrementAndGet();
                if (!a.equals("10.0.1.143")) {
                    bad.add(a);
                }
            }
        });
        querier.start();
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write((head(2) + names(0, 200)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(500); // the writer pauses half-way, as a slow copy or a template engine does
            out.write(names(200, 400).getBytes(StandardCharsets.US_ASCII));
        }
        TestServer.await("the whole new version is served", DEADLINE, () -> serial() == 2);
        stop.set(true);
        querier.join();
        assertThat(asked.get()).isPositive();
        assertThat(bad).as("answers for a name in the second half while the file was half written").isEmpty();
    }

    @Test
    void theFilesPresentAtStartAreServedAtOnceWhateverTheSettleTime() throws Exception {
        Files.createDirectories(dir.resolve("zones"));
        Files.writeString(dir.resolve("zones/half.test.zone"), head(7) + names(0, 3));
        server = TestServer.start(dir, c -> c.reload.settle = Duration.ofHours(1));
        assertThat(rcode("h2.half.test.", Type.A)).isEqualTo("10.0.0.2");
    }

    /** Waits until {@code seen} holds or what is served changed; fails unless it was {@code seen}. */
    void awaitSeenWhileServing(String what, BooleanSupplier seen, BooleanSupplier stillServed) throws Exception {
        TestServer.await(what, DEADLINE, () -> seen.getAsBoolean() || !stillServed.getAsBoolean());
        assertThat(stillServed.getAsBoolean()).as("still served when " + what).isTrue();
        long passes = server.server.reloadStatus().passes();
        TestServer.await("five more reload passes", DEADLINE, () -> server.server.reloadStatus().passes() >= passes + 5
                || !stillServed.getAsBoolean());
        assertThat(stillServed.getAsBoolean()).as("still served five passes later").isTrue();
    }

    boolean warned(String text) {
        var r = server.server.lastReload();
        return r != null && r.warnings().stream().anyMatch(w -> w.toString().contains(text));
    }

    @Test
    void anEmptiedSteeringFileKeepsItsBalancers() throws Exception {
        server = TestServer.start(dir, c -> c.reload.emptyGrace = Duration.ofHours(1), "geo.test.zone",
                "geo.test.steer.yaml");
        BooleanSupplier steered = () -> rcode("fail.geo.test.", Type.A).equals("192.0.2.2");
        assertThat(steered.getAsBoolean()).isTrue();
        Path steer = server.zones.resolve("geo.test.steer.yaml");
        Files.writeString(steer, "");
        awaitSeenWhileServing("the empty steering file is seen", () -> warned("geo.test.steer.yaml: is empty"), steered);
    }

    @Test
    void anEmptiedAdminStateKeepsItsDrains() throws Exception {
        server = TestServer.start(dir, c -> c.reload.emptyGrace = Duration.ofHours(1), "geo.test.zone",
                "geo.test.steer.yaml");
        Path state = server.zones.resolve("admin-state.yaml");
        Files.writeString(state, "drain:\n  - geo.test/na\n");
        BooleanSupplier drained = () -> rcode("fail.geo.test.", Type.A).equals("192.0.2.1");
        TestServer.await("na drained: eu answers", DEADLINE, drained);
        Files.writeString(state, "");
        awaitSeenWhileServing("the empty admin state is seen", () -> warned("admin-state.yaml: is empty"), drained);
    }
}
