package dev.geosteer.dns;

import dev.geosteer.TestServer;
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
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 9018 interoperability, against a real Knot DNS (mod-cookies) with the same server secret: a
 * cookie Knot gives a client is valid at geosteer, and the other way round, as servers of one anycast
 * fleet need. knotd runs on an ephemeral loopback port from a throw-away configuration, stopped by PID.
 */
class CookieInteropTest {
    static final String SECRET = "e5e973e5a6b2a43f48e7dc849e37bfcf";
    static final byte[] CLIENT = {9, 8, 7, 6, 5, 4, 3, 2};

    @TempDir
    Path dir;
    Process knot;
    TestServer geosteer;

    @AfterEach
    void stop() throws InterruptedException {
        if (knot != null) {
            knot.destroy(); // SIGTERM to this PID
            knot.waitFor();
        }
        if (geosteer != null) {
            geosteer.close();
        }
    }

    @Test
    void cookiesFromKnotAreValidAtGeosteerAndTheOtherWayRound() throws Exception {
        InetSocketAddress knotAt = startKnot();
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

    InetSocketAddress startKnot() throws Exception {
        Path k = Files.createDirectories(dir.resolve("knot"));
        Files.createDirectories(k.resolve("zones"));
        Files.createDirectories(k.resolve("db"));
        Files.createDirectories(k.resolve("run"));
        Files.writeString(k.resolve("zones/example.test.zone"), String.join("\n",
                "$ORIGIN example.test.", "$TTL 3600", "@ SOA ns1 hostmaster 1 7200 3600 1209600 300", "@ NS ns1",
                "ns1 A 192.0.2.53", ""));
        int port = DualStackListenTest.freePort();
        Files.writeString(k.resolve("knot.conf"), String.join("\n",
                "server:", "    listen: 127.0.0.1@" + port, "    rundir: " + k.resolve("run"),
                "database:", "    storage: " + k.resolve("db"),
                "log:", "  - target: stderr", "    any: warning",
                "mod-cookies:", "  - id: default", "    secret: 0x" + SECRET,
                "template:", "  - id: default", "    storage: " + k.resolve("zones"),
                "    global-module: mod-cookies/default",
                "zone:", "  - domain: example.test", "    file: example.test.zone", ""));
        knot = new ProcessBuilder("knotd", "-c", k.resolve("knot.conf").toString())
                .redirectErrorStream(true).redirectOutput(k.resolve("knotd.log").toFile()).start();
        InetSocketAddress at = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
        TestServer.await("knotd answers (log: " + k.resolve("knotd.log") + ")", Duration.ofSeconds(20), () -> {
            try {
                return knot.isAlive() && ask(at, "ns1.example.test.", Type.A).getRcode() == Rcode.NOERROR;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        return at;
    }
}
