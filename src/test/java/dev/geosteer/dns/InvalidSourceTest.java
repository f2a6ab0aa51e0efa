package dev.geosteer.dns;

import dev.geosteer.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Queries whose source cannot be a real client (multicast, broadcast, unspecified, port 0) are dropped
 * unanswered and counted: answering them would send traffic to a group, a whole subnet, or nowhere.
 * Such packets cannot come from a normal socket: they are forged over raw sockets (CAP_NET_RAW).
 */
class InvalidSourceTest {
    @TempDir
    Path dir;

    @Test
    void dropsQueriesFromMulticastBroadcastUnspecifiedOrPortZeroSources() throws Exception {
        try (TestServer server = TestServer.start(dir, c -> c.listen = List.of("127.0.0.1:0", "[::1]:0"),
                "example.test.zone")) {
            InetSocketAddress v4 = server.server.dnsAddresses().get(0);
            InetSocketAddress v6 = server.server.dnsAddresses().get(1);
            byte[] query = Message.newQuery(Record.newRecord(Name.fromString("www.example.test."), Type.A, DClass.IN))
                    .toWire();
            String[][] forged = {
                    {"224.0.0.1", "5300"}, {"239.1.2.3", "5300"}, {"255.255.255.255", "5300"}, {"127.0.0.1", "0"},
                    {"::", "5300"}, {"::1", "0"},
            };
            List<String> args = new ArrayList<>(List.of("python3", script().toString(), HexFormat.of().formatHex(query)));
            for (String[] f : forged) {
                InetSocketAddress to = f[0].contains(":") ? v6 : v4;
                args.addAll(List.of(f[0], f[1], to.getAddress().getHostAddress(), String.valueOf(to.getPort())));
            }
            Process p;
            try {
                p = new ProcessBuilder(args).inheritIO().start();
            } catch (java.io.IOException e) {
                assumeTrue(false, "python3 is not installed (Debian: apt-get install python3)");
                return;
            }
            int exit = p.waitFor();
            assumeTrue(exit != 77, "raw sockets need CAP_NET_RAW (run as root)");
            assertThat(exit).isZero();

            TestServer.await("every forged query counted as dropped", Duration.ofSeconds(5),
                    () -> dropped(server, "invalid_source") == forged.length);
            // a real client from the same addresses' families is answered, and nothing else was
            assertThat(server.udp("www.example.test.", Type.A).getRcode()).isZero();
            assertThat(answered(server)).isEqualTo(1);
        }
    }

    private static Path script() throws Exception {
        Path p = Files.createTempFile("raw-udp", ".py");
        TestServer.copyResource("raw-udp.py", p);
        p.toFile().deleteOnExit();
        return p;
    }

    static long dropped(TestServer server, String reason) {
        Matcher m = Pattern.compile("geosteer_dns_dropped_total\\{reason=\"" + reason + "\",transport=\"udp\"} ([0-9.]+)")
                .matcher(server.server.metrics().scrape());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    static long answered(TestServer server) {
        Matcher m = Pattern.compile("(?m)^geosteer_dns_queries_total\\{[^}]*} ([0-9.]+)")
                .matcher(server.server.metrics().scrape());
        long sum = 0;
        while (m.find()) {
            sum += (long) Double.parseDouble(m.group(1));
        }
        return sum;
    }
}
