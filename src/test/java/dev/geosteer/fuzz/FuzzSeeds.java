package dev.geosteer.fuzz;

import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the seed corpora of the three fuzz targets into {@code src/test/resources/dev/geosteer/fuzz/}
 * (where Jazzer looks for them: {@code <package>/<Class>Inputs/<method>/}). The seeds are checked in; run
 * this again only to change them, from the project root:
 *
 * <pre>
 * mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.geosteer.fuzz.FuzzSeeds
 * </pre>
 *
 * Crash files that Jazzer saves in the same directories ({@code crash-<sha1>}) are not touched.
 */
public final class FuzzSeeds {
    private static final Path BASE = Path.of("src/test/resources/dev/geosteer/fuzz");

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        write("PacketFuzzTargetInputs/fuzzPacket", packets());
        write("ZoneFileFuzzTargetInputs/fuzzZoneFile", zoneFiles());
        write("SteeringFileFuzzTargetInputs/fuzzSteeringFile", steeringFiles());
    }

    private static void write(String dir, Map<String, byte[]> seeds) throws IOException {
        Path d = BASE.resolve(dir);
        Files.createDirectories(d);
        try (var old = Files.list(d)) {
            for (Path p : old.toList()) {
                if (p.getFileName().toString().startsWith("seed-")) {
                    Files.delete(p);
                }
            }
        }
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            Files.write(d.resolve("seed-" + e.getKey()), e.getValue());
        }
        System.out.println(seeds.size() + " seeds in " + d);
    }

    // ---------------------------------------------------------------- packets

    /** Option byte of the packet target: bit 0 TCP, bits 1-2 client, bits 3-4 health view. */
    private static byte[] withOptions(int options, byte[] packet) {
        byte[] out = new byte[packet.length + 1];
        out[0] = (byte) options;
        System.arraycopy(packet, 0, out, 1, packet.length);
        return out;
    }

    private static Map<String, byte[]> packets() throws IOException {
        Map<String, byte[]> s = new LinkedHashMap<>();
        String[] names = {
                "www.example.test.", "MiXeD.example.test.", "example.test.", "a.b.wild.example.test.",
                "exists.wild.example.test.", "x.deep.wild.example.test.", "child.example.test.",
                "ns1.child.example.test.", "loop1.example.test.", "alias2.example.test.", "dangling.example.test.",
                "ext.example.test.", "outside.example.test.", "x.cn.example.test.", "www.dn.example.test.",
                "dn.example.test.", "large.example.test.", "_sip._tcp.example.test.", "nothere.example.test.",
                "b.c.example.test.", "other.test.", "www.other.test.", "www.example.org.", ".",
                "\\000.example.test.", "geo.geo.test.", "prox.geo.test.", "fail.geo.test.", "rand.geo.test.",
                "v4only.geo.test.", "v6.geo.test.", "multi.geo.test.", "a.wild.geo.test.", "alias.geo.test.",
                "static.geo.test.", "geo.test.", "fuzz.test.", "x.d1.fuzz.test.", "intod.fuzz.test.",
                "tochild.fuzz.test.", "togeo.fuzz.test.", "towild.fuzz.test.", "toref.fuzz.test.",
                "a.big.fuzz.test.", "ns1.big.fuzz.test.", "x.wd.fuzz.test.", "x.e.n.t.fuzz.test.", "e.n.t.fuzz.test.",
                "srv.fuzz.test.", "mx.fuzz.test.", "child.example.test.", "www.child.example.test."};
        int[] types = {Type.A, Type.AAAA, Type.ANY, Type.MX, Type.TXT, Type.NS, Type.DS, Type.SOA, Type.CNAME,
                Type.SRV};
        int n = 0;
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            for (int k = 0; k < 3; k++) { // three types per name, rotating: 108 seeds rather than 360
                int type = types[(i * 3 + k) % types.length];
                // Spread transports, clients and health views over the names and types.
                int options = (n * 7) & 0x1F;
                int variant = n++ % 4;
                byte[] q = switch (variant) {
                    case 0 -> FuzzSupport.query(Name.fromString(name), type, 0, null);
                    case 1 -> FuzzSupport.query(Name.fromString(name), type, 1232, null);
                    case 2 -> FuzzSupport.query(Name.fromString(name), type, 4096,
                            new ClientSubnetOption(24, FuzzSupport.ip("81.2.69.0")));
                    default -> FuzzSupport.query(Name.fromString(name), type, 512,
                            new ClientSubnetOption(48, FuzzSupport.ip("2001:218::")));
                };
                s.put(String.format("%s-%s-v%d-o%02x", name.equals(".") ? "root" : name.replace("\\", "_"),
                        Type.string(type), variant, options), withOptions(options, q));
            }
        }
        Name www = Name.fromString("www.example.test.");
        Name geo = Name.fromString("geo.geo.test.");
        // ECS variants on the steered name: nets overrides, /0, source addresses, families.
        s.put("ecs-v4-nets", withOptions(0, FuzzSupport.query(geo, Type.A, 1232,
                new ClientSubnetOption(24, FuzzSupport.ip("175.16.199.0")))));
        s.put("ecs-v6-nets", withOptions(0, FuzzSupport.query(geo, Type.AAAA, 1232,
                new ClientSubnetOption(48, FuzzSupport.ip("2001:db8:ffff::")))));
        s.put("ecs-zero", withOptions(2, FuzzSupport.query(geo, Type.A, 1232,
                new ClientSubnetOption(0, FuzzSupport.ip("0.0.0.0")))));
        s.put("ecs-v4-32", withOptions(4, FuzzSupport.query(geo, Type.ANY, 1232,
                new ClientSubnetOption(32, FuzzSupport.ip("10.1.2.3")))));
        s.put("ecs-v6-128", withOptions(1, FuzzSupport.query(geo, Type.ANY, 1232,
                new ClientSubnetOption(128, FuzzSupport.ip("2001:218::1")))));
        s.put("ecs-v4-odd-prefix", withOptions(8, FuzzSupport.query(geo, Type.A, 1232,
                new ClientSubnetOption(21, FuzzSupport.ip("81.2.64.0")))));
        for (int options = 0; options < 32; options += 3) {
            s.put(String.format("steer-all-views-o%02x", options), withOptions(options,
                    FuzzSupport.query(Name.fromString("multi.geo.test."), Type.A, 1232, null)));
        }
        // EDNS odds: DO bit, version 1 (BADVERS), unknown option, small and huge UDP sizes.
        s.put("edns-do", withOptions(0, edns(www, Type.A, 4096, 0, 0x8000, List.of())));
        s.put("edns-version1", withOptions(0, edns(www, Type.A, 1232, 1, 0, List.of())));
        s.put("edns-unknown-option", withOptions(0, edns(www, Type.A, 1232, 0, 0,
                List.of(new GenericEDNSOption(65001, new byte[] {1, 2, 3})))));
        // DNS cookies: client only, client + a server cookie (not this server's), malformed lengths, two options.
        byte[] cc = {1, 2, 3, 4, 5, 6, 7, 8};
        Name large = Name.fromString("large.example.test.");
        s.put("cookie-client", withOptions(0, edns(large, Type.TXT, 4096, 0, 0, List.of(new CookieOption(cc)))));
        s.put("cookie-server", withOptions(0, edns(large, Type.TXT, 4096, 0, 0, List.of(new CookieOption(cc,
                new byte[] {1, 0, 0, 0, 0x5c, (byte) 0xf7, (byte) 0x9f, 0x11, 1, 2, 3, 4, 5, 6, 7, 8})))));
        s.put("cookie-short", withOptions(0, edns(www, Type.A, 1232, 0, 0, List.of(new GenericEDNSOption(10,
                new byte[12])))));
        s.put("cookie-twice", withOptions(0, edns(www, Type.A, 1232, 0, 0, List.of(new CookieOption(cc),
                new CookieOption(cc)))));
        s.put("edns-udp-100", withOptions(0, edns(Name.fromString("large.example.test."), Type.TXT, 100, 0, 0,
                List.of())));
        s.put("edns-udp-65535", withOptions(0, edns(Name.fromString("large.example.test."), Type.ANY, 65535, 0, 0,
                List.of())));
        s.put("edns-cookie", withOptions(0, edns(www, Type.A, 1232, 0, 0,
                List.of(new GenericEDNSOption(10, new byte[] {1, 2, 3, 4, 5, 6, 7, 8})))));
        // Hand-made packets for what dnsjava will not write.
        byte[] plain = FuzzSupport.query(www, Type.A, 0, null);
        byte[] withEcs = FuzzSupport.query(www, Type.A, 1232, new ClientSubnetOption(24, FuzzSupport.ip("81.2.69.0")));
        s.put("ecs-bits-beyond-prefix", withOptions(0, patchLast(withEcs, 1, 0x01)));
        s.put("ecs-scope-nonzero", withOptions(0, patchFromEnd(withEcs, 4, 24)));
        s.put("opcode-notify", withOptions(0, opcode(plain, Opcode.NOTIFY)));
        s.put("opcode-update", withOptions(1, opcode(plain, Opcode.UPDATE)));
        s.put("qr-set", withOptions(0, header(plain, 2, plain[2] | 0x80)));
        s.put("qdcount-0", withOptions(0, header(header(plain, 4, 0), 5, 0)));
        s.put("qdcount-2", withOptions(0, header(plain, 5, 2)));
        s.put("ancount-1", withOptions(0, header(plain, 7, 1)));
        s.put("rd-cd", withOptions(0, header(plain, 3, plain[3] | 0x10)));
        s.put("short", withOptions(0, java.util.Arrays.copyOf(plain, 11)));
        s.put("header-only", withOptions(0, java.util.Arrays.copyOf(plain, 12)));
        s.put("truncated-question", withOptions(0, java.util.Arrays.copyOf(plain, plain.length - 2)));
        s.put("compressed-qname", withOptions(0, hexPacket("1234010000010000000000000c0c00010001")));
        s.put("class-ch", withOptions(0, qclass(plain, DClass.CH)));
        s.put("class-any", withOptions(0, qclass(plain, DClass.ANY)));
        for (int t : new int[] {Type.AXFR, Type.IXFR, Type.OPT, Type.TSIG, Type.MAILA, 128, Type.DNAME, Type.RRSIG,
                65280}) {
            s.put("qtype-" + Type.string(t), withOptions(0, FuzzSupport.query(www, t, 1232, null)));
        }
        s.put("two-opt", withOptions(0, twoOpt(www)));
        s.put("opt-not-root", withOptions(0, optOwner(www)));
        s.put("tsig", withOptions(0, tsig(www)));
        s.put("long-name", withOptions(1, FuzzSupport.query(longName(), Type.A, 1232, null)));
        s.put("label-63", withOptions(0, FuzzSupport.query(Name.fromString("a".repeat(63) + ".wild.example.test."),
                Type.TXT, 1232, null)));
        s.put("ds-apex-example", withOptions(0, FuzzSupport.query(Name.fromString("example.test."), Type.DS, 0, null)));
        s.put("ds-child", withOptions(0, FuzzSupport.query(Name.fromString("child.example.test."), Type.DS, 0, null)));
        s.put("any-tcp-large", withOptions(1, FuzzSupport.query(Name.fromString("large.example.test."), Type.ANY, 0,
                null)));
        s.put("cname-loop-tcp", withOptions(1, FuzzSupport.query(Name.fromString("loop2.example.test."), Type.A, 0,
                null)));
        s.put("dname-deep", withOptions(0, FuzzSupport.query(Name.fromString("a.b.c.www.dn.example.test."), Type.A,
                1232, null)));
        s.put("dname-too-long", withOptions(0, FuzzSupport.query(dnameTooLong(), Type.A, 1232, null)));
        s.put("dname-yxdomain", withOptions(0, FuzzSupport.query(yxdomain(), Type.A, 1232, null)));
        s.put("referral-tc-udp", withOptions(0, FuzzSupport.query(Name.fromString("www.big.fuzz.test."), Type.A, 0,
                null)));
        s.put("referral-tcp", withOptions(1, FuzzSupport.query(Name.fromString("www.big.fuzz.test."), Type.A, 0,
                null)));
        s.put("ds-child-apex", withOptions(0, FuzzSupport.query(Name.fromString("child.example.test."), Type.DS, 1232,
                null)));
        return s;
    }

    private static byte[] edns(Name name, int type, int udp, int version, int flags, List<EDNSOption> options) {
        Message m = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        m.getHeader().setID((udp * 31 + version * 7 + flags + options.size()) & 0xFFFF);
        m.addRecord(new OPTRecord(udp, 0, version, flags, options), Section.ADDITIONAL);
        return m.toWire();
    }

    private static byte[] header(byte[] p, int at, int value) {
        byte[] c = p.clone();
        c[at] = (byte) value;
        return c;
    }

    private static byte[] opcode(byte[] p, int opcode) {
        return header(p, 2, (p[2] & 0x87) | (opcode << 3));
    }

    private static byte[] qclass(byte[] p, int qclass) {
        int end = FuzzSupport.questionEnd(p);
        byte[] c = p.clone();
        c[end - 2] = (byte) (qclass >> 8);
        c[end - 1] = (byte) qclass;
        return c;
    }

    private static byte[] patchLast(byte[] p, int fromEnd, int value) {
        byte[] c = p.clone();
        c[c.length - fromEnd] |= (byte) value;
        return c;
    }

    private static byte[] patchFromEnd(byte[] p, int fromEnd, int value) {
        byte[] c = p.clone();
        c[c.length - fromEnd] = (byte) value;
        return c;
    }

    private static byte[] hexPacket(String hex) {
        return FuzzSupport.unhex(hex);
    }

    private static byte[] twoOpt(Name name) {
        byte[] q = FuzzSupport.query(name, Type.A, 1232, null);
        byte[] opt = java.util.Arrays.copyOfRange(q, FuzzSupport.questionEnd(q), q.length);
        byte[] c = java.util.Arrays.copyOf(q, q.length + opt.length);
        System.arraycopy(opt, 0, c, q.length, opt.length);
        c[11] = 2;
        return c;
    }

    private static byte[] optOwner(Name name) {
        byte[] q = FuzzSupport.query(name, Type.A, 1232, null);
        int end = FuzzSupport.questionEnd(q);
        // Replace the root owner of the OPT by a pointer to the question name.
        byte[] c = new byte[q.length + 1];
        System.arraycopy(q, 0, c, 0, end);
        c[end] = (byte) 0xC0;
        c[end + 1] = 12;
        System.arraycopy(q, end + 1, c, end + 2, q.length - end - 1);
        return c;
    }

    private static byte[] tsig(Name name) throws IOException {
        byte[] q = FuzzSupport.query(name, Type.A, 0, null);
        // key name "k.", TSIG, class ANY, TTL 0, rdata: algorithm hmac-sha256., time, fudge, MAC, id, error, other
        String rr = "016b00" + "00fa" + "00ff" + "00000000";
        String alg = "0b686d61632d73686132353600";
        String rdata = alg + "000000000000" + "012c" + "0000" + "1234" + "0000" + "0000";
        String len = String.format("%04x", rdata.length() / 2);
        byte[] extra = FuzzSupport.unhex(rr + len + rdata);
        byte[] c = java.util.Arrays.copyOf(q, q.length + extra.length);
        System.arraycopy(extra, 0, c, q.length, extra.length);
        c[11] = 1;
        return c;
    }

    private static Name longName() throws IOException {
        StringBuilder b = new StringBuilder();
        while (b.length() + 20 < 240) {
            b.append("abcdefghijklmno.");
        }
        return Name.fromString(b + "wild.example.test.");
    }

    /** A name under dn.example.test. whose DNAME substitution (to other.test.) would stay within 255. */
    private static Name dnameTooLong() throws IOException {
        StringBuilder b = new StringBuilder();
        while (b.length() + 40 < 230) {
            b.append("abcdefghijklmnopqrstuvwxyz.");
        }
        return Name.fromString(b + "dn.example.test.");
    }

    /** A name below long.fuzz.test. whose DNAME substitution exceeds 255 octets. */
    private static Name yxdomain() throws IOException {
        StringBuilder b = new StringBuilder();
        while (b.length() + 40 < 220) {
            b.append("abcdefghijklmnopqrstuvwxyz.");
        }
        return Name.fromString(b + "long.fuzz.test.");
    }

    // ---------------------------------------------------------------- zone files

    /** Zone seed: the file, then the byte that picks the default origin (last byte & 3). */
    private static byte[] zone(String text, int originChoice) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = java.util.Arrays.copyOf(t, t.length + 1);
        out[t.length] = (byte) (' ' + originChoice); // 0 example.test. 1 root 2 geo.test. 3 a.b.c.d.e.f.g.h.example.
        return out;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = FuzzSeeds.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, byte[]> zoneFiles() throws IOException {
        Map<String, byte[]> s = new LinkedHashMap<>();
        s.put("example.test.zone", zone(resource("zones/example.test.zone"), 0));
        s.put("other.test.zone", zone(resource("zones/other.test.zone"), 1));
        s.put("geo.test.zone", zone(resource("zones/geo.test.zone"), 2));
        String head = "$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n";
        s.put("minimal", zone(head, 0));
        s.put("minimal-root-origin", zone("$ORIGIN example.\n" + head, 1));
        s.put("multiline-soa", zone("$ORIGIN t.test.\n$TTL 1h\n@ IN SOA ns1.t.test. h.t.test. (\n  2026 ; serial\n"
                + "  7200 3600\n  1209600 300 )\n@ IN NS ns1\nns1 IN A 192.0.2.1\nns1 IN AAAA 2001:db8::1\n", 0));
        s.put("types", zone(head + "@ MX 10 mail\nmail A 192.0.2.25\n@ TXT \"v=spf1 -all\" \"two\"\n"
                + "_s._tcp SRV 0 5 5060 ns1\n@ CAA 0 issue \"ca.example\"\nx TYPE65534 \\# 3 010203\n"
                + "sub DS 12345 13 2 49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC49FD\n"
                + "sub NS ns.sub\nns.sub A 192.0.2.9\nptr PTR ns1\n", 0));
        s.put("wildcards", zone(head + "*.w A 192.0.2.1\n*.w TXT \"wild\"\nx.y.w A 192.0.2.2\n*.cut NS ns1\n"
                + "*.c CNAME ns1\n*  MX 10 ns1\n", 0));
        s.put("cnames", zone(head + "a CNAME b\nb CNAME c\nc CNAME a\nd CNAME ns1\ne CNAME www.elsewhere.\n"
                + "f CNAME f\n", 0));
        s.put("dname", zone(head + "d DNAME example.net.\nself DNAME @\nx.d A 192.0.2.1\n", 0));
        s.put("dname-apex", zone("$TTL 300\n@ SOA ns1.other. h 1 2 3 4 5\n@ NS ns1.other.\n@ DNAME target.test.\n", 2));
        s.put("delegations", zone(head + "c NS ns.c\nc NS ns.other.\nns.c A 192.0.2.7\nns.c AAAA 2001:db8::7\n"
                + "deep.below.c A 192.0.2.8\nc2 NS ns.c2\n", 0));
        s.put("generate", zone(head + "$GENERATE 1-4 host$ A 192.0.2.$\n$GENERATE 1-3/2 c$ CNAME host$\n", 0));
        s.put("origin-changes", zone(head + "$ORIGIN sub.example.test.\nhost A 192.0.2.1\n$ORIGIN example.test.\n"
                + "@ TXT back\n", 0));
        s.put("ttls", zone("$TTL 60\n@ 3600 SOA ns1 h 1 2 3 4 5\n@ 1w NS ns1\nns1 2d A 192.0.2.1\nns1 30 A 192.0.2.2\n",
                0));
        s.put("errors-class", zone(head + "chaos CH TXT \"x\"\n", 0));
        s.put("errors-outside", zone(head + "www.example.org. A 192.0.2.1\n", 0));
        s.put("errors-cname-and-data", zone(head + "x CNAME ns1\nx A 192.0.2.1\nx CNAME ns2\n", 0));
        s.put("errors-no-glue", zone(head + "c NS ns.c\n@ NS ns2\n", 0));
        s.put("errors-include", zone(head + "$INCLUDE /etc/hostname\n", 0));
        s.put("errors-syntax", zone(head + "bad A 999.1.1.1\n", 0));
        s.put("escapes", zone(head + "\\046dot A 192.0.2.1\nsp\\032ace TXT \"a\\\"b\\\\c\"\n\\000 A 192.0.2.2\n", 0));
        s.put("empty", zone("", 0));
        return s;
    }

    // ---------------------------------------------------------------- steering files

    /** Steering seed: the YAML, then the byte that picks client, health view and ECS (see the target). */
    private static byte[] yaml(String text, int options) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = java.util.Arrays.copyOf(t, t.length + 1);
        out[t.length] = (byte) options;
        return out;
    }

    private static Map<String, byte[]> steeringFiles() throws IOException {
        Map<String, byte[]> s = new LinkedHashMap<>();
        String full = resource("zones/geo.test.steer.yaml");
        for (int options = 0; options < 64; options += 21) {
            s.put(String.format("geo.test.steer.yaml-o%02x", options), yaml(full, options));
        }
        String pools = "pools:\n  a:\n    location: { lat: 48.86, lon: 2.35 }\n    origins:\n"
                + "      - { name: a1, address: 192.0.2.1 }\n      - { name: a6, address: \"2001:db8::1\" }\n"
                + "  b:\n    location: { lat: -33.9, lon: 151.2 }\n    weight: 3\n    origins:\n"
                + "      - { name: b1, address: 192.0.2.2, weight: 5 }\n      - { name: b2, address: 192.0.2.3 }\n";
        s.put("monitors", yaml("monitors:\n  web:\n    type: https\n    path: /health\n    method: HEAD\n"
                + "    host: www.example\n    headers: { X-Check: geosteer }\n    expect: 2xx, 301-302\n"
                + "    expect_body: ok\n    interval: 5s\n    timeout: 500ms\n    rise: 1\n    fall: 2\n"
                + "    tls_verify: false\n  port:\n    type: tcp\n    port: 443\n"
                + "  ca:\n    type: https\n    ca_file: \"/nonexistent/ca.pem\"\n"
                + pools.replace("    origins:\n      - { name: a1", "    monitor: web\n    origins:\n      - { name: a1")
                + "balancers:\n  www:\n    steering: failover\n    default_pools: [a, b]\n", 0x11));
        s.put("proximity", yaml(pools + "balancers:\n  near:\n    steering: proximity\n    default_pools: [a, b]\n"
                + "    max_answers: 2\n    ttl: 60\n", 0x22));
        s.put("random", yaml(pools + "balancers:\n  r:\n    steering: random\n    default_pools: [b, a]\n"
                + "    fallback_pool: a\n", 0x36));
        s.put("geo-regions", yaml(pools + "balancers:\n  \"@\":\n    steering: geo\n    default_pools: [a]\n"
                + "    regions:\n      country:NA: [b]\n      continent:OC: [b, a]\n      GB-ENG: [a]\n      SE: [b]\n"
                + "    nets:\n      \"2001:218::/32\": [b]\n      \"81.2.69.0/24\": [a, b]\n      \"0.0.0.0/0\": [b]\n",
                0x13));
        s.put("wildcard", yaml(pools + "balancers:\n  \"*.w\":\n    default_pools: [a]\n  \"*\":\n"
                + "    default_pools: [b]\n", 0x29));
        s.put("minimum-origins", yaml("pools:\n  p:\n    minimum_origins: 2\n    origins:\n"
                + "      - { name: x, address: 192.0.2.1, check_address: 192.0.2.100 }\n"
                + "      - { name: y, address: \"::ffff:192.0.2.2\" }\nbalancers:\n  m:\n    default_pools: [p]\n", 0x3e));
        s.put("empty", yaml("", 0));
        s.put("null-document", yaml("~\n", 0));
        s.put("errors", yaml("pools:\n  bad name:\n    origins: []\n  p:\n    weight: 0\n    origins:\n"
                + "      - { name: x, address: not-an-ip }\n      - { name: x, address: 192.0.2.1, weight: 1001 }\n"
                + "      - null\nbalancers:\n  static:\n    steering: nearest\n    ttl: 0\n    default_pools: [q, p]\n"
                + "    regions: { XX: [p] }\n  alias:\n    default_pools: [p]\n  outside.example.:\n"
                + "    default_pools: [p]\n", 0));
        s.put("errors-types", yaml("pools: [1, 2]\nbalancers:\n  b:\n    ttl: ten\n", 0));
        s.put("errors-unknown-key", yaml("pool:\n  a: {}\n", 0));
        s.put("errors-duration", yaml("monitors:\n  m:\n    interval: -5s\n    timeout: 1h\n    expect: 99-700\n", 0));
        s.put("errors-nets", yaml(pools + "balancers:\n  n:\n    default_pools: [a]\n"
                + "    nets:\n      \"10.0.0.1/8\": [a]\n      \"10.0.0.0\": [a]\n      \"::/129\": [a]\n"
                + "      \"10.0.0.0/x\": [a]\n", 0));
        s.put("anchors", yaml("pools:\n  a: &pool\n    origins:\n      - { name: a1, address: 192.0.2.1 }\n"
                + "  b: *pool\nbalancers:\n  x: &bal\n    default_pools: [a, b]\n  y: *bal\n", 0));
        s.put("flow-json", yaml("{\"pools\": {\"a\": {\"origins\": [{\"name\": \"a1\", \"address\": \"192.0.2.1\"}]}},"
                + " \"balancers\": {\"j\": {\"default_pools\": [\"a\"]}}}", 0));
        return s;
    }
}
