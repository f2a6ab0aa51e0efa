package dev.geosteer;

import dev.geosteer.dnssec.Algorithm;
import dev.geosteer.dnssec.DnssecKey;
import dev.geosteer.dnssec.Ds;
import dev.geosteer.dnssec.KeyStore;
import dev.geosteer.dnssec.KeyTiming;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13 end to end: geosteer's signed answers, steered ones included, through a real validating
 * unbound whose trust anchor is the zone's DS and for which geosteer is the stub of the zone. Every
 * answer must come back with AD (validated); a wrong DS must give SERVFAIL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DnssecValidationTest {
    static final String ZONE = "sec.test.";
    static final Duration DEADLINE = Duration.ofSeconds(15);

    Path dir;
    Path keys;
    TestServer server;
    Unbound unbound;
    DnssecKey key1;
    DnssecKey key2;

    static Name name(String s) throws Exception {
        return Name.fromString(s);
    }

    @BeforeAll
    void start() throws Exception {
        Unbound.require();
        dir = Files.createTempDirectory("geosteer-dnssec");
        Path zones = Files.createDirectories(dir.resolve("zones"));
        keys = zones.resolve("keys");
        SecureRandom rnd = new SecureRandom();
        Instant past = Instant.now().minusSeconds(3600);
        key1 = KeyStore.create(keys, name(ZONE), Algorithm.ECDSAP256SHA256, DnssecKey.CSK_FLAGS,
                KeyTiming.activeFrom(past), rnd);
        // the rollover's next key, unused until the test publishes it; the parent (the trust anchor) has both DS
        key2 = KeyStore.create(keys, name(ZONE), Algorithm.ECDSAP256SHA256, DnssecKey.CSK_FLAGS, KeyTiming.NONE, rnd);
        DnssecKey child = KeyStore.create(keys, name("signed." + ZONE), Algorithm.ED25519, DnssecKey.CSK_FLAGS,
                KeyTiming.activeFrom(past), rnd);
        DnssecKey bad = KeyStore.create(keys, name("bad.test."), Algorithm.ECDSAP256SHA256, DnssecKey.CSK_FLAGS,
                KeyTiming.activeFrom(past), rnd);
        for (String f : List.of("sec.test.zone", "sec.test.steer.yaml", "signed.sec.test.zone", "unsigned.sec.test.zone",
                "bad.test.zone")) {
            TestServer.copyResource("dnssec/" + f, zones.resolve(f));
        }
        Files.writeString(zones.resolve("sec.test.zone"), Ds.text(child, Ds.SHA256) + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        server = TestServer.start(dir);
        String wrongDs = Ds.text(bad, Ds.SHA256);
        wrongDs = wrongDs.substring(0, wrongDs.length() - 1) + (wrongDs.endsWith("0") ? "1" : "0");
        unbound = Unbound.start(dir.resolve("unbound"), List.of(Ds.text(key1, Ds.SHA256), Ds.text(key2, Ds.SHA256),
                wrongDs), stubs(server.address));
    }

    static Map<String, InetSocketAddress> stubs(InetSocketAddress at) {
        Map<String, InetSocketAddress> m = new LinkedHashMap<>();
        for (String z : List.of(ZONE, "signed." + ZONE, "unsigned." + ZONE, "bad.test.")) {
            m.put(z, at);
        }
        return m;
    }

    @AfterAll
    void stop() throws Exception {
        if (unbound != null) {
            unbound.close();
        }
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    Message validated(String qname, int type) throws Exception {
        return validated(unbound, qname, type, null);
    }

    /** Through unbound: NOERROR or NXDOMAIN, and AD (validated). */
    static Message validated(Unbound u, String qname, int type, String subnet) throws Exception {
        Message m = u.query(qname, type, subnet);
        assertThat(m.getRcode()).as(qname + " " + Type.string(type) + ": " + m + "\n" + tail(u)).isIn(Rcode.NOERROR,
                Rcode.NXDOMAIN);
        assertThat(m.getHeader().getFlag(Flags.AD)).as(qname + " " + Type.string(type) + " validated: " + m + "\n"
                + tail(u)).isTrue();
        return m;
    }

    static String tail(Unbound u) {
        try {
            String log = u.logText();
            return log.substring(Math.max(0, log.length() - 3000));
        } catch (Exception e) {
            return "";
        }
    }

    static List<String> answers(Message m, int type) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r.getType() == type) {
                out.add(r.rdataToString());
            }
        }
        return out;
    }

    @Test
    @Order(1)
    void staticAnswersValidate() throws Exception {
        assertThat(answers(validated("www." + ZONE, Type.A), Type.A)).containsExactly("192.0.2.80");
        assertThat(validated(ZONE, Type.DNSKEY).getSection(Section.ANSWER)).isNotEmpty();
        assertThat(answers(validated(ZONE, Type.MX), Type.MX)).containsExactly("10 mail.sec.test.");
        // NXDOMAIN, NODATA, empty non-terminals
        assertThat(validated("nope." + ZONE, Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(validated("nope.a.b.c." + ZONE, Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(validated("www." + ZONE, Type.MX).getSection(Section.ANSWER)).isEmpty();
        assertThat(validated("c." + ZONE, Type.A).getSection(Section.ANSWER)).isEmpty();
        assertThat(validated("b.c." + ZONE, Type.TXT).getSection(Section.ANSWER)).isEmpty();
        // wildcard: an answer, and NODATA
        assertThat(answers(validated("anything.wild." + ZONE, Type.A), Type.A)).containsExactly("192.0.2.100");
        assertThat(validated("other.wild." + ZONE, Type.MX).getSection(Section.ANSWER)).isEmpty();
        // CNAME chain, DNAME
        assertThat(answers(validated("alias." + ZONE, Type.A), Type.A)).containsExactly("192.0.2.80");
        assertThat(answers(validated("host.dn." + ZONE, Type.A), Type.A)).containsExactly("192.0.2.77");
    }

    @Test
    @Order(2)
    void delegationsToASignedAndAnUnsignedChild() throws Exception {
        assertThat(answers(validated("www.signed." + ZONE, Type.A), Type.A)).containsExactly("192.0.2.90");
        assertThat(answers(validated("signed." + ZONE, Type.DS), Type.DS)).hasSize(1);
        // no DS: the parent proves it (validated), and the child's data is insecure: no AD, but no SERVFAIL
        assertThat(validated("unsigned." + ZONE, Type.DS).getSection(Section.ANSWER)).isEmpty();
        Message insecure = unbound.query("www.unsigned." + ZONE, Type.A, null);
        assertThat(insecure.getRcode()).as(insecure.toString()).isEqualTo(Rcode.NOERROR);
        assertThat(answers(insecure, Type.A)).containsExactly("192.0.2.91");
        assertThat(insecure.getHeader().getFlag(Flags.AD)).isFalse();
    }

    @Test
    @Order(3)
    void aWrongDsIsServfail() throws Exception {
        Message m = unbound.query("www.bad.test.", Type.A, null);
        assertThat(m.getRcode()).as(m.toString()).isEqualTo(Rcode.SERVFAIL);
    }

    @Test
    @Order(4)
    void steeredAnswersValidateInThreeRegionsAndAfterAFailover() throws Exception {
        assertThat(answers(validated(unbound, "geo." + ZONE, Type.A, "10.1.7.0/24"), Type.A)).containsExactly("192.0.2.10");
        assertThat(answers(validated(unbound, "geo." + ZONE, Type.A, "10.2.7.0/24"), Type.A)).containsExactly("192.0.2.20");
        assertThat(answers(validated(unbound, "geo." + ZONE, Type.A, "10.3.7.0/24"), Type.A)).containsExactly("192.0.2.30");
        assertThat(answers(validated(unbound, "geo." + ZONE, Type.AAAA, "10.3.7.0/24"), Type.AAAA))
                .containsExactly("2001:db8:0:0:0:0:0:30");
        // eu has no IPv6 origin: NODATA, with the NSEC bitmap of that answer
        assertThat(validated(unbound, "geo." + ZONE, Type.AAAA, "10.1.7.0/24").getSection(Section.ANSWER)).isEmpty();
        assertThat(answers(validated(unbound, "geo." + ZONE, Type.TXT, "10.1.7.0/24"), Type.TXT))
                .singleElement().asString().contains("balancer");

        Files.writeString(server.zones.resolve("admin-state.yaml"), "drain:\n  - sec.test/eu\n");
        TestServer.await("eu drained", DEADLINE, () -> answersDirect("geo." + ZONE, "10.1.7.0/24").equals(List.of("192.0.2.20")));
        unbound.flush(ZONE);
        assertThat(answers(validated(unbound, "geo." + ZONE, Type.A, "10.1.7.0/24"), Type.A)).containsExactly("192.0.2.20");
        Files.writeString(server.zones.resolve("admin-state.yaml"), "drain: []\n");
        TestServer.await("eu back", DEADLINE, () -> answersDirect("geo." + ZONE, "10.1.7.0/24").equals(List.of("192.0.2.10")));
        unbound.flush(ZONE);
    }

    List<String> answersDirect(String qname, String subnet) {
        try {
            return answers(server.withSubnet(qname, Type.A, subnet), Type.A);
        } catch (Exception e) {
            return List.of();
        }
    }

    @Test
    @Order(5)
    void afterAReload() throws Exception {
        Path zone = server.zones.resolve("sec.test.zone");
        String text = Files.readString(zone);
        Files.writeString(zone, text.replace("SOA   ns1 hostmaster 1 ", "SOA   ns1 hostmaster 2 ")
                .replace("www         A     192.0.2.80", "www         A     192.0.2.81")
                + "new         A     192.0.2.82\n");
        TestServer.await("reloaded", DEADLINE, () -> {
            try {
                return answers(server.udp("www." + ZONE, Type.A), Type.A).equals(List.of("192.0.2.81"));
            } catch (Exception e) {
                return false;
            }
        });
        unbound.flush(ZONE);
        assertThat(answers(validated("www." + ZONE, Type.A), Type.A)).containsExactly("192.0.2.81");
        assertThat(answers(validated("new." + ZONE, Type.A), Type.A)).containsExactly("192.0.2.82");
        assertThat(validated("newer." + ZONE, Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(answers(validated(unbound, "geo." + ZONE, Type.A, "10.2.7.0/24"), Type.A)).containsExactly("192.0.2.20");
    }

    @Test
    @Order(6)
    void afterACskRollover() throws Exception {
        // 1. the new key published and active: both sign
        settime(key2, "-P", "now", "-A", "now");
        awaitDnskeys(2);
        unbound.flush(ZONE);
        assertThat(answers(validated("www." + ZONE, Type.A), Type.A)).isNotEmpty();
        // 2. the old key retired and removed: the new one alone
        settime(key1, "-I", "now", "-D", "now");
        awaitDnskeys(1);
        unbound.flush(ZONE);
        Message dnskey = validated(ZONE, Type.DNSKEY);
        assertThat(dnskey.getSection(Section.ANSWER).stream().filter(r -> r.getType() == Type.DNSKEY)
                .map(r -> ((org.xbill.DNS.DNSKEYRecord) r).getFootprint()).toList()).containsExactly(key2.keyTag());
        assertThat(answers(validated("www." + ZONE, Type.A), Type.A)).isNotEmpty();
        assertThat(answers(validated(unbound, "geo." + ZONE, Type.A, "10.3.7.0/24"), Type.A)).containsExactly("192.0.2.30");
        assertThat(validated("nothing." + ZONE, Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    void settime(DnssecKey key, String... args) throws Exception {
        Path tool = Path.of("/usr/bin/dnssec-settime");
        if (!Files.isExecutable(tool)) {
            assertThat(System.getenv("GEOSTEER_REQUIRE_BIND")).as("dnssec-settime (bind9-utils) is missing").isNull();
            org.junit.jupiter.api.Assumptions.abort("dnssec-settime not found");
        }
        List<String> cmd = new ArrayList<>(List.of(tool.toString(), "-K", keys.toString()));
        cmd.addAll(List.of(args));
        cmd.add(key.baseName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    void awaitDnskeys(int n) throws Exception {
        TestServer.await(n + " DNSKEY", DEADLINE, () -> {
            try {
                return answers(server.udp(ZONE, Type.DNSKEY), Type.DNSKEY).size() == n;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    @Order(7)
    void twoInstancesWithTheSameKeysBothValidate() throws Exception {
        try (TestServer second = TestServer.start(dir);
             Unbound other = Unbound.start(dir.resolve("unbound2"), List.of(Ds.text(key1, Ds.SHA256),
                     Ds.text(key2, Ds.SHA256)), stubs(second.address))) {
            for (Unbound u : List.of(unbound, other)) {
                u.flush(ZONE);
                assertThat(answers(validated(u, "www." + ZONE, Type.A, null), Type.A)).isNotEmpty();
                assertThat(answers(validated(u, "geo." + ZONE, Type.A, "10.2.7.0/24"), Type.A)).containsExactly("192.0.2.20");
            }
        }
    }

    @Test
    @Order(8)
    void truncationKeepsSignaturesWithTheirRRsetAndTcpHasItAll() throws Exception {
        // in 512 octets, the signed TXT RRset does not fit
        SimpleResolver udp = server.resolver(false);
        udp.setEDNS(0, 512, ExtendedFlags.DO, List.<EDNSOption>of());
        Message m = udp.send(Message.newQuery(Record.newRecord(name("big." + ZONE), Type.TXT, DClass.IN)));
        assertThat(m.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(m.getSection(Section.ANSWER)).isEmpty(); // never a partial RRset or an RRset without its RRSIG
        assertThat(m.getOPT().getFlags() & ExtendedFlags.DO).isNotZero(); // DO echoed
        assertThat(m.getHeader().getFlag(Flags.AD)).isFalse();

        SimpleResolver tcp = server.resolver(true);
        tcp.setEDNS(0, 1232, ExtendedFlags.DO, List.<EDNSOption>of());
        Message full = tcp.send(Message.newQuery(Record.newRecord(name("big." + ZONE), Type.TXT, DClass.IN)));
        assertThat(full.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(answers(full, Type.TXT)).hasSize(3);
        assertThat(answers(full, Type.RRSIG)).hasSize(1);

        // without DO: no RRSIG, no NSEC
        Message plain = server.udp("nope." + ZONE, Type.A);
        assertThat(plain.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(plain.getSection(Section.AUTHORITY)).allMatch(r -> r.getType() == Type.SOA);
        // and through unbound, the big answer validates (unbound retries over TCP)
        assertThat(answers(validated("big." + ZONE, Type.TXT), Type.TXT)).hasSize(3);
    }

    Message direct(String qname, int type, boolean tcp) throws Exception {
        SimpleResolver r = server.resolver(tcp);
        r.setEDNS(0, 1232, ExtendedFlags.DO, List.<EDNSOption>of());
        return r.send(Message.newQuery(Record.newRecord(name(qname), type, DClass.IN)));
    }

    static List<String> covered(Message m, int section) {
        return m.getSection(section).stream().filter(r -> r.getType() == Type.RRSIG)
                .map(r -> r.getName() + " " + Type.string(((org.xbill.DNS.RRSIGRecord) r).getTypeCovered())).toList();
    }

    static List<String> rrsets(Message m, int section) {
        return m.getSection(section).stream().filter(r -> r.getType() != Type.RRSIG)
                .map(r -> r.getName() + " " + Type.string(r.getType())).distinct().toList();
    }

    @Test
    @Order(9)
    void rrsigQueriesAnyOverTcpAndWildcardAdditionals() throws Exception {
        // RRSIG asked: one RRset's over UDP (as Knot), every one over TCP, NSEC's included
        Message udp = direct("www." + ZONE, Type.RRSIG, false);
        assertThat(udp.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(covered(udp, Section.ANSWER)).containsExactly("www.sec.test. A");
        Message tcp = direct("www." + ZONE, Type.RRSIG, true);
        assertThat(covered(tcp, Section.ANSWER)).containsExactlyInAnyOrder("www.sec.test. A", "www.sec.test. AAAA",
                "www.sec.test. TXT", "www.sec.test. NSEC");
        assertThat(covered(direct(ZONE, Type.RRSIG, true), Section.ANSWER)).contains("sec.test. DNSKEY", "sec.test. SOA");
        assertThat(covered(direct("anything.wild." + ZONE, Type.RRSIG, false), Section.ANSWER))
                .containsExactly("anything.wild.sec.test. A");
        // ANY over TCP at the apex: what signing adds there too, each RRset with its RRSIGs
        Message any = direct(ZONE, Type.ANY, true);
        assertThat(rrsets(any, Section.ANSWER)).contains("sec.test. SOA", "sec.test. NS", "sec.test. MX",
                "sec.test. DNSKEY", "sec.test. NSEC");
        assertThat(covered(any, Section.ANSWER)).containsExactlyInAnyOrderElementsOf(rrsets(any, Section.ANSWER));
        // an MX target reached through a wildcard: its address in additional carries its RRSIG
        Message mx = direct("mx2." + ZONE, Type.MX, false);
        assertThat(rrsets(mx, Section.ADDITIONAL)).contains("host.ww.sec.test. A");
        assertThat(covered(mx, Section.ADDITIONAL)).contains("host.ww.sec.test. A");
        assertThat(answers(validated("mx2." + ZONE, Type.MX), Type.MX)).containsExactly("10 host.ww.sec.test.");
    }

    @Test
    @Order(10)
    void cdsAndCdnskeyValidate() throws Exception {
        DnssecKey current = key2; // the key left after the rollover
        settime(current, "-P", "sync", "now");
        TestServer.await("CDS published", DEADLINE, () -> {
            try {
                return !answers(server.udp(ZONE, Type.CDS), Type.CDS).isEmpty();
            } catch (Exception e) {
                return false;
            }
        });
        unbound.flush(ZONE);
        assertThat(answers(validated(ZONE, Type.CDS), Type.CDS)).hasSize(1)
                .allMatch(ds -> ds.startsWith(current.keyTag() + " 13 2 "));
        assertThat(answers(validated(ZONE, Type.CDNSKEY), Type.CDNSKEY)).hasSize(1);
    }
}
