package dev.geosteer.testkit;

import dev.geosteer.config.ServerConfig;
import org.junit.jupiter.api.Assumptions;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real secondaries of a geosteer on loopback: Knot DNS and NSD, each run from a throw-away configuration
 * under {@code dir/knot} or {@code dir/nsd} (its log there too), taking zones by TSIG ({@link #KEY}) and
 * NOTIFY from 127.0.0.1, and stopped by its PID on {@link #close()}. Used by SecondariesTest and
 * SignedSecondariesTest; the geosteer side of the key is {@link #allowTransfers(ServerConfig)}.
 */
public final class Secondaries implements AutoCloseable {
    /** The TSIG key both sides share. */
    public static final String KEY = "xfr-key";
    public static final String SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=";
    /** A key geosteer does not know (NSD's configuration has it too, for a zone meant to be refused). */
    public static final String WRONG_KEY = "bad-key";
    public static final String WRONG_SECRET = "b3RoZXJzZWNyZXRvdGhlcnNlY3JldG90aGVyc2VjcmV0";
    /** The key as {@code dig -y} takes it. */
    public static final String DIG_KEY = "hmac-sha256:" + KEY + ":" + SECRET;

    private final Path dir;
    private final int primary;
    private final List<Process> processes = new ArrayList<>();

    /** Secondaries of the geosteer on 127.0.0.1:{@code primary}, run under {@code dir}. */
    public Secondaries(Path dir, int primary) {
        this.dir = dir;
        this.primary = primary;
    }

    /** geosteer's side: {@link #KEY} known, and transfers allowed from 127.0.0.0/8 with it. */
    public static void allowTransfers(ServerConfig c) {
        ServerConfig.TsigKey k = new ServerConfig.TsigKey();
        k.secret = SECRET;
        c.tsigKeys.put(KEY, k);
        ServerConfig.Allow a = new ServerConfig.Allow();
        a.network = "127.0.0.0/8";
        a.key = KEY;
        c.transfer.allow.add(a);
    }

    private static final String KNOTD = "/usr/sbin/knotd";
    private static final String NSD = "/usr/sbin/nsd";

    /**
     * Skips the calling test when knotd or NSD is missing, unless GEOSTEER_REQUIRE_KNOT /
     * GEOSTEER_REQUIRE_NSD is set: then it fails.
     */
    public static void require() {
        binary(KNOTD, "GEOSTEER_REQUIRE_KNOT");
        binary(NSD, "GEOSTEER_REQUIRE_NSD");
    }

    /** Skips the calling test when {@code path} is missing, or fails it when {@code variable} is set. */
    private static Path binary(String path, String variable) {
        Path p = Path.of(path);
        if (!Files.isExecutable(p)) {
            Assumptions.assumeTrue(System.getenv(variable) == null, path + " is required (" + variable + ") but missing");
            Assumptions.abort(path + " is not installed: test skipped");
        }
        return p;
    }

    /** Knot as the secondary of the zones named (with a trailing dot). */
    public void knot(int port, String... zones) throws IOException {
        StringBuilder z = new StringBuilder("zone:\n");
        for (String zone : zones) {
            z.append("  - domain: ").append(zone).append("\n    master: geosteer\n    acl: notify\n");
        }
        knot(port, "", z.toString());
    }

    /** Knot following geosteer's catalog zone {@code catalog}: the member zones are the ones it lists. */
    public void knotFollowingCatalog(int port, String catalog) throws IOException {
        String member = """
                  - id: member
                %s    master: geosteer
                    acl: notify
                """.formatted(zoneSettings());
        knot(port, member, """
                zone:
                  - domain: %s
                    master: geosteer
                    acl: notify
                    catalog-role: interpret
                    catalog-template: member
                """.formatted(catalog));
    }

    private String zoneSettings() {
        return """
                    storage: %s
                    zonefile-sync: -1
                    zonefile-load: none
                    journal-content: changes
                """.formatted(dir.resolve("knot/zones"));
    }

    private void knot(int port, String templates, String zones) throws IOException {
        Path run = Files.createDirectories(dir.resolve("knot"));
        Files.createDirectories(run.resolve("zones"));
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
                  - id: %s
                    algorithm: hmac-sha256
                    secret: %s
                remote:
                  - id: geosteer
                    address: 127.0.0.1@%d
                    key: %s
                acl:
                  - id: notify
                    address: 127.0.0.1
                    action: notify
                template:
                  - id: default
                """.formatted(port, Files.createDirectories(run.resolve("run")), Files.createDirectories(run.resolve("db")),
                KEY, SECRET, primary, KEY) + zoneSettings() + templates + zones;
        Path file = run.resolve("knot.conf");
        Files.writeString(file, conf);
        run(knotLog(), binary(KNOTD, "GEOSTEER_REQUIRE_KNOT").toString(), "-c", file.toString());
    }

    /**
     * NSD as the secondary of the zones given (no trailing dot), each asked for with the key given
     * ({@link #KEY}, or {@link #WRONG_KEY} for a transfer geosteer must refuse).
     */
    public void nsd(int port, Map<String, String> keyOfZone) throws IOException {
        Path run = Files.createDirectories(dir.resolve("nsd"));
        StringBuilder conf = new StringBuilder("""
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
                    logfile: "%s"
                    verbosity: 2
                    server-count: 1
                    tcp-count: 10
                    hide-version: yes
                    reuseport: no
                remote-control:
                    control-enable: no
                key:
                    name: "%s"
                    algorithm: hmac-sha256
                    secret: "%s"
                key:
                    name: "%s"
                    algorithm: hmac-sha256
                    secret: "%s"
                """.formatted(port, run, run, run, run, run, nsdLog(), KEY, SECRET, WRONG_KEY, WRONG_SECRET));
        keyOfZone.forEach((zone, key) -> conf.append("""
                zone:
                    name: "%s"
                    zonefile: "%s.zone"
                    request-xfr: 127.0.0.1@%d %s
                    allow-notify: 127.0.0.1 NOKEY
                """.formatted(zone, zone, primary, key)));
        Path file = run.resolve("nsd.conf");
        Files.writeString(file, conf);
        run(run.resolve("nsd.out"), binary(NSD, "GEOSTEER_REQUIRE_NSD").toString(), "-d", "-c", file.toString());
    }

    public Path knotLog() {
        return dir.resolve("knot/knotd.log");
    }

    public Path nsdLog() {
        return dir.resolve("nsd/nsd.log");
    }

    /** Whether Knot has logged a finished incoming IXFR of {@code zone} (with a trailing dot). */
    public boolean knotTookIxfr(String zone) {
        return read(knotLog()).matches("(?s).*" + java.util.regex.Pattern.quote(zone) + "\\] IXFR, incoming.*finished.*");
    }

    private void run(Path log, String... command) throws IOException {
        processes.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }

    /** Stops each secondary by its PID: SIGTERM, then SIGKILL after 10 s. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        processes.clear();
    }

    /** A loopback port free for both TCP and UDP. */
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

    /** The rdata of the answer a server gives to a plain query. */
    public static List<String> answer(int port, String name, int type) throws IOException {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        r.setTimeout(Duration.ofSeconds(2));
        Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, 1)));
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
    }

    /** A log file's text, "" while it does not exist. */
    public static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** dig's output (+tries=1 +time=5, then {@code args}). */
    public static String dig(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dig", "+tries=1", "+time=5"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        return out;
    }
}
