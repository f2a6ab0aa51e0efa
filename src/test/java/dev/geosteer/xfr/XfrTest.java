package dev.geosteer.xfr;

import dev.geosteer.TestServer;
import dev.geosteer.config.ServerConfig;
import dev.geosteer.testkit.Secondaries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.ZoneTransferException;
import org.xbill.DNS.ZoneTransferIn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Zone transfers out of a real server over loopback, read with dnsjava's ZoneTransferIn. */
class XfrTest {
    static final String SECRET = Secondaries.SECRET;
    static final TSIG KEY = new TSIG(TSIG.HMAC_SHA256, "xfr-key.", SECRET);

    @TempDir
    Path dir;
    TestServer server;

    static String zone(long serial, String staticAddress, int extra) {
        StringBuilder b = new StringBuilder("""
                $TTL 3600
                @        SOA   ns1.xfr.test. hostmaster.xfr.test. %d 7200 3600 1209600 300
                @        NS    ns1.xfr.test.
                ns1      A     192.0.2.53
                static   A     %s
                www      TXT   "steered"
                """.formatted(serial, staticAddress));
        for (int i = 0; i < extra; i++) {
            b.append("host").append(i).append(".bulk A 10.").append(i >> 16 & 255).append('.').append(i >> 8 & 255)
                    .append('.').append(i & 255).append('\n');
        }
        return b.toString();
    }

    static final String STEER = """
            pools:
              eu:
                origins:
                  - { name: par1, address: 192.0.2.10 }
                  - { name: par2, address: 192.0.2.11, weight: 5 }
              na:
                origins:
                  - { name: iad1, address: 198.51.100.10 }
                  - { name: iad1-v6, address: "2001:db8::10" }
            balancers:
              www: { default_pools: [na, eu], fallback_pool: eu, max_answers: 1 }
              api: { default_pools: [na], transfer_as: omit }
              fb: { default_pools: [na], fallback_pool: eu, transfer_as: fallback }
            """;

    void start(int extra, Consumer<ServerConfig> tweak) throws Exception {
        Path zones = Files.createDirectories(dir.resolve("zones"));
        Files.writeString(zones.resolve("xfr.test.zone"), zone(1, "192.0.2.1", extra));
        Files.writeString(zones.resolve("xfr.test.steer.yaml"), STEER);
        server = TestServer.start(dir, c -> {
            Secondaries.allowTransfers(c);
            c.transfer.catalog = "catalog.geosteer.";
            tweak.accept(c);
        }, "geoip/GeoIP2-City-Test.mmdb");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    List<Record> axfr(String zone, TSIG key) throws Exception {
        ZoneTransferIn x = ZoneTransferIn.newAXFR(Name.fromString(zone), server.address, key);
        x.setTimeout(Duration.ofSeconds(20));
        x.run();
        return x.getAXFR();
    }

    @Test
    void axfrSignedSendsTheZoneBetweenTwoSoasWithFixedAnswersForBalancers() throws Exception {
        start(0, c -> { });
        List<Record> records = axfr("xfr.test.", KEY);
        assertThat(records.get(0).getType()).isEqualTo(Type.SOA);
        assertThat(records.get(records.size() - 1).getType()).isEqualTo(Type.SOA);
        assertThat(records.stream().filter(r -> r.getType() == Type.SOA).count()).isEqualTo(2);
        // www: default = what an unknown client gets with every origin up: na, A and AAAA
        assertThat(records).filteredOn(r -> r.getName().toString().equals("www.xfr.test."))
                .extracting(Record::rdataToString).containsExactlyInAnyOrder("steered", "198.51.100.10", "2001:db8:0:0:0:0:0:10");
        assertThat(records).filteredOn(r -> r.getName().toString().equals("api.xfr.test.")).isEmpty();
        // fallback: the fallback pool, the heaviest origin first, max_answers of them
        assertThat(records).filteredOn(r -> r.getName().toString().equals("fb.xfr.test."))
                .extracting(Record::rdataToString).containsExactly("192.0.2.11");
        assertThat(records).filteredOn(r -> r.getName().toString().equals("static.xfr.test."))
                .extracting(Record::rdataToString).containsExactly("192.0.2.1");
    }

    @Test
    void aBigZoneComesInManyMessagesEachSigned() throws Exception {
        start(30_000, c -> { });
        // ZoneTransferIn checks the TSIG of every message (RFC 8945 §5.3.1) and fails on a bad one
        List<Record> records = axfr("xfr.test.", KEY);
        assertThat(records).hasSize(30_000 + 6 + 3);
        assertThat(records.get(records.size() - 1).getType()).isEqualTo(Type.SOA);
        // counted when the server has written the last message: the client may have read it a moment before
        TestServer.await("the AXFR counted", Duration.ofSeconds(10), () -> count("axfr") == 1.0);
    }

    @Test
    void withoutTheKeyOrWithAnotherKeyTheTransferIsRefused() throws Exception {
        start(0, c -> { });
        assertThatThrownBy(() -> axfr("xfr.test.", null)).isInstanceOf(ZoneTransferException.class)
                .hasMessageContaining("REFUSED");
        TSIG wrong = new TSIG(TSIG.HMAC_SHA256, "xfr-key.", "b3RoZXJzZWNyZXRvdGhlcnNlY3JldG90aGVyc2VjcmV0");
        assertThatThrownBy(() -> axfr("xfr.test.", wrong)).isInstanceOf(Exception.class);
        TSIG unknown = new TSIG(TSIG.HMAC_SHA256, "other-key.", SECRET);
        assertThatThrownBy(() -> axfr("xfr.test.", unknown)).isInstanceOf(Exception.class);
        // the error answers, read raw: NOTAUTH with BADSIG / BADKEY in the TSIG record
        for (TSIG[] k : new TSIG[][] {{wrong}, {unknown}}) {
            Message q = Message.newQuery(Record.newRecord(Name.fromString("xfr.test."), Type.SOA, DClass.IN));
            q.setTSIG(k[0]);
            q.getHeader().unsetFlag(Flags.RD);
            byte[] wire = q.toWire(512);
            Message a = new Message(server.udpRaw(wire, Duration.ofSeconds(5)));
            assertThat(a.getRcode()).isEqualTo(Rcode.NOTAUTH);
            assertThat(a.getTSIG().getError()).isEqualTo(k[0] == wrong ? Rcode.BADSIG : Rcode.BADKEY);
        }
    }

    @Test
    void ixfrSendsTheDifferenceAndUdpIxfrTheSoa() throws Exception {
        start(0, c -> { });
        Files.writeString(server.zones.resolve("xfr.test.zone"), zone(2, "192.0.2.2", 0));
        TestServer.await("serial 2", Duration.ofSeconds(10), () -> soa(server, "xfr.test.") == 2);
        ZoneTransferIn x = ZoneTransferIn.newIXFR(Name.fromString("xfr.test."), 1, false, server.address, KEY);
        x.run();
        assertThat(x.isIXFR()).isTrue();
        List<ZoneTransferIn.Delta> deltas = x.getIXFR();
        assertThat(deltas).hasSize(1);
        assertThat(deltas.get(0).deletes).extracting(Record::rdataToString).contains("192.0.2.1");
        assertThat(deltas.get(0).adds).extracting(Record::rdataToString).contains("192.0.2.2");
        assertThat(deltas.get(0).deletes).hasSize(2); // old SOA and the A record
        TestServer.await("the IXFR counted", Duration.ofSeconds(10), () -> count("ixfr") == 1.0);
        // an unknown serial: the whole zone (RFC 1995 §4)
        ZoneTransferIn full = ZoneTransferIn.newIXFR(Name.fromString("xfr.test."), 0, false, server.address, KEY);
        full.run();
        assertThat(full.isAXFR()).isTrue();
        // the same serial, or a later one: the SOA alone (up to date)
        ZoneTransferIn current = ZoneTransferIn.newIXFR(Name.fromString("xfr.test."), 2, false, server.address, KEY);
        current.run();
        assertThat(current.isCurrent()).isTrue();
        // over UDP: the SOA alone, signed
        Message q = Message.newQuery(Record.newRecord(Name.fromString("xfr.test."), Type.IXFR, DClass.IN));
        q.addRecord(new SOARecord(Name.fromString("xfr.test."), DClass.IN, 0, Name.fromString("a."),
                Name.fromString("b."), 1, 0, 0, 0, 0), Section.AUTHORITY);
        q.setTSIG(KEY);
        byte[] wire = q.toWire(512);
        Message signed = new Message(wire);
        byte[] raw = server.udpRaw(wire, Duration.ofSeconds(5));
        Message a = new Message(raw);
        assertThat(a.getSection(Section.ANSWER)).singleElement().satisfies(s -> assertThat(((SOARecord) s).getSerial())
                .isEqualTo(2));
        assertThat(KEY.verify(a, raw, signed.getTSIG())).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void theCatalogZoneListsTheZonesServed() throws Exception {
        start(0, c -> { });
        List<Record> records = axfr("catalog.geosteer.", KEY);
        assertThat(records).filteredOn(r -> r.getType() == Type.PTR).extracting(Record::rdataToString)
                .containsExactly("xfr.test.");
        assertThat(records).filteredOn(r -> r.getType() == Type.TXT).extracting(Record::rdataToString)
                .containsExactly("2");
        long before = soa(server, "catalog.geosteer.");
        Files.writeString(server.zones.resolve("other.test.zone"), """
                $TTL 300
                @ SOA ns.other.test. h.other.test. 1 7200 3600 1209600 300
                @ NS ns.other.test.
                ns A 192.0.2.9
                """);
        TestServer.await("catalog serial", Duration.ofSeconds(10), () -> soa(server, "catalog.geosteer.") > before);
        assertThat(axfr("catalog.geosteer.", KEY)).filteredOn(r -> r.getType() == Type.PTR)
                .extracting(Record::rdataToString).containsExactlyInAnyOrder("xfr.test.", "other.test.");
    }

    @Test
    void networkAloneAllowsUnsignedTransfers() throws Exception {
        start(0, c -> c.transfer.allow.get(0).key = null);
        assertThat(axfr("xfr.test.", null)).isNotEmpty();
        assertThat(axfr("xfr.test.", KEY)).isNotEmpty();
    }

    @Test
    void aReloadDuringATransferDoesNotMixVersions() throws Exception {
        start(60_000, c -> {
            c.limits.tcpIdleTimeout = Duration.ofSeconds(120); // held while the reload runs
            c.transfer.allow.get(0).key = null; // unsigned, to read it message by message
        });
        try (java.net.Socket s = new java.net.Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(server.address);
            Message q = Message.newQuery(Record.newRecord(Name.fromString("xfr.test."), Type.AXFR, DClass.IN));
            TestServer.writeFrame(s, q.toWire());
            List<Record> got = new java.util.ArrayList<>(new Message(TestServer.readFrame(s)).getSection(Section.ANSWER));
            // serial 2 changes static.xfr.test and removes every bulk record, while serial 1 is being sent
            Files.writeString(server.zones.resolve("xfr.test.zone"), zone(2, "192.0.2.2", 0));
            TestServer.await("serial 2 served", Duration.ofSeconds(20), () -> soa(server, "xfr.test.") == 2);
            while (got.size() < 2 || got.get(got.size() - 1).getType() != Type.SOA) {
                got.addAll(new Message(TestServer.readFrame(s)).getSection(Section.ANSWER));
            }
            assertThat(got).hasSize(60_000 + 6 + 3);
            assertThat(got).filteredOn(r -> r.getType() == Type.SOA).extracting(r -> ((SOARecord) r).getSerial())
                    .containsExactly(1L, 1L);
            assertThat(got).filteredOn(r -> r.getName().toString().equals("static.xfr.test."))
                    .extracting(Record::rdataToString).containsExactly("192.0.2.1");
        }
    }

    @Test
    void aRequestSignedAtAnotherTimeGetsBadtimeSigned() throws Exception {
        start(0, c -> { });
        java.time.Clock hourAgo = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofHours(-1));
        TSIG late = new TSIG(TSIG.HMAC_SHA256, Name.fromString("xfr-key."),
                new javax.crypto.spec.SecretKeySpec(java.util.Base64.getDecoder().decode(SECRET), "HmacSHA256"), hourAgo);
        Message q = Message.newQuery(Record.newRecord(Name.fromString("xfr.test."), Type.SOA, DClass.IN));
        q.setTSIG(late);
        byte[] wire = q.toWire(512);
        Message sent = new Message(wire);
        byte[] raw = server.udpRaw(wire, Duration.ofSeconds(5));
        Message a = new Message(raw);
        assertThat(a.getRcode()).isEqualTo(Rcode.NOTAUTH);
        assertThat(a.getTSIG().getError()).isEqualTo(Rcode.BADTIME);
        assertThat(a.getTSIG().getSignature()).isNotEmpty(); // RFC 8945 §5.2.3: BADTIME answers are signed
    }

    double count(String kind) {
        var c = server.server.metrics().find("geosteer_xfr").tag("kind", kind).tag("result", "ok").counter();
        return c == null ? 0 : c.count();
    }

    static long soa(TestServer s, String zone) {
        try {
            Message m = s.udp(zone, Type.SOA);
            return m.getSection(Section.ANSWER).isEmpty() ? -1 : ((SOARecord) m.getSection(Section.ANSWER).get(0)).getSerial();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void aSignedZoneIsTransferredSignedWithTheBitmapsOfWhatIsTransferred() throws Exception {
        Path keys = dir.resolve("zones").resolve("keys");
        java.security.SecureRandom rnd = new java.security.SecureRandom();
        Name origin = Name.fromString("xfr.test.");
        dev.geosteer.dnssec.KeyStore.create(keys, origin, dev.geosteer.dnssec.Algorithm.ECDSAP256SHA256,
                dev.geosteer.dnssec.DnssecKey.CSK_FLAGS,
                dev.geosteer.dnssec.KeyTiming.activeFrom(java.time.Instant.now().minusSeconds(3600)), rnd);
        start(0, c -> { });
        List<Record> records = axfr("xfr.test.", KEY);
        java.util.Map<Name, java.util.Set<Integer>> types = new java.util.TreeMap<>();
        java.util.Map<Name, org.xbill.DNS.NSECRecord> nsec = new java.util.TreeMap<>();
        java.util.Set<String> covered = new java.util.HashSet<>();
        List<org.xbill.DNS.DNSKEYRecord> dnskeys = new java.util.ArrayList<>();
        for (Record r : records.subList(0, records.size() - 1)) { // the closing SOA: the same as the first
            types.computeIfAbsent(r.getName(), n -> new java.util.TreeSet<>()).add(r.getType());
            if (r instanceof org.xbill.DNS.NSECRecord n) {
                nsec.put(r.getName(), n);
            } else if (r instanceof org.xbill.DNS.RRSIGRecord sig) {
                covered.add(r.getName() + "/" + Type.string(sig.getTypeCovered()));
            } else if (r instanceof org.xbill.DNS.DNSKEYRecord k) {
                dnskeys.add(k);
            }
        }
        assertThat(dnskeys).hasSize(1);
        // every name has its NSEC, whose bitmap is exactly the types transferred there; every RRset is signed
        assertThat(nsec.keySet()).isEqualTo(types.keySet());
        types.forEach((name, present) -> {
            java.util.Set<Integer> bitmap = new java.util.TreeSet<>();
            for (int t : nsec.get(name).getTypes()) {
                bitmap.add(t);
            }
            assertThat(bitmap).as(name.toString()).isEqualTo(present);
            for (int t : present) {
                if (t != Type.RRSIG) {
                    assertThat(covered).as(name + " " + Type.string(t) + " signed").contains(name + "/" + Type.string(t));
                }
            }
        });
        // the balancers: transfer_as default (A and AAAA), omit (nothing but the NSEC), fallback (A only)
        assertThat(types.get(Name.fromString("www.xfr.test."))).contains(Type.A, Type.AAAA, Type.TXT);
        assertThat(types.get(Name.fromString("api.xfr.test."))).containsExactlyInAnyOrder(Type.NSEC, Type.RRSIG);
        assertThat(types.get(Name.fromString("fb.xfr.test."))).containsExactlyInAnyOrder(Type.A, Type.NSEC, Type.RRSIG);
        // and each signature checks out against the DNSKEY transferred
        java.util.Map<String, org.xbill.DNS.RRset> sets = new java.util.LinkedHashMap<>();
        for (Record r : records.subList(0, records.size() - 1)) {
            int t = r instanceof org.xbill.DNS.RRSIGRecord sig ? sig.getTypeCovered() : r.getType();
            sets.computeIfAbsent(r.getName() + "/" + t, k -> new org.xbill.DNS.RRset()).addRR(r);
        }
        for (org.xbill.DNS.RRset set : sets.values()) {
            for (org.xbill.DNS.RRSIGRecord sig : set.sigs()) {
                org.xbill.DNS.DNSSEC.verify(set, sig, dnskeys.get(0), java.time.Instant.now());
            }
        }

        // a second key, active now: new signatures, a new serial, and the IXFR carries the signatures' changes
        long serial = serial();
        dev.geosteer.dnssec.DnssecKey second = dev.geosteer.dnssec.KeyStore.create(keys, origin,
                dev.geosteer.dnssec.Algorithm.ECDSAP256SHA256, dev.geosteer.dnssec.DnssecKey.CSK_FLAGS,
                dev.geosteer.dnssec.KeyTiming.activeFrom(java.time.Instant.now().minusSeconds(60)), rnd);
        TestServer.await("signed again with both keys", Duration.ofSeconds(10), () -> serial() == serial + 1);
        ZoneTransferIn x = ZoneTransferIn.newIXFR(origin, serial, false, server.address, KEY);
        x.run();
        assertThat(x.isIXFR()).isTrue();
        List<ZoneTransferIn.Delta> deltas = x.getIXFR();
        assertThat(deltas).hasSize(1);
        assertThat(deltas.get(0).adds).filteredOn(r -> r.getType() == Type.DNSKEY) // the new key's
                .extracting(r -> ((org.xbill.DNS.DNSKEYRecord) r).getFootprint()).containsExactly(second.keyTag());
        assertThat(deltas.get(0).deletes).filteredOn(r -> r.getType() == Type.DNSKEY).isEmpty();
        assertThat(deltas.get(0).adds).filteredOn(r -> r instanceof org.xbill.DNS.RRSIGRecord s
                && s.getTypeCovered() == Type.A && s.getFootprint() == second.keyTag()
                && r.getName().toString().equals("www.xfr.test.")).hasSize(1);
    }

    long serial() {
        try {
            List<Record> a = server.udp("xfr.test.", Type.SOA).getSection(Section.ANSWER);
            return a.isEmpty() ? -1 : ((SOARecord) a.get(0)).getSerial();
        } catch (Exception e) {
            return -1;
        }
    }
}
