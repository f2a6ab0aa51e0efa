package dev.geosteer.differential;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Knot DNS ({@code knotd}) on an ephemeral loopback port, with a throw-away configuration,
 * database and run directory under {@code dir}; stopped by its PID. Serves the zone files given,
 * unchanged.
 */
public final class Knotd implements AutoCloseable {
    static final String BINARY = "knotd";

    public final InetSocketAddress address;
    final Path log;
    private final Process process;

    private Knotd(InetSocketAddress address, Path log, Process process) {
        this.address = address;
        this.log = log;
        this.process = process;
    }

    /**
     * The knotd binary for a test that needs it: when Knot is not installed the test is skipped, or
     * fails where GEOSTEER_REQUIRE_KNOT is set (CI installs Knot: there a missing knotd is a broken set-up).
     */
    static Path findOrSkip(String test) {
        Path knotd = find();
        if (knotd == null) {
            String why = "knotd not found (Debian: apt-get install knot)";
            org.assertj.core.api.Assertions.assertThat(System.getenv("GEOSTEER_REQUIRE_KNOT"))
                    .as(why + ", and GEOSTEER_REQUIRE_KNOT is set").isNull();
            System.err.println(test + " SKIPPED: " + why);
            org.junit.jupiter.api.Assumptions.abort(why + ": differential test skipped");
        }
        return knotd;
    }

    /**
     * The knotd binary, or null when Knot is not installed (Debian: {@code apt-get install knot}). The
     * system property {@code knotd} names another binary.
     */
    public static Path find() {
        String named = System.getProperty("knotd");
        if (named != null) {
            return Files.isExecutable(Path.of(named)) ? Path.of(named) : null;
        }
        for (String dir : List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin")) {
            Path p = Path.of(dir, BINARY);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                Path p = Path.of(dir, BINARY);
                if (!dir.isEmpty() && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /**
     * Starts knotd serving {@code zoneFiles} (each named {@code <origin>.zone}) and waits until it
     * answers {@code probeZone}'s SOA. A port taken between choosing and binding it is retried.
     */
    public static Knotd start(Path binary, Path dir, List<Path> zoneFiles, String probeZone) throws Exception {
        return start(binary, dir, zoneFiles, probeZone, "", null);
    }

    /**
     * The same with a query module: {@code moduleSection} is its configuration section (e.g.
     * {@code mod-cookies:\n  - id: default\n    secret: 0x...\n}), {@code globalModule} the reference
     * every zone uses ({@code mod-cookies/default}).
     */
    public static Knotd start(Path binary, Path dir, List<Path> zoneFiles, String probeZone, String moduleSection,
                              String globalModule) throws Exception {
        return start(binary, dir, zoneFiles, probeZone, moduleSection, globalModule, "");
    }

    /** The same with lines added to the zones' template ({@code templateLines}, e.g. {@code dnssec-signing: on}). */
    public static Knotd start(Path binary, Path dir, List<Path> zoneFiles, String probeZone, String moduleSection,
                              String globalModule, String templateLines) throws Exception {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path run = Files.createDirectories(dir.resolve("knot-" + attempt));
            Path zones = Files.createDirectories(run.resolve("zones"));
            StringBuilder conf = new StringBuilder()
                    .append("server:\n")
                    .append("    listen: 127.0.0.1@").append(port).append('\n')
                    .append("    rundir: ").append(Files.createDirectories(run.resolve("run"))).append('\n')
                    .append("    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\n")
                    .append("    udp-max-payload: 1232\n")
                    // geosteer answers EDNS Client Subnet (RFC 7871); Knot does when this is on
                    .append("    edns-client-subnet: on\n")
                    // geosteer discloses none of these (README): compare the zone answers, not the banner
                    .append("    identity: \"\"\n    version: \"\"\n    nsid: \"\"\n")
                    .append("database:\n    storage: ").append(Files.createDirectories(run.resolve("db"))).append('\n')
                    .append("log:\n  - target: stderr\n    any: notice\n")
                    .append(moduleSection)
                    .append("template:\n  - id: default\n    storage: ").append(zones).append('\n')
                    .append(globalModule == null ? "" : "    global-module: " + globalModule + "\n")
                    .append("    zonefile-sync: -1\n    journal-content: none\n")
                    .append(templateLines)
                    .append("zone:\n");
            for (Path f : zoneFiles) {
                Files.copy(f, zones.resolve(f.getFileName()));
                String origin = f.getFileName().toString().replaceFirst("\\.zone$", "");
                conf.append("  - domain: ").append(origin).append(".\n");
            }
            Path confFile = run.resolve("knot.conf");
            Files.writeString(confFile, conf);
            Path log = run.resolve("knotd.log");
            Process p = new ProcessBuilder(binary.toString(), "-c", confFile.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            Knotd k = new Knotd(address, log, p);
            try {
                k.awaitAnswering(probeZone, Duration.ofSeconds(20));
                return k;
            } catch (IOException e) {
                k.close();
                last = e;
            }
        }
        throw last;
    }

    /** Polls the SOA over UDP until knotd answers it authoritatively, or fails with its log. */
    private void awaitAnswering(String zone, Duration deadline) throws IOException, InterruptedException {
        byte[] query = Probe.soaQuery(zone);
        long end = System.nanoTime() + deadline.toNanos();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(200);
            while (System.nanoTime() < end) {
                if (!process.isAlive()) {
                    throw new IOException("knotd exited with " + process.exitValue() + ": " + logText());
                }
                s.send(new DatagramPacket(query, query.length, address));
                byte[] buf = new byte[4096];
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(in);
                    // AA and NOERROR: the zone is loaded (a SERVFAIL or REFUSED means not yet)
                    if (in.getLength() > 12 && (buf[2] & 0x04) != 0 && (buf[3] & 0x0F) == 0) {
                        return;
                    }
                } catch (SocketTimeoutException e) {
                    // not listening yet
                }
                Thread.sleep(20);
            }
        }
        throw new IOException("knotd did not answer the SOA of " + zone + " within " + deadline + ": " + logText());
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** A port free for both UDP and TCP on loopback right now. */
    private static int freePort() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                    return udp.getLocalPort();
                } catch (IOException taken) {
                    // that port is busy for UDP: try another
                }
            }
        }
        throw new IOException("no loopback port free for both UDP and TCP");
    }

    /** Stops knotd by its PID (SIGTERM, then SIGKILL if it does not exit in time). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
