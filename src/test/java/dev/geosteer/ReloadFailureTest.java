package dev.geosteer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An Error during a reload (out of memory, a fault reading a mapped file) used to cancel the reload
 * schedule silently and for good. Every pass is now caught, reported and retried.
 */
class ReloadFailureTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration DEADLINE = Duration.ofSeconds(15);
    static final String TOKEN = "reload-token";
    @TempDir
    Path dir;
    TestServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** What the next passes throw (null: nothing). */
    final AtomicReference<Error> fault = new AtomicReference<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String zone(int serial, String more) {
        return "$TTL 60\n@ SOA ns1.fail.test. h.fail.test. " + serial + " 3600 600 86400 60\n@ NS ns1\n"
                + "ns1 A 192.0.2.53\nwww A 192.0.2." + serial + "\n" + more;
    }

    void start(java.util.function.Consumer<dev.geosteer.config.ServerConfig> tweak) throws Exception {
        server = TestServer.start(dir, c -> {
            c.admin.listen = "127.0.0.1:0";
            c.admin.token = TOKEN;
            tweak.accept(c);
        });
        Files.writeString(server.zones.resolve("fail.test.zone"), zone(1, ""));
        TestServer.await("the zone is served", DEADLINE, () -> www().equals("192.0.2.1"));
        server.server.reloader().beforeEachPass(() -> {
            Error e = fault.get();
            if (e != null) {
                throw e;
            }
        });
    }

    String www() {
        try {
            Message m = server.udp("www.fail.test.", Type.A);
            return m.getRcode() != Rcode.NOERROR || m.getSection(Section.ANSWER).isEmpty() ? Rcode.string(m.getRcode())
                    : m.getSection(Section.ANSWER).get(0).rdataToString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    record Reply(int status, JsonNode json) {
    }

    Reply call(String method, String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.adminPort() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), JSON.readTree(r.body()));
    }

    @Test
    void aPassThatFailsIsReportedAndTheNextEditIsStillServed() throws Exception {
        start(c -> { });
        fault.set(new OutOfMemoryError("Java heap space (injected)"));
        TestServer.await("/readyz says reloading is broken", DEADLINE, () -> {
            Reply r = ioQuiet(() -> call("GET", "/api/v1/readyz"));
            return r.status() == 503 && r.json().get("reason").asText().contains("OutOfMemoryError");
        });
        JsonNode status = call("GET", "/api/v1/status").json().get("last_reload");
        assertThat(status.get("state").asText()).isEqualTo("failing");
        assertThat(status.get("pass_failure").asText()).contains("OutOfMemoryError: Java heap space (injected)");
        assertThat(status.get("failing_since").asText()).isNotEmpty();
        assertThat(www()).as("the last good version is still served").isEqualTo("192.0.2.1");

        fault.set(null);
        Files.writeString(server.zones.resolve("fail.test.zone"), zone(2, ""));
        TestServer.await("the edit after the failures is served", DEADLINE, () -> www().equals("192.0.2.2"));
        TestServer.await("ready again", DEADLINE, () -> ioQuiet(() -> call("GET", "/api/v1/readyz")).status() == 200);
        assertThat(call("GET", "/api/v1/status").json().get("last_reload").get("state").asText()).isEqualTo("ok");
    }

    @Test
    void anAdminReloadThatFailsAnswersWithTheErrorInsteadOfHanging() throws Exception {
        start(c -> { });
        fault.set(new InternalError("a fault occurred in an unsafe memory access operation (injected)"));
        Reply failed = call("POST", "/api/v1/reload");
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.json().get("error").asText()).contains("InternalError").contains("unsafe memory access");
        fault.set(null);
        Files.writeString(server.zones.resolve("fail.test.zone"), zone(3, ""));
        assertThat(call("POST", "/api/v1/reload").status()).isEqualTo(200);
        assertThat(www()).isEqualTo("192.0.2.3");
    }

    @Test
    void aGenerateBombIsRefusedAtItsLineAndTheNextEditIsServed() throws Exception {
        start(c -> c.limits.zoneMaxRecords = 100_000);
        StringBuilder bomb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            bomb.append("$GENERATE 1-65536 h").append(i).append("-$ A 10.0.0.1\n");
        }
        Path file = server.zones.resolve("fail.test.zone");
        Files.writeString(file, zone(4, bomb.toString()));
        TestServer.await("the bomb is refused", DEADLINE, () -> {
            var r = server.server.lastReload();
            return r != null && r.errors().stream().anyMatch(e -> e.toString().equals(file + ":7: $GENERATE 1-65536"
                    + " would bring the zone to 131076 records, more than limits.zone_max_records (100000): not loaded"));
        });
        assertThat(www()).isEqualTo("192.0.2.1");
        JsonNode status = call("GET", "/api/v1/status").json().get("last_reload");
        assertThat(status.get("state").asText()).isEqualTo("errors");
        assertThat(status.get("problems").get(0).asText()).startsWith(file + ":7: ");
        assertThat(status.get("problems_since").asText()).isNotEmpty();
        assertThat(call("GET", "/api/v1/readyz").status()).as("the last good version serves: still ready").isEqualTo(200);
        Files.writeString(file, zone(5, ""));
        TestServer.await("the fixed zone is served", DEADLINE, () -> www().equals("192.0.2.5"));
        TestServer.await("no problem left", DEADLINE, () -> server.server.reloadStatus().problems().isEmpty());
    }

    interface IoSupplier<T> {
        T get() throws Exception;
    }

    static <T> T ioQuiet(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aMissingZonesDirectoryIsNamedAtStartAndLoadedWhenItAppears() throws Exception {
        Path missing = dir.resolve("not-yet");
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler catcher = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(Geosteer.class.getName());
        java.util.logging.Level level = log.getLevel();
        log.setLevel(java.util.logging.Level.INFO); // whatever other tests in this JVM did to the root logger
        log.addHandler(catcher);
        try {
            server = TestServer.start(dir, c -> c.zonesDir = missing.toString());
        } finally {
            log.removeHandler(catcher);
            log.setLevel(level);
        }
        assertThat(logged).anyMatch(l -> l.startsWith("INFO geosteer ") && l.contains("answering on")
                && l.endsWith("0 zones, 1 error: " + missing + ": the zones directory does not exist"));
        assertThat(server.server.reloadStatus().problems()).singleElement().asString()
                .isEqualTo(missing + ": the zones directory does not exist");
        Files.createDirectories(missing);
        Files.writeString(missing.resolve("fail.test.zone"), zone(6, ""));
        TestServer.await("the zone is served once the directory exists", DEADLINE, () -> www().equals("192.0.2.6"));
        assertThat(server.server.reloadStatus().problems()).isEmpty();
    }
}
