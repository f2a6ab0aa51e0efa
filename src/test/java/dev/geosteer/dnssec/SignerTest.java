package dev.geosteer.dnssec;

import dev.geosteer.dns.RRset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.geosteer.dnssec.KeyFileTest.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RRSIGs made by {@link Signer}, checked by dnsjava's validator (an independent implementation, on SunEC). */
class SignerTest {
    static final Name ZONE = name("example.test.");
    static final long NOW = Instant.now().getEpochSecond();
    static final SecureRandom RANDOM = new SecureRandom();

    static DnssecKey key(Algorithm a) {
        return DnssecKey.generate(ZONE, a, DnssecKey.CSK_FLAGS, KeyTiming.activeFrom(Instant.now()), RANDOM);
    }

    static Record rr(String text) {
        try {
            String[] f = text.split("\\s+", 4);
            return Record.fromString(name(f[0]), Type.value(f[2]), DClass.IN, Long.parseLong(f[1]), f[3], Name.root);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** Signs these records (one RRset) as given, returns the RRSIG record. */
    static RRSIGRecord sign(DnssecKey key, List<Record> records) {
        RRset set = RRset.of(records);
        byte[] rd = Signer.sign(key, set, NOW - 3600, NOW + 86400);
        return (RRSIGRecord) Record.newRecord(set.owner(), Type.RRSIG, DClass.IN, set.ttl(), rd);
    }

    /** dnsjava's check of the RRSIG over the RRset {@code records} (served under their owner). */
    static void verify(DnssecKey key, RRSIGRecord sig, List<Record> records) throws Exception {
        org.xbill.DNS.RRset rrs = new org.xbill.DNS.RRset();
        records.forEach(rrs::addRR);
        rrs.addRR(sig);
        DNSSEC.verify(rrs, sig, key.toRecord(3600), Instant.now());
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void signaturesValidate(Algorithm a) throws Exception {
        DnssecKey key = key(a);
        List<Record> set = List.of(rr("www.example.test. 300 A 192.0.2.1"), rr("www.example.test. 300 A 192.0.2.2"));
        RRSIGRecord sig = sign(key, set);
        verify(key, sig, set);
        assertThat(sig.getTypeCovered()).isEqualTo(Type.A);
        assertThat(sig.getAlgorithm()).isEqualTo(a.number());
        assertThat(sig.getLabels()).isEqualTo(3);
        assertThat(sig.getOrigTTL()).isEqualTo(300);
        assertThat(sig.getFootprint()).isEqualTo(key.keyTag());
        assertThat(sig.getSigner()).isEqualTo(ZONE);
        assertThat(sig.getSignature()).hasSize(a.signatureLength());
        assertThat(sig.getTimeSigned().getEpochSecond()).isEqualTo(NOW - 3600);
        assertThat(sig.getExpire().getEpochSecond()).isEqualTo(NOW + 86400);
    }

    @Test
    void aTamperedRRsetOrAnotherKeyFails() {
        DnssecKey key = key(Algorithm.ECDSAP256SHA256);
        RRSIGRecord sig = sign(key, List.of(rr("www.example.test. 300 A 192.0.2.1")));
        assertThatThrownBy(() -> verify(key, sig, List.of(rr("www.example.test. 300 A 192.0.2.9"))))
                .isInstanceOf(DNSSEC.DNSSECException.class);
        DnssecKey other = key(Algorithm.ECDSAP256SHA256);
        assertThatThrownBy(() -> verify(other, sig, List.of(rr("www.example.test. 300 A 192.0.2.1"))))
                .isInstanceOf(DNSSEC.DNSSECException.class);
    }

    @Test
    void canonicalFormOrderCaseAndDuplicates() throws Exception {
        DnssecKey key = key(Algorithm.ED25519);
        // owner and MX targets in mixed case, records out of order, a duplicate: signed in canonical form
        List<Record> mx = new ArrayList<>(List.of(rr("MiXeD.Example.TEST. 3600 MX 20 MX2.Example.TEST."),
                rr("MiXeD.Example.TEST. 3600 MX 10 Mx1.example.test."),
                rr("MiXeD.Example.TEST. 3600 MX 20 mx2.example.test.")));
        RRSIGRecord sig = sign(key, mx);
        verify(key, sig, List.of(rr("mixed.example.test. 3600 MX 10 mx1.example.test."),
                rr("mixed.example.test. 3600 MX 20 mx2.example.test.")));
        Collections.reverse(mx);
        assertThat(sign(key, mx).getSignature()).as("Ed25519 is deterministic; canonical order is order-free")
                .isEqualTo(sig.getSignature());
        // TXT case is data, not a name: it is signed as it is
        List<Record> txt = List.of(rr("t.example.test. 60 TXT \"Hello\""), rr("t.example.test. 60 TXT \"hello\""));
        verify(key, sign(key, txt), txt);
    }

    @Test
    void typesWithNamesToLowerAndNot() throws Exception {
        DnssecKey key = key(Algorithm.ECDSAP256SHA256);
        for (String text : List.of("s.example.test. 60 SRV 10 60 5060 SIP.Example.Test.",
                "example.test. 60 SOA NS1.Example.test. HostMaster.example.TEST. 1 7200 3600 1209600 300",
                "n.example.test. 60 NAPTR 100 10 \"S\" \"SIP+D2U\" \"\" _SIP._udp.Example.TEST.",
                "d.example.test. 60 DNAME Other.TEST.", "c.example.test. 60 CNAME WWW.example.test.",
                "p.example.test. 60 PTR WWW.example.test.", "r.example.test. 60 RP Mbox.Example.TEST. TXT.example.test.",
                "example.test. 60 NS NS1.example.TEST.", "h.example.test. 60 HINFO \"PC\" \"Linux\"",
                "u.example.test. 60 TYPE65000 \\# 4 0a000001", "c.example.test. 60 CAA 0 issue \"CA.example.net\"",
                "k.example.test. 60 DS 12345 13 2 0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")) {
            List<Record> set = List.of(rr(text));
            verify(key, sign(key, set), set);
        }
        // NSEC's next name is not lowered (RFC 6840 §5.1): signed with its case, and dnsjava agrees
        List<Record> nsec = List.of(rr("a.example.test. 300 NSEC B.Example.test. A RRSIG NSEC"));
        verify(key, sign(key, nsec), nsec);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aWildcardSignatureValidatesUnderEveryExpansion(Algorithm a) throws Exception {
        DnssecKey key = key(a);
        RRSIGRecord sig = sign(key, List.of(rr("*.apps.example.test. 60 A 192.0.2.100")));
        assertThat(sig.getLabels()).as("labels leave out the *").isEqualTo(3);
        for (String owner : List.of("x.apps.example.test.", "a.b.c.apps.example.test.")) {
            Name expanded = name(owner);
            RRSIGRecord served = (RRSIGRecord) Record.newRecord(expanded, Type.RRSIG, DClass.IN, 60, sig.rdataToWireCanonical());
            verify(key, served, List.of(rr(owner + " 60 A 192.0.2.100")));
        }
        assertThat(Signer.labels(name("*.example.test."))).isEqualTo(2);
        assertThat(Signer.labels(name("example.test."))).isEqualTo(2);
        assertThat(Signer.labels(Name.root)).isZero();
    }

    @Test
    void ecdsaIsDeterministicSoInstancesAgree() {
        // RFC 6979: two servers signing the same RRset with the same key and validity send the same RRSIG
        DnssecKey key = key(Algorithm.ECDSAP256SHA256);
        List<Record> set = List.of(rr("www.example.test. 30 A 192.0.2.1"));
        assertThat(sign(key, set).getSignature()).isEqualTo(sign(key, set).getSignature());
        assertThat(sign(key, List.of(rr("www.example.test. 30 A 192.0.2.2"))).getSignature())
                .isNotEqualTo(sign(key, set).getSignature());
    }

    @Test
    void manyThreadsSignWithOneKey() throws Exception {
        DnssecKey ec = key(Algorithm.ECDSAP256SHA256);
        DnssecKey ed = key(Algorithm.ED25519);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        List<Record> set = List.of(rr("h" + i + ".example.test. 30 A 192.0.2." + thread));
                        for (DnssecKey k : List.of(ec, ed)) {
                            verify(k, sign(k, set), set);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesWhatCannotBeSigned() {
        DnssecKey key = key(Algorithm.ED25519);
        assertThatThrownBy(() -> sign(key, List.of(rr("www.other.test. 30 A 192.0.2.1"))))
                .hasMessageContaining("www.other.test. is not in zone example.test.");
        assertThatThrownBy(() -> Signer.sign(key, name("www.example.test."), Type.A, 30, new byte[0][], NOW, NOW + 1))
                .hasMessageContaining("at least one record");
    }

    @Test
    void dnskeyRecordMatchesDnsjava() {
        DnssecKey key = key(Algorithm.ECDSAP256SHA256);
        DNSKEYRecord r = key.toRecord(3600);
        assertThat(r.getFootprint()).isEqualTo(key.keyTag());
        assertThat(r.getFlags()).isEqualTo(257);
        assertThat(r.getKey()).isEqualTo(key.publicKey());
    }
}
