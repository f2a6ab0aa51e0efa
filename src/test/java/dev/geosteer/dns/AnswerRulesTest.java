package dev.geosteer.dns;

import dev.geosteer.net.Addresses;

import dev.geosteer.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 1034 §4.3.2 and friends, asked over real UDP and TCP sockets of a running server. */
class AnswerRulesTest {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir, "example.test.zone", "other.test.zone");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Message ask(String name, int type, boolean tcp) throws Exception {
        return server.query(name, type, tcp);
    }

    static List<String> rdata(Message m, int section) {
        return m.getSection(section).stream().filter(r -> r.getType() != Type.OPT)
                .map(r -> Type.string(r.getType()) + " " + (r instanceof AAAARecord aaaa
                        ? Addresses.format(aaaa.getAddress()) : r.rdataToString()))
                .collect(Collectors.toList());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void answersAnExistingNameAuthoritatively(boolean tcp) throws Exception {
        Message m = ask("www.example.test.", Type.A, tcp);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.RA)).isFalse();
        assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(rdata(m, Section.ANSWER)).containsExactly("A 192.0.2.80");
        assertThat(m.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(3600);
    }

    @Test
    void echoesTheQuestionWithItsLetterCase() throws Exception {
        Message m = ask("wWw.ExAmple.TEST.", Type.A, false);
        assertThat(m.getQuestion().getName().toString()).isEqualTo("wWw.ExAmple.TEST.");
        assertThat(rdata(m, Section.ANSWER)).containsExactly("A 192.0.2.80");
        Message mixed = ask("mixed.example.test.", Type.A, false);
        assertThat(mixed.getQuestion().getName().toString()).isEqualTo("mixed.example.test.");
        assertThat(rdata(mixed, Section.ANSWER)).containsExactly("A 192.0.2.81");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void answersNodataWithTheSoaWhenTheTypeIsAbsent(boolean tcp) throws Exception {
        Message m = ask("mail.example.test.", Type.AAAA, tcp);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertSoaWithNegativeTtl(m);
    }

    @Test
    void answersNxdomainWithTheSoaAndTheNegativeTtl() throws Exception {
        Message m = ask("nothere.example.test.", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertSoaWithNegativeTtl(m);
    }

    /** SOA TTL 3600, MINIMUM 300: negative answers live min(3600, 300) = 300 s (RFC 2308 §5). */
    static void assertSoaWithNegativeTtl(Message m) {
        List<Record> auth = m.getSection(Section.AUTHORITY);
        assertThat(auth).hasSize(1);
        assertThat(auth.get(0)).isInstanceOf(SOARecord.class);
        assertThat(auth.get(0).getName().toString()).isEqualTo("example.test.");
        assertThat(auth.get(0).getTTL()).isEqualTo(300);
    }

    @Test
    void answersNodataForEmptyNonTerminals() throws Exception {
        for (String ent : List.of("b.c.example.test.", "c.example.test.", "_tcp.example.test.", "deep.wild.example.test.")) {
            Message m = ask(ent, Type.A, false);
            assertThat(m.getRcode()).as(ent).isEqualTo(Rcode.NOERROR);
            assertThat(m.getSection(Section.ANSWER)).as(ent).isEmpty();
            assertSoaWithNegativeTtl(m);
        }
    }

    @Test
    void followsCnameChainsInsideTheZone() throws Exception {
        Message m = ask("alias2.example.test.", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(rdata(m, Section.ANSWER)).containsExactly(
                "CNAME alias.example.test.", "CNAME www.example.test.", "A 192.0.2.80");
    }

    @Test
    void answersACnameQuestionWithTheCnameOnly() throws Exception {
        Message m = ask("alias2.example.test.", Type.CNAME, false);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("CNAME alias.example.test.");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void stopsAChainAtTheEdgeOfTheZone(boolean tcp) throws Exception {
        // as Knot: the resolver follows www.other.test itself, and would not trust other.test's data here
        Message m = ask("ext.example.test.", Type.A, tcp);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(rdata(m, Section.ANSWER)).containsExactly("CNAME www.other.test.");
        assertThat(m.getSection(Section.AUTHORITY)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void answersACnameToANameBelowAZoneCutWithTheReferral(boolean tcp) throws Exception {
        Message m = ask("tocut.example.test.", Type.A, tcp);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).as("the CNAME is authoritative").isTrue();
        assertThat(rdata(m, Section.ANSWER)).containsExactly("CNAME www.child.example.test.");
        assertThat(rdata(m, Section.AUTHORITY)).containsExactlyInAnyOrder(
                "NS ns1.child.example.test.", "NS ns2.other.test.");
        assertThat(rdata(m, Section.ADDITIONAL)).containsExactlyInAnyOrder("A 192.0.2.153", "AAAA 2001:db8::153");
    }

    @Test
    void followsAtMostFiveLinks() throws Exception {
        Message m = ask("c1.example.test.", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("CNAME c2.example.test.", "CNAME c3.example.test.",
                "CNAME c4.example.test.", "CNAME c5.example.test.", "CNAME c6.example.test.");
        assertThat(m.getSection(Section.AUTHORITY)).isEmpty();
        assertThat(rdata(ask("c2.example.test.", Type.A, false), Section.ANSWER)).endsWith("A 192.0.2.80");
    }

    @Test
    void stopsACnameLoopThroughAWildcard() throws Exception {
        Message m = ask("x.cnloop.example.test.", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getSection(Section.ANSWER).stream().map(r -> r.getName() + " " + r.rdataToString()))
                .containsExactly("x.cnloop.example.test. a.cnloop.example.test.",
                        "a.cnloop.example.test. a.cnloop.example.test.");
    }

    @Test
    void stopsADnameLoopWithoutRepeatingRecords() throws Exception {
        Message m = ask("k.dl1.example.test.", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getSection(Section.ANSWER).stream().map(r -> r.getName() + " " + r.rdataToString()))
                .containsExactly("dl1.example.test. dl2.example.test.", "k.dl1.example.test. k.dl2.example.test.",
                        "dl2.example.test. dl1.example.test.", "k.dl2.example.test. k.dl1.example.test.");
    }

    @Test
    void doesNotFollowACnameForRrsigOrNsec() throws Exception {
        // RRSIG and NSEC live beside a CNAME (RFC 2181 §10.1): their answer is at the name itself
        for (int type : new int[] {Type.RRSIG, Type.NSEC}) {
            Message m = ask("alias.example.test.", type, false);
            assertThat(m.getRcode()).as(Type.string(type)).isEqualTo(Rcode.NOERROR);
            assertThat(m.getSection(Section.ANSWER)).as(Type.string(type)).isEmpty();
            assertSoaWithNegativeTtl(m);
        }
    }

    @Test
    void stopsAtCnamesLeavingTheServedZones() throws Exception {
        Message m = ask("outside.example.test.", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("CNAME www.example.org.");
        assertThat(m.getSection(Section.AUTHORITY)).isEmpty();
    }

    @Test
    void reportsTheLastNameOfAChainThatEndsNowhere() throws Exception {
        Message m = ask("dangling.example.test.", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN); // RFC 6604
        assertThat(rdata(m, Section.ANSWER)).containsExactly("CNAME nothere.example.test.");
        assertSoaWithNegativeTtl(m);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void survivesCnameLoops(boolean tcp) throws Exception {
        Message m = ask("loop1.example.test.", Type.A, tcp);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("CNAME loop2.example.test.", "CNAME loop1.example.test.");
    }

    @Test
    void synthesizesFromTheWildcardOfTheClosestEncloser() throws Exception {
        Message m = ask("anything.wild.example.test.", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getSection(Section.ANSWER)).hasSize(1);
        Record a = m.getSection(Section.ANSWER).get(0);
        assertThat(a.getName().toString()).isEqualTo("anything.wild.example.test.");
        assertThat(a.rdataToString()).isEqualTo("192.0.2.100");
    }

    @Test
    void wildcardsMatchSeveralLabels() throws Exception {
        // RFC 4592 §2.2: *.wild matches a.b.wild when neither a.b.wild nor b.wild exists.
        Message m = ask("a.b.wild.example.test.", Type.TXT, false);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("TXT wild");
        assertThat(m.getSection(Section.ANSWER).get(0).getName().toString()).isEqualTo("a.b.wild.example.test.");
    }

    @Test
    void wildcardNodataIsNoerrorWithTheSoa() throws Exception {
        Message m = ask("anything.wild.example.test.", Type.MX, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertSoaWithNegativeTtl(m);
    }

    @Test
    void doesNotSynthesizeBelowAnExistingName() throws Exception {
        // exists.wild exists, so it is the closest encloser of sub.exists.wild: no *.exists.wild → NXDOMAIN.
        assertThat(ask("sub.exists.wild.example.test.", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        // deep.wild is an empty non-terminal: it exists too.
        assertThat(ask("y.deep.wild.example.test.", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        // the exact name wins over the wildcard
        assertThat(rdata(ask("exists.wild.example.test.", Type.A, false), Section.ANSWER))
                .containsExactly("A 192.0.2.101");
    }

    @Test
    void followsACnameAtAWildcard() throws Exception {
        Message m = ask("x.cn.example.test.", Type.A, false);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("CNAME www.example.test.", "A 192.0.2.80");
        assertThat(m.getSection(Section.ANSWER).get(0).getName().toString()).isEqualTo("x.cn.example.test.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"child.example.test.", "www.child.example.test.", "a.b.child.example.test."})
    void refersBelowAZoneCut(String name) throws Exception {
        Message m = ask(name, Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(rdata(m, Section.AUTHORITY)).containsExactlyInAnyOrder(
                "NS ns1.child.example.test.", "NS ns2.other.test.");
        assertThat(m.getSection(Section.AUTHORITY).get(0).getName().toString()).isEqualTo("child.example.test.");
        assertThat(rdata(m, Section.ADDITIONAL)).containsExactlyInAnyOrder("A 192.0.2.153", "AAAA 2001:db8::153");
    }

    @Test
    void glueIsOnlyServedAsReferral() throws Exception {
        Message m = ask("ns1.child.example.test.", Type.A, false);
        assertThat(m.getHeader().getFlag(Flags.AA)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(rdata(m, Section.AUTHORITY)).contains("NS ns1.child.example.test.");
    }

    @Test
    void answersDsAtTheCutFromTheParentSide() throws Exception {
        Message m = ask("child.example.test.", Type.DS, false);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertSoaWithNegativeTtl(m);
    }

    @Test
    void addsAddressesOfMxTargetsInTheSameZone() throws Exception {
        // mx.other.test is another zone's name: a resolver would not take its address from this answer
        Message m = ask("example.test.", Type.MX, false);
        assertThat(rdata(m, Section.ANSWER)).containsExactlyInAnyOrder("MX 10 mail.example.test.", "MX 20 mx.other.test.");
        assertThat(rdata(m, Section.ADDITIONAL)).containsExactlyInAnyOrder("A 192.0.2.25");
    }

    @Test
    void addsAddressesOfSrvAndNsTargets() throws Exception {
        Message srv = ask("_sip._tcp.example.test.", Type.SRV, false);
        assertThat(rdata(srv, Section.ADDITIONAL)).containsExactly("A 192.0.2.60");
        Message ns = ask("example.test.", Type.NS, false);
        assertThat(rdata(ns, Section.ANSWER)).containsExactlyInAnyOrder("NS ns1.example.test.", "NS ns2.other.test.");
        assertThat(rdata(ns, Section.ADDITIONAL)).containsExactlyInAnyOrder("A 192.0.2.53", "AAAA 2001:db8::53");
    }

    @Test
    void addsAddressesFoundBelowACutOrThroughAWildcard() throws Exception {
        assertThat(rdata(ask("mxcut.example.test.", Type.MX, false), Section.ADDITIONAL))
                .containsExactlyInAnyOrder("A 192.0.2.153", "AAAA 2001:db8::153");
        Message wild = ask("mxwild.example.test.", Type.MX, false);
        assertThat(rdata(wild, Section.ADDITIONAL)).containsExactly("A 192.0.2.100");
        assertThat(wild.getSection(Section.ADDITIONAL).get(0).getName().toString()).isEqualTo("x.wild.example.test.");
    }

    @Test
    void addsAddressesForTheRrsetsOfAnAnyAnswer() throws Exception {
        Message tcp = ask("example.test.", Type.ANY, true);
        assertThat(rdata(tcp, Section.ADDITIONAL)).containsExactlyInAnyOrder(
                "A 192.0.2.53", "AAAA 2001:db8::53", "A 192.0.2.25");
    }

    @Test
    void putsInDomainGlueFirst() throws Exception {
        // sib NS ns1.child (sibling glue, optional) is listed before sib NS ns1.sib (in-domain, required)
        Message m = ask("www.sib.example.test.", Type.A, false);
        assertThat(m.getHeader().getFlag(Flags.AA)).isFalse();
        assertThat(rdata(m, Section.ADDITIONAL)).startsWith("A 192.0.2.154")
                .contains("A 192.0.2.153", "AAAA 2001:db8::153");
    }

    @Test
    void leavesOutOptionalGlueThatDoesNotFitWithoutTruncating() throws Exception {
        // wide: 20 sibling name servers under child (optional glue) and one in-domain (required)
        Message m = server.udpRawMessage(noEdnsQuery("www.wide.example.test.", Type.A));
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(m.getSection(Section.AUTHORITY)).hasSize(21);
        List<String> glue = rdata(m, Section.ADDITIONAL);
        assertThat(glue).startsWith("A 192.0.2.155").hasSizeBetween(2, 19);
    }

    @Test
    void fillsAReferralWithTheGlueThatStillFitsAndTruncates() throws Exception {
        // big: 13 name servers with A (16 octets each, compressed) and AAAA (28) glue, 856 octets in all.
        // With this 34-octet name, 512 octets hold the NS set, four A+AAAA pairs and ns04's A, leaving 23:
        // ns04's AAAA does not fit, ns05's A does.
        Message m = server.udpRawMessage(noEdnsQuery("aaaaaaaaaaaaaaa.big.example.test.", Type.A));
        assertThat(m.getHeader().getFlag(Flags.TC)).as("required glue left out").isTrue();
        assertThat(m.getSection(Section.AUTHORITY)).hasSize(13);
        List<String> owners = m.getSection(Section.ADDITIONAL).stream().filter(r -> r.getType() != Type.OPT)
                .map(r -> Type.string(r.getType()) + " " + r.getName()).toList();
        // an AAAA that did not fit is skipped, and a later, smaller A still goes in (as Knot fills it)
        int firstMissingAaaa = -1;
        for (int i = 0; i < 13 && firstMissingAaaa < 0; i++) {
            if (!owners.contains(String.format("AAAA ns%02d.big.example.test.", i))) {
                firstMissingAaaa = i;
            }
        }
        assertThat(firstMissingAaaa).isBetween(0, 11);
        assertThat(owners).contains(String.format("A ns%02d.big.example.test.", firstMissingAaaa + 1));
    }

    static byte[] noEdnsQuery(String name, int type) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        return q.toWire();
    }

    @Test
    void synthesizesACnameFromADname() throws Exception {
        Message m = ask("www.dn.example.test.", Type.A, false);
        // other.test is another zone: the chain stops after the synthesized CNAME, as after any CNAME
        assertThat(rdata(m, Section.ANSWER)).containsExactly("DNAME other.test.", "CNAME www.other.test.");
        assertThat(m.getSection(Section.ANSWER).get(1).getName().toString()).isEqualTo("www.dn.example.test.");
        assertThat(m.getSection(Section.AUTHORITY)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"www.dn.example.test.", "nothere.dn.example.test."})
    void answersACnameQueryUnderADnameWithTheSynthesizedCname(String name) throws Exception {
        Message m = ask(name, Type.CNAME, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(rdata(m, Section.ANSWER)).containsExactly("DNAME other.test.",
                "CNAME " + name.replace("dn.example.test.", "other.test."));
        assertThat(m.getSection(Section.AUTHORITY)).as("the CNAME is the answer: no SOA").isEmpty();
    }

    @Test
    void refusesNamesOutsideTheServedZones() throws Exception {
        for (String name : List.of("www.example.org.", "test.", ".")) {
            Message m = ask(name, Type.A, false);
            assertThat(m.getRcode()).as(name).isEqualTo(Rcode.REFUSED);
            assertThat(m.getHeader().getFlag(Flags.AA)).isFalse();
            assertThat(m.getSection(Section.ANSWER)).isEmpty();
            // RFC 8914 Extended DNS Error 20, Not Authoritative, says why
            List<EDNSOption> ede = m.getOPT().getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR);
            assertThat(ede).as(name).hasSize(1);
            assertThat(((ExtendedErrorCodeOption) ede.get(0)).getErrorCode())
                    .isEqualTo(ExtendedErrorCodeOption.NOT_AUTHORITATIVE);
        }
    }

    @Test
    void refusesZoneTransfersToEveryone() throws Exception {
        for (int type : new int[] {Type.AXFR, Type.IXFR}) {
            Message q = Message.newQuery(Record.newRecord(Name.fromString("example.test."), type, DClass.IN));
            try (java.net.Socket s = server.tcpSocket()) {
                TestServer.writeFrame(s, q.toWire());
                Message m = new Message(TestServer.readFrame(s));
                assertThat(m.getRcode()).as(Type.string(type) + " over TCP").isEqualTo(Rcode.NOTAUTH);
                assertThat(m.getSection(Section.ANSWER)).isEmpty();
            }
        }
        Message axfr = server.udpRawMessage(noEdnsQuery("example.test.", Type.AXFR));
        assertThat(axfr.getRcode()).as("AXFR over UDP is not defined (RFC 5936 §4.2)").isEqualTo(Rcode.NOTIMP);
        assertThat(server.udpRawMessage(noEdnsQuery("example.test.", Type.IXFR)).getRcode()).isEqualTo(Rcode.NOTAUTH);
    }

    @Test
    void answersMetaTypesLikeAnyOtherType() throws Exception {
        for (int type : new int[] {Type.MAILA, Type.MAILB, Type.TKEY, Type.TSIG, Type.OPT, 128}) {
            Message m = ask("www.example.test.", type, false);
            assertThat(m.getRcode()).as(Type.string(type)).isEqualTo(Rcode.NOERROR);
            assertThat(m.getSection(Section.ANSWER)).as(Type.string(type)).isEmpty();
            assertSoaWithNegativeTtl(m);
        }
        assertThat(ask("www.example.test.", 0, false).getRcode()).as("TYPE0 is reserved").isEqualTo(Rcode.NOTIMP);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void answersQclassAnyWithTheInData(boolean tcp) throws Exception {
        // RFC 1035 §3.2.5: QCLASS * matches every class, and this server has only IN data
        Message m = inClass("www.example.test.", Type.A, DClass.ANY, tcp);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getQuestion().getDClass()).isEqualTo(DClass.ANY);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("A 192.0.2.80");
        assertThat(m.getSection(Section.ANSWER).get(0).getDClass()).isEqualTo(DClass.IN);
        Message nx = inClass("nothere.example.test.", Type.A, DClass.ANY, tcp);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertSoaWithNegativeTtl(nx);
        assertThat(inClass("www.example.org.", Type.A, DClass.ANY, tcp).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void refusesTheOtherClasses() throws Exception {
        // CHAOS too: version.bind and friends would disclose the version
        for (int dclass : new int[] {DClass.CH, DClass.HS, DClass.NONE}) {
            for (String name : List.of("version.bind.", "www.example.test.")) {
                assertThat(inClass(name, Type.TXT, dclass, false).getRcode()).as(name + " " + DClass.string(dclass))
                        .isEqualTo(Rcode.REFUSED);
            }
        }
        byte[] chaosAxfr = Message.newQuery(Record.newRecord(Name.fromString("www.example.test."), Type.AXFR, DClass.CH))
                .toWire();
        assertThat(server.udpRawMessage(chaosAxfr).getRcode()).isEqualTo(Rcode.NOTIMP);
    }

    static Message inClass(String name, int type, int dclass, boolean tcp) throws Exception {
        return server.resolver(tcp).send(Message.newQuery(Record.newRecord(Name.fromString(name), type, dclass)));
    }

    @Test
    void answersAnyWithOneRrsetOverUdpAndAllOverTcp() throws Exception {
        Message udp = ask("example.test.", Type.ANY, false);
        assertThat(udp.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(udp.getSectionRRsets(Section.ANSWER)).hasSize(1);
        Message tcp = ask("example.test.", Type.ANY, true);
        assertThat(tcp.getSectionRRsets(Section.ANSWER).stream().map(s -> Type.string(s.getType())))
                .containsExactlyInAnyOrder("SOA", "NS", "MX");
        Message cname = ask("alias.example.test.", Type.ANY, false);
        assertThat(rdata(cname, Section.ANSWER)).containsExactly("CNAME www.example.test.");
    }

    @Test
    void usesTheRecordTtlFromTheZoneFile() throws Exception {
        assertThat(ask("short.example.test.", Type.A, false).getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(300);
        Message other = ask("www.other.test.", Type.A, false);
        assertThat(other.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(600);
        assertThat(other.getSection(Section.ANSWER).get(0)).isInstanceOf(ARecord.class);
    }

    @Test
    void theAnswerOwnerOfACnameTargetIsTheTarget() throws Exception {
        Message m = ask("alias.example.test.", Type.A, false);
        List<Record> answer = m.getSection(Section.ANSWER);
        assertThat(answer.get(0)).isInstanceOf(CNAMERecord.class);
        assertThat(answer.get(1).getName().toString()).isEqualTo("www.example.test.");
    }
}
