package dev.geosteer.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** Regressions found by the packet fuzzer, replayed through the responder and re-parsed with dnsjava. */
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
}
