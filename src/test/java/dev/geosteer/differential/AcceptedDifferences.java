package dev.geosteer.differential;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The differences from Knot that geosteer keeps on purpose, each where the RFCs allow either answer.
 * A rule rewrites both answers to what it makes equal, only when its condition holds; the pair must
 * then be identical. Every rule must be exercised by the corpus (an unused rule fails the test).
 */
final class AcceptedDifferences {
    interface Normalizer {
        /** The pair with this difference removed, or null when the rule does not apply. */
        Answer[] apply(Exchange x, Answer knot, Answer geo) throws IOException;
    }

    /** One query and the sizes of both responses on the wire (-1: none). */
    record Exchange(Probe q, int knotSize, int geoSize) {
        /** The largest response the transport allows for this query (RFC 1035 §4.2.1, RFC 6891 §6.2.5). */
        int limit() {
            return q.tcp() ? 65535 : q.ednsSize() < 0 ? 512 : Math.max(512, Math.min(q.ednsSize(), 1232));
        }
    }

    record Rule(String name, Normalizer normalizer) {
    }

    /** The fixture's RRset whose records have different TTLs in the zone file (100 and 200). */
    static final String MIXED_TTL_OWNER = "ttls.diff.test.";
    static final long MIXED_TTL_LOWEST = 100;

    private final List<Rule> rules = new ArrayList<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final DnsClient knot;
    private final Map<String, Answer> knotAnswers = new HashMap<>();
    private int oracleId = 60000;

    AcceptedDifferences(DnsClient knot) {
        this.knot = knot;

        // RFC 4035 §3.2.2: "The name server side MUST copy the setting of the CD bit from a query to the
        // corresponding response." geosteer copies it (as it copies RD); Knot clears it, reading §3.1.6
        // (CD is not relevant to an authoritative server's processing). Either leaves the data alone.
        rule("CD copied", (x, k, g) -> x.q().cd() && !k.cd() && g.cd() ? pair(k.withCd(true), g) : null);

        // geosteer implements neither NOTIFY nor UPDATE: NOTIMP, as RFC 1996 §3.12 and RFC 2136 §2.2
        // say for a server without them. Knot implements both and answers NOTAUTH (no ACL allows them).
        rule("NOTIFY, UPDATE: NOTIMP", (x, k, g) -> (x.q().opcode() == 4 || x.q().opcode() == 5)
                && k.rcode() == Rcode.NOTAUTH && g.rcode() == Rcode.NOTIMP
                ? pair(k.withRcode(g.rcode()), g) : null);

        // RFC 2181 §5.2: the TTLs of an RRset must be equal; a zone file that gives them different
        // TTLs is in error. geosteer serves the lowest (what §5.2 tells a client to use, and what it
        // warns about at load); Knot keeps the last one read. Only the fixture's one such RRset.
        rule("mixed-TTL RRset: lowest TTL", (x, k, g) -> {
            Answer n = mapRecords(k, this::lowestTtl);
            return n.equals(k) ? null : pair(n, g);
        });

        // RFC 8482 §4.1: an ANY query may be answered with one RRset or a subset ("the responder
        // chooses"). geosteer sends one RRset over UDP (A, AAAA, MX, TXT, SOA, NS first) and every
        // RRset over TCP, where ANY cannot amplify; Knot sends its first RRset in zone-file order over
        // both. Accepted when each side's answer is made of whole RRsets of the name, each exactly
        // what Knot answers for that type, with the additional addresses Knot gives for them.
        rule("ANY: RRsets chosen (RFC 8482)", this::anyRrsets);

        // RFC 1035 §4.1.4 lets a writer compress against any earlier name; geosteer does, Knot only
        // against the names its hints point to, so geosteer's messages are a little smaller. When a UDP
        // answer reaches the size limit in the additional section, the two fill it with different
        // optional addresses (or glue, TC set alike). Accepted when the answer and authority sections
        // and TC are the same, both additional sections come from Knot's full (TCP) answer, and
        // neither left out an address RRset that would still have fit.
        rule("full UDP answer: which additional RRsets fit", this::additionalFill);

        // RFC 7871 §6: "A server receiving an ECS option that uses more ADDRESS octets than are needed,
        // or that has non-zero bits set beyond SOURCE PREFIX-LENGTH, SHOULD return FORMERR". geosteer
        // does; Knot masks the address and answers (echoing the extra octets as they came).
        rule("malformed ECS: FORMERR (RFC 7871 §6)", (x, k, g) -> {
            Probe.ClientSubnet ecs = x.q().ecs();
            if (ecs == null || !sloppy(ecs) || g.rcode() != Rcode.FORMERR || g.aa()
                    || !g.answer().isEmpty() || !g.edns().endsWith("options []")) {
                return null;
            }
            return pair(g, g);
        });

        // RFC 7873: a server that implements DNS cookies answers a client cookie with the client cookie and
        // a server cookie (§5.2.3); one that does not ignores the option (§5.2.1). geosteer implements
        // them; Knot runs here without mod-cookies (CookieInteropTest runs it with). The answers are
        // otherwise the same; the cookie's content is checked by ServerCookiesTest and CookieInteropTest.
        rule("DNS cookie answered", (x, k, g) -> {
            String client = clientCookie(x.q().options());
            String cookie = client == null ? null : "10:000a0018" + client;
            int at = cookie == null ? -1 : g.edns().indexOf(cookie);
            if (at < 0 || k.edns().contains("10:000a") || g.edns().length() < at + cookie.length() + 32) {
                return null;
            }
            String option = g.edns().substring(at, at + cookie.length() + 32);
            return pair(k, g.withEdns(g.edns().replace(", " + option, "").replace(option + ", ", "")
                    .replace(option, "")));
        });

        // RFC 2181 §5: an RR appears once in a section. In a DNAME loop (dl1 → dl2 → dl1) Knot keeps
        // synthesizing the same CNAMEs until its chain limit and repeats them; geosteer stops at the
        // first repeat. The same RRs, without the repeats.
        rule("DNAME loop: no repeated RRs", (x, k, g) -> {
            List<String> distinct = List.copyOf(new TreeSet<>(k.answer()));
            return distinct.size() < k.answer().size() && distinct.equals(g.answer())
                    ? pair(k.withAnswer(distinct), g) : null;
        });
    }

    /** The hex client cookie of the first COOKIE option in raw EDNS options, or null. */
    private static String clientCookie(byte[] options) {
        for (int o = 0; o + 4 <= options.length; ) {
            int code = ((options[o] & 0xFF) << 8) | (options[o + 1] & 0xFF);
            int len = ((options[o + 2] & 0xFF) << 8) | (options[o + 3] & 0xFF);
            if (code == 10 && len >= 8 && o + 4 + len <= options.length) {
                return java.util.HexFormat.of().formatHex(options, o + 4, o + 12);
            }
            o += 4 + len;
        }
        return null;
    }

    /** An ECS address with more octets than its prefix needs, or bits set beyond the prefix. */
    private static boolean sloppy(Probe.ClientSubnet ecs) {
        byte[] a = ecs.address();
        int source = ecs.sourcePrefix();
        if (a.length != (source + 7) / 8) {
            return true;
        }
        return source % 8 != 0 && (a[a.length - 1] & (0xFF >> (source % 8))) != 0;
    }

    private String lowestTtl(String record) {
        if (!Answer.owner(record).equals(MIXED_TTL_OWNER) || !Answer.type(record).equals("TXT")) {
            return record;
        }
        String[] f = record.split(" ", 3);
        return f[0] + " " + Math.min(Long.parseLong(f[1]), MIXED_TTL_LOWEST) + " " + f[2];
    }

    private Answer[] anyRrsets(Exchange x, Answer k, Answer g) throws IOException {
        Probe q = x.q();
        if (q.type() != Type.ANY || k.rcode() != 0 || g.rcode() != 0 || k.tc() || g.tc()
                || k.answer().isEmpty() || g.answer().isEmpty()) {
            return null;
        }
        List<String> placeholder = List.of("(whole RRsets of the name, checked against Knot's per-type answers)");
        for (Answer side : new Answer[] {k, g}) {
            Set<String> expectedAdditional = new LinkedHashSet<>();
            for (String type : typesOf(side.answer())) {
                Answer single = knotSingle(q.name(), Type.value(type));
                List<String> rrset = single.answer().stream()
                        .filter(r -> Answer.type(r).equals(type) && Answer.owner(r).equals(lower(q.name())))
                        .toList();
                List<String> ours = side.answer().stream().filter(r -> Answer.type(r).equals(type)).toList();
                if (!ours.equals(rrset)) {
                    return null;
                }
                expectedAdditional.addAll(single.additional());
            }
            side.answer().forEach(expectedAdditional::remove); // an address already in the answer
            if (!new TreeSet<>(expectedAdditional).equals(new TreeSet<>(side.additional()))) {
                return null;
            }
        }
        return pair(k.withAnswer(placeholder).withAdditional(placeholder),
                g.withAnswer(placeholder).withAdditional(placeholder));
    }

    private Answer[] additionalFill(Exchange x, Answer k, Answer g) throws IOException {
        Probe q = x.q();
        if (q.tcp() || k.additional().equals(g.additional())
                || !k.withAdditional(g.additional()).equals(g)) {
            return null;
        }
        byte[] wire = knot.tcp(Probe.of(nextOracleId(), q.name(), q.type(), q.dclass(), true).withEdns(4096, false)
                .wire());
        if (wire == null) {
            throw new IOException("knotd did not answer " + q + " over TCP");
        }
        List<String> full = mapRecords(Answer.of(Answer.parse(wire)), this::lowestTtl).additional();
        if (!isFull(k.additional(), full, x.knotSize(), x.limit())
                || !isFull(g.additional(), full, x.geoSize(), x.limit())) {
            return null;
        }
        return pair(k.withAdditional(List.of("(additional filled to the size limit)")),
                g.withAdditional(List.of("(additional filled to the size limit)")));
    }

    /**
     * Whether {@code sent} is part of {@code full} and no RRset of {@code full} left out of it would have
     * fit: each needs at least a compressed owner (2 octets), type, class, TTL, length (10) and rdata.
     */
    private static boolean isFull(List<String> sent, List<String> full, int size, int limit) {
        List<String> left = new ArrayList<>(full);
        for (String r : sent) {
            if (!left.remove(r)) {
                return false;
            }
        }
        Map<String, Integer> leftOut = new LinkedHashMap<>(); // owner and type → smallest size on the wire
        for (String r : left) {
            leftOut.merge(Answer.owner(r) + " " + Answer.type(r), 12 + rdataLength(r), Integer::sum);
        }
        return leftOut.values().stream().allMatch(min -> size + min > limit);
    }

    private static int rdataLength(String record) {
        return switch (Answer.type(record)) {
            case "A" -> 4;
            case "AAAA" -> 16;
            default -> throw new IllegalArgumentException("not an address: " + record);
        };
    }

    private int nextOracleId() {
        oracleId = oracleId >= 65535 ? 60000 : oracleId + 1;
        return oracleId;
    }

    /** Knot's answer for one name and type over TCP (no size limit), mixed TTLs normalised; cached. */
    private Answer knotSingle(String name, int type) throws IOException {
        String key = lower(name) + " " + type;
        Answer a = knotAnswers.get(key);
        if (a == null) {
            byte[] wire = knot.tcp(Probe.of(nextOracleId(), name, type, DClass.IN, true).withEdns(4096, false).wire());
            if (wire == null) {
                throw new IOException("knotd did not answer " + name + " " + Type.string(type));
            }
            a = mapRecords(Answer.of(Answer.parse(wire)), this::lowestTtl);
            knotAnswers.put(key, a);
        }
        return a;
    }

    private static Set<String> typesOf(List<String> records) {
        Set<String> types = new LinkedHashSet<>();
        records.forEach(r -> types.add(Answer.type(r)));
        return types;
    }

    private static String lower(String name) {
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    private static Answer mapRecords(Answer a, UnaryOperator<String> f) {
        return a.withAnswer(sorted(a.answer(), f)).withAuthority(sorted(a.authority(), f))
                .withAdditional(sorted(a.additional(), f));
    }

    private static List<String> sorted(List<String> records, UnaryOperator<String> f) {
        List<String> out = new ArrayList<>(records.size());
        records.forEach(r -> out.add(f.apply(r)));
        out.sort(null);
        return List.copyOf(out);
    }

    private void rule(String name, Normalizer n) {
        rules.add(new Rule(name, n));
    }

    private static Answer[] pair(Answer knot, Answer geo) {
        return new Answer[] {knot, geo};
    }

    /**
     * Applies every rule whose condition holds, in order; returns the pair as the rules left it (equal
     * when the differences are all accepted ones, which are then counted).
     */
    Answer[] normalize(Exchange x, Answer knot, Answer geo) throws IOException {
        if (knot.equals(geo)) {
            return pair(knot, geo);
        }
        List<String> used = new ArrayList<>();
        for (Rule r : rules) {
            Answer[] n = r.normalizer.apply(x, knot, geo);
            if (n != null && !(n[0].equals(knot) && n[1].equals(geo))) {
                knot = n[0];
                geo = n[1];
                used.add(r.name);
            }
        }
        if (knot.equals(geo)) {
            used.forEach(u -> counts.merge(u, 1, Integer::sum));
        }
        return pair(knot, geo);
    }

    Map<String, Integer> counts() {
        return counts;
    }

    List<String> unused() {
        return rules.stream().map(Rule::name).filter(n -> !counts.containsKey(n)).toList();
    }
}
