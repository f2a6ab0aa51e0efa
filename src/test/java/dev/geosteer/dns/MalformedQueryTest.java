package dev.geosteer.dns;

import dev.geosteer.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every malformed query gets FORMERR (or NOTIMP, BADVERS, NOTAUTH) when a header can be read, else nothing. */
class MalformedQueryTest {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir, "example.test.zone");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static byte[] header(int id, int flags, int qd, int an, int ns, int ar) {
        return new byte[] {(byte) (id >> 8), (byte) id, (byte) (flags >> 8), (byte) flags, 0, (byte) qd, 0, (byte) an,
                0, (byte) ns, 0, (byte) ar};
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static final byte[] WWW = {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0};
    static final byte[] A_IN = {0, 1, 0, 1};

    Message answer(byte[] packet) throws Exception {
        return server.udpRawMessage(packet);
    }

    void assertStillServing() throws Exception {
        assertThat(server.udp("www.example.test.", Type.A).getSection(Section.ANSWER)).hasSize(1);
    }

    @Test
    void dropsPacketsShorterThanAHeader() throws Exception {
        assertThat(server.udpRaw(new byte[] {1, 2, 3}, Duration.ofMillis(300))).isNull();
        assertThat(server.udpRaw(new byte[0], Duration.ofMillis(300))).isNull();
        assertStillServing();
    }

    @Test
    void dropsResponses() throws Exception {
        assertThat(server.udpRaw(concat(header(7, 0x8400, 1, 0, 0, 0), WWW, A_IN), Duration.ofMillis(300))).isNull();
    }

    @Test
    void answersFormerrToATruncatedQuestion() throws Exception {
        Message m = answer(concat(header(7, 0x0100, 1, 0, 0, 0), new byte[] {3, 'w', 'w'}));
        assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(m.getHeader().getID()).isEqualTo(7);
        assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(m.getQuestion()).isNull();
    }

    @Test
    void answersFormerrWhenQdcountIsNotOne() throws Exception {
        assertThat(answer(header(8, 0, 0, 0, 0, 0)).getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(answer(concat(header(9, 0, 2, 0, 0, 0), WWW, A_IN, WWW, A_IN)).getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void answersFormerrToCompressionPointersAndLoopsInTheQuestion() throws Exception {
        // a pointer to itself: a loop for a naive decoder
        Message m = answer(concat(header(10, 0, 1, 0, 0, 0), new byte[] {(byte) 0xC0, 12}, A_IN));
        assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void answersFormerrToOversizeLabelsAndNames() throws Exception {
        byte[] label64 = new byte[65];
        label64[0] = 64; // 0x40: an extended label type, not a length
        assertThat(answer(concat(header(11, 0, 1, 0, 0, 0), label64, new byte[] {0}, A_IN)).getRcode())
                .isEqualTo(Rcode.FORMERR);
        ByteArrayOutputStream longName = new ByteArrayOutputStream();
        for (int i = 0; i < 5; i++) {
            longName.write(63);
            longName.writeBytes("a".repeat(63).getBytes());
        }
        longName.write(0); // 321 bytes > 255
        assertThat(answer(concat(header(12, 0, 1, 0, 0, 0), longName.toByteArray(), A_IN)).getRcode())
                .isEqualTo(Rcode.FORMERR);
    }

    @Test
    void answersFormerrToAnAdditionalRecordThatOverrunsThePacket() throws Exception {
        byte[] opt = {0, 0, 41, 4, (byte) 0xD0, 0, 0, 0, 0, 0, 50}; // rdlen 50, no rdata
        assertThat(answer(concat(header(13, 0, 1, 0, 0, 1), WWW, A_IN, opt)).getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void answersFormerrToTwoOptRecords() throws Exception {
        byte[] opt = {0, 0, 41, 4, (byte) 0xD0, 0, 0, 0, 0, 0, 0};
        assertThat(answer(concat(header(14, 0, 1, 0, 0, 2), WWW, A_IN, opt, opt)).getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void answersFormerrToAnAnswerSectionInAQuery() throws Exception {
        byte[] rr = {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4};
        assertThat(answer(concat(header(15, 0, 1, 1, 0, 0), WWW, A_IN, rr)).getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void answersNotimpToOtherOpcodes() throws Exception {
        for (int opcode : new int[] {Opcode.IQUERY, Opcode.STATUS, Opcode.NOTIFY, Opcode.UPDATE, 3, 15}) {
            Message m = answer(concat(header(16, opcode << 11, 1, 0, 0, 0), WWW, A_IN));
            assertThat(m.getRcode()).as("opcode " + opcode).isEqualTo(Rcode.NOTIMP);
            assertThat(m.getHeader().getOpcode()).isEqualTo(opcode);
        }
    }

    @Test
    void keepsEdnsInTheNotimpAnswerToOtherOpcodes() throws Exception {
        // RFC 6891 §6.1.1: a request with an OPT record gets one back, whatever the rcode. A NOTIFY
        // carries an SOA in its answer section, an UPDATE records in the next: the OPT comes after them.
        byte[] opt = {0, 0, 41, 4, (byte) 0xD0, 0, 0, 0, 0, 0, 0};
        byte[] soa = {(byte) 0xC0, 12, 0, 6, 0, 1, 0, 0, 0, 60, 0, 0};
        for (int opcode : new int[] {Opcode.IQUERY, Opcode.STATUS, Opcode.NOTIFY, Opcode.UPDATE, 15}) {
            Message m = answer(concat(header(17, opcode << 11, 1, 1, 1, 1), WWW, A_IN, soa, soa, opt));
            assertThat(m.getRcode()).as("opcode " + opcode).isEqualTo(Rcode.NOTIMP);
            assertThat(m.getOPT()).as("opcode " + opcode).isNotNull();
        }
    }

    @Test
    void answersBadversToEdnsVersionsAboveZero() throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("www.example.test."), Type.A, DClass.IN));
        q.addRecord(new OPTRecord(1232, 0, 1, 0, List.<EDNSOption>of()), Section.ADDITIONAL);
        Message m = answer(q.toWire());
        assertThat(m.getRcode()).isEqualTo(Rcode.BADVERS);
        assertThat(m.getOPT().getVersion()).isZero();
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void answersNotauthToTsigSignedQueries() throws Exception {
        byte[] tsig = concat(new byte[] {3, 'k', 'e', 'y', 0, 0, (byte) 250, 0, (byte) 255, 0, 0, 0, 0, 0, 0});
        Message m = answer(concat(header(17, 0, 1, 0, 0, 1), WWW, A_IN, tsig));
        assertThat(m.getRcode()).isEqualTo(Rcode.NOTAUTH);
    }

    @Test
    void answersFormerrToMalformedClientSubnets() throws Exception {
        // family 1, source 24, scope 0, but 4 address bytes instead of 3
        byte[] tooLong = {0, 8, 0, 8, 0, 1, 24, 0, 10, 0, 0, 0};
        // bits set beyond the source prefix (/20 with .15 in the third byte)
        byte[] dirty = {0, 8, 0, 7, 0, 1, 20, 0, 10, 0, 15};
        // prefix longer than the family allows
        byte[] tooWide = {0, 8, 0, 9, 0, 1, 33, 0, 10, 0, 0, 0, 0};
        // unknown family
        byte[] family = {0, 8, 0, 4, 0, 3, 0, 0};
        for (byte[] ecs : new byte[][] {tooLong, dirty, tooWide, family}) {
            byte[] opt = concat(new byte[] {0, 0, 41, 4, (byte) 0xD0, 0, 0, 0, 0, 0, (byte) ecs.length}, ecs);
            Message m = answer(concat(header(18, 0, 1, 0, 0, 1), WWW, A_IN, opt));
            assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
        }
        assertStillServing();
    }

    @Test
    void answersGarbageAfterAValidHeaderWithFormerr() throws Exception {
        Message m = answer(concat(header(20, 0, 1, 0, 0, 0), new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2}));
        assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
        assertStillServing();
    }
}
