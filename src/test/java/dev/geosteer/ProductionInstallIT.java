package dev.geosteer;

import org.junit.jupiter.api.Assumptions;
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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's production steps, followed as far as a test can without systemd and root: the shipped unit,
 * settings and wrapper installed under a throw-away root, the built jar started by the unit's own ExecStart
 * (listening on ephemeral loopback ports), {@code geosteer check}, {@code geosteer reload}, the unit's
 * ExecReload (SIGHUP), and a stop that systemd counts as a success. Also the Docker image's defaults and
 * HEALTHCHECK, run without Docker. Runs after {@code package} (failsafe), against {@code target/geosteer.jar}.
 */
class ProductionInstallIT {
    static final Path REPO = Path.of("").toAbsolutePath();
    static final Path JAR = REPO.resolve("target/geosteer.jar");
    static final Path UNIT = REPO.resolve("packaging/systemd/geosteer.service");
    static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path root;

    record Run(int exit, String output) {
    }

    /** Runs a short command to its end; stdout and stderr together. */
    static Run run(Path dir, Map<String, String> env, List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        b.environment().remove("GEOSTEER_ADMIN_TOKEN");
        b.environment().remove("GEOSTEER_CONFIG");
        b.environment().putAll(env);
        Process p = b.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running: " + cmd);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The [Service] section of the unit: key → value (the last one of a repeated key). */
    static Map<String, String> unit() throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        String section = "";
        for (String line : Files.readAllLines(UNIT)) {
            String l = line.strip();
            if (l.startsWith("[")) {
                section = l;
            } else if (!l.isEmpty() && !l.startsWith("#") && l.contains("=")) {
                keys.put(section + l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
        }
        return keys;
    }

    static int freePort() throws IOException {
        return LogOptionsTest.freePort();
    }

    static int tcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * MaxMind's small test database instead of the shipped one: loading a million networks takes seconds on
     * every start and reload, and GeoIP is not what these tests are about.
     */
    static void smallGeoip(Path dir) throws IOException {
        Files.createDirectories(dir);
        TestServer.copyResource("geoip/GeoIP2-City-Test.mmdb", dir.resolve("GeoIP2-City-Test.mmdb"));
    }

    static long serial(int port) throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
        r.setTimeout(Duration.ofSeconds(3));
        Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString("example.test."), Type.SOA, DClass.IN)));
        return ((SOARecord) m.getSection(Section.ANSWER).get(0)).getSerial();
    }

    static void awaitSerial(int port, long serial, String why) throws InterruptedException {
        TestServer.await("serial " + serial + " " + why, Duration.ofSeconds(30), () -> {
            try {
                return serial(port) == serial;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** Rewrites the zone's serial, as an operator editing the file would. */
    static void setSerial(Path zone, long serial) throws IOException {
        String text = Files.readString(zone);
        Matcher m = Pattern.compile("(\\d{10})(\\s*; serial)").matcher(text);
        assertThat(m.find()).as("a serial in " + zone).isTrue();
        Files.writeString(zone, m.replaceFirst(serial + "$2"));
    }

    /** A systemd EnvironmentFile's KEY=value lines. */
    static Map<String, String> environmentFile(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return env;
    }

    @Test
    void theUnitHasWhatTheReadmePromises() throws Exception {
        Map<String, String> u = unit();
        assertThat(u).containsEntry("[Unit]Wants", "network-online.target")
                .containsEntry("[Unit]After", "network-online.target")
                .containsEntry("[Service]User", "geosteer")
                .containsEntry("[Service]AmbientCapabilities", "CAP_NET_BIND_SERVICE")
                .containsEntry("[Service]CapabilityBoundingSet", "CAP_NET_BIND_SERVICE")
                .containsEntry("[Service]NoNewPrivileges", "true")
                .containsEntry("[Service]ProtectSystem", "strict")
                .containsEntry("[Service]ProtectHome", "true")
                .containsEntry("[Service]PrivateTmp", "true")
                .containsEntry("[Service]StateDirectory", "geosteer")
                .containsEntry("[Service]ExecReload", "/bin/kill -HUP $MAINPID")
                .containsEntry("[Service]SuccessExitStatus", "143")
                .containsEntry("[Install]WantedBy", "multi-user.target");
        assertThat(u.get("[Service]ExecStart")).contains("-jar /opt/geosteer/geosteer.jar serve --config "
                + "/etc/geosteer/geosteer.yaml");
    }

    @Test
    void systemdAcceptsTheUnit() throws Exception {
        boolean available = Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "systemd-analyze")));
        Assumptions.assumeTrue(available, "systemd-analyze is not installed (apt-get install systemd)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/java")), "the unit runs /usr/bin/java");
        Run r = run(root, Map.of(), List.of("systemd-analyze", "verify", UNIT.toString()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).as("warnings about the unit").isBlank();
    }

    @Test
    void theReadmeProductionStepsWork() throws Exception {
        assertThat(JAR).as("built by mvn package").exists();
        int dnsPort = freePort();
        int adminPort = tcpPort();
        // The install, as the README's steps lay it out (under a throw-away root, without useradd and chown).
        Path opt = Files.createDirectories(root.resolve("opt/geosteer"));
        Path etc = Files.createDirectories(root.resolve("etc/geosteer"));
        Path bin = Files.createDirectories(root.resolve("usr/local/bin"));
        Files.copy(JAR, opt.resolve("geosteer.jar"));
        Files.copy(REPO.resolve("packaging/geosteer"), bin.resolve("geosteer"));
        bin.resolve("geosteer").toFile().setExecutable(true);
        String config = Files.readString(REPO.resolve("packaging/geosteer.yaml"));
        assertThat(config).contains("listen: [\"0.0.0.0:53\", \"[::]:53\"]").contains("\"127.0.0.1:8053\"");
        Path state = Files.createDirectories(root.resolve("var/lib/geosteer")); // systemd's StateDirectory
        Files.writeString(etc.resolve("geosteer.yaml"), config.replace("127.0.0.1:8053", "127.0.0.1:" + adminPort)
                .replace("/var/lib/geosteer", state.toString()));
        copyTree(REPO.resolve("zones"), etc.resolve("zones"));
        smallGeoip(etc.resolve("geoip"));
        Files.writeString(etc.resolve("geosteer.env"), "GEOSTEER_ADMIN_TOKEN=prod-" + System.nanoTime() + "\n");

        // The wrapper finds the installed jar, settings and token.
        Map<String, String> wrapperEnv = Map.of("GEOSTEER_HOME", opt.toString(), "GEOSTEER_ETC", etc.toString(),
                "JAVA", ServerProcess.java());
        List<String> geosteer = List.of(bin.resolve("geosteer").toString());
        Run check = run(root, wrapperEnv, concat(geosteer, "check"));
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("ok example.test. serial 2026112701");

        // systemctl start: the unit's ExecStart, paths mapped into the root, the DNS listen on a free port.
        List<String> exec = new ArrayList<>();
        for (String word : unit().get("[Service]ExecStart").split(" ")) {
            exec.add(word.equals("/usr/bin/java") ? ServerProcess.java()
                    : word.replace("/opt/geosteer", opt.toString()).replace("/etc/geosteer", etc.toString()));
        }
        exec.addAll(List.of("--listen", "127.0.0.1:" + dnsPort));
        try (ServerProcess server = ServerProcess.start(exec, root, environmentFile(etc.resolve("geosteer.env")))) {
            server.awaitLine("answering on 127\\.0\\.0\\.1:" + dnsPort, START);
            server.awaitLine("admin API on http://127\\.0\\.0\\.1:" + adminPort + " \\(bearer token required, "
                    + "/metrics open\\)", START);
            assertThat(serial(dnsPort)).isEqualTo(2026112701L);

            // Edit, then `geosteer reload`.
            setSerial(etc.resolve("zones/example.test.zone"), 2026112702L);
            Run reload = run(root, wrapperEnv, concat(geosteer, "reload"));
            assertThat(reload.exit()).as(reload.output()).isZero();
            assertThat(reload.output()).contains("reloaded: 1 zones, no errors");
            assertThat(serial(dnsPort)).isEqualTo(2026112702L);

            // A broken edit: `geosteer check` and `geosteer reload` name it, the last good version stays.
            Path zone = etc.resolve("zones/example.test.zone");
            String good = Files.readString(zone);
            Files.writeString(zone, good + "broken A 192.0.2\n");
            Run bad = run(root, wrapperEnv, concat(geosteer, "reload"));
            assertThat(bad.exit()).isEqualTo(1);
            assertThat(bad.output()).contains(zone + ":").contains("the previous versions stay in service");
            Files.writeString(zone, good);

            // systemctl reload: the unit's ExecReload, with MAINPID as systemd sets it.
            setSerial(zone, 2026112703L);
            Run hup = run(root, Map.of("MAINPID", Long.toString(server.pid())),
                    List.of("sh", "-c", unit().get("[Service]ExecReload")));
            assertThat(hup.exit()).as(hup.output()).isZero();
            awaitSerial(dnsPort, 2026112703L, "after ExecReload (SIGHUP)");
            server.awaitLine("reload on SIGHUP done", Duration.ofSeconds(10));
            assertThat(server.isAlive()).isTrue();

            // systemctl stop: SIGTERM; 143 is in SuccessExitStatus.
            server.signal("TERM");
            int exit = server.awaitExit(Duration.ofSeconds(30));
            assertThat(List.of(unit().get("[Service]SuccessExitStatus").split(" "))).contains(Integer.toString(exit));
            assertThat(server.lines()).anyMatch(l -> l.contains("INFO  geosteer stopped"));
            assertThat(server.log()).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void theDockerImageDefaultsNeedATokenAndItsHealthcheckSeesReadiness() throws Exception {
        assertThat(JAR).as("built by mvn package").exists();
        String dockerfile = Files.readString(REPO.resolve("Dockerfile"));
        assertThat(dockerfile).contains("COPY packaging/docker/geosteer.yaml /opt/geosteer/geosteer.yaml")
                .contains("CMD [\"serve\", \"--config\", \"/opt/geosteer/geosteer.yaml\"]");
        Matcher hc = Pattern.compile("(?m)^\\s+CMD (bash -c .*)$").matcher(dockerfile);
        assertThat(hc.find()).as("a HEALTHCHECK CMD").isTrue();
        int dnsPort = freePort();
        int adminPort = tcpPort();
        String healthcheck = hc.group(1).replace("8053", Integer.toString(adminPort));

        // /opt/geosteer as the image lays it out, the ports moved off 5353 and 8053.
        Path opt = Files.createDirectories(root.resolve("opt/geosteer"));
        Files.writeString(opt.resolve("geosteer.yaml"), Files.readString(REPO.resolve("packaging/docker/geosteer.yaml"))
                .replace("0.0.0.0:5353", "127.0.0.1:" + dnsPort).replace("0.0.0.0:8053", "0.0.0.0:" + adminPort));
        copyTree(REPO.resolve("zones"), opt.resolve("zones"));
        smallGeoip(opt.resolve("geoip"));
        List<String> cmd = List.of("serve", "--config", opt.resolve("geosteer.yaml").toString());

        try (ServerProcess noToken = ServerProcess.fromJar(JAR, opt, Map.of(), cmd.toArray(String[]::new))) {
            assertThat(noToken.awaitExit(START)).as("refused settings").isEqualTo(2);
            assertThat(noToken.log()).contains("0.0.0.0:" + adminPort).contains("GEOSTEER_ADMIN_TOKEN");
        }
        assertThat(run(root, Map.of(), List.of("sh", "-c", healthcheck)).exit()).as("nothing listens yet").isNotZero();
        try (ServerProcess server = ServerProcess.fromJar(JAR, opt, Map.of("GEOSTEER_ADMIN_TOKEN", "docker-token"),
                cmd.toArray(String[]::new))) {
            server.awaitLine("answering on 127\\.0\\.0\\.1:" + dnsPort, START);
            TestServer.await("the HEALTHCHECK passes", START, () -> {
                try {
                    return run(root, Map.of(), List.of("sh", "-c", healthcheck)).exit() == 0;
                } catch (Exception e) {
                    return false;
                }
            });
            server.awaitLine("admin API on http://0\\.0\\.0\\.0:" + adminPort + " \\(bearer token required, /metrics "
                    + "too\\)", Duration.ofSeconds(5));
        }
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
