package dev.geosteer.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geosteer.TestServer;
import dev.geosteer.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The admin API as HTTP: methods, bodies, odd paths, the Authorization header, connection caps, /metrics
 * protection, a taken port. Over real HTTP against a running server; whatever a client sends, the answer is
 * a one-line JSON error with a meaningful status, and the log gets no stack trace.
 */
class AdminHttpTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "s3cret-token";

    @TempDir
    Path dir;
    TestServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Everything logged at WARNING and above, or with an exception, while a test runs. */
    final List<String> logged = new CopyOnWriteArrayList<>();
    final Handler catcher = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue() || r.getThrown() != null) {
                logged.add(r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown());
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
    void catchLogs() {
        Logger.getLogger("").addHandler(catcher);
    }

    @AfterEach
    void stop() {
        Logger.getLogger("").removeHandler(catcher);
        if (server != null) {
            server.close();
        }
    }

    void start(String token, Consumer<ServerConfig> more) throws Exception {
        server = TestServer.start(dir, c -> {
            c.admin.listen = "127.0.0.1:0";
            c.admin.token = token;
            more.accept(c);
        }, "geo.test.zone", "geo.test.steer.yaml", "geoip/GeoIP2-City-Test.mmdb");
        logged.clear(); // "no GeoIP database" and such at start are not this test's business
    }

    record Reply(int status, String body, HttpResponse<String> response) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        /** A one-line JSON error that names no Java class. */
        Reply isCleanError(int expected) {
            assertThat(status).as(body).isEqualTo(expected);
            String error = json().get("error").asText();
            assertThat(error).doesNotContain("\n").doesNotContain("Exception").doesNotContain("io.vertx")
                    .doesNotContain("com.fasterxml").doesNotContain("java.").doesNotContain("class ");
            assertThat(json().get("status").asInt()).isEqualTo(expected);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            return this;
        }
    }

    Reply send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    HttpRequest.Builder request(String method, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.adminPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + TOKEN);
    }

    Reply call(String method, String path, String body) throws Exception {
        return send(request(method, path, body));
    }

    @Test
    void aWrongMethodOnAnExistingPathIs405WithAllow() throws Exception {
        start(TOKEN, c -> { });
        Reply r = call("DELETE", "/api/v1/status", null).isCleanError(405);
        assertThat(r.response().headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(r.json().get("error").asText()).contains("DELETE").contains("/api/v1/status");
        assertThat(call("GET", "/api/v1/reload", null).isCleanError(405).response().headers().firstValue("Allow"))
                .hasValue("POST");
        assertThat(call("PUT", "/api/v1/pools/eu/origins/par1/drain", null).isCleanError(405).response().headers()
                .firstValue("Allow")).hasValue("POST");
        assertThat(call("POST", "/metrics", null).isCleanError(405).response().headers().firstValue("Allow"))
                .hasValue("GET, HEAD");
        assertThat(call("POST", "/api/v1/readyz", null).isCleanError(405).response().headers().firstValue("Allow"))
                .hasValue("GET, HEAD");
        // HEAD is GET without a body, for probes
        assertThat(call("HEAD", "/api/v1/livez", null).status()).isEqualTo(200);
        call("GET", "/api/v1/nothing", null).isCleanError(404);
        call("DELETE", "/api/v1/nothing", null).isCleanError(404);
        assertThat(logged).isEmpty();
    }

    @Test
    void aMalformedOrNonObjectBodyIs400OnOneLine() throws Exception {
        start(TOKEN, c -> { });
        Reply bad = call("POST", "/api/v1/pools/eu/drain", "{not json").isCleanError(400);
        assertThat(bad.json().get("error").asText()).contains("malformed JSON").contains("line 1, column 2");
        for (String body : List.of("[1, 2]", "\"deploy\"", "42", "null", "true")) {
            Reply r = call("POST", "/api/v1/pools/eu/drain", body).isCleanError(400);
            assertThat(r.json().get("error").asText()).as(body).contains("must be a JSON object");
        }
        call("POST", "/api/v1/reload", "{\"reason\": ").isCleanError(400);
        assertThat(call("POST", "/api/v1/pools/eu/drain", "{\"reason\": \"deploy\"}").status()).isEqualTo(200);
        assertThat(call("POST", "/api/v1/pools/eu/undrain", "").status()).isEqualTo(200);
        assertThat(logged).isEmpty();
    }

    @Test
    void aLargeBodyIs413WithoutAStackTrace() throws Exception {
        start(TOKEN, c -> { });
        String json = "{\"reason\": \"" + "x".repeat(100 * 1024) + "\"}";
        Reply r = call("POST", "/api/v1/pools/eu/drain", json).isCleanError(413);
        assertThat(r.json().get("error").asText()).contains("64 KiB");
        // A 10 MB form body used to log a decoder stack trace.
        byte[] form = ("a=" + "b".repeat(10 * 1024 * 1024)).getBytes(StandardCharsets.US_ASCII);
        for (String path : List.of("/api/v1/pools/eu/drain", "/api/v1/reload", "/api/v1/status", "/nothing")) {
            Reply f = send(request("POST", path, null).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(form)));
            assertThat(f.status()).as(path).isIn(405, 404, 413);
            if (path.contains("drain") || path.contains("reload")) {
                f.isCleanError(413);
            }
        }
        // multipart too
        send(request("POST", "/api/v1/reload", null).header("Content-Type", "multipart/form-data; boundary=x")
                .POST(HttpRequest.BodyPublishers.ofByteArray(form))).isCleanError(413);
        assertThat(call("GET", "/api/v1/status", null).status()).isEqualTo(200);
        assertThat(logged).isEmpty();
    }

    @Test
    void oddNamesInPathsAndParametersAre400Or404NeverA500() throws Exception {
        start(TOKEN, c -> { });
        String label70 = "a".repeat(70);
        for (String path : List.of("/api/v1/zones/a%2fb/balancers", "/api/v1/zones/" + label70 + ".test/balancers",
                "/api/v1/zones/%00/balancers", "/api/v1/zones/..%2f..%2f/balancers",
                "/api/v1/zones/" + "a.".repeat(130) + "/balancers", "/api/v1/pools?zone=a%2fb",
                "/api/v1/pools?zone=" + label70, "/api/v1/zones/./balancers")) {
            Reply r = call("GET", path, null);
            assertThat(r.status()).as(path).isIn(400, 404);
            r.isCleanError(r.status());
        }
        for (String path : List.of("/api/v1/pools/a%2fb/drain", "/api/v1/pools/" + label70 + "/drain",
                "/api/v1/pools/eu/origins/a%2fb/drain", "/api/v1/pools/eu/drain?zone=" + label70,
                "/api/v1/pools/eu/drain?zone=a%2fb")) {
            Reply r = call("POST", path, null);
            assertThat(r.status()).as(path).isIn(400, 404);
            r.isCleanError(r.status());
        }
        // what java.net.URI refuses to send
        for (String path : List.of("/api/v1/zones/%ZZ/balancers", "/api/v1/zones/%/balancers",
                "/api/v1/pools?zone=%ZZ", "/api/v1/zones/a%00b/balancers", "/api/v1/zones/\u00e9t\u00e9/balancers")) {
            String status = rawStatusLine("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(status).as(path).matches("HTTP/1.1 40[04] .*");
        }
        assertThat(call("GET", "/api/v1/zones/GEO.TEST./balancers", null).status()).isEqualTo(200);
        assertThat(logged).isEmpty();
    }

    /** Sends {@code request} as raw bytes; the status line of the answer. */
    String rawStatusLine(String request) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.server.adminPort()), 3000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).doesNotContain("Exception").doesNotContain("\tat ");
            return answer.lines().findFirst().orElse("");
        }
    }

    @Test
    void poolsOfAnUnknownZoneIs404LikeDrain() throws Exception {
        start(TOKEN, c -> { });
        Reply r = call("GET", "/api/v1/pools?zone=nowhere.test", null).isCleanError(404);
        assertThat(r.json().get("error").asText()).contains("nowhere.test.");
        assertThat(call("GET", "/api/v1/pools?zone=geo.test", null).json().get("pools")).isNotEmpty();
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() throws Exception {
        start(TOKEN, c -> { });
        for (String scheme : List.of("Bearer", "bearer", "BEARER", "bEaReR")) {
            assertThat(send(request("GET", "/api/v1/status", null).setHeader("Authorization", scheme + " " + TOKEN))
                    .status()).as(scheme).isEqualTo(200);
        }
        assertThat(send(request("GET", "/api/v1/status", null).setHeader("Authorization", "Basic " + TOKEN))
                .isCleanError(401).json().get("error").asText()).contains("Bearer");
        assertThat(send(request("GET", "/api/v1/status", null).setHeader("Authorization", "bearer " + TOKEN + "x"))
                .status()).isEqualTo(401);
        assertThat(send(request("GET", "/api/v1/status", null).setHeader("Authorization", "bearer"))
                .status()).isEqualTo(401);
    }

    @Test
    void adminConnectionsAreCapped() throws Exception {
        start(TOKEN, c -> c.admin.maxConnections = 3);
        InetSocketAddress admin = new InetSocketAddress("127.0.0.1", server.server.adminPort());
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket();
                s.connect(admin, 3000);
                // a request started and never finished: the connection is held
                s.getOutputStream().write("GET /api/v1/livez HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                idle.add(s);
            }
            try (Socket extra = new Socket()) {
                extra.connect(admin, 3000);
                extra.setSoTimeout(5000);
                OutputStream out = extra.getOutputStream();
                out.write("GET /api/v1/livez HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = extra.getInputStream();
                String answer;
                try {
                    answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                } catch (java.net.SocketException reset) {
                    answer = "";
                }
                assertThat(answer).as("a fourth connection gets no answer but 503").satisfiesAnyOf(
                        a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1.1 503"));
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
        TestServer.await("room again once the idle connections are gone", Duration.ofSeconds(10), () -> {
            try {
                return call("GET", "/api/v1/livez", null).status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(logged).anyMatch(l -> l.contains("admin API: 3 connections open, refusing more"));
    }

    @Test
    void metricsAreProtectedWhenTheApiIsReachableFromOtherHostsWithAToken() throws Exception {
        start(TOKEN, c -> c.admin.listen = "0.0.0.0:0");
        assertThat(send(request("GET", "/metrics", null).setHeader("Authorization", "Bearer wrong")).status())
                .isEqualTo(401);
        assertThat(call("GET", "/metrics", null).status()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/livez", null).status()).isEqualTo(200);
        assertThat(send(request("GET", "/api/v1/readyz", null).setHeader("Authorization", "Bearer wrong")).status())
                .as("probes stay open").isEqualTo(200);
    }

    @Test
    void metricsAuthCanBeForcedEitherWay() throws Exception {
        start(TOKEN, c -> c.admin.metricsAuth = "always"); // loopback: auto would leave it open
        assertThat(send(request("GET", "/metrics", null).setHeader("Authorization", "Bearer nope")).status())
                .isEqualTo(401);
        assertThat(call("GET", "/metrics", null).body()).contains("geosteer_zones");
        server.close();
        server = null;
        start(TOKEN, c -> {
            c.admin.listen = "0.0.0.0:0";
            c.admin.metricsAuth = "never";
        });
        assertThat(send(request("GET", "/metrics", null).setHeader("Authorization", "Bearer nope")).status())
                .isEqualTo(200);
    }

    @Test
    void metricsAuthIsValidated() {
        ServerConfig c = new ServerConfig();
        c.admin.metricsAuth = "sometimes";
        assertThatThrownBy(() -> c.validate("geosteer.yaml")).hasMessageContaining("admin.metrics_auth")
                .hasMessageContaining("auto, always or never");
    }

    @Test
    void aTakenAdminPortNamesTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> TestServer.start(dir, c -> c.admin.listen = "127.0.0.1:" + port))
                    .hasMessageContaining("admin API")
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("in use")
                    .hasMessageNotContaining("/127.0.0.1");
        }
    }
}
