package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.dnssec.Algorithm;
import dev.geosteer.dnssec.DnssecKey;
import dev.geosteer.dnssec.Ds;
import dev.geosteer.dnssec.KeyStore;
import dev.geosteer.dnssec.KeyTiming;
import dev.geosteer.testkit.Secondaries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * geosteer as the only signing primary of standard secondaries: Knot and NSD transfer the signed zone
 * (TSIG, NOTIFY, IXFR) and a real validating unbound, whose trust anchor is the zone's DS and whose stub
 * for the zone is the SECONDARY, validates their answers: positive, NXDOMAIN, NODATA, wildcard, and the
 * steered names' transferred answers. After a key rollover and after a re-sign at half the signatures'
 * validity, the secondaries take the new signatures by NOTIFY + IXFR and still validate; after a restart
 * of geosteer (which signs again), the served serial goes on from the one kept in the state directory and
 * they take that version too. The AXFR, as {@code dig} receives it, passes {@code dnssec-verify}.
 */
class SignedSecondariesTest {
    static final String ZONE = "sec.test.";
    static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Short enough that the test sees a re-sign at half of it (20 s); geosteer.yaml refuses less than 2 h. */
    static final Duration VALIDITY = Duration.ofSeconds(40);

    @TempDir
    Path dir;
    TestServer geosteer;
    Secondaries secondaries;
    final List<Unbound> unbounds = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        unbounds.forEach(Unbound::close);
        if (secondaries != null) {
            secondaries.close();
        }
        if (geosteer != null) {
            geosteer.close();
        }
    }

    @Test
    void knotAndNsdServeTheSignedZoneAndValidatorsTrustThem() throws Exception {
        Secondaries.require();
        Unbound.require();
        Path zones = Files.createDirectories(dir.resolve("zones"));
        Path keys = zones.resolve("keys");
        SecureRandom rnd = new SecureRandom();
        DnssecKey key1 = KeyStore.create(keys, Name.fromString(ZONE), Algorithm.ECDSAP256SHA256, DnssecKey.CSK_FLAGS,
                KeyTiming.activeFrom(Instant.now().minusSeconds(3600)), rnd);
        DnssecKey key2 = KeyStore.create(keys, Name.fromString(ZONE), Algorithm.ECDSAP256SHA256, DnssecKey.CSK_FLAGS,
                KeyTiming.NONE, rnd);
        TestServer.copyResource("dnssec/sec.test.zone", zones.resolve("sec.test.zone"));
        TestServer.copyResource("dnssec/sec.test.steer.yaml", zones.resolve("sec.test.steer.yaml"));
        // a dual-stack balancer (A and AAAA transferred) and one transferred as nothing (transfer_as: omit)
        Files.writeString(zones.resolve("sec.test.steer.yaml"), """
                  dual: { steering: failover, ttl: 30, default_pools: [ap] }
                  gone: { steering: failover, ttl: 30, default_pools: [us], transfer_as: omit }
                """, java.nio.file.StandardOpenOption.APPEND);
        int knotPort = Secondaries.freePort();
        int nsdPort = Secondaries.freePort();
        int g = Secondaries.freePort(); // fixed: the secondaries find geosteer there again after its restart
        java.util.function.Consumer<ServerConfig> config = c -> {
            c.listen = List.of("127.0.0.1:" + g);
            Secondaries.allowTransfers(c);
            c.transfer.notify.add("127.0.0.1:" + knotPort);
            c.transfer.notify.add("127.0.0.1:" + nsdPort);
            c.dnssec.signatureValidity = VALIDITY;
        };
        geosteer = TestServer.start(dir, config);
        secondaries = new Secondaries(dir, g);
        secondaries.knot(knotPort, ZONE);
        secondaries.nsd(nsdPort, Map.of("sec.test", Secondaries.KEY));
        awaitInStep(g, knotPort, nsdPort);

        List<String> anchors = List.of(Ds.text(key1, Ds.SHA256), Ds.text(key2, Ds.SHA256));
        Unbound viaKnot = Unbound.start(dir.resolve("unbound-knot"), anchors,
                Map.of(ZONE, new InetSocketAddress(InetAddress.getLoopbackAddress(), knotPort)));
        unbounds.add(viaKnot);
        Unbound viaNsd = Unbound.start(dir.resolve("unbound-nsd"), anchors,
                Map.of(ZONE, new InetSocketAddress(InetAddress.getLoopbackAddress(), nsdPort)));
        unbounds.add(viaNsd);
        for (Unbound u : unbounds) {
            allValidate(u);
        }

        // What the secondaries got is the signed zone, whole: dnssec-verify accepts the AXFR
        verifyAxfr(g);

        // A CSK rollover, step 1: the new key published and active (two DNSKEYs, two RRSIGs per RRset)
        long before = Secondaries.serial(g, ZONE);
        settime(keys, key2, "-P", "now", "-A", "now");
        TestServer.await("geosteer serves 2 DNSKEYs", DEADLINE, () -> dnskeys(g) == 2);
        assertThat(after(Secondaries.serial(g, ZONE), before)).as("the serial moved with the signatures").isTrue();
        awaitInStep(g, knotPort, nsdPort);
        assertThat(dnskeys(knotPort)).isEqualTo(2);
        assertThat(dnskeys(nsdPort)).isEqualTo(2);
        for (Unbound u : unbounds) {
            u.flush(ZONE);
            allValidate(u);
        }
        // step 2: the old key retired and removed
        settime(keys, key1, "-I", "now", "-D", "now");
        TestServer.await("geosteer serves 1 DNSKEY", DEADLINE, () -> dnskeys(g) == 1);
        awaitInStep(g, knotPort, nsdPort);
        assertThat(dnskeys(knotPort)).isEqualTo(1);
        for (Unbound u : unbounds) {
            u.flush(ZONE);
            allValidate(u);
        }
        TestServer.await("Knot logs an incoming IXFR of sec.test", DEADLINE, () -> secondaries.knotTookIxfr(ZONE));

        // A re-sign at half the validity (nothing else changes): a new serial, taken by IXFR, and the
        // secondaries serve signatures that expire later (the SOA's: a refresh signs again only the
        // RRsets whose signatures are due, and the SOA, whose serial changed)
        long expiring = expiration(knotPort, ZONE, Type.SOA);
        long serial = Secondaries.serial(g, ZONE);
        TestServer.await("geosteer signs again at half the validity", VALIDITY, () -> after(Secondaries.serial(g, ZONE), serial));
        awaitInStep(g, knotPort, nsdPort);
        assertThat(expiration(knotPort, ZONE, Type.SOA)).isGreaterThan(expiring);
        assertThat(expiration(nsdPort, ZONE, Type.SOA)).isGreaterThan(expiring);
        for (Unbound u : unbounds) {
            u.flush(ZONE);
            allValidate(u);
        }
        verifyAxfr(g);

        // A restart signs again (new signatures): the served serial goes on after the last one served (kept in
        // the state directory), not back to the file's 1, so the secondaries take the new signatures
        long beforeRestart = Secondaries.serial(g, ZONE);
        geosteer.close();
        geosteer = null;
        geosteer = TestServer.start(dir, config);
        TestServer.await("geosteer serves a serial after " + beforeRestart, DEADLINE,
                () -> after(Secondaries.serial(g, ZONE), beforeRestart));
        awaitInStep(g, knotPort, nsdPort);
        for (Unbound u : unbounds) {
            u.flush(ZONE);
            allValidate(u);
        }
    }

    /** Every case through one validating unbound (whose stub is a secondary): AD on each. */
    static void allValidate(Unbound u) throws Exception {
        assertThat(DnssecValidationTest.answers(DnssecValidationTest.validated(u, "www." + ZONE, Type.A, null), Type.A))
                .containsExactly("192.0.2.80");
        assertThat(DnssecValidationTest.validated(u, "nope." + ZONE, Type.A, null).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(DnssecValidationTest.validated(u, "www." + ZONE, Type.MX, null).getSection(Section.ANSWER)).isEmpty();
        assertThat(DnssecValidationTest.validated(u, "c." + ZONE, Type.A, null).getSection(Section.ANSWER)).isEmpty();
        assertThat(DnssecValidationTest.answers(DnssecValidationTest.validated(u, "anything.wild." + ZONE, Type.A, null),
                Type.A)).containsExactly("192.0.2.100");
        assertThat(DnssecValidationTest.answers(DnssecValidationTest.validated(u, "alias." + ZONE, Type.A, null), Type.A))
                .containsExactly("192.0.2.80");
        // the steered names, as transferred: transfer_as default (the unknown client's first pool, eu: no IPv6)
        assertThat(DnssecValidationTest.answers(DnssecValidationTest.validated(u, "geo." + ZONE, Type.A, null), Type.A))
                .containsExactly("192.0.2.10");
        assertThat(DnssecValidationTest.validated(u, "geo." + ZONE, Type.AAAA, null).getSection(Section.ANSWER))
                .as("NODATA, proven by the NSEC bitmap of what was transferred").isEmpty();
        assertThat(DnssecValidationTest.answers(DnssecValidationTest.validated(u, "dual." + ZONE, Type.AAAA, null),
                Type.AAAA)).containsExactly("2001:db8:0:0:0:0:0:30");
        assertThat(DnssecValidationTest.validated(u, "gone." + ZONE, Type.A, null).getSection(Section.ANSWER)).isEmpty();
    }

    void verifyAxfr(int port) throws Exception {
        Path verify = Path.of("/usr/bin/dnssec-verify");
        if (!Files.isExecutable(verify) || !Files.isExecutable(Path.of("/usr/bin/dig"))) {
            assertThat(System.getenv("GEOSTEER_REQUIRE_BIND")).as("dig and dnssec-verify (bind9-utils) are missing").isNull();
            return;
        }
        String axfr = Secondaries.dig("@127.0.0.1", "-p", String.valueOf(port), ZONE, "AXFR", "-y", Secondaries.DIG_KEY,
                "+noall", "+answer");
        List<String> records = axfr.lines().filter(l -> !l.isBlank() && !l.startsWith(";") && !l.contains("\tTSIG\t"))
                .toList();
        assertThat(records).anyMatch(l -> l.contains("\tNSEC\t")).anyMatch(l -> l.contains("\tDNSKEY\t"))
                .anyMatch(l -> l.startsWith("geo.sec.test.") && l.contains("\tRRSIG\tA "));
        Path file = Files.writeString(dir.resolve("axfr-" + System.nanoTime() + ".zone"),
                String.join("\n", records.subList(0, records.size() - 1)) + "\n"); // the closing SOA: once is enough
        Process p = new ProcessBuilder(verify.toString(), "-z", "-o", ZONE, file.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out + "\n" + axfr).isZero();
        assertThat(out).contains("Zone fully signed");
    }

    /** Waits until both secondaries serve geosteer's current serial (which may move meanwhile: a re-sign). */
    static void awaitInStep(int g, int knot, int nsd) throws InterruptedException {
        TestServer.await("Knot and NSD serve geosteer's serial", DEADLINE, () -> {
            long s = Secondaries.serial(g, ZONE);
            return s >= 0 && Secondaries.serial(knot, ZONE) == s && Secondaries.serial(nsd, ZONE) == s;
        });
    }

    static boolean after(long a, long b) {
        long d = (a - b) & 0xFFFFFFFFL;
        return d != 0 && d < 0x80000000L;
    }

    static Message withDo(int port, String name, int type) throws IOException {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        r.setTCP(true);
        r.setTimeout(Duration.ofSeconds(2));
        r.setEDNS(0, 1232, ExtendedFlags.DO, List.of());
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    static int dnskeys(int port) {
        try {
            return (int) withDo(port, ZONE, Type.DNSKEY).getSection(Section.ANSWER).stream()
                    .filter(r -> r.getType() == Type.DNSKEY).count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The latest expiration of the RRSIGs a server gives with an answer (seconds since 1970). */
    static long expiration(int port, String name, int type) throws IOException {
        return withDo(port, name, type).getSection(Section.ANSWER).stream().filter(r -> r instanceof RRSIGRecord)
                .mapToLong(r -> ((RRSIGRecord) r).getExpire().getEpochSecond()).max().orElse(-1);
    }

    static void settime(Path keys, DnssecKey key, String... args) throws Exception {
        Path tool = Path.of("/usr/bin/dnssec-settime");
        if (!Files.isExecutable(tool)) {
            assertThat(System.getenv("GEOSTEER_REQUIRE_BIND")).as("dnssec-settime (bind9-utils) is missing").isNull();
            org.junit.jupiter.api.Assumptions.abort("dnssec-settime not found");
        }
        List<String> cmd = new ArrayList<>(List.of(tool.toString(), "-K", keys.toString()));
        cmd.addAll(List.of(args));
        cmd.add(key.baseName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
