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
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** EDNS sizes, truncation, TCP framing, pipelining and connection limits, over real sockets. */
class TransportTest {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir, c -> {
            c.limits.tcpIdleTimeout = Duration.ofMillis(700);
            c.limits.tcpQueryTimeout = Duration.ofMillis(700);
            c.limits.tcpMaxConnections = 8;
            c.limits.tcpMaxPerClient = 8;
        }, "example.test.zone", "other.test.zone");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Message query(String name, int type) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    }

    static Message withEdns(Message q, int udpSize) {
        q.addRecord(new OPTRecord(udpSize, 0, 0, 0, List.<EDNSOption>of()), Section.ADDITIONAL);
        return q;
    }

    @Test
    void withoutEdnsAnswersOver512BytesAreTruncatedWholeRrsetsOnly() throws Exception {
        byte[] raw = server.udpRaw(query("large.example.test.", Type.TXT).toWire(), Duration.ofSeconds(3));
        assertThat(raw.length).isLessThanOrEqualTo(512);
        Message m = new Message(raw);
        assertThat(m.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(m.getSection(Section.ANSWER)).isEmpty(); // the 6-record TXT RRset does not fit: none of it
        assertThat(m.getOPT()).isNull();
    }

    @Test
    void honoursTheClientsEdnsBufferSize() throws Exception {
        Message big = new Message(server.udpRaw(withEdns(query("large.example.test.", Type.TXT), 4096).toWire(),
                Duration.ofSeconds(3)));
        assertThat(big.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(big.getSection(Section.ANSWER)).hasSize(6);
        assertThat(big.getOPT().getPayloadSize()).isEqualTo(1232);

        byte[] raw = server.udpRaw(withEdns(query("large.example.test.", Type.TXT), 600).toWire(), Duration.ofSeconds(3));
        assertThat(raw.length).isLessThanOrEqualTo(600);
        Message small = new Message(raw);
        assertThat(small.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(small.getOPT()).as("the OPT record survives truncation").isNotNull();
        assertThat(small.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void advertisedSizesBelow512CountAs512() throws Exception {
        byte[] raw = server.udpRaw(withEdns(query("www.example.test.", Type.A), 100).toWire(), Duration.ofSeconds(3));
        Message m = new Message(raw);
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).hasSize(1);
    }

    @Test
    void capsUdpAnswersAtTheConfiguredSize() throws Exception {
        // 6 x 100-byte TXT fit in 4096 but not in the server's 1232 cap... they do fit in 1232; ask ANY-like
        // bigger data through TCP instead: the cap shows in the OPT record we advertise.
        Message m = new Message(server.udpRaw(withEdns(query("www.example.test.", Type.A), 65000).toWire(),
                Duration.ofSeconds(3)));
        assertThat(m.getOPT().getPayloadSize()).isEqualTo(1232);
    }

    @Test
    void theSameQueryOverTcpGetsTheWholeAnswer() throws Exception {
        SimpleResolver tcp = server.resolver(true);
        tcp.setEDNS(-1, 0, 0, List.<EDNSOption>of());
        Message m = tcp.send(query("large.example.test.", Type.TXT));
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).hasSize(6);
    }

    @Test
    void answersManyQueriesOnOneConnectionPipelined() throws Exception {
        try (Socket s = server.tcpSocket()) {
            Map<Integer, String> sent = new HashMap<>();
            OutputStream out = s.getOutputStream();
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            String[] names = {"www.example.test.", "mail.example.test.", "nothere.example.test.", "sip.example.test."};
            for (int i = 0; i < 40; i++) {
                Message q = query(names[i % names.length], Type.A);
                q.getHeader().setID(1000 + i);
                sent.put(1000 + i, names[i % names.length]);
                byte[] w = q.toWire();
                all.write(w.length >> 8);
                all.write(w.length);
                all.write(w);
            }
            out.write(all.toByteArray()); // every query in one write: the server must split the frames
            out.flush();
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Message m = new Message(TestServer.readFrame(s));
                ids.add(m.getHeader().getID());
                assertThat(m.getQuestion().getName().toString()).isEqualTo(sent.get(m.getHeader().getID()));
            }
            assertThat(ids).containsExactlyInAnyOrderElementsOf(sent.keySet());
        }
    }

    @Test
    void acceptsAQueryDeliveredOneByteAtATimeWithinTheTimeout() throws Exception {
        try (Socket s = server.tcpSocket()) {
            s.setTcpNoDelay(true);
            byte[] w = query("www.example.test.", Type.A).toWire();
            OutputStream out = s.getOutputStream();
            out.write(w.length >> 8);
            out.flush();
            out.write(w.length);
            out.flush();
            for (byte b : w) {
                out.write(b);
                out.flush();
            }
            Message m = new Message(TestServer.readFrame(s));
            assertThat(m.getSection(Section.ANSWER)).hasSize(1);
        }
    }

    @Test
    void closesIdleConnections() throws Exception {
        try (Socket s = server.tcpSocket()) {
            TestServer.writeFrame(s, query("www.example.test.", Type.A).toWire());
            TestServer.readFrame(s);
            s.setSoTimeout(5000);
            long start = System.nanoTime();
            assertThat(s.getInputStream().read()).as("server closes the idle connection").isEqualTo(-1);
            assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(4).toNanos());
        }
    }

    @Test
    void closesAConnectionWhoseQueryNeverCompletes() throws Exception {
        try (Socket s = server.tcpSocket()) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0, 40, 1, 2, 3}); // promises 40 bytes, sends 3
            out.flush();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void closesAConnectionWithAnImpossibleLength() throws Exception {
        try (Socket s = server.tcpSocket()) {
            s.getOutputStream().write(new byte[] {0, 3, 1, 2, 3});
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void refusesConnectionsBeyondTheLimitAndKeepsServingTheOthers() throws Exception {
        TestServer.await("earlier tests' connections are gone", Duration.ofSeconds(5),
                () -> server.server.tcpConnections() == 0);
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                Socket s = server.tcpSocket();
                TestServer.writeFrame(s, query("www.example.test.", Type.A).toWire());
                TestServer.readFrame(s); // accepted and served
                open.add(s);
            }
            try (Socket extra = server.tcpSocket()) {
                int first;
                try {
                    // the server may close it before the write lands: a broken pipe is the same verdict
                    TestServer.writeFrame(extra, query("www.example.test.", Type.A).toWire());
                    first = extra.getInputStream().read();
                } catch (IOException closed) {
                    first = -1;
                }
                assertThat(first).as("the ninth connection is closed unanswered").isEqualTo(-1);
            }
            for (Socket s : open) {
                TestServer.writeFrame(s, query("mail.example.test.", Type.A).toWire());
                assertThat(new Message(TestServer.readFrame(s)).getSection(Section.ANSWER)).hasSize(1);
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
        // once they are closed, new connections are served again
        TestServer.await("a new connection is served", Duration.ofSeconds(5), () -> {
            try (Socket s = server.tcpSocket()) {
                TestServer.writeFrame(s, query("www.example.test.", Type.A).toWire());
                return new Message(TestServer.readFrame(s)).getSection(Section.ANSWER).size() == 1;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    void echoesTheIdAndCopiesRdAndCd() throws Exception {
        Message q = query("www.example.test.", Type.A);
        q.getHeader().setID(4242);
        q.getHeader().setFlag(Flags.CD);
        Message m = server.udpRawMessage(q.toWire());
        assertThat(m.getHeader().getID()).isEqualTo(4242);
        assertThat(m.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.CD)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.RA)).isFalse();
        assertThat(m.getHeader().getFlag(Flags.AD)).isFalse();
    }

    @Test
    void echoesTheDoBit() throws Exception {
        Message q = query("www.example.test.", Type.A);
        q.addRecord(new OPTRecord(1232, 0, 0, org.xbill.DNS.ExtendedFlags.DO, List.<EDNSOption>of()), Section.ADDITIONAL);
        Message m = server.udpRawMessage(q.toWire());
        assertThat(m.getOPT().getFlags() & org.xbill.DNS.ExtendedFlags.DO).isNotZero();
    }

    @Test
    void theServerIsStillAliveAfterAClientVanishes() throws Exception {
        Socket s = server.tcpSocket();
        TestServer.writeFrame(s, query("www.example.test.", Type.A).toWire());
        s.close(); // before reading the answer
        Message m = server.tcp("www.example.test.", Type.A);
        assertThat(m.getSection(Section.ANSWER)).hasSize(1);
    }

    static void assertClosed(Socket s) throws IOException {
        try {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (EOFException e) {
            // closed
        }
    }
}
