package dev.geosteer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signals to a real server process, as systemd and operators send them: SIGHUP reloads (like NSD, Knot and
 * BIND) and the process lives on; SIGTERM and SIGINT stop it cleanly.
 */
class SignalsTest {
    static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static String zone(long serial) {
        return "$ORIGIN sig.test.\n$TTL 60\n@ SOA ns1 hostmaster " + serial + " 7200 3600 1209600 300\n"
                + "@ NS ns1\nns1 A 192.0.2.53\n";
    }

    /** A config that never polls the files: only a signal (or the API) can make it reload. */
    ServerProcess start() throws Exception {
        Files.createDirectories(dir.resolve("zones"));
        Files.writeString(dir.resolve("zones/sig.test.zone"), zone(1));
        Files.writeString(dir.resolve("geosteer.yaml"), """
                listen: ["127.0.0.1:0"]
                reload: { interval: 1h }
                admin: { listen: "" }
                """);
        return ServerProcess.fromClasspath(dir, Map.of(), "serve", "--config", "geosteer.yaml");
    }

    static long serial(InetSocketAddress server) throws Exception {
        SimpleResolver r = new SimpleResolver(server);
        r.setTimeout(Duration.ofSeconds(3));
        Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString("sig.test."), Type.SOA, DClass.IN)));
        return ((SOARecord) m.getSection(Section.ANSWER).get(0)).getSerial();
    }

    static InetSocketAddress dnsAddress(ServerProcess p) throws InterruptedException {
        Matcher m = p.awaitLine("answering on 127\\.0\\.0\\.1:(\\d+)", START);
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
    }

    @Test
    void sighupReloadsTheZonesAndTheServerLivesOnThenSigtermStopsIt() throws Exception {
        try (ServerProcess p = start()) {
            InetSocketAddress dns = dnsAddress(p);
            assertThat(serial(dns)).isEqualTo(1);

            Files.writeString(dir.resolve("zones/sig.test.zone"), zone(2));
            p.signal("HUP");
            TestServer.await("serial 2 served after SIGHUP", Duration.ofSeconds(20), () -> {
                try {
                    return serial(dns) == 2;
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(p.isAlive()).isTrue();
            p.awaitLine("SIGHUP: reloading", Duration.ofSeconds(5));
            p.awaitLine("reload on SIGHUP done: 1 zones, no errors", Duration.ofSeconds(5));

            // A broken edit: the reload reports it, the old serial stays, the server lives.
            Files.writeString(dir.resolve("zones/sig.test.zone"), zone(3).replace("192.0.2.53", "192.0.2"));
            p.signal("HUP");
            p.awaitLine("reload on SIGHUP found 1 error\\(s\\).*sig\\.test\\.zone:5", Duration.ofSeconds(20));
            assertThat(serial(dns)).isEqualTo(2);
            assertThat(p.isAlive()).isTrue();

            p.signal("TERM");
            assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(143); // 128 + 15: SuccessExitStatus=143
            assertThat(p.lines()).anyMatch(l -> l.contains("INFO  SIGTERM: stopping"))
                    .anyMatch(l -> l.contains("INFO  geosteer stopped"));
            assertThat(p.log()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void sigintStopsCleanly() throws Exception {
        try (ServerProcess p = start()) {
            assertThat(serial(dnsAddress(p))).isEqualTo(1);
            p.signal("INT");
            assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(130); // 128 + 2, as for Ctrl-C
            assertThat(p.lines()).anyMatch(l -> l.contains("INFO  SIGINT: stopping"))
                    .anyMatch(l -> l.contains("INFO  geosteer stopped"));
            assertThat(p.log()).doesNotContain("Exception");
        }
    }
}
