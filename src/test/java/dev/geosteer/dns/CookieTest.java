package dev.geosteer.dns;

import dev.geosteer.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DNS cookies (RFC 7873, RFC 9018) and {@code limits.nocookie_udp_size}: a UDP answer to a request
 * without a valid server cookie is at most that size (larger ones go TC, so the client retries over TCP
 * or with the cookie it was just given). Loopback is exempt by default (rrl.exempt): not here.
 */
class CookieTest {
    static final byte[] CLIENT = {1, 2, 3, 4, 5, 6, 7, 8};

    @TempDir
    Path dir;
    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    void start(Consumer<dev.geosteer.config.ServerConfig> tweak) throws Exception {
        server = TestServer.start(dir, c -> {
            c.rrl.exempt = List.of();
            tweak.accept(c);
        }, "example.test.zone");
    }

    /** A UDP query with EDNS 4096 and these options, from {@code source}. */
    Message ask(String source, String name, int type, EDNSOption... options) throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        q.addRecord(new OPTRecord(4096, 0, 0, 0, List.of(options)), Section.ADDITIONAL);
        byte[] wire = q.toWire();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(source), 0))) {
            s.setSoTimeout(3000);
            s.send(new DatagramPacket(wire, wire.length, server.address));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            return new Message(Arrays.copyOf(buf, p.getLength()));
        }
    }

    static CookieOption cookie(Message m) {
        List<EDNSOption> o = m.getOPT().getOptions(EDNSOption.Code.COOKIE);
        assertThat(o).as("one COOKIE option in the answer").hasSize(1);
        return (CookieOption) o.get(0);
    }

    @Test
    void aLargeAnswerWithoutAValidCookieIsTruncatedAtTheNocookieSize() throws Exception {
        start(c -> { });
        Message m = ask("127.0.0.1", "large.example.test.", Type.TXT);
        assertThat(m.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(m.toWire().length).isLessThanOrEqualTo(512);
        assertThat(m.getOPT().getOptions(EDNSOption.Code.COOKIE)).as("no cookie asked, none given").isEmpty();
        // normal answers are not affected
        Message small = ask("127.0.0.1", "www.example.test.", Type.A);
        assertThat(small.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(small.getSection(Section.ANSWER)).hasSize(1);
        // and TCP is never capped
        SimpleResolver tcp = server.resolver(true);
        tcp.setEDNS(0, 4096, 0, List.of());
        assertThat(tcp.send(Message.newQuery(Record.newRecord(Name.fromString("large.example.test."), Type.TXT,
                DClass.IN))).getSection(Section.ANSWER)).hasSize(6);
    }

    @Test
    void aClientCookieGetsAServerCookieAndWithItTheWholeAnswer() throws Exception {
        start(c -> { });
        Message first = ask("127.0.0.1", "large.example.test.", Type.TXT, new CookieOption(CLIENT));
        assertThat(first.getHeader().getFlag(Flags.TC)).isTrue();
        CookieOption given = cookie(first);
        assertThat(given.getClientCookie()).isEqualTo(CLIENT);
        byte[] serverCookie = given.getServerCookie().orElseThrow();
        assertThat(serverCookie).hasSize(16);
        assertThat(serverCookie[0]).as("RFC 9018 version").isEqualTo((byte) 1);

        Message second = ask("127.0.0.1", "large.example.test.", Type.TXT, new CookieOption(CLIENT, serverCookie));
        assertThat(second.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(second.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(second.getSection(Section.ANSWER)).hasSize(6);
        assertThat(cookie(second).getServerCookie().orElseThrow()).as("a fresh cookie is echoed").isEqualTo(serverCookie);
    }

    /** RFC 7873 §5.2.3/§5.3: an invalid server cookie whose answer does not fit gets BADCOOKIE and a new one. */
    @Test
    void anotherAddressesCookieGetsBadcookieWithANewCookie() throws Exception {
        start(c -> { });
        byte[] forOne = cookie(ask("127.0.0.1", "www.example.test.", Type.A, new CookieOption(CLIENT)))
                .getServerCookie().orElseThrow();
        Message bad = ask("127.0.0.2", "large.example.test.", Type.TXT, new CookieOption(CLIENT, forOne));
        assertThat(bad.getRcode()).isEqualTo(Rcode.BADCOOKIE);
        assertThat(bad.getSection(Section.ANSWER)).isEmpty();
        assertThat(bad.getHeader().getFlag(Flags.TC)).isFalse();
        byte[] forTwo = cookie(bad).getServerCookie().orElseThrow();
        assertThat(forTwo).isNotEqualTo(forOne);
        Message retried = ask("127.0.0.2", "large.example.test.", Type.TXT, new CookieOption(CLIENT, forTwo));
        assertThat(retried.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(retried.getSection(Section.ANSWER)).hasSize(6);
        // a small answer is simply answered, with a new cookie
        Message small = ask("127.0.0.2", "www.example.test.", Type.A, new CookieOption(CLIENT, forOne));
        assertThat(small.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(cookie(small).getServerCookie().orElseThrow()).isNotEqualTo(forOne);
    }

    /** RFC 7873 §5.2.2: a COOKIE option of a length no cookie has is FORMERR. */
    @Test
    void malformedCookieOptionsAreFormerr() throws Exception {
        start(c -> { });
        for (int len : new int[] {0, 1, 7, 9, 15, 41}) {
            Message m = ask("127.0.0.1", "www.example.test.", Type.A, new GenericEDNSOption(10, new byte[len]));
            assertThat(m.getRcode()).as(len + " bytes").isEqualTo(Rcode.FORMERR);
            assertThat(m.getOPT()).isNotNull();
        }
        Message two = ask("127.0.0.1", "www.example.test.", Type.A, new CookieOption(CLIENT), new CookieOption(CLIENT));
        assertThat(two.getRcode()).as("two COOKIE options").isEqualTo(Rcode.FORMERR);
        for (int len : new int[] {8, 16, 40}) { // client only; with the shortest and the longest server cookie
            Message m = ask("127.0.0.1", "www.example.test.", Type.A, new GenericEDNSOption(10, new byte[len]));
            assertThat(m.getRcode()).as(len + " bytes").isEqualTo(Rcode.NOERROR);
        }
    }

    /** A valid cookie proves the source address, as TCP does: such requests are not rate limited (BIND, Knot). */
    @Test
    void requestsWithAValidCookieAreNotRateLimited() throws Exception {
        start(c -> {
            c.rrl.responsesPerSecond = 5;
            c.rrl.ipv4Prefix = 32;
        });
        byte[] sc = cookie(ask("127.0.0.3", "www.example.test.", Type.A, new CookieOption(CLIENT))).getServerCookie()
                .orElseThrow();
        Message q = Message.newQuery(Record.newRecord(Name.fromString("www.example.test."), Type.A, DClass.IN));
        q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new CookieOption(CLIENT, sc))), Section.ADDITIONAL);
        byte[] wire = q.toWire();
        List<Message> answers = new ArrayList<>();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.3"), 0))) {
            s.setReceiveBufferSize(1 << 20);
            s.setSoTimeout(3000);
            for (int i = 0; i < 100; i++) {
                s.send(new DatagramPacket(wire, wire.length, server.address));
            }
            byte[] buf = new byte[4096];
            for (int i = 0; i < 100; i++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                answers.add(new Message(Arrays.copyOf(buf, p.getLength())));
            }
        }
        assertThat(answers).allSatisfy(m -> assertThat(m.getSection(Section.ANSWER)).hasSize(1));
    }

    @Test
    void theCapIsConfigurableAndCookiesCanBeTurnedOff() throws Exception {
        start(c -> {
            c.limits.nocookieUdpSize = 1232;
            c.cookies.enabled = false;
        });
        Message m = ask("127.0.0.1", "large.example.test.", Type.TXT, new CookieOption(CLIENT));
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).hasSize(6);
        assertThat(m.getOPT().getOptions(EDNSOption.Code.COOKIE)).as("a server without cookies ignores them").isEmpty();
    }
}
