package dev.geosteer;

import org.junit.jupiter.api.Assumptions;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real validating unbound (Debian's /usr/sbin/unbound) for the tests: trust anchors given as DS
 * records, each zone a stub to a geosteer, ECS forwarded ({@code subnetcache validator iterator}).
 */
final class Unbound implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/unbound");
    static final Path CONTROL = Path.of("/usr/sbin/unbound-control");

    private final Process process;
    private final Path conf;
    final Path log;
    final InetSocketAddress address;

    private Unbound(Process process, Path conf, Path log, InetSocketAddress address) {
        this.process = process;
        this.conf = conf;
        this.log = log;
        this.address = address;
    }

    /** Skips the calling test when unbound is missing (fails it when GEOSTEER_REQUIRE_UNBOUND is set). */
    static void require() {
        if (!Files.isExecutable(BINARY) || !Files.isExecutable(CONTROL)) {
            String why = "unbound not found (Debian: apt-get install unbound)";
            assertThat(System.getenv("GEOSTEER_REQUIRE_UNBOUND")).as(why + ", and GEOSTEER_REQUIRE_UNBOUND is set").isNull();
            System.err.println("SKIPPED: " + why);
            Assumptions.abort(why);
        }
    }

    static int freePort() throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                    return port;
                } catch (IOException taken) {
                    if (attempt > 20) {
                        throw taken;
                    }
                }
            }
        }
    }

    /**
     * Starts unbound in {@code dir}.
     *
     * @param trustAnchors DS records in presentation form ("zone. IN DS ...")
     * @param stubs        zone name → the geosteer that serves it
     */
    static Unbound start(Path dir, List<String> trustAnchors, Map<String, InetSocketAddress> stubs) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        Path conf = dir.resolve("unbound.conf");
        Path log = dir.resolve("unbound.log");
        StringBuilder c = new StringBuilder();
        c.append("server:\n")
                .append("  interface: 127.0.0.1\n  port: ").append(port).append('\n')
                .append("  do-daemonize: no\n  use-syslog: no\n  logfile: \"").append(log).append("\"\n")
                .append("  verbosity: 1\n  val-log-level: 2\n  log-servfail: yes\n")
                .append("  chroot: \"\"\n  username: \"\"\n  directory: \"").append(dir).append("\"\n")
                .append("  pidfile: \"").append(dir.resolve("unbound.pid")).append("\"\n")
                .append("  num-threads: 1\n  do-ip6: no\n  so-reuseport: no\n")
                .append("  access-control: 127.0.0.0/8 allow\n  do-not-query-localhost: no\n")
                .append("  qname-minimisation: no\n  prefetch: no\n  aggressive-nsec: yes\n")
                .append("  module-config: \"subnetcache validator iterator\"\n")
                .append("  send-client-subnet: 127.0.0.1\n  client-subnet-always-forward: yes\n")
                .append("  max-client-subnet-ipv4: 24\n  edns-buffer-size: 1232\n")
                .append("  val-bogus-ttl: 0\n  infra-host-ttl: 60\n  local-zone: \"test.\" nodefault\n");
        for (String ds : trustAnchors) {
            c.append("  trust-anchor: \"").append(ds).append("\"\n");
        }
        c.append("remote-control:\n  control-enable: yes\n  control-use-cert: no\n  control-interface: ")
                .append(dir.resolve("unbound.ctl")).append('\n');
        stubs.forEach((zone, at) -> c.append("stub-zone:\n  name: \"").append(zone).append("\"\n  stub-addr: ")
                .append(at.getAddress().getHostAddress()).append('@').append(at.getPort()).append('\n'));
        Files.writeString(conf, c);
        Process p = new ProcessBuilder(BINARY.toString(), "-d", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("unbound.out").toFile()).start();
        Unbound u = new Unbound(p, conf, log, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                u.query(stubs.keySet().iterator().next(), org.xbill.DNS.Type.SOA, null);
                return u;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    String out = Files.exists(dir.resolve("unbound.out")) ? Files.readString(dir.resolve("unbound.out")) : "";
                    u.close();
                    throw new AssertionError("unbound did not start: " + out
                            + (Files.exists(log) ? Files.readString(log) : ""), notYet);
                }
                Thread.sleep(50);
            }
        }
    }

    /** A query with DO (and ECS when {@code subnet} is not null, as "10.1.2.0/24"). */
    Message query(String name, int type, String subnet) throws IOException {
        SimpleResolver r = new SimpleResolver(address);
        r.setTimeout(Duration.ofSeconds(5));
        List<EDNSOption> options = subnet == null ? List.of() : List.of(new ClientSubnetOption(
                Integer.parseInt(subnet.split("/")[1]), InetAddress.getByName(subnet.split("/")[0])));
        r.setEDNS(0, 1232, ExtendedFlags.DO, options);
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    /** Forgets everything cached (records, messages, keys, the subnet cache): a reload of unbound. */
    void flush(String zone) throws Exception {
        control("reload");
    }

    void control(String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = CONTROL.toString();
        cmd[1] = "-c";
        cmd[2] = conf.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("unbound-control " + String.join(" ", args) + ": " + out);
        }
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
