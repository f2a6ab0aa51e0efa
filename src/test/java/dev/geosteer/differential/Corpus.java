package dev.geosteer.differential;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The queries of the differential test, generated deterministically from the zone files: every owner
 * name and empty non-terminal, random names below each, names in no zone; every query type (meta types
 * included) and class; with and without EDNS at several sizes, DO, RD, CD, over UDP and TCP, in mixed
 * letter case. The same seed gives the same corpus.
 */
final class Corpus {
    static final int CLASS_NONE = 254;

    static final int[] TYPES = {
        Type.A, Type.AAAA, Type.NS, Type.SOA, Type.MX, Type.TXT, Type.SRV, Type.CNAME, Type.DNAME, Type.DS,
        Type.ANY, Type.PTR, Type.CAA, 65000, Type.HINFO, Type.RRSIG, Type.NSEC, Type.DNSKEY, 0,
        Type.OPT, Type.TKEY, Type.TSIG, Type.IXFR, Type.AXFR, Type.MAILB, Type.MAILA,
    };

    /** Names whose answers are large: asked at every EDNS size, over UDP and TCP. */
    static final List<String> LARGE = List.of("large.diff.test.", "manya.diff.test.", "manyaaaa.diff.test.",
            "bigmx.diff.test.", "bigdeleg.diff.test.", "www.bigdeleg.diff.test.", "hugetxt.diff.test.",
            "tolarge.diff.test.", "tomany.diff.test.", "diff.test.", "a.mxw.diff.test.", "c1.diff.test.");
    static final int[] LARGE_TYPES = {Type.TXT, Type.A, Type.AAAA, Type.MX, Type.NS, Type.ANY, Type.SOA};
    static final int[] EDNS_SIZES = {-1, 0, 512, 1232, 1400, 4096, 65535};

    private final Random random = new Random(20261201);
    private int nextId = 1;
    final List<Probe> probes = new ArrayList<>();
    final List<String> names;

    Corpus(List<Path> zoneFiles) throws IOException {
        Set<String> owners = new LinkedHashSet<>();
        for (Path f : zoneFiles) {
            Name origin = Name.fromString(f.getFileName().toString().replaceFirst("\\.zone$", ""), Name.root);
            try (Master m = new Master(f.toString(), origin)) {
                Record r;
                while ((r = m.nextRecord()) != null) {
                    Name n = r.getName();
                    // the owner and every empty non-terminal between it and the apex
                    for (Name a = n; a.subdomain(origin); a = new Name(a, 1)) {
                        owners.add(a.toString());
                        if (a.equals(origin)) {
                            break;
                        }
                    }
                }
            }
        }
        Set<String> all = new LinkedHashSet<>(owners);
        int i = 0;
        for (String owner : owners) {
            all.add(randomLabel() + "." + owner);
            if (i++ % 3 == 0) {
                all.add(randomLabel() + "." + randomLabel() + "." + owner);
            }
        }
        all.addAll(List.of("www.example.org.", "test.", ".", "org.", "nosuch.test.", "diff.test.example.",
                "xdiff.test.", "ns1.deleg.diff.test.", "a.b.ns1.deleg.diff.test.", "*.wild.diff.test.",
                "x.*.wild.diff.test.", "*.diff.test.",
                // a DNAME substitution longer than 255 octets: YXDOMAIN (RFC 6672 §2.2)
                "x".repeat(60) + ".dnlong.diff.test.", "x".repeat(10) + ".dnlong.diff.test.",
                "x".repeat(60) + ".y.dnlong.diff.test."));
        names = List.copyOf(all);

        int index = 0;
        for (String name : names) {
            for (int type : TYPES) {
                add(name, type, DClass.IN);
            }
            // RFC 1035 §3.2.5: QCLASS * is answered from the IN data; every type for a third of the names
            boolean allTypes = owners.contains(name) && index++ % 3 == 0;
            for (int type : allTypes ? TYPES : new int[] {Type.A, Type.SOA, Type.ANY, Type.TXT, Type.MX, Type.NS}) {
                add(name, type, DClass.ANY);
            }
            for (int dclass : new int[] {DClass.CH, DClass.HS, CLASS_NONE}) {
                add(name, Type.A, dclass);
            }
        }
        for (String name : List.of("www.diff.test.", "version.bind.", "nothere.far.test.")) {
            for (int type : TYPES) {
                add(name, type, DClass.CH);
                add(name, type, DClass.HS);
            }
        }
        for (String chaos : List.of("version.bind.", "version.server.", "id.server.", "hostname.bind.", "fortune.")) {
            add(chaos, Type.TXT, DClass.CH);
            add(chaos, Type.TXT, DClass.IN);
        }
        for (String name : LARGE) {
            for (int type : LARGE_TYPES) {
                for (int size : EDNS_SIZES) {
                    for (boolean tcp : new boolean[] {false, true}) {
                        probes.add(Probe.of(nextId(), mixCase(name), type, DClass.IN, tcp)
                                .withFlags(random.nextBoolean() ? Probe.RD : 0)
                                .withEdns(size, size >= 0 && random.nextInt(3) == 0));
                    }
                }
            }
        }
        // EDNS Client Subnet (RFC 7871): static answers echo the option with SCOPE 0; malformed ones are FORMERR
        int n = 0;
        for (String owner : owners) {
            String subnet = n % 2 == 0 ? "198.51." + (n % 256) + ".0/" + (8 + n % 25)
                    : "2001:db8:" + Integer.toHexString(n) + "::/" + (16 + n % 41);
            Probe.ClientSubnet ecs = n % 7 == 3 ? Probe.ClientSubnet.of("0.0.0.0/0") : Probe.ClientSubnet.of(subnet);
            probes.add(edns1232(mixCase(owner), n % 3 == 0 ? Type.AAAA : Type.A, n % 4 == 0).withEcs(ecs));
            n++;
        }
        for (String other : List.of("www.example.org.", "test.")) { // REFUSED with both ECS and EDE
            probes.add(edns1232(other, Type.A, false).withEcs(Probe.ClientSubnet.of("203.0.113.0/24")));
        }
        for (Probe.ClientSubnet bad : List.of(
                new Probe.ClientSubnet(1, 24, new byte[] {(byte) 198, 51, 100, 7}), // address longer than the prefix
                new Probe.ClientSubnet(1, 23, new byte[] {(byte) 198, 51, 101}),    // bits set beyond the prefix
                new Probe.ClientSubnet(1, 33, new byte[] {1, 2, 3, 4, 5}),          // prefix longer than IPv4
                new Probe.ClientSubnet(3, 8, new byte[] {10}))) {                   // unknown family
            probes.add(edns1232("www.diff.test.", Type.A, false).withEcs(bad));
        }
        // other EDNS options are ignored: NSID (not configured), a client COOKIE, an unassigned code
        for (byte[] option : List.of(new byte[] {0, 3, 0, 0}, new byte[] {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8},
                new byte[] {(byte) 0xFD, (byte) 0xE9, 0, 2, 0x12, 0x34})) {
            for (String name : List.of("www.diff.test.", "nothere.diff.test.", "www.deleg.diff.test.", "www.example.org.")) {
                probes.add(edns1232(name, Type.A, false).withOptions(option));
            }
        }
        // header bits a query should not set (AA, TC, RA, Z, AD) are not echoed
        for (int bits : new int[] {0x0400, 0x0200, 0x0080, 0x0040, 0x0020, 0x07F0}) {
            for (String name : List.of("www.diff.test.", "nothere.diff.test.", "www.deleg.diff.test.")) {
                probes.add(edns1232(name, Type.A, bits == 0x0200).withFlags(bits));
            }
        }
        for (int opcode : new int[] {1, 2, 3, 4, 5, 6, 15}) { // IQUERY, STATUS, unassigned, NOTIFY, UPDATE, DSO
            for (String name : List.of("diff.test.", "www.diff.test.", "www.example.org.")) {
                for (boolean tcp : new boolean[] {false, true}) {
                    probes.add(edns1232(name, Type.SOA, tcp).withFlags(opcode << 11));
                }
            }
        }
        for (String name : List.of("www.diff.test.", "nothere.diff.test.", "www.example.org.")) {
            probes.add(edns1232(name, Type.A, false).withEdnsVersion(1)); // BADVERS
        }
    }

    private Probe edns1232(String name, int type, boolean tcp) {
        return Probe.of(nextId(), name, type, DClass.IN, tcp).withFlags(Probe.RD).withEdns(1232, false);
    }

    /** One query with transport, EDNS, flags and letter case drawn from the seeded generator. */
    private void add(String name, int type, int dclass) {
        boolean tcp = random.nextInt(4) == 0;
        int edns = EDNS_SIZES[random.nextInt(EDNS_SIZES.length)];
        boolean dnssecOk = edns >= 0 && random.nextInt(5) == 0;
        int flags = (random.nextBoolean() ? Probe.RD : 0) | (random.nextInt(5) == 0 ? Probe.CD : 0);
        probes.add(Probe.of(nextId(), mixCase(name), type, dclass, tcp).withFlags(flags).withEdns(edns, dnssecOk));
    }

    private int nextId() {
        int id = nextId;
        nextId = nextId % 65535 + 1;
        return id;
    }

    private String randomLabel() {
        int len = 1 + random.nextInt(12);
        StringBuilder b = new StringBuilder();
        String chars = "abcdefghijklmnopqrstuvwxyz0123456789-";
        for (int i = 0; i < len; i++) {
            char c = chars.charAt(random.nextInt(i == 0 || i == len - 1 ? 36 : chars.length()));
            b.append(c);
        }
        return b.toString();
    }

    /** A third of the names get random letter case: answers must not depend on it (RFC 4343). */
    private String mixCase(String name) {
        if (random.nextInt(3) != 0) {
            return name;
        }
        StringBuilder b = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            b.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return b.toString();
    }

}
