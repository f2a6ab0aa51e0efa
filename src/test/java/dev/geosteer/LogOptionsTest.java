package dev.geosteer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/** Log level and format, from the config file and the command line, as a real server process writes them. */
class LogOptionsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A port free for UDP and TCP on loopback right now. */
    static int freePort() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                 ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, udp.getLocalAddress())) {
                return tcp.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port");
    }

    ServerProcess start(String config, String... flags) throws Exception {
        Files.createDirectories(dir.resolve("zones"));
        Files.writeString(dir.resolve("zones/sig.test.zone"), SignalsTest.zone(7));
        Files.writeString(dir.resolve("geosteer.yaml"), config);
        String[] args = new String[flags.length + 3];
        args[0] = "serve";
        args[1] = "--config";
        args[2] = "geosteer.yaml";
        System.arraycopy(flags, 0, args, 3, flags.length);
        return ServerProcess.fromClasspath(dir, Map.of(), args);
    }

    static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not one JSON object: " + line, e);
        }
    }

    @Test
    void jsonLinesAtTheConfiguredLevel() throws Exception {
        int port = freePort();
        try (ServerProcess p = start("listen: [\"127.0.0.1:" + port + "\"]\nadmin: { listen: \"\" }\n"
                + "log: { level: warn }\n", "--log-format", "json")) {
            TestServer.await("answers", Duration.ofSeconds(60), () -> {
                try {
                    return SignalsTest.serial(new InetSocketAddress("127.0.0.1", port)) == 7;
                } catch (Exception e) {
                    return false;
                }
            });
            p.signal("TERM");
            assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
            assertThat(p.lines()).isNotEmpty();
            boolean sawWarning = false;
            for (String line : p.lines()) {
                JsonNode j = parse(line);
                assertThat(Instant.parse(j.get("time").asText())).isBefore(Instant.now().plusSeconds(1));
                assertThat(j.get("level").asText()).as(line).isIn("WARN", "ERROR");
                assertThat(j.get("logger").asText()).startsWith("dev.geosteer");
                assertThat(j.get("message").asText()).isNotEmpty();
                sawWarning |= j.get("message").asText().contains("no GeoIP database");
            }
            assertThat(sawWarning).as("the missing GeoIP warning, as JSON").isTrue();
        }
    }

    @Test
    void theCommandLineWinsOverTheConfig() throws Exception {
        try (ServerProcess p = start("listen: [\"127.0.0.1:0\"]\nadmin: { listen: \"\" }\n"
                + "log: { level: error, format: json }\n", "--log-level", "info", "--log-format", "text")) {
            p.awaitLine("^\\S+Z INFO  geosteer \\S+ answering on 127\\.0\\.0\\.1:\\d+", Duration.ofSeconds(60));
        }
    }

    @Test
    void anExceptionIsOneJsonFieldWithItsStack() throws Exception {
        LogRecord r = new LogRecord(Level.SEVERE, "reload pass failed: \"quoted\"\nsecond line");
        r.setLoggerName("dev.geosteer.Geosteer");
        r.setInstant(Instant.parse("2026-11-27T22:14:17.609Z"));
        IllegalStateException boom = new IllegalStateException("boom");
        r.setThrown(boom);
        String line = new LogFormat(true).format(r);
        assertThat(line).endsWith("\n");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode j = parse(line);
        assertThat(j.get("time").asText()).isEqualTo("2026-11-27T22:14:17.609Z");
        assertThat(j.get("level").asText()).isEqualTo("ERROR");
        assertThat(j.get("logger").asText()).isEqualTo("dev.geosteer.Geosteer");
        assertThat(j.get("message").asText()).isEqualTo("reload pass failed: \"quoted\"\nsecond line");
        StringWriter trace = new StringWriter();
        boom.printStackTrace(new PrintWriter(trace));
        assertThat(j.get("exception").asText()).isEqualTo(trace.toString());

        LogRecord plain = new LogRecord(Level.INFO, "zone {0} loaded");
        plain.setParameters(new Object[] {"example.test."});
        plain.setLoggerName("x");
        JsonNode p = parse(new LogFormat(true).format(plain));
        assertThat(p.get("level").asText()).isEqualTo("INFO");
        assertThat(p.get("message").asText()).isEqualTo("zone example.test. loaded");
        assertThat(p.has("exception")).isFalse();
        assertThat(new LogFormat(false).format(plain)).matches("\\S+Z INFO  zone example\\.test\\. loaded\n");
    }
}
