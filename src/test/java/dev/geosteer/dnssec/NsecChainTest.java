package dev.geosteer.dnssec;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.geosteer.dnssec.KeyFileTest.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The NSEC chain: which names, which bitmaps, canonical order, covering/matching, bitmap variants. */
class NsecChainTest {
    static final Name DIFF = name("diff.test.");

    /** The records of a test zone file (src/test/resources). */
    static List<Record> zoneRecords(String resource, Name origin) throws Exception {
        List<Record> out = new ArrayList<>();
        try (InputStream in = NsecChainTest.class.getResourceAsStream(resource);
             Master m = new Master(in, origin, 3600)) {
            for (Record r; (r = m.nextRecord()) != null; ) {
                out.add(r);
            }
        }
        return out;
    }

    static NsecChain chainOf(List<Record> records, Name apex) {
        NsecChain.Builder b = NsecChain.builder(apex, 300);
        records.forEach(r -> b.add(r.getName(), r.getType()));
        return b.build();
    }

    static NsecChain diffChain() throws Exception {
        return chainOf(zoneRecords("/knotdiff/diff.test.zone", DIFF), DIFF);
    }

    static List<String> owners(NsecChain c) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            out.add(c.owner(i).toString());
        }
        return out;
    }

    static List<String> typeNames(NsecChain c, int i) {
        return Arrays.stream(c.types(i)).mapToObj(Type::string).toList();
    }

    @Test
    void canonicalOrderIsRfc4034s() {
        // RFC 4034 §6.1's example, given shuffled
        List<String> rfc = List.of("example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.",
                "zABC.a.EXAMPLE.", "z.example.", "\\001.z.example.", "*.z.example.", "\\200.z.example.");
        List<String> shuffled = new ArrayList<>(rfc);
        java.util.Collections.shuffle(shuffled, new Random(7));
        NsecChain.Builder b = NsecChain.builder(name("example."), 300);
        shuffled.forEach(n -> b.add(name(n), Type.A));
        NsecChain c = b.build();
        assertThat(owners(c)).containsExactlyElementsOf(rfc.stream().map(n -> name(n).toString()).toList());
        assertThat(c.next(c.size() - 1)).isEqualTo(name("example."));
    }

    @Test
    void canonicalKeysSortAsDnsjavasCanonicalOrder() throws Exception {
        // labels of octets that stress the encoding: 0, 1, 2, '*', upper and lower case, 0xFF
        byte[] wide = {0, 1, 2, '*', '-', 'a', 'A', 'b', 'B', 'z', (byte) 0x7F, (byte) 0x80, (byte) 0xFF};
        byte[] narrow = {0, 1, 2, 'a', 'A'}; // few octets, short labels: many near-collisions
        Random random = new Random(11);
        List<Name> names = new ArrayList<>(List.of(name("a\000.x."), name("\000.a.x."), name("a.x."),
                name("a\001.x."), name("\001.a.x."), name("\000.x."), name("\000\000.x."), name("\001\000.x.")));
        for (int i = 0; i < 3000; i++) {
            byte[] alphabet = i % 2 == 0 ? wide : narrow;
            Name n = Name.root;
            int labels = 1 + random.nextInt(4);
            for (int l = 0; l < labels; l++) {
                byte[] label = new byte[1 + random.nextInt(alphabet == narrow ? 2 : 3)];
                for (int k = 0; k < label.length; k++) {
                    label[k] = alphabet[random.nextInt(alphabet.length)];
                }
                byte[] wire = new byte[label.length + 2];
                wire[0] = (byte) label.length;
                System.arraycopy(label, 0, wire, 1, label.length);
                n = Name.concatenate(new Name(wire), n);
            }
            names.add(n);
        }
        for (Name a : names.subList(0, 400)) {
            for (Name b : names) {
                int byName = Integer.signum(a.compareTo(b));
                int byKey = Integer.signum(Arrays.compareUnsigned(NsecChain.canonicalKey(a), NsecChain.canonicalKey(b)));
                assertThat(byKey).as(a + " vs " + b).isEqualTo(byName);
            }
        }
        assertThat(NsecChain.canonicalKey(name("Www.Example."))).containsExactly('e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
                'w', 'w', 'w', 0);
        assertThat(NsecChain.canonicalKey(Name.root)).isEmpty();
        assertThat(NsecChain.wildcardKey(NsecChain.canonicalKey(name("example."))))
                .isEqualTo(NsecChain.canonicalKey(name("*.example.")));
    }

    @Test
    void namesAndBitmapsFollowRfc4035() throws Exception {
        NsecChain c = diffChain();
        List<String> owners = owners(c);
        // empty non-terminals have no NSEC
        assertThat(owners).doesNotContain("c.diff.test.", "b.c.diff.test.", "_tcp.diff.test.", "_udp.diff.test.",
                "deep.wild.diff.test.", "ent.diff.test.", "star.ent.diff.test.", "inner.diff.test.");
        // glue and anything else below a zone cut has none either
        assertThat(owners).doesNotContain("ns1.deleg.diff.test.", "ns2.deleg.diff.test.", "mx.deleg.diff.test.",
                "ns1.sub.diff.test.");
        assertThat(owners).contains("a.b.c.diff.test.", "*.wild.diff.test.", "*.star.ent.diff.test.",
                "www.inner.diff.test.", "deleg.diff.test.", "_sip._tcp.diff.test.", "4.2.0.192.diff.test.");
        // delegations: NS and DS only (the parent's types), with RRSIG and NSEC
        assertThat(typeNames(c, c.matching(name("deleg.diff.test.")))).containsExactly("NS", "DS", "RRSIG", "NSEC");
        assertThat(typeNames(c, c.matching(name("sib.diff.test.")))).containsExactly("NS", "RRSIG", "NSEC");
        assertThat(typeNames(c, c.matching(name("wdeleg.diff.test.")))).containsExactly("NS", "RRSIG", "NSEC");
        // the apex: its data, and DNSKEY, RRSIG, NSEC
        assertThat(typeNames(c, 0)).containsExactly("NS", "SOA", "MX", "TXT", "RRSIG", "NSEC", "DNSKEY", "CAA");
        assertThat(typeNames(c, c.matching(name("dn.diff.test.")))).containsExactly("TXT", "DNAME", "RRSIG", "NSEC");
        assertThat(typeNames(c, c.matching(name("unk.diff.test.")))).containsExactly("RRSIG", "NSEC", "TYPE65000");
        // strictly ascending, wrapping to the apex
        for (int i = 1; i < c.size(); i++) {
            assertThat(c.owner(i - 1).compareTo(c.owner(i))).as(c.owner(i).toString()).isNegative();
            assertThat(c.next(i - 1)).isEqualTo(c.owner(i));
        }
        assertThat(c.next(c.size() - 1)).isEqualTo(DIFF);
        assertThat(c.ttl()).isEqualTo(300);
    }

    @Test
    void namesBelowADnameAreOccluded() {
        NsecChain.Builder b = NsecChain.builder(name("z.test."), 300);
        b.add(name("z.test."), Type.SOA).add(name("d.z.test."), Type.DNAME).add(name("x.d.z.test."), Type.A)
                .add(name("e.z.test."), Type.A);
        assertThat(owners(b.build())).containsExactly("z.test.", "d.z.test.", "e.z.test.");
    }

    @Test
    void aDelegationListsNsAndDsOnlyWhateverElseIsThere() {
        // data at a cut other than NS and DS is the child's: the parent's NSEC must not claim it
        NsecChain c = NsecChain.builder(name("z.test."), 300).add(name("z.test."), Type.SOA)
                .add(name("c.z.test."), Type.NS).add(name("c.z.test."), Type.A).add(name("c.z.test."), Type.TXT)
                .add(name("c.z.test."), Type.DS).add(name("ns.c.z.test."), Type.A).build();
        assertThat(owners(c)).containsExactly("z.test.", "c.z.test.");
        assertThat(typeNames(c, 1)).containsExactly("NS", "DS", "RRSIG", "NSEC");
    }

    @Test
    void rdataIsNextNameThenTheBitmapDnsjavaReads() throws Exception {
        NsecChain c = diffChain();
        for (int i = 0; i < c.size(); i++) {
            NSECRecord r = (NSECRecord) Record.newRecord(c.owner(i), Type.NSEC, DClass.IN, 300, c.rdata(i));
            assertThat(r.getNext()).isEqualTo(c.next(i));
            assertThat(r.getTypes()).as(c.owner(i).toString()).containsExactly(c.types(i));
        }
        int[] wide = {1, 2, 15, 46, 47, 48, 255, 256, 257, 1000, 32768, 65000, 65535};
        byte[] bitmap = NsecChain.bitmap(wide);
        byte[] rdata = new byte[1 + bitmap.length]; // next name: the root
        System.arraycopy(bitmap, 0, rdata, 1, bitmap.length);
        assertThat(((NSECRecord) Record.newRecord(DIFF, Type.NSEC, DClass.IN, 0, rdata)).getTypes()).containsExactly(wide);
        assertThat(NsecChain.bitmap(new int[] {Type.A, Type.RRSIG, Type.NSEC}))
                .as("A RRSIG NSEC: window 0, 6 octets").containsExactly(0, 6, 0x40, 0, 0, 0, 0, 3);
    }

    @Test
    void coveringAndMatchingAgreeWithALinearScan() throws Exception {
        NsecChain c = diffChain();
        List<Name> probes = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < c.size(); i++) {
            probes.add(c.owner(i));
            probes.add(Name.concatenate(name("zz"), c.owner(i)));
            probes.add(Name.concatenate(name("0"), c.owner(i)));
            probes.add(Name.concatenate(name("a-" + random.nextInt(1000)), c.owner(i)));
        }
        probes.addAll(List.of(name("c.diff.test."), name("b.c.diff.test."), name("ent.diff.test."), name("~.diff.test."),
                name("\\000.diff.test."), name("zzzz.diff.test."), name("Www.DIFF.test."), name("other.test."),
                name("test."), name("a.diff.test2.")));
        for (Name q : probes) {
            int expectMatch = -1;
            int expectCover = -1;
            if (q.subdomain(DIFF)) {
                for (int i = 0; i < c.size(); i++) {
                    if (c.owner(i).equals(q)) {
                        expectMatch = i;
                    }
                    if (c.owner(i).compareTo(q) < 0) {
                        expectCover = i;
                    }
                }
            }
            assertThat(c.matching(q)).as("matching " + q).isEqualTo(expectMatch);
            assertThat(c.covering(q)).as("covering " + q).isEqualTo(expectMatch >= 0 ? -1 : expectCover);
            if (c.covering(q) >= 0) {
                int i = c.covering(q);
                assertThat(c.owner(i).compareTo(q)).isNegative();
                assertThat(i == c.size() - 1 || q.compareTo(c.next(i)) < 0).as(q + " before next").isTrue();
            }
        }
        // an empty non-terminal is covered by the NSEC before it, whose next is below it
        int ent = c.covering(name("b.c.diff.test."));
        assertThat(c.next(ent)).isEqualTo(name("a.b.c.diff.test."));
    }

    @Test
    void wildcardProofs() throws Exception {
        NsecChain c = diffChain();
        // *.diff.test does not exist: the NSEC before it proves it
        int i = c.coveringWildcard(DIFF);
        assertThat(c.owner(i).compareTo(name("*.diff.test."))).isNegative();
        assertThat(name("*.diff.test.").compareTo(c.next(i))).isNegative();
        // *.wild.diff.test exists: no proof needed, it answers
        assertThat(c.coveringWildcard(name("wild.diff.test."))).isEqualTo(-1);
        assertThat(c.matching(name("*.wild.diff.test."))).isNotNegative();
    }

    @Test
    void aBalancerHasAVariantPerAnswer() {
        Name apex = name("example.test.");
        Name www = name("www.example.test.");
        NsecChain c = NsecChain.builder(apex, 300).add(apex, Type.SOA).add(apex, Type.NS).add(www, Type.TXT)
                .addDynamic(www, Type.AAAA, Type.A).addDynamic(name("geo.example.test."), Type.A, Type.AAAA)
                .add(name("deleg.example.test."), Type.NS).addDynamic(name("deleg.example.test."), Type.A).build();
        int i = c.matching(www);
        // served by default (and in covering proofs): every type it may answer
        assertThat(typeNames(c, i)).containsExactly("A", "TXT", "AAAA", "RRSIG", "NSEC");
        assertThat(c.dynamicTypes(i)).containsExactly(Type.A, Type.AAAA);
        assertThat(c.variantMask(i, Type.AAAA)).isEqualTo(2);
        assertThat(types(c, i, c.variantMask(i, Type.A))).containsExactly(Type.A, Type.TXT, Type.RRSIG, Type.NSEC);
        assertThat(types(c, i, c.variantMask(i, Type.AAAA))).containsExactly(Type.TXT, Type.AAAA, Type.RRSIG, Type.NSEC);
        assertThat(types(c, i, 0)).containsExactly(Type.TXT, Type.RRSIG, Type.NSEC);
        assertThat(types(c, i, 3)).containsExactly(c.types(i));
        assertThat(c.rdata(i, 1)).as("cached variant, same content").isEqualTo(c.rdata(i, 1));
        // a name that exists only through its balancer still has an NSEC
        int geo = c.matching(name("geo.example.test."));
        assertThat(types(c, geo, 0)).containsExactly(Type.RRSIG, Type.NSEC);
        // a delegation answers no addresses: no variants
        int deleg = c.matching(name("deleg.example.test."));
        assertThat(c.dynamicTypes(deleg)).isEmpty();
        assertThat(typeNames(c, deleg)).containsExactly("NS", "RRSIG", "NSEC");
        // other names ignore the mask
        assertThat(c.rdata(0, 0)).isEqualTo(c.rdata(0));
    }

    static int[] types(NsecChain c, int i, int mask) {
        return ((NSECRecord) Record.newRecord(c.owner(i), Type.NSEC, DClass.IN, 300, c.rdata(i, mask))).getTypes();
    }

    @Test
    void namesOutsideTheZoneAreRefused() {
        assertThatThrownBy(() -> NsecChain.builder(name("example.test."), 300).add(name("www.other.test."), Type.A))
                .hasMessageContaining("www.other.test. is not in zone example.test.");
    }
}
