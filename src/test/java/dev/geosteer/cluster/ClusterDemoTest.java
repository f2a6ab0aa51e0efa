package dev.geosteer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geosteer.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code demo/cluster-local.sh}, the README's fleet with local processes, run as an operator would: etcd,
 * three geosteer processes and three origins on this machine (ports chosen free for the test). The fleet forms,
 * answers by GeoIP, and a drain through geo-1's admin API moves geo-3's answers.
 */
class ClusterDemoTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    final Map<String, String> env = new HashMap<>();

    @AfterEach
    void stop() throws Exception {
        if (!env.isEmpty()) {
            run("stop", Duration.ofSeconds(60));
        }
    }

    private String run(String command, Duration deadline) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder("bash", "demo/cluster-local.sh", command).redirectErrorStream(true);
        b.environment().putAll(env);
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(deadline.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("demo/cluster-local.sh " + command + " did not finish: " + out);
        }
        assertThat(p.exitValue()).as("demo/cluster-local.sh " + command + ": " + out).isZero();
        return out;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String answer(int port, String subnet) {
        try {
            SimpleResolver r = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
            r.setTimeout(Duration.ofSeconds(2));
            Message q = Message.newQuery(Record.newRecord(Name.fromString("www.example.test."), Type.A, DClass.IN));
            String[] s = subnet.split("/");
            r.setEDNS(0, 1232, 0, List.of(new ClientSubnetOption(Integer.parseInt(s[1]), InetAddress.getByName(s[0]))));
            return r.send(q).getSection(Section.ANSWER).get(0).rdataToString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void theLocalFleetFormsAnswersAndSharesADrain() throws Exception {
        EtcdProcess.requireInstalled(false);
        int dnsBase = freePort() - 1;
        int adminBase = freePort() - 1;
        env.put("GEOSTEER", ServerProcessCommand.java() + " -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "
                + System.getProperty("java.class.path") + " dev.geosteer.Main");
        env.put("GEOSTEER_DEMO_STATE", dir.toString());
        env.put("GEOSTEER_DEMO_DNS_BASE", Integer.toString(dnsBase));
        env.put("GEOSTEER_DEMO_ADMIN_BASE", Integer.toString(adminBase));
        env.put("GEOSTEER_DEMO_ETCD_PORT", Integer.toString(freePort()));
        env.put("GEOSTEER_DEMO_ORIGIN_PORT", Integer.toString(freePort()));
        String started = run("start", Duration.ofSeconds(120));
        assertThat(started).contains("geo-1 up", "geo-2 up", "geo-3 up");

        String europe = "193.0.6.0/24";
        for (int n = 1; n <= 3; n++) {
            int port = dnsBase + n;
            TestServer.await("geo-" + n + " answers eu", Duration.ofSeconds(20),
                    () -> answer(port, europe).equals("127.0.0.11"));
        }
        // on a busy machine one vantage point's check may time out now and then: wait for all three to agree
        TestServer.await("status: 3 members, all three see eu1 up", Duration.ofSeconds(30), () -> {
            try {
                String status = run("status", Duration.ofSeconds(20));
                return status.contains("3 members: geo-1, geo-2, geo-3")
                        && status.contains("example.test./eu/eu1: up (0 of 3 say down");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });

        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (adminBase + 1)
                        + "/api/v1/pools/eu/drain")).header("Authorization", "Bearer demo-token")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"demo\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        TestServer.await("geo-3 answers around the drain", Duration.ofSeconds(2),
                () -> answer(dnsBase + 3, europe).equals("127.0.0.13"));
        JsonNode cluster = new ObjectMapper().readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + (adminBase + 3) + "/api/v1/cluster")).header("Authorization", "Bearer demo-token").build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(cluster.path("drains").toString()).contains("example.test./eu");
    }

    /** The java launcher of this JVM. */
    static final class ServerProcessCommand {
        static String java() {
            return Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
    }
}
