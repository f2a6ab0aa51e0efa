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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Zone files are watched: edits are served, broken edits are not, and no query sees half a zone. */
class ReloadTest {
    @TempDir
    Path dir;
    TestServer server;

    static String zone(int serial, String www) {
        return "$TTL 60\n@ SOA ns1.reload.test. h.reload.test. " + serial + " 3600 600 86400 60\n"
                + "@ NS ns1\nns1 A 192.0.2.53\nwww A " + www + "\nmail A " + www + "\n";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    String www() throws IOException {
        Message m = server.udp("www.reload.test.", Type.A);
        if (m.getRcode() != Rcode.NOERROR || m.getSection(Section.ANSWER).isEmpty()) {
            return Rcode.string(m.getRcode());
        }
        return m.getSection(Section.ANSWER).get(0).rdataToString();
    }

    /** Writes atomically, as editors and deploy tools do (write aside, rename over). */
    void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void servesAnEditedZoneWithoutRestart() throws Exception {
        server = TestServer.start(dir);
        Path file = server.zones.resolve("reload.test.zone");
        Files.writeString(file, zone(1, "192.0.2.1"));
        TestServer.await("the new zone is served", Duration.ofSeconds(10), () -> ioQuiet(() -> www()).equals("192.0.2.1"));
        write(file, zone(2, "192.0.2.2"));
        TestServer.await("the edit is served", Duration.ofSeconds(10), () -> ioQuiet(() -> www()).equals("192.0.2.2"));
        // edited in place (not renamed) works too
        Files.writeString(file, zone(3, "192.0.2.33"));
        TestServer.await("the in-place edit is served", Duration.ofSeconds(10), () -> ioQuiet(() -> www()).equals("192.0.2.33"));
        assertThat(server.server.zones().all()).singleElement()
                .satisfies(z -> assertThat(z.zone().serial()).isEqualTo(3));
    }

    @Test
    void keepsServingThePreviousVersionWhenAnEditIsBroken() throws Exception {
        server = TestServer.start(dir);
        Path file = server.zones.resolve("reload.test.zone");
        Files.writeString(file, zone(1, "192.0.2.1"));
        TestServer.await("zone served", Duration.ofSeconds(10), () -> ioQuiet(() -> www()).equals("192.0.2.1"));

        write(file, zone(2, "192.0.2.2") + "broken A 300.1.1.1\n");
        TestServer.await("the broken edit is seen and rejected", Duration.ofSeconds(10), () -> {
            dev.geosteer.catalog.LoadResult r = server.server.lastReload();
            return r != null && r.errors().stream().anyMatch(e -> e.toString().contains("reload.test.zone:7"));
        });
        assertThat(www()).isEqualTo("192.0.2.1");
        assertThat(server.server.zones().all()).singleElement()
                .satisfies(z -> assertThat(z.zone().serial()).isEqualTo(1));

        write(file, zone(3, "192.0.2.3"));
        TestServer.await("the fixed zone is served", Duration.ofSeconds(10), () -> ioQuiet(() -> www()).equals("192.0.2.3"));
    }

    @Test
    void addsAndRemovesZonesWithTheirFiles() throws Exception {
        server = TestServer.start(dir);
        assertThat(www()).isEqualTo("REFUSED");
        Path file = server.zones.resolve("reload.test.zone");
        Files.writeString(file, zone(1, "192.0.2.1"));
        TestServer.await("zone added", Duration.ofSeconds(10), () -> ioQuiet(() -> www()).equals("192.0.2.1"));
        Files.delete(file);
        TestServer.await("zone removed", Duration.ofSeconds(10), () -> ioQuiet(() -> www()).equals("REFUSED"));
    }

    @Test
    void noQuerySeesHalfAZone() throws Exception {
        server = TestServer.start(dir);
        Path file = server.zones.resolve("reload.test.zone");
        Files.writeString(file, zone(1, "192.0.2.1"));
        TestServer.await("zone served", Duration.ofSeconds(10), () -> ioQuiet(() -> www()).equals("192.0.2.1"));
        AtomicBoolean stop = new AtomicBoolean();
        List<String> bad = new CopyOnWriteArrayList<>();
        AtomicInteger asked = new AtomicInteger();
        Thread querier = new Thread(() -> {
            while (!stop.get()) {
                try {
                    String a = www();
                    asked.incrementAndGet();
                    if (!a.startsWith("192.0.2.")) {
                        bad.add(a);
                    }
                } catch (IOException e) {
                    bad.add(e.toString());
                }
            }
        });
        querier.start();
        for (int i = 2; i < 30; i++) {
            write(file, zone(i, "192.0.2." + i));
            int serial = i;
            TestServer.await("serial " + i, Duration.ofSeconds(10), () -> server.server.zones().all()
                    .stream().anyMatch(z -> z.zone().serial() == serial));
        }
        stop.set(true);
        querier.join();
        assertThat(asked.get()).isPositive();
        assertThat(bad).isEmpty();
    }

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    static <T> T ioQuiet(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
