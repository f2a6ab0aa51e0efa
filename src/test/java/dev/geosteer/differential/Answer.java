package dev.geosteer.differential;

import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A response in canonical form, for field-by-field comparison: the header fields, the question exactly
 * as echoed (letter case included), each section as a sorted multiset of records (owner in lower case,
 * TTL, class, type, rdata), and the OPT record's fields. {@code null} sections mean "no response".
 */
record Answer(int rcode, int opcode, boolean aa, boolean tc, boolean rd, boolean cd, boolean ra, boolean ad,
              String question, List<String> answer, List<String> authority, List<String> additional,
              String edns) {

    static final Answer NONE = new Answer(-1, -1, false, false, false, false, false, false, "(no response)",
            List.of(), List.of(), List.of(), "none");

    static Answer of(Message m) {
        OPTRecord opt = m.getOPT();
        String edns = "none";
        if (opt != null) {
            List<String> options = new ArrayList<>();
            for (EDNSOption o : opt.getOptions()) {
                options.add(o.getCode() + ":" + HexFormat.of().formatHex(o.toWire()));
            }
            edns = "version " + opt.getVersion() + " flags " + Integer.toHexString(opt.getFlags())
                    + " payload " + opt.getPayloadSize() + " options " + options;
        }
        Record q = m.getQuestion();
        return new Answer(m.getRcode(), m.getHeader().getOpcode(), m.getHeader().getFlag(Flags.AA),
                m.getHeader().getFlag(Flags.TC), m.getHeader().getFlag(Flags.RD), m.getHeader().getFlag(Flags.CD),
                m.getHeader().getFlag(Flags.RA), m.getHeader().getFlag(Flags.AD),
                q == null ? "(none)" : q.getName() + " " + Type.string(q.getType()) + " " + Probe.className(q.getDClass()),
                section(m, Section.ANSWER), section(m, Section.AUTHORITY), section(m, Section.ADDITIONAL), edns);
    }

    static Message parse(byte[] wire) throws IOException {
        return new Message(wire);
    }

    private static List<String> section(Message m, int section) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(section)) {
            if (r.getType() != Type.OPT) {
                out.add(canonical(r));
            }
        }
        out.sort(null);
        return List.copyOf(out);
    }

    /**
     * Owner and the names inside rdata in lower case (RFC 4034 §6.2's canonical form): name comparisons are
     * case-insensitive (RFC 4343), and which letter case a compression pointer picks up is the writer's
     * choice. The question is compared as sent, letter case included.
     */
    static String canonical(Record r) {
        Record lower = Record.newRecord(r.getName(), r.getType(), r.getDClass(), r.getTTL(), r.rdataToWireCanonical());
        return r.getName().toString().toLowerCase(Locale.ROOT) + " " + r.getTTL() + " " + Probe.className(r.getDClass())
                + " " + Type.string(r.getType()) + " " + lower.rdataToString();
    }

    /** The owner of a canonical record string. */
    static String owner(String record) {
        return record.substring(0, record.indexOf(' '));
    }

    /** The type mnemonic of a canonical record string. */
    static String type(String record) {
        return record.split(" ", 5)[3];
    }

    /** The fields that differ between two answers, as "field: knot ≠ geosteer" lines; empty when equal. */
    static List<String> differences(Answer knot, Answer geo) {
        List<String> d = new ArrayList<>();
        field(d, "rcode", rcodeName(knot.rcode), rcodeName(geo.rcode));
        field(d, "opcode", knot.opcode, geo.opcode);
        field(d, "AA", knot.aa, geo.aa);
        field(d, "TC", knot.tc, geo.tc);
        field(d, "RD", knot.rd, geo.rd);
        field(d, "CD", knot.cd, geo.cd);
        field(d, "RA", knot.ra, geo.ra);
        field(d, "AD", knot.ad, geo.ad);
        field(d, "question", knot.question, geo.question);
        sectionField(d, "answer", knot.answer, geo.answer);
        sectionField(d, "authority", knot.authority, geo.authority);
        sectionField(d, "additional", knot.additional, geo.additional);
        field(d, "EDNS", knot.edns, geo.edns);
        return d;
    }

    private static void field(List<String> d, String name, Object knot, Object geo) {
        if (!knot.equals(geo)) {
            d.add(name + ": knot " + knot + " ≠ geosteer " + geo);
        }
    }

    private static void sectionField(List<String> d, String name, List<String> knot, List<String> geo) {
        if (knot.equals(geo)) {
            return;
        }
        List<String> onlyKnot = new ArrayList<>(knot);
        geo.forEach(onlyKnot::remove);
        List<String> onlyGeo = new ArrayList<>(geo);
        knot.forEach(onlyGeo::remove);
        d.add(name + ": only knot " + onlyKnot + ", only geosteer " + onlyGeo);
    }

    static String rcodeName(int rcode) {
        return rcode < 0 ? "(none)" : org.xbill.DNS.Rcode.string(rcode);
    }

    Answer withAnswer(List<String> a) {
        return new Answer(rcode, opcode, aa, tc, rd, cd, ra, ad, question, a, authority, additional, edns);
    }

    Answer withAuthority(List<String> a) {
        return new Answer(rcode, opcode, aa, tc, rd, cd, ra, ad, question, answer, a, additional, edns);
    }

    Answer withAdditional(List<String> a) {
        return new Answer(rcode, opcode, aa, tc, rd, cd, ra, ad, question, answer, authority, a, edns);
    }

    Answer withRcode(int value) {
        return new Answer(value, opcode, aa, tc, rd, cd, ra, ad, question, answer, authority, additional, edns);
    }

    Answer withEdns(String value) {
        return new Answer(rcode, opcode, aa, tc, rd, cd, ra, ad, question, answer, authority, additional, value);
    }

    Answer withCd(boolean value) {
        return new Answer(rcode, opcode, aa, tc, rd, value, ra, ad, question, answer, authority, additional, edns);
    }
}
