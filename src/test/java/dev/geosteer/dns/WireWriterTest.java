package dev.geosteer.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writer's hand-off to the transports ({@link EncodeResult}: length and TC, truncation by whole
 * RRsets), and regressions found by the packet fuzzer, replayed through the responder and re-parsed
 * with dnsjava.
 */
class WireWriterTest {
    static byte[] respond(String hexQuery) {
        byte[] p = HexFormat.of().parseHex(hexQuery);
        Responder r = new Responder((q, c, t) -> Response.of(Rcode.REFUSED, false), 1232, QueryObserver.NONE);
        WireWriter w = new WireWriter();
        int n = r.respond(p, p.length, InetAddress.getLoopbackAddress(), false, w);
        return Arrays.copyOf(w.buffer(), n);
    }

    @Test
    void neverCompressesANameAgainstItself() throws Exception {
        // Fuzzer find (seed 20261127, packet #2102): a question whose last labels repeat ("\000.\000.")
        // was compressed against its own half-written bytes, giving a pointer into garbage.
        byte[] out = respond("cb3e010100010000000000010377777702646e076578616d726c65063c657374000001000100"
                + "0029100000000000000e0008000a00733000200102181b00");
        Message m = new Message(out);
        assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(m.getQuestion().getName().labels()).isEqualTo(7);
    }

    @Test
    void repeatedLabelsInTheQuestionRoundTrip() throws Exception {
        // www.www.www.test. A: every suffix is a candidate for compression against the name itself
        byte[] out = respond("000101000001000000000000037777770377777703777777047465737400000100 01".replace(" ", ""));
        assertThat(new Message(out).getQuestion().getName().toString()).isEqualTo("www.www.www.test.");
    }

    /** A query for {@code name} A without EDNS (512 bytes over UDP), as a client sends it. */
    static Query plainQuery(String name) throws Exception {
        byte[] wire = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)).toWire();
        return QueryParser.parse(wire, wire.length);
    }

    /** {@code count} A records of {@code owner}: 16 bytes each with a compressed owner. */
    static RRset addresses(String owner, int count) throws Exception {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new ARecord(Name.fromString(owner), DClass.IN, 300,
                    InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i})));
        }
        return RRset.of(records);
    }

    static Message parse(WireWriter w, EncodeResult e) throws Exception {
        return new Message(Arrays.copyOf(w.buffer(), e.length()));
    }

    @Test
    void anAnswerThatDoesNotFitIsLeftOutWholeWithTc() throws Exception {
        WireWriter w = new WireWriter();
        Query q = plainQuery("big.example.test.");
        Response r = Response.of(Rcode.NOERROR, true).answer(addresses("big.example.test.", 40), null, 300);
        EncodeResult e = w.encode(q, r, 512, 1232);
        assertThat(e.truncated()).isTrue();
        assertThat(e.length()).isLessThanOrEqualTo(512);
        Message m = parse(w, e);
        assertThat(m.getHeader().getFlag(Flags.TC)).as("TC in the header agrees with the result").isTrue();
        assertThat(m.getSection(Section.ANSWER)).as("whole RRsets only").isEmpty();

        // over TCP the same answer fits whole
        e = w.encode(q, r, WireWriter.MAX_MESSAGE, 1232);
        assertThat(e.truncated()).isFalse();
        m = parse(w, e);
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).hasSize(40);
    }

    @Test
    void theResultIsTheWritersOwnAndTheNextEncodeOverwritesIt() throws Exception {
        WireWriter w = new WireWriter();
        Query q = plainQuery("big.example.test.");
        EncodeResult big = w.encode(q, Response.of(Rcode.NOERROR, true)
                .answer(addresses("big.example.test.", 40), null, 300), 512, 1232);
        assertThat(big.truncated()).isTrue();
        EncodeResult small = w.encode(q, Response.of(Rcode.NOERROR, true)
                .answer(addresses("big.example.test.", 1), null, 300), 512, 1232);
        assertThat(small).as("no allocation per answer").isSameAs(big);
        assertThat(small.truncated()).isFalse();
        Message m = parse(w, small);
        assertThat(m.getSection(Section.ANSWER)).hasSize(1);
        assertThat(small.length()).isEqualTo(m.toWire().length);
    }

    @Test
    void optionalAdditionalDataLeftOutDoesNotSetTc() throws Exception {
        WireWriter w = new WireWriter();
        Query q = plainQuery("mx.example.test.");
        Response r = Response.of(Rcode.NOERROR, true).answer(addresses("mx.example.test.", 1), null, 300)
                .additional(addresses("mail.example.test.", 40), null, false);
        EncodeResult e = w.encode(q, r, 512, 1232);
        assertThat(e.truncated()).as("RFC 2181 §9: optional data dropped silently").isFalse();
        Message m = parse(w, e);
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).hasSize(1);
        assertThat(m.getSection(Section.ADDITIONAL)).isEmpty();
    }

    @Test
    void requiredGlueLeftOutSetsTc() throws Exception {
        WireWriter w = new WireWriter();
        Query q = plainQuery("www.sub.example.test.");
        Response r = Response.of(Rcode.NOERROR, false).authority(addresses("sub.example.test.", 1), 300)
                .additional(addresses("ns.sub.example.test.", 40), null, true);
        EncodeResult e = w.encode(q, r, 512, 1232);
        assertThat(e.truncated()).as("RFC 9471: in-domain glue that does not fit").isTrue();
        Message m = parse(w, e);
        assertThat(m.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(m.getSection(Section.AUTHORITY)).hasSize(1);
        assertThat(m.getSection(Section.ADDITIONAL)).isEmpty();
    }

    @Test
    void aSlipIsTcWithNoRecords() throws Exception {
        WireWriter w = new WireWriter();
        Query q = plainQuery("www.example.test.");
        Response r = Response.of(Rcode.NOERROR, true).truncated(true)
                .answer(addresses("www.example.test.", 1), null, 300);
        EncodeResult e = w.encode(q, r, 512, 1232);
        assertThat(e.truncated()).isTrue();
        Message m = parse(w, e);
        assertThat(m.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(m.getQuestion().getName()).isEqualTo(Name.fromString("www.example.test."));
    }
}
