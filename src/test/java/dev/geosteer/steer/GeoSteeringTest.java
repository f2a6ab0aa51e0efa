package dev.geosteer.steer;

import dev.geosteer.TestServer;
import dev.geosteer.net.Addresses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Geo steering over real UDP and TCP queries, with EDNS Client Subnet, against MaxMind's test City
 * database: policies, region specificity, nets, families, scopes.
 */
class GeoSteeringTest {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir, "geo.test.zone", "geo.test.steer.yaml", "geoip/GeoIP2-City-Test.mmdb");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Asks with an ECS option ("2.2.3.0/24"), or without one (null). */
    static Message ask(String name, int type, String subnet, boolean tcp) throws Exception {
        SimpleResolver r = server.resolver(tcp);
        List<EDNSOption> options = List.of();
        if (subnet != null) {
            String[] p = subnet.split("/");
            options = List.of(new ClientSubnetOption(Integer.parseInt(p[1]), InetAddress.getByName(p[0])));
        }
        r.setEDNS(0, 1232, 0, options);
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    static List<String> addresses(Message m) {
        return m.getSection(Section.ANSWER).stream().filter(r -> r instanceof ARecord || r instanceof AAAARecord)
                .map(r -> Addresses.format(r instanceof ARecord a ? a.getAddress() : ((AAAARecord) r).getAddress()))
                .collect(Collectors.toList());
    }

    static ClientSubnetOption ecs(Message m) {
        OPTRecord opt = m.getOPT();
        assertThat(opt).as("OPT in response").isNotNull();
        List<EDNSOption> o = opt.getOptions(EDNSOption.Code.CLIENT_SUBNET);
        assertThat(o).as("ECS echoed").hasSize(1);
        return (ClientSubnetOption) o.get(0);
    }

    /** Family, source and scope of the ECS option in the answer, read from its bytes. */
    static int[] ecsFields(Message m) {
        byte[] d = m.getOPT().getOptions(EDNSOption.Code.CLIENT_SUBNET).get(0).toWire();
        // toWire() is code, length, then the data
        return new int[] {((d[4] & 0xFF) << 8) | (d[5] & 0xFF), d[6] & 0xFF, d[7] & 0xFF};
    }

    @ParameterizedTest(name = "{0} asks from {1}")
    @CsvSource({
            // continent EU → eu; AS → ap; country JP beats continent AS; subdivision US-CA beats NA
            "false, 2.2.3.0/24, 192.0.2.1",
            "true, 2.2.3.0/24, 192.0.2.1",
            "false, 89.160.20.128/25, 192.0.2.1",
            "false, 67.43.156.0/24, 192.0.2.3",
            "false, 2001:218::/48, 192.0.2.4",
            "true, 2001:218::/48, 192.0.2.4",
            "false, 2a02:d180::/48, 192.0.2.1",
            "false, 214.78.120.0/24, 192.0.2.5",
            // a US-WA client: no rule for WA or US or NA → default_pools
            "false, 216.160.83.56/29, 192.0.2.2",
            // not in the database → default_pools
            "false, 192.0.2.0/24, 192.0.2.2",
            // nets win over GeoIP (175.16.199.0/24 is CN/AS in the database), and the longest prefix wins
            "false, 175.16.199.0/24, 192.0.2.4",
            "false, 10.2.3.0/24, 192.0.2.1",
            "false, 10.1.2.0/24, 192.0.2.3",
            "false, 2001:db8:ffff::/56, 192.0.2.3",
    })
    void steersByTheMostSpecificMatch(boolean tcp, String subnet, String expected) throws Exception {
        Message m = ask("geo.geo.test.", Type.A, subnet, tcp);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(addresses(m)).containsExactly(expected);
        assertThat(m.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(30);
    }

    @Test
    void withoutEcsTheSourceAddressLocatesTheClient() throws Exception {
        // 127.0.0.1 is in no database: default_pools → na
        assertThat(addresses(ask("geo.geo.test.", Type.A, null, false))).containsExactly("192.0.2.2");
    }

    @Test
    void ecsWithSourcePrefixZeroUsesNoClientInformation() throws Exception {
        Message m = ask("geo.geo.test.", Type.A, "0.0.0.0/0", false);
        assertThat(addresses(m)).containsExactly("192.0.2.2");
        assertThat(ecs(m).getScopePrefixLength()).isZero();
    }

    @Test
    void theScopeIsTheNetworkOverWhichTheAnswerHolds() throws Exception {
        // 2.2.3.0/24 is a /24 in the database and its neighbours get another answer: scope /24
        assertThat(ecs(ask("geo.geo.test.", Type.A, "2.2.3.0/24", false)).getScopePrefixLength()).isEqualTo(24);
        // 81.2.69.160/27 is a /27 in the database: never wider than the database knows
        ClientSubnetOption gb = ecs(ask("geo.geo.test.", Type.A, "81.2.69.160/27", false));
        assertThat(gb.getScopePrefixLength()).isBetween(1, 27);
        // nets 175.16.0.0/16 → the whole /16 answers the same: scope /16, wider than the /24 asked
        ClientSubnetOption net = ecs(ask("geo.geo.test.", Type.A, "175.16.199.0/24", false));
        assertThat(net.getSourcePrefixLength()).isEqualTo(24);
        assertThat(net.getScopePrefixLength()).isEqualTo(16);
        // a /16 source inside which the database distinguishes 2.2.3.0/24: the scope may be longer (§7.2.1)
        ClientSubnetOption narrow = ecs(ask("geo.geo.test.", Type.A, "2.2.0.0/16", false));
        assertThat(narrow.getScopePrefixLength()).isGreaterThan(16);
        assertThat(addresses(ask("geo.geo.test.", Type.A, "2.2.0.0/16", false))).containsExactly("192.0.2.2");
        // beside a net, the scope never covers it: 10.2.0.0 is in 10.0.0.0/8 (eu), whose 10.1.0.0/16 is ap's
        ClientSubnetOption beside = ecs(ask("geo.geo.test.", Type.A, "10.2.0.0/24", false));
        assertThat(beside.getScopePrefixLength()).isEqualTo(15);
        assertThat(addresses(ask("geo.geo.test.", Type.A, "10.2.0.0/24", false))).containsExactly("192.0.2.1");
        assertThat(ecs(ask("geo.geo.test.", Type.A, "175.17.0.0/24", false)).getScopePrefixLength())
                .isGreaterThanOrEqualTo(16);
    }

    /**
     * An IPv4-mapped IPv6 subnet (::ffff:a.b.c.d/96+n) is located by its IPv4 address, and its scope is
     * answered in the family asked: 96 + the IPv4 scope, never an IPv4 length in IPv6 space (a resolver
     * would cache that for ::/16). The packets are read by hand: dnsjava turns a mapped address into IPv4.
     */
    @Test
    void anIpv4MappedSubnetIsLocatedAsIpv4AndScopedInIpv6Space() throws Exception {
        ClientSubnetOption v4 = ecs(ask("geo.geo.test.", Type.A, "175.16.199.0/24", false));
        assertThat(v4.getScopePrefixLength()).isEqualTo(16);
        Mapped m = askMapped("geo.geo.test.", "175.16.199.0", 120);
        assertThat(m.address()).as("steered by the IPv4 nets entry").isEqualTo("192.0.2.4");
        assertThat(m.ecs()).as("family, source, scope").containsExactly(2, 120, 96 + 16);
        // a database network: EU, /24 in IPv4, /120 mapped
        Mapped eu = askMapped("geo.geo.test.", "2.2.3.0", 120);
        assertThat(eu.address()).isEqualTo("192.0.2.1");
        assertThat(eu.ecs()).containsExactly(2, 120, 120);
        // answers that do not depend on the location stay scope 0
        assertThat(askMapped("fail.geo.test.", "2.2.3.0", 120).ecs()).containsExactly(2, 120, 0);
    }

    /** The first A record of an answer, and the family, source and scope of its ECS option. */
    record Mapped(String address, int[] ecs) {
    }

    static Mapped askMapped(String name, String v4, int prefix) throws Exception {
        byte[] data = new byte[4 + (prefix + 7) / 8];
        data[1] = 2; // family IPv6
        data[2] = (byte) prefix;
        data[4 + 10] = (byte) 0xFF;
        data[4 + 11] = (byte) 0xFF;
        System.arraycopy(InetAddress.getByName(v4).getAddress(), 0, data, 4 + 12, data.length - 16);
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
        q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new org.xbill.DNS.GenericEDNSOption(
                EDNSOption.Code.CLIENT_SUBNET, data))), Section.ADDITIONAL);
        byte[] r = server.udpRaw(q.toWire(), java.time.Duration.ofSeconds(3));
        assertThat(r).as("an answer").isNotNull();
        int pos = 12;
        while (r[pos] != 0) {
            pos += (r[pos] & 0xFF) + 1;
        }
        pos += 1 + 4 + 2 + 2 + 2 + 4; // question end, type, class; answer owner (a pointer), type, class, TTL
        assertThat(((r[pos] & 0xFF) << 8) | (r[pos + 1] & 0xFF)).as("rdlength of an A").isEqualTo(4);
        String address = InetAddress.getByAddress(java.util.Arrays.copyOfRange(r, pos + 2, pos + 6)).getHostAddress();
        for (int i = r.length - 8; i >= 0; i--) { // the ECS option: code 8, length, family, source, scope
            if (r[i] == 0 && r[i + 1] == 8 && r[i + 2] == 0 && r[i + 3] == data.length && r[i + 4] == 0) {
                return new Mapped(address, new int[] {r[i + 5], r[i + 6] & 0xFF, r[i + 7] & 0xFF});
            }
        }
        throw new AssertionError("no ECS option in the answer");
    }

    @Test
    void unmappedSpaceMergesIntoWideScopes() throws Exception {
        // 192.0.2.0/24 is in no database: the surrounding unknown space merges far beyond a /24
        assertThat(ecs(ask("geo.geo.test.", Type.A, "192.0.2.0/24", false)).getScopePrefixLength()).isLessThan(24);
    }

    @Test
    void answersThatDoNotDependOnTheLocationHaveScopeZero() throws Exception {
        assertThat(ecs(ask("fail.geo.test.", Type.A, "2.2.3.0/24", false)).getScopePrefixLength()).isZero();
        assertThat(ecs(ask("rand.geo.test.", Type.A, "2.2.3.0/24", false)).getScopePrefixLength()).isZero();
        assertThat(ecs(ask("static.geo.test.", Type.A, "2.2.3.0/24", false)).getScopePrefixLength()).isZero();
        Message nx = ask("nothere.geo.test.", Type.A, "2.2.3.0/24", false);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ecs(nx).getScopePrefixLength()).isZero();
        assertThat(ecs(nx).getAddress()).isEqualTo(InetAddress.getByName("2.2.3.0"));
        Message refused = ask("www.example.org.", Type.A, "2.2.3.0/24", false);
        assertThat(refused.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(ecs(refused).getScopePrefixLength()).isZero();
    }

    @ParameterizedTest
    @CsvSource({
            "89.160.20.128/25, 192.0.2.1",   // Linköping → Paris
            "175.16.199.0/24, 192.0.2.3",    // Changchun → Singapore
            "214.78.120.0/24, 192.0.2.2",    // San Diego → Virginia
            "2001:218::/48, 192.0.2.3",      // Japan → Singapore
            "192.0.2.0/24, 192.0.2.1",       // unknown → default_pools order (eu first)
    })
    void proximityPicksTheNearestPool(String subnet, String expected) throws Exception {
        assertThat(addresses(ask("prox.geo.test.", Type.A, subnet, false))).containsExactly(expected);
    }

    @Test
    void failoverAnswersTheFirstPool() throws Exception {
        for (String subnet : new String[] {"2.2.3.0/24", "175.16.199.0/24", "214.78.120.0/24"}) {
            assertThat(addresses(ask("fail.geo.test.", Type.A, subnet, false))).containsExactly("192.0.2.2");
        }
    }

    @Test
    void randomSpreadsOverThePools() throws Exception {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            seen.merge(addresses(ask("rand.geo.test.", Type.A, null, false)).get(0), 1, Integer::sum);
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrder("192.0.2.1", "192.0.2.3");
        assertThat(seen.values()).allMatch(n -> n > 50);
    }

    @Test
    void weightedChoiceWithoutRepeatsUpToMaxAnswers() throws Exception {
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            List<String> a = addresses(ask("multi.geo.test.", Type.A, null, false));
            assertThat(a).hasSize(2).doesNotHaveDuplicates();
            first.merge(a.get(0), 1, Integer::sum);
        }
        // m4 weighs 97 of 100: it comes first nearly always
        assertThat(first.getOrDefault("192.0.2.14", 0)).isGreaterThan(150);
    }

    @Test
    void aaaaComesFromTheSamePool() throws Exception {
        assertThat(addresses(ask("geo.geo.test.", Type.AAAA, "2.2.3.0/24", false))).containsExactly("2001:db8::1");
        assertThat(addresses(ask("geo.geo.test.", Type.AAAA, "67.43.156.0/24", false))).containsExactly("2001:db8::3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v4only.geo.test.|AAAA", "v6.geo.test.|A", "geo.geo.test.|AAAA"})
    void aFamilyThePoolLacksIsNodataNotAnotherPool(String q) throws Exception {
        String[] p = q.split("\\|");
        // for geo.geo.test AAAA, a client sent to na (IPv4 only) gets NODATA even though eu has IPv6
        Message m = ask(p[0], Type.value(p[1]), "192.0.2.0/24", false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(m.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
        assertThat(m.getSection(Section.AUTHORITY).get(0).getTTL()).isEqualTo(300);
    }

    @Test
    void anyOnABalancerAnswersItsAddresses() throws Exception {
        Message m = ask("geo.geo.test.", Type.ANY, "2.2.3.0/24", false);
        assertThat(addresses(m)).containsExactlyInAnyOrder("192.0.2.1", "2001:db8::1");
    }

    @Test
    void otherTypesAtABalancerNameComeFromTheZoneFile() throws Exception {
        Message m = ask("geo.geo.test.", Type.TXT, null, false);
        assertThat(m.getSection(Section.ANSWER)).singleElement().extracting(Record::rdataToString).isEqualTo("steered");
        Message mx = ask("prox.geo.test.", Type.MX, null, false);
        assertThat(mx.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(mx.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void aCnameToABalancerIsFollowed() throws Exception {
        Message m = ask("alias.geo.test.", Type.A, "2.2.3.0/24", false);
        assertThat(m.getSection(Section.ANSWER).get(0).getType()).isEqualTo(Type.CNAME);
        assertThat(addresses(m)).containsExactly("192.0.2.1");
        assertThat(ecs(m).getScopePrefixLength()).isEqualTo(24);
    }

    @Test
    void aWildcardBalancerAnswersEveryNameBelowIt() throws Exception {
        Message m = ask("anything.wild.geo.test.", Type.A, "2.2.3.0/24", false);
        assertThat(addresses(m)).containsExactly("192.0.2.1");
        assertThat(m.getSection(Section.ANSWER).get(0).getName().toString()).isEqualTo("anything.wild.geo.test.");
        assertThat(addresses(ask("x.y.wild.geo.test.", Type.A, "192.0.2.0/24", false))).containsExactly("192.0.2.2");
    }
}
