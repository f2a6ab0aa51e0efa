package dev.geosteer.differential;

import dev.geosteer.TestServer;
import dev.geosteer.dnssec.Algorithm;
import dev.geosteer.dnssec.DnssecKey;
import dev.geosteer.dnssec.KeyStore;
import dev.geosteer.dnssec.KeyTiming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signed answers against Knot's (issue 13): knotd signs the same zone itself (automatic signing, a
 * CSK, NSEC, CDS/CDNSKEY published), geosteer with its own key; for every query of a corpus with DO=1
 * over UDP and TCP, the rcode, the AA and TC flags and, per section, the set of RRsets (owner, type)
 * and of RRSIGs (owner, type covered) must be the same. The signatures themselves differ (other keys,
 * other times); so do TTLs of what signing adds, which are not compared.
 */
class KnotSignedDifferentialTest {
    static final String ZONE = "sec.test.";
    static final int[] TYPES = {Type.A, Type.AAAA, Type.NS, Type.SOA, Type.MX, Type.TXT, Type.CNAME, Type.DNAME,
        Type.DS, Type.NSEC, Type.DNSKEY, Type.CDS, Type.CDNSKEY, Type.SRV, Type.ANY, Type.RRSIG};

    @TempDir
    Path dir;

    @Test
    void signedAnswersHaveTheShapeOfKnots() throws Exception {
        Path knotd = Knotd.findOrSkip("KnotSignedDifferentialTest");
        Path zones = Files.createDirectories(dir.resolve("zones"));
        Path zoneFile = zones.resolve("sec.test.zone");
        TestServer.copyResource("knotdiff/signed/sec.test.zone", zoneFile);
        // geosteer's CSK, its CDS/CDNSKEY published as Knot publishes its own
        Instant past = Instant.now().minusSeconds(3600);
        KeyStore.create(zones.resolve("keys"), Name.fromString(ZONE), Algorithm.ECDSAP256SHA256, DnssecKey.CSK_FLAGS,
                new KeyTiming(past, past, past, null, null, null, past, null, null, null, false), new SecureRandom());

        List<Probe> probes = corpus(zoneFile);
        String signing = "keystore:\n  - id: default\n    backend: pem\n    config: " + dir.resolve("knot-keys") + "\n"
                + "policy:\n  - id: csk\n    algorithm: ecdsap256sha256\n    single-type-signing: on\n    nsec3: off\n"
                + "    cds-cdnskey-publish: always\n";
        Map<String, List<String>> unexplained = new TreeMap<>();
        int compared = 0;
        Map<String, Integer> accepted = new TreeMap<>();
        try (Knotd knot = Knotd.start(knotd, dir.resolve("knot"), List.of(zoneFile), ZONE, signing, null,
                "    dnssec-signing: on\n    dnssec-policy: csk\n");
             TestServer geo = TestServer.start(dir);
             DnsClient toKnot = new DnsClient(knot.address);
             DnsClient toGeo = new DnsClient(geo.address)) {
            awaitSigned(toKnot);
            for (Probe q : probes) {
                byte[] k = q.tcp() ? toKnot.tcp(q.wire()) : udp(toKnot, q);
                byte[] g = q.tcp() ? toGeo.tcp(q.wire()) : udp(toGeo, q);
                compared++;
                Shape ks = Shape.of(new Message(k));
                Shape gs = Shape.of(new Message(g));
                if (ks.equals(gs)) {
                    continue;
                }
                String why = acceptedDifference(q, ks, gs);
                if (why != null) {
                    accepted.merge(why, 1, Integer::sum);
                    continue;
                }
                String kind = Probe.typeName(q.type()) + (q.tcp() ? "/TCP" : "/UDP");
                unexplained.computeIfAbsent(kind, x -> new ArrayList<>()).add("query: " + q + "\n--- knot:\n" + ks
                        + "--- geosteer:\n" + gs);
            }
        }
        System.out.printf("KnotSignedDifferentialTest: %d queries with DO compared with a signing knotd; accepted "
                + "differences: %s%n", compared, accepted);
        StringBuilder failure = new StringBuilder();
        int total = 0;
        for (Map.Entry<String, List<String>> e : unexplained.entrySet()) {
            total += e.getValue().size();
            failure.append("\n=== ").append(e.getValue().size()).append(" × ").append(e.getKey()).append('\n')
                    .append(e.getValue().get(0));
        }
        assertThat(total).as("%d signed answers differ from Knot's in shape:%s", total, failure).isZero();
    }

    /**
     * Differences with a reason (RFC 8482): ANY and RRSIG queries are answered with one RRset (its
     * RRSIGs) of the name over UDP, chosen by each server (geosteer: A, AAAA, MX, TXT, SOA, NS first;
     * Knot: the lowest type number); accepted when both answered one, with the same rcode and flags.
     */
    static String acceptedDifference(Probe q, Shape k, Shape g) {
        if ((q.type() == Type.ANY || q.type() == Type.RRSIG) && !q.tcp() && k.rcode == g.rcode && k.flags.equals(g.flags)
                && k.answerTypes() == 1 && g.answerTypes() == 1) {
            return "RFC 8482: one RRset chosen";
        }
        if ((q.type() == Type.ANY || q.type() == Type.RRSIG) && q.tcp() && k.rcode == g.rcode && k.flags.equals(g.flags)
                && g.sections.get(0).containsAll(k.sections.get(0))) {
            return "RFC 8482: over TCP geosteer answers every RRset, Knot one";
        }
        if (q.type() == Type.NSEC && k.rcode == g.rcode && k.flags.equals(g.flags)
                && k.sections.get(0).equals(g.sections.get(0)) && k.sections.get(1).isEmpty()
                && g.sections.get(1).stream().allMatch(s -> s.endsWith(" NSEC") || s.endsWith(" RRSIG(NSEC)"))
                && g.sections.get(0).stream().noneMatch(s -> s.startsWith("*."))
                && !g.sections.get(1).isEmpty()) {
            // RFC 4035 §3.1.3.3: a wildcard's expansion carries the NSEC proving no closer name exists;
            // Knot leaves it out when the expanded RRset is the NSEC itself
            return "RFC 4035 3.1.3.3: wildcard-expanded NSEC with its proof";
        }
        return null;
    }

    /** What is compared of an answer. */
    record Shape(int rcode, List<String> flags, List<Set<String>> sections) {
        static Shape of(Message m) {
            List<String> flags = new ArrayList<>();
            for (int f : new int[] {Flags.AA, Flags.TC, Flags.AD}) {
                if (m.getHeader().getFlag(f)) {
                    flags.add(Flags.string(f));
                }
            }
            List<Set<String>> sections = new ArrayList<>();
            for (int s : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
                Set<String> set = new TreeSet<>();
                for (Record r : m.getSection(s)) {
                    if (r.getType() == Type.OPT) {
                        continue;
                    }
                    String owner = r.getName().toString().toLowerCase();
                    set.add(r instanceof RRSIGRecord sig ? owner + " RRSIG(" + Type.string(sig.getTypeCovered()) + ")"
                            : owner + " " + Type.string(r.getType()));
                }
                sections.add(set);
            }
            return new Shape(m.getRcode(), flags, sections);
        }

        long answerTypes() {
            return sections.get(0).stream().filter(s -> !s.contains("RRSIG(")).count()
                    + (sections.get(0).stream().allMatch(s -> s.contains("RRSIG(")) ? sections.get(0).size() : 0);
        }

        @Override
        public String toString() {
            return "  " + Rcode.string(rcode) + " " + flags + "\n  answer " + sections.get(0) + "\n  authority "
                    + sections.get(1) + "\n  additional " + sections.get(2) + "\n";
        }
    }

    private static byte[] udp(DnsClient c, Probe q) throws java.io.IOException {
        c.sendUdp(q.wire());
        return c.receiveUdp(q.id());
    }

    /** Knot signs after it loads: wait until its DNSKEY is there. */
    private static void awaitSigned(DnsClient knot) throws Exception {
        TestServer.await("knotd signed " + ZONE, java.time.Duration.ofSeconds(30), () -> {
            try {
                Probe p = Probe.of(65000, ZONE, Type.DNSKEY, DClass.IN, true).withEdns(1232, true);
                return Shape.of(new Message(knot.tcp(p.wire()))).sections.get(0).contains(ZONE + " DNSKEY");
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** Every owner and empty non-terminal, a name below each, names beside the zone; every type, UDP and TCP. */
    static List<Probe> corpus(Path zoneFile) throws Exception {
        Name origin = Name.fromString(ZONE);
        Set<String> names = new LinkedHashSet<>();
        try (Master m = new Master(zoneFile.toString(), origin)) {
            Record r;
            while ((r = m.nextRecord()) != null) {
                for (Name a = r.getName(); a.subdomain(origin); a = new Name(a, 1)) {
                    names.add(a.toString());
                    if (a.equals(origin)) {
                        break;
                    }
                }
            }
        }
        Set<String> all = new LinkedHashSet<>(names);
        for (String n : names) {
            all.add("zz9." + n);
            all.add("a0." + n);
        }
        all.addAll(List.of("host.ww." + ZONE, "x.y.wild." + ZONE, "a.host.dn." + ZONE));
        List<Probe> out = new ArrayList<>();
        int id = 1;
        for (String n : all) {
            for (int type : TYPES) {
                for (boolean tcp : new boolean[] {false, true}) {
                    out.add(Probe.of(id++, n, type, DClass.IN, tcp).withEdns(1232, true));
                }
            }
        }
        return out;
    }
}
