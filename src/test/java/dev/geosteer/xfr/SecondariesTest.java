package dev.geosteer.xfr;

import dev.geosteer.TestServer;
import dev.geosteer.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * geosteer as the primary of real secondaries on loopback, with TSIG: Knot DNS (which also follows the
 * catalog zone) and NSD 4.6 (which cannot: catalog zones came in NSD 4.9). Each runs from a throw-away
 * configuration and is stopped by its PID. Skipped when a binary is missing, unless
 * GEOSTEER_REQUIRE_KNOT / GEOSTEER_REQUIRE_NSD is set.
 */
public class SecondariesTest {
    public static final String SECRET = XfrTest.SECRET;
    static final String KEY = "hmac-sha256:xfr-key:" + SECRET;

    @TempDir
    Path dir;
    TestServer geosteer;
    final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy(); // SIGTERM to that PID
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (geosteer != null) {
            geosteer.close();
        }
    }

    public static Path binary(String path, String variable) {
        Path p = Path.of(path);
        if (!Files.isExecutable(p)) {
            Assumptions.assumeTrue(System.getenv(variable) == null, path + " is required (" + variable + ") but missing");
            Assumptions.abort(path + " is not installed: test skipped");
        }
        return p;
    }

    public static int freePort() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                         tcp.getLocalPort()))) {
                return udp.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port");
    }

    /** The serial a server answers for a zone's SOA (AA), or -1. */
    public static long serial(int port, String zone) {
        try {
            SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            r.setTimeout(Duration.ofMillis(500));
            Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(zone), Type.SOA, 1)));
            List<Record> a = m.getSection(Section.ANSWER);
            return m.getRcode() == Rcode.NOERROR && !a.isEmpty() && a.get(0) instanceof SOARecord s ? s.getSerial() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    public static List<String> answer(int port, String name, int type) throws IOException {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        r.setTimeout(Duration.ofSeconds(2));
        Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, 1)));
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
    }

    public static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    Process run(Path log, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    void startGeosteer(int... notify) throws Exception {
        Path zones = Files.createDirectories(dir.resolve("zones"));
        Files.writeString(zones.resolve("xfr.test.zone"), XfrTest.zone(1, "192.0.2.1", 0));
        Files.writeString(zones.resolve("xfr.test.steer.yaml"), XfrTest.STEER);
        Files.writeString(zones.resolve("denied.test.zone"), plainZone("denied.test", 1));
        geosteer = TestServer.start(dir, c -> {
            ServerConfig.TsigKey k = new ServerConfig.TsigKey();
            k.secret = SECRET;
            c.tsigKeys.put("xfr-key", k);
            ServerConfig.Allow a = new ServerConfig.Allow();
            a.network = "127.0.0.0/8";
            a.key = "xfr-key";
            c.transfer.allow.add(a);
            c.transfer.catalog = "catalog.geosteer.";
            for (int port : notify) {
                c.transfer.notify.add("127.0.0.1:" + port);
            }
        }, "geoip/GeoIP2-City-Test.mmdb");
    }

    static String plainZone(String name, long serial) {
        return "$TTL 300\n@ SOA ns." + name + ". h." + name + ". " + serial + " 7200 3600 1209600 300\n@ NS ns." + name
                + ".\nns A 192.0.2.9\n";
    }

    double xfrCount(String kind) {
        var c = geosteer.server.metrics().find("geosteer_xfr").tag("kind", kind).tag("result", "ok").counter();
        return c == null ? 0 : c.count();
    }

    int startKnot(Path knotd, int port) throws IOException {
        Path run = Files.createDirectories(dir.resolve("knot"));
        int g = geosteer.address.getPort();
        String conf = """
                server:
                    listen: 127.0.0.1@%d
                    rundir: %s
                    udp-workers: 1
                    tcp-workers: 1
                    background-workers: 1
                database:
                    storage: %s
                log:
                  - target: stderr
                    any: info
                key:
                  - id: xfr-key
                    algorithm: hmac-sha256
                    secret: %s
                remote:
                  - id: geosteer
                    address: 127.0.0.1@%d
                    key: xfr-key
                acl:
                  - id: notify
                    address: 127.0.0.1
                    action: notify
                template:
                  - id: default
                    storage: %s
                    zonefile-sync: -1
                    zonefile-load: none
                    journal-content: changes
                  - id: member
                    storage: %s
                    master: geosteer
                    acl: notify
                    zonefile-sync: -1
                    zonefile-load: none
                    journal-content: changes
                zone:
                  - domain: catalog.geosteer.
                    master: geosteer
                    acl: notify
                    catalog-role: interpret
                    catalog-template: member
                """.formatted(port, Files.createDirectories(run.resolve("run")), Files.createDirectories(run.resolve("db")),
                SECRET, g, Files.createDirectories(run.resolve("zones")), run.resolve("zones"));
        Path file = run.resolve("knot.conf");
        Files.writeString(file, conf);
        run(run.resolve("knotd.log"), knotd.toString(), "-c", file.toString());
        return port;
    }

    int startNsd(Path nsd, int port) throws IOException {
        Path run = Files.createDirectories(dir.resolve("nsd"));
        int g = geosteer.address.getPort();
        String conf = """
                server:
                    ip-address: 127.0.0.1
                    port: %d
                    username: ""
                    chroot: ""
                    zonesdir: "%s"
                    database: ""
                    zonelistfile: "%s/zone.list"
                    xfrdfile: "%s/xfrd.state"
                    xfrdir: "%s"
                    pidfile: "%s/nsd.pid"
                    logfile: "%s/nsd.log"
                    verbosity: 2
                    server-count: 1
                    tcp-count: 10
                    hide-version: yes
                    reuseport: no
                remote-control:
                    control-enable: no
                key:
                    name: "xfr-key"
                    algorithm: hmac-sha256
                    secret: "%s"
                key:
                    name: "bad-key"
                    algorithm: hmac-sha256
                    secret: "b3RoZXJzZWNyZXRvdGhlcnNlY3JldG90aGVyc2VjcmV0"
                zone:
                    name: "xfr.test"
                    zonefile: "xfr.test.zone"
                    request-xfr: 127.0.0.1@%d xfr-key
                    allow-notify: 127.0.0.1 NOKEY
                zone:
                    name: "denied.test"
                    zonefile: "denied.test.zone"
                    request-xfr: 127.0.0.1@%d bad-key
                    allow-notify: 127.0.0.1 NOKEY
                """.formatted(port, run, run, run, run, run, run, SECRET, g, g);
        Path file = run.resolve("nsd.conf");
        Files.writeString(file, conf);
        run(run.resolve("nsd.out"), nsd.toString(), "-d", "-c", file.toString());
        return port;
    }

    @Test
    void knotAndNsdFollowGeosteerThroughNotifyIxfrAndTheCatalog() throws Exception {
        Path knotd = binary("/usr/sbin/knotd", "GEOSTEER_REQUIRE_KNOT");
        Path nsd = binary("/usr/sbin/nsd", "GEOSTEER_REQUIRE_NSD");
        int knotPort = freePort();
        int nsdPort = freePort();
        startGeosteer(knotPort, nsdPort);
        startKnot(knotd, knotPort);
        startNsd(nsd, nsdPort);
        Path knotLog = dir.resolve("knot/knotd.log");
        Path nsdLog = dir.resolve("nsd/nsd.log");

        // Initial AXFR: Knot finds xfr.test through the catalog zone, NSD from its configuration
        TestServer.await("Knot serves xfr.test serial 1 (log: " + knotLog + ")", Duration.ofSeconds(30),
                () -> serial(knotPort, "xfr.test.") == 1);
        TestServer.await("NSD serves xfr.test serial 1", Duration.ofSeconds(30), () -> serial(nsdPort, "xfr.test.") == 1);
        // The steered name: its documented fixed answer (transfer_as: default, what an unknown client gets)
        assertThat(answer(knotPort, "www.xfr.test.", Type.A)).containsExactly("198.51.100.10");
        assertThat(answer(nsdPort, "www.xfr.test.", Type.A)).containsExactly("198.51.100.10");
        assertThat(answer(nsdPort, "api.xfr.test.", Type.A)).isEmpty(); // transfer_as: omit

        // A wrong key: geosteer answers BADKEY, NSD logs it and serves nothing for that zone
        TestServer.await("NSD logs the refused transfer of denied.test", Duration.ofSeconds(20),
                () -> read(nsdLog).contains("denied.test") && read(nsdLog).toLowerCase().contains("bad"));
        assertThat(serial(nsdPort, "denied.test.")).isEqualTo(-1);

        // An edit: NOTIFY, then both serve the new serial within 5 s; Knot by IXFR
        double ixfrBefore = xfrCount("ixfr");
        Files.writeString(geosteer.zones.resolve("xfr.test.zone"), XfrTest.zone(2, "192.0.2.2", 0));
        TestServer.await("geosteer serves serial 2", Duration.ofSeconds(10), () -> serial(geosteer.address.getPort(), "xfr.test.") == 2);
        long edited = System.nanoTime();
        TestServer.await("Knot and NSD serve serial 2 within 5 s", Duration.ofSeconds(5),
                () -> serial(knotPort, "xfr.test.") == 2 && serial(nsdPort, "xfr.test.") == 2);
        System.out.printf("secondaries at serial 2 %d ms after geosteer%n", (System.nanoTime() - edited) / 1_000_000);
        assertThat(answer(knotPort, "static.xfr.test.", Type.A)).containsExactly("192.0.2.2");
        TestServer.await("geosteer counted an IXFR", Duration.ofSeconds(5), () -> xfrCount("ixfr") >= ixfrBefore + 1);
        TestServer.await("Knot logs an incoming IXFR of xfr.test", Duration.ofSeconds(5),
                () -> read(knotLog).matches("(?s).*xfr\\.test\\.\\] IXFR, incoming.*finished.*"));

        // A new zone file: Knot picks it up through the catalog zone; removed: Knot drops it
        Files.writeString(geosteer.zones.resolve("new.test.zone"), plainZone("new.test", 7));
        TestServer.await("Knot serves new.test from the catalog", Duration.ofSeconds(20),
                () -> serial(knotPort, "new.test.") == 7);
        Files.delete(geosteer.zones.resolve("new.test.zone"));
        TestServer.await("Knot drops new.test", Duration.ofSeconds(20), () -> serial(knotPort, "new.test.") == -1);
    }

    @Test
    void digTransfersWithAndWithoutTheKey() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dig")), "dig is not installed");
        startGeosteer();
        String port = String.valueOf(geosteer.address.getPort());
        String axfr = dig("@127.0.0.1", "-p", port, "xfr.test", "AXFR", "-y", KEY);
        assertThat(axfr.lines().filter(l -> l.contains("\tSOA\t")).count()).isEqualTo(2);
        assertThat(axfr).contains("www.xfr.test.\t\t30\tIN\tA\t198.51.100.10");
        assertThat(dig("@127.0.0.1", "-p", port, "xfr.test", "AXFR")).contains("Transfer failed");
        assertThat(dig("@127.0.0.1", "-p", port, "xfr.test", "AXFR", "-y", "hmac-sha256:xfr-key:"
                + "b3RoZXJzZWNyZXRvdGhlcnNlY3JldG90aGVyc2VjcmV0")).contains("Transfer failed");
        Files.writeString(geosteer.zones.resolve("xfr.test.zone"), XfrTest.zone(2, "192.0.2.2", 0));
        TestServer.await("serial 2", Duration.ofSeconds(10), () -> serial(geosteer.address.getPort(), "xfr.test.") == 2);
        String ixfr = dig("@127.0.0.1", "-p", port, "xfr.test", "IXFR=1", "-y", KEY);
        assertThat(ixfr.lines().filter(l -> !l.startsWith(";") && !l.isBlank() && !l.contains("TSIG")).toList())
                .hasSize(6).anySatisfy(l -> assertThat(l).contains("192.0.2.1"))
                .anySatisfy(l -> assertThat(l).contains("192.0.2.2"));
        assertThat(dig("@127.0.0.1", "-p", port, "xfr.test", "IXFR=1")).contains("Transfer failed");
    }

    public static String dig(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dig", "+tries=1", "+time=5"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        return out;
    }
}
