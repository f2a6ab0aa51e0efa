package dev.geosteer.dnssec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.CDSRecord;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.geosteer.dnssec.KeyFileTest.name;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole zones signed with {@link Signer}, {@link NsecChain} and {@link KeySet}, checked by BIND:
 * {@code dnssec-verify} accepts them, and {@code dnssec-signzone -S} (BIND's "smart signing", which
 * follows the same key timing metadata) builds the same NSEC chain, publishes the same DNSKEYs and
 * CDS, and signs with the same keys.
 */
class ZoneSignerTest {
    static final Name DIFF = name("diff.test.");

    @TempDir
    Path dir;

    List<Record> signWithKeysIn(Path keys, Name zone, String resource) throws Exception {
        KeyStore store = KeyStore.scan(keys);
        assertThat(store.problems()).isEmpty();
        long now = Instant.now().getEpochSecond();
        return ZoneSigner.sign(zone, NsecChainTest.zoneRecords(resource, zone), store.keys(zone).at(Instant.now()), 3600,
                now - 3600, now + 14 * 86400);
    }

    BindTools.Result verify(List<Record> signed, Name zone, boolean csk) throws Exception {
        Path file = dir.resolve("signed-" + System.nanoTime() + ".zone");
        Files.writeString(file, ZoneSigner.masterFile(signed));
        List<String> args = new ArrayList<>(csk ? List.of("-z") : List.of());
        args.addAll(List.of("-o", zone.toString(), file.toString()));
        return BindTools.run(dir, "dnssec-verify", args.toArray(String[]::new));
    }

    @Test
    void dnssecVerifyAcceptsAZoneSignedWithAKeyFromDnssecKeygen() throws Exception {
        BindTools.require("dnssec-keygen", "dnssec-verify");
        Path keys = Files.createDirectories(dir.resolve("keys"));
        BindTools.keygen(keys, "-a", "ECDSAP256SHA256", "-f", "KSK", "diff.test");
        List<Record> signed = signWithKeysIn(keys, DIFF, "/knotdiff/diff.test.zone");

        BindTools.Result r = verify(signed, DIFF, true).ok();
        assertThat(r.out() + r.err()).contains("Zone fully signed").contains("KSKs: 1 active");

        // the check can fail: without one NSEC, or with one signature altered, dnssec-verify refuses the zone
        List<Record> broken = new ArrayList<>(signed);
        broken.removeIf(x -> x.getType() == Type.NSEC && x.getName().equals(name("www.diff.test.")));
        assertThat(verify(broken, DIFF, true).exit()).isNotZero();
        List<Record> tampered = new ArrayList<>(signed);
        int i = indexOfRrsig(tampered, name("www.diff.test."), Type.TXT);
        RRSIGRecord s = (RRSIGRecord) tampered.get(i);
        byte[] sig = s.getSignature();
        sig[5] ^= 1;
        tampered.set(i, new RRSIGRecord(s.getName(), s.getDClass(), s.getTTL(), s.getTypeCovered(), s.getAlgorithm(),
                s.getOrigTTL(), s.getExpire(), s.getTimeSigned(), s.getFootprint(), s.getSigner(), sig));
        assertThat(verify(tampered, DIFF, true).exit()).isNotZero();
    }

    static int indexOfRrsig(List<Record> records, Name owner, int covered) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i) instanceof RRSIGRecord s && s.getName().equals(owner) && s.getTypeCovered() == covered) {
                return i;
            }
        }
        throw new AssertionError("no RRSIG " + owner + " " + Type.string(covered));
    }

    @Test
    void dnssecVerifyAcceptsKskPlusZskAndEd25519() throws Exception {
        BindTools.require("dnssec-verify");
        Path keys = dir.resolve("keys");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        SecureRandom random = new SecureRandom();
        KeyStore.create(keys, DIFF, Algorithm.ED25519, 257, KeyTiming.activeFrom(now), random);
        KeyStore.create(keys, DIFF, Algorithm.ED25519, 256, KeyTiming.activeFrom(now), random);
        List<Record> signed = signWithKeysIn(keys, DIFF, "/knotdiff/diff.test.zone");
        BindTools.Result r = verify(signed, DIFF, false).ok();
        assertThat(r.out() + r.err()).contains("Algorithm: ED25519: KSKs: 1 active, 0 stand-by, 0 revoked")
                .contains("ZSKs: 1 active, 0 stand-by, 0 revoked");
        // the KSK signs the DNSKEY RRset only
        KeySet.Signing signing = KeyStore.scan(keys).keys(DIFF).at(Instant.now());
        int ksk = signing.keySigning().get(0).keyTag();
        for (Record x : signed) {
            if (x instanceof RRSIGRecord s) {
                assertThat(s.getFootprint() == ksk).as(s.toString()).isEqualTo(s.getTypeCovered() == Type.DNSKEY);
            }
        }
    }

    /**
     * Keys in every state of BIND's timing (made by dnssec-keygen with relative times): what BIND's
     * smart signing publishes and signs with, and the NSEC chain it builds, must be ours.
     */
    @Test
    void sameChainKeysAndSignersAsDnssecSignzone() throws Exception {
        BindTools.require("dnssec-keygen", "dnssec-signzone", "dnssec-settime");
        Path keys = Files.createDirectories(dir.resolve("keys"));
        String alg = "ECDSAP256SHA256";
        BindTools.keygen(keys, "-a", alg, "-f", "KSK", "-P", "-30d", "-A", "-30d", "diff.test");                 // active
        BindTools.keygen(keys, "-a", alg, "-f", "KSK", "-P", "none", "-A", "-1d", "diff.test");                  // active, published from Activate
        BindTools.keygen(keys, "-a", alg, "-f", "KSK", "-P", "-1d", "-A", "+1d", "diff.test");                   // pre-published
        BindTools.keygen(keys, "-a", alg, "-f", "KSK", "-P", "-30d", "-A", "-30d", "-I", "-1d", "-D", "+9d", "diff.test"); // inactive
        BindTools.keygen(keys, "-a", alg, "-f", "KSK", "-P", "-30d", "-A", "-30d", "-I", "-20d", "-D", "-10d", "diff.test"); // deleted
        BindTools.keygen(keys, "-a", alg, "-f", "KSK", "-P", "+1d", "-A", "+2d", "diff.test");                   // not yet published
        String sync = BindTools.keygen(keys, "-a", alg, "-f", "KSK", "-P", "-3d", "-A", "-3d", "diff.test");     // active, CDS
        BindTools.run(keys, "dnssec-settime", "-P", "sync", "-1d", sync).ok();
        String unsync = BindTools.keygen(keys, "-a", alg, "-f", "KSK", "-P", "-3d", "-A", "-3d", "diff.test");   // CDS withdrawn
        BindTools.run(keys, "dnssec-settime", "-P", "sync", "-2d", "-D", "sync", "-1d", unsync).ok();
        Files.copy(NsecChainTest.class.getResourceAsStream("/knotdiff/diff.test.zone"), dir.resolve("diff.test.zone"));

        BindTools.run(dir, "dnssec-signzone", "-z", "-S", "-K", keys.toString(), "-o", "diff.test", "-N", "keep",
                "-f", "bind.zone", "diff.test.zone").ok();
        Summary bind = Summary.of(parse(dir.resolve("bind.zone"), DIFF));
        Summary ours = Summary.of(signWithKeysIn(keys, DIFF, "/knotdiff/diff.test.zone"));

        assertThat(ours.dnskeys).as("DNSKEY RRset").hasSize(6).isEqualTo(bind.dnskeys);
        assertThat(ours.signers(Type.SOA)).as("keys signing the SOA").hasSize(4).isEqualTo(bind.signers(Type.SOA));
        assertThat(ours.signers(Type.DNSKEY)).as("keys signing the DNSKEY RRset").isEqualTo(bind.signers(Type.DNSKEY));
        assertThat(ours.cds).as("CDS").hasSize(1).isEqualTo(bind.cds);
        assertThat(ours.nsec).as("NSEC chain").hasSize(bind.nsec.size()).isEqualTo(bind.nsec);
    }

    static List<Record> parse(Path file, Name origin) throws Exception {
        List<Record> out = new ArrayList<>();
        try (Master m = new Master(file.toString(), origin)) {
            for (Record r; (r = m.nextRecord()) != null; ) {
                out.add(r);
            }
        }
        return out;
    }

    /** What a signed zone says about keys and denial, comparable between signers. */
    record Summary(Set<Integer> dnskeys, Map<Integer, Set<Integer>> signersByType, Set<String> cds,
                   Map<String, String> nsec) {
        static Summary of(List<Record> records) {
            Set<Integer> dnskeys = new TreeSet<>();
            Map<Integer, Set<Integer>> signers = new TreeMap<>();
            Set<String> cds = new TreeSet<>();
            Map<String, String> nsec = new TreeMap<>();
            for (Record r : records) {
                if (r instanceof DNSKEYRecord k) {
                    dnskeys.add(k.getFootprint());
                } else if (r instanceof RRSIGRecord s) {
                    signers.computeIfAbsent(s.getTypeCovered(), t -> new TreeSet<>()).add(s.getFootprint());
                } else if (r instanceof CDSRecord c) {
                    cds.add(c.rdataToString().toLowerCase());
                } else if (r instanceof NSECRecord n) {
                    nsec.put(n.getName().canonicalize().toString(), n.getNext().canonicalize() + " "
                            + Arrays.stream(n.getTypes()).mapToObj(Type::string).toList());
                }
            }
            return new Summary(dnskeys, signers, cds, nsec);
        }

        Set<Integer> signers(int type) {
            return signersByType.getOrDefault(type, Set.of());
        }
    }
}
