package dev.geosteer.dnssec;

import dev.geosteer.dns.RRset;
import dev.geosteer.zone.Zone;
import dev.geosteer.zone.ZoneLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.geosteer.dnssec.KeyFileTest.name;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A compiled zone signed at load ({@link SignedZone#sign}): {@code dnssec-verify} accepts what it
 * serves, a reload signs only what changed, steered RRsets are signed once per content.
 */
class SignedZoneTest {
    static final Name DIFF = name("diff.test.");
    static final ExecutorService POOL = Executors.newFixedThreadPool(2);

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    static Zone zone(String text, Map<Name, Integer> balancers) throws Exception {
        ZoneLoader.ParsedZone parsed = ZoneLoader.parse("diff.test.zone", Path.of("diff.test.zone"),
                text.getBytes(StandardCharsets.UTF_8), DIFF);
        return ZoneLoader.compile(parsed, balancers);
    }

    static String diffZone() throws Exception {
        try (var in = SignedZoneTest.class.getResourceAsStream("/knotdiff/diff.test.zone")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    KeySet.Signing keys() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        if (KeyStore.scan(keys).keys(DIFF).keys().isEmpty()) {
            KeyStore.create(keys, DIFF, Algorithm.ECDSAP256SHA256, DnssecKey.CSK_FLAGS,
                    KeyTiming.activeFrom(Instant.now().minusSeconds(60)), new SecureRandom());
        }
        return KeyStore.scan(keys).keys(DIFF).at(Instant.now());
    }

    static SignatureWindow window() {
        return SignatureWindow.at(Instant.now(), Duration.ofDays(14), Duration.ofHours(1));
    }

    @Test
    void dnssecVerifyAcceptsTheZoneAsSignedAtLoad() throws Exception {
        BindTools.require("dnssec-verify");
        Zone z = zone(diffZone(), Map.of(name("www.diff.test."), 0));
        SignatureStats stats = new SignatureStats();
        SignedZone signed = SignedZone.sign(z, keys(), window(), 3600, null, 100, stats, POOL);
        Path file = dir.resolve("signed.zone");
        StringBuilder b = new StringBuilder();
        for (Record r : signed.records()) {
            b.append(r).append('\n');
        }
        Files.writeString(file, b.toString());
        BindTools.Result r = BindTools.run(dir, "dnssec-verify", "-z", "-o", "diff.test.", file.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out() + r.err()).contains("Zone fully signed");
        assertThat(stats.signatures.sum()).isEqualTo(signed.signaturesMade());
    }

    @Test
    void aReloadSignsOnlyWhatChanged() throws Exception {
        KeySet.Signing keys = keys();
        SignatureWindow w = window();
        SignatureStats stats = new SignatureStats();
        String text = diffZone();
        SignedZone first = SignedZone.sign(zone(text, Map.of()), keys, w, 3600, null, 100, stats, POOL);
        assertThat(first.signaturesMade()).isGreaterThan(100);

        SignedZone same = SignedZone.sign(zone(text, Map.of()), keys, w, 3600, first, 100, stats, POOL);
        assertThat(same.signaturesMade()).isZero();

        // one TXT changed: that RRset is signed again, and nothing else (its NSEC did not change)
        SignedZone changed = SignedZone.sign(zone(text.replace("\"hello\"", "\"bonjour\""), Map.of()), keys, w, 3600,
                same, 100, stats, POOL);
        assertThat(changed.signaturesMade()).isEqualTo(1);
        // a new name: its RRset, its NSEC and its predecessor's NSEC
        SignedZone added = SignedZone.sign(zone(text.replace("\"hello\"", "\"bonjour\"") + "\nnewname.diff.test. 3600 IN A 192.0.2.99\n", Map.of()), keys, w, 3600,
                changed, 100, stats, POOL);
        assertThat(added.signaturesMade()).isEqualTo(3);
        // ten days on, every signature is due: everything again
        SignedZone resigned = SignedZone.sign(zone(text, Map.of()), keys,
                SignatureWindow.at(Instant.now().plus(Duration.ofDays(10)), Duration.ofDays(14), Duration.ofHours(1)),
                3600, added, 100, stats, POOL);
        assertThat(resigned.signaturesMade()).isEqualTo(first.signaturesMade());
    }

    @Test
    void refreshesSignAgainOnlyTheSignaturesDueInBatchesSpreadOverTheValidity() throws Exception {
        KeySet.Signing keys = keys();
        Duration validity = Duration.ofDays(14);
        Instant t0 = Instant.now();
        SignatureStats stats = new SignatureStats();
        String text = diffZone();
        SignedZone z = SignedZone.sign(zone(text, Map.of()), keys, SignatureWindow.at(t0, validity, Duration.ofHours(1)),
                3600, null, 100, stats, POOL);
        int all = z.signaturesMade();
        // expirations spread over a quarter of the validity: the first refresh is before half of it
        assertThat(z.refreshAt()).isAfter(t0.plus(Duration.ofDays(2))).isBefore(t0.plus(Duration.ofDays(7)));
        int refreshes = 0;
        long made = 0;
        Instant last = t0;
        while (z.refreshAt().isBefore(t0.plus(validity.multipliedBy(2)))) {
            Instant at = z.refreshAt();
            assertThat(at).as("refreshes at least the batch margin apart").isAfterOrEqualTo(last.plus(Duration.ofHours(21)));
            z = SignedZone.sign(zone(text, Map.of()), keys, SignatureWindow.at(at, validity, Duration.ofHours(1)), 3600, z,
                    100, stats, POOL);
            refreshes++;
            made += z.signaturesMade();
            last = at;
            assertThat(z.signaturesMade()).as("refresh " + refreshes + " signs a part of the zone").isPositive()
                    .isLessThan(all);
            // whatever was kept is still more than half valid
            for (Record r : z.records()) {
                if (r instanceof org.xbill.DNS.RRSIGRecord sig) {
                    assertThat(sig.getExpire()).as(sig.toString()).isAfterOrEqualTo(at.plus(validity.dividedBy(2)));
                }
            }
        }
        System.out.printf("SignedZoneTest: over two validities, %d refreshes made %d signatures (the zone: %d)%n",
                refreshes, made, all);
        // every RRset is signed again about once per half validity, a part of the zone at a time
        assertThat(refreshes).as("refreshes in two validities").isBetween(4, 32);
        assertThat(made).as("signatures made in two validities").isBetween(3L * all, 6L * all);
        assertThat(made / refreshes).as("signatures made per refresh").isLessThan(all / 2);
    }

    @Test
    void aSteeredRRsetIsSignedOncePerContentAndValidates() throws Exception {
        KeySet.Signing keys = keys();
        Name www = name("www.diff.test.");
        SignatureStats stats = new SignatureStats();
        SignedZone signed = SignedZone.sign(zone(diffZone(), Map.of(www, 0)), keys, window(), 3600, null, 100, stats,
                POOL);
        byte[][] ab = {InetAddress.getByName("192.0.2.10").getAddress(), InetAddress.getByName("192.0.2.11").getAddress()};
        byte[][] ba = {ab[1], ab[0]};
        RRset answer = RRset.ofRdata(www, www.toWire(), Type.A, 20, ab);
        long before = stats.signatures.sum();
        RRset sig = signed.signSteered(answer, 30);
        RRset again = signed.signSteered(RRset.ofRdata(www, www.toWire(), Type.A, 7, ba), 30);
        assertThat(stats.signatures.sum() - before).isEqualTo(1);
        assertThat(again.rdata(0)).isEqualTo(sig.rdata(0));
        assertThat(stats.cacheHits.sum()).isEqualTo(1);
        assertThat(stats.cacheMisses.sum()).isEqualTo(1);

        // the RRSIG validates with the served TTL lower than its original TTL
        org.xbill.DNS.RRset set = new org.xbill.DNS.RRset();
        set.addRR(new ARecord(www, DClass.IN, 20, InetAddress.getByName("192.0.2.11")));
        set.addRR(new ARecord(www, DClass.IN, 20, InetAddress.getByName("192.0.2.10")));
        RRSIGRecord rrsig = (RRSIGRecord) Record.newRecord(www, Type.RRSIG, DClass.IN, 20, sig.rdata(0));
        assertThat(rrsig.getOrigTTL()).isEqualTo(30);
        DNSKEYRecord key = (DNSKEYRecord) Record.newRecord(DIFF, Type.DNSKEY, DClass.IN, 3600, signed.dnskey().rdata(0));
        DNSSEC.verify(set, rrsig, key);

        // NODATA at the balancer: the bitmap variant without AAAA, signed
        int index = signed.chain().matching(www);
        SignedZone.Signed noAaaa = signed.nsec(index, signed.chain().variantMask(index, Type.A));
        org.xbill.DNS.NSECRecord nsec = (org.xbill.DNS.NSECRecord) noAaaa.rrset().toRecords().get(0);
        assertThat(nsec.hasType(Type.A)).isTrue();
        assertThat(nsec.hasType(Type.AAAA)).isFalse();
        org.xbill.DNS.RRset nsecSet = new org.xbill.DNS.RRset(nsec);
        DNSSEC.verify(nsecSet, (RRSIGRecord) noAaaa.rrsig().toRecords().get(0), key);
    }

    @Test
    void theCacheIsBounded() throws Exception {
        KeySet.Signing keys = keys();
        Name www = name("www.diff.test.");
        SignatureStats stats = new SignatureStats();
        SignedZone signed = SignedZone.sign(zone(diffZone(), Map.of(www, 0)), keys, window(), 3600, null, 10, stats,
                POOL);
        for (int i = 0; i < 100; i++) {
            byte[][] rd = {new byte[] {10, 0, 0, (byte) i}};
            signed.signSteered(RRset.ofRdata(www, www.toWire(), Type.A, 30, rd), 30);
            assertThat(signed.steered().size()).isLessThanOrEqualTo(10);
        }
        assertThat(List.of(stats.cacheMisses.sum())).containsExactly(100L);
    }
}
