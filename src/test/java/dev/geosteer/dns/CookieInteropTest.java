package dev.geosteer.dns;

import dev.geosteer.TestServer;
import dev.geosteer.differential.Knotd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RFC 9018 interoperability, against a real Knot DNS (mod-cookies) with the same server secret: a
 * cookie Knot gives a client is valid at geosteer, and the other way round, as servers of one anycast
 * fleet need. knotd runs on an ephemeral loopback port from a throw-away configuration, stopped by PID
 * (skipped, and said so, when Knot is not installed; CI installs it).
 */
class CookieInteropTest {
    static final String SECRET = "e5e973e5a6b2a43f48e7dc849e37bfcf";
    static final byte[] CLIENT = {9, 8, 7, 6, 5, 4, 3, 2};

    @TempDir
    Path dir;
    Knotd knot;
    TestServer geosteer;

    @AfterEach
    void stop() throws InterruptedException {
        if (knot != null) {
            knot.close(); // by its PID
        }
        if (geosteer != null) {
            geosteer.close();
        }
    }

    @Test
    void cookiesFromKnotAreValidAtGeosteerAndTheOtherWayRound() throws Exception {
        Path binary = Knotd.find();
        assumeTrue(binary != null, "knotd is not installed (Debian: apt-get install knot)");
        Path zone = Files.writeString(Files.createDirectories(dir.resolve("knot-zones")).resolve("example.test.zone"),
                String.join("\n", "$ORIGIN example.test.", "$TTL 3600", "@ SOA ns1 hostmaster 1 7200 3600 1209600 300",
                        "@ NS ns1", "ns1 A 192.0.2.53", ""));
        knot = Knotd.start(binary, dir, List.of(zone), "example.test.",
                "mod-cookies:\n  - id: default\n    secret: 0x" + SECRET + "\n", "mod-cookies/default");
        InetSocketAddress knotAt = knot.address;
        geosteer = TestServer.start(dir.resolve("geosteer"), c -> {
            c.rrl.exempt = List.of();
            c.cookies.secret = SECRET;
        }, "example.test.zone");

        // Knot's cookie, shown to geosteer: the large answer comes whole over UDP (a valid cookie lifts the cap)
        byte[] fromKnot = serverCookie(ask(knotAt, "ns1.example.test.", Type.A, new CookieOption(CLIENT)));
        Message big = ask(geosteer.address, "large.example.test.", Type.TXT, new CookieOption(CLIENT, fromKnot));
        assertThat(big.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(big.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(big.getSection(Section.ANSWER)).hasSize(6);

        // geosteer's cookie, shown to Knot: accepted (Knot answers BADCOOKIE to any cookie it cannot verify)
        byte[] fromGeosteer = serverCookie(ask(geosteer.address, "www.example.test.", Type.A, new CookieOption(CLIENT)));
        assertThat(ask(knotAt, "ns1.example.test.", Type.A, new CookieOption(CLIENT, fromGeosteer)).getRcode())
                .isEqualTo(Rcode.NOERROR);
        byte[] forged = fromGeosteer.clone();
        forged[15] ^= 1;
        assertThat(ask(knotAt, "ns1.example.test.", Type.A, new CookieOption(CLIENT, forged)).getRcode())
                .as("the control: Knot does check").isEqualTo(Rcode.BADCOOKIE);
    }

    static byte[] serverCookie(Message m) {
        List<EDNSOption> o = m.getOPT().getOptions(EDNSOption.Code.COOKIE);
        assertThat(o).hasSize(1);
        byte[] sc = ((CookieOption) o.get(0)).getServerCookie().orElseThrow();
        assertThat(sc).hasSize(16);
        return sc;
    }

    /** A UDP query from 127.0.0.1 (a cookie is bound to the client's address). */
    static Message ask(InetSocketAddress to, String name, int type, EDNSOption... options) throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        q.addRecord(new OPTRecord(4096, 0, 0, 0, List.of(options)), Section.ADDITIONAL);
        byte[] wire = q.toWire();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            s.setSoTimeout(2000);
            s.send(new DatagramPacket(wire, wire.length, to));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            return new Message(Arrays.copyOf(buf, p.getLength()));
        }
    }
}
