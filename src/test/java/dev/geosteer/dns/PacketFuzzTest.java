package dev.geosteer.dns;

import dev.geosteer.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 100 000+ random and mutated packets over real UDP and TCP: the server must answer what it can, drop
 * what it cannot, and still answer a valid query afterwards. Seeded, so a failure can be replayed.
 */
class PacketFuzzTest {
    static final long SEED = Long.getLong("fuzz.seed", 20261127L);
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir, "example.test.zone", "other.test.zone");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Valid queries to mutate: plain, EDNS, ECS v4/v6, odd names and types. */
    static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        String[] names = {"www.example.test.", "a.b.wild.example.test.", "child.example.test.", "loop1.example.test.",
                "\\000.example.test.", "x.cn.example.test.", "large.example.test.", "www.dn.example.test.", "."};
        int[] types = {Type.A, Type.AAAA, Type.TXT, Type.ANY, Type.MX, Type.NS, Type.DS, Type.SOA};
        for (String n : names) {
            for (int t : types) {
                Message q = Message.newQuery(Record.newRecord(Name.fromString(n), t, DClass.IN));
                seeds.add(q.toWire());
                Message e = Message.newQuery(Record.newRecord(Name.fromString(n), t, DClass.IN));
                e.addRecord(new OPTRecord(1232, 0, 0, 0, List.<EDNSOption>of(
                        new ClientSubnetOption(24, InetAddress.getByName("175.16.199.0")))), Section.ADDITIONAL);
                seeds.add(e.toWire());
                Message v6 = Message.newQuery(Record.newRecord(Name.fromString(n), t, DClass.IN));
                v6.addRecord(new OPTRecord(4096, 0, 0, 0x8000, List.<EDNSOption>of(
                        new ClientSubnetOption(48, InetAddress.getByName("2001:218::")))), Section.ADDITIONAL);
                seeds.add(v6.toWire());
                Message c = Message.newQuery(Record.newRecord(Name.fromString(n), t, DClass.IN));
                c.addRecord(new OPTRecord(4096, 0, 0, 0, List.<EDNSOption>of(new org.xbill.DNS.CookieOption(
                        new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, new byte[16]))), Section.ADDITIONAL);
                seeds.add(c.toWire());
            }
        }
        return seeds;
    }

    static byte[] mutate(byte[] seed, SplittableRandom rnd) {
        byte[] p;
        switch (rnd.nextInt(6)) {
            case 0 -> { // pure garbage
                p = new byte[rnd.nextInt(0, 600)];
                for (int i = 0; i < p.length; i++) {
                    p[i] = (byte) rnd.nextInt(256);
                }
            }
            case 1 -> { // truncated
                p = java.util.Arrays.copyOf(seed, rnd.nextInt(0, seed.length + 1));
            }
            case 2 -> { // extended with junk
                p = java.util.Arrays.copyOf(seed, seed.length + rnd.nextInt(1, 64));
                for (int i = seed.length; i < p.length; i++) {
                    p[i] = (byte) rnd.nextInt(256);
                }
            }
            default -> { // bit and byte flips, counts and lengths included
                p = seed.clone();
                int flips = rnd.nextInt(1, 8);
                for (int i = 0; i < flips; i++) {
                    int at = rnd.nextInt(p.length);
                    if (rnd.nextBoolean()) {
                        p[at] ^= (byte) (1 << rnd.nextInt(8));
                    } else {
                        p[at] = (byte) (rnd.nextInt(4) == 0 ? 0xC0 : rnd.nextInt(256));
                    }
                }
            }
        }
        if (p.length > 2 && rnd.nextInt(4) != 0) {
            p[2] &= 0x7F; // mostly keep QR clear, so that most packets reach the parser's later stages
        }
        return p;
    }

    @Test
    void theResponderNeverThrowsAndAlwaysEncodesAValidMessage() throws Exception {
        Responder responder = new Responder(new dev.geosteer.query.ZoneResolver(() -> server.server.zones()),
                1232, QueryObserver.NONE, Limiter.NONE, new CookiePolicy(ServerCookies.configured(new byte[16], null), 512,
                        a -> false));
        WireWriter writer = new WireWriter();
        List<byte[]> seeds = seeds();
        SplittableRandom rnd = new SplittableRandom(SEED);
        InetAddress client = InetAddress.getLoopbackAddress();
        int answered = 0;
        for (int i = 0; i < 300_000; i++) {
            byte[] p = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
            boolean tcp = rnd.nextBoolean();
            int n = responder.respond(p, p.length, client, tcp, writer);
            if (n > 0) {
                answered++;
                assertThat(n).isLessThanOrEqualTo(tcp ? 65535 : 1232);
                byte[] out = java.util.Arrays.copyOf(writer.buffer(), n);
                try {
                    new Message(out);
                } catch (IOException e) {
                    throw new AssertionError("invalid response to packet #" + i + " (seed " + SEED + "): "
                            + e + "\nquery: " + hex(p), e);
                }
            }
        }
        assertThat(answered).isGreaterThan(100_000);
    }

    @Test
    void survivesMutatedPacketsOverUdp() throws Exception {
        List<byte[]> seeds = seeds();
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        int answers = 0;
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(1);
            s.setReceiveBufferSize(1 << 22);
            byte[] buf = new byte[65535];
            for (int i = 0; i < 100_000; i++) {
                byte[] p = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
                s.send(new DatagramPacket(p, p.length, server.address));
                if (i % 64 == 63) { // drain what came back, so the socket buffer does not overflow
                    answers += drain(s, buf);
                }
            }
            answers += drain(s, buf);
        }
        assertThat(answers).isGreaterThan(10_000);
        assertThat(server.udp("www.example.test.", Type.A).getSection(Section.ANSWER)).hasSize(1);
        assertThat(server.tcp("www.example.test.", Type.A).getSection(Section.ANSWER)).hasSize(1);
    }

    @Test
    void survivesMutatedFramesOverTcp() throws Exception {
        List<byte[]> seeds = seeds();
        SplittableRandom rnd = new SplittableRandom(SEED + 2);
        int sent = 0;
        int connections = 0;
        while (sent < 20_000) {
            try (Socket s = server.tcpSocket()) {
                connections++;
                OutputStream out = s.getOutputStream();
                java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < 200; i++, sent++) {
                    byte[] p = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
                    int len = rnd.nextInt(20) == 0 ? rnd.nextInt(65536) : p.length; // sometimes a lying length
                    batch.write(len >> 8);
                    batch.write(len);
                    batch.writeBytes(p);
                }
                try {
                    out.write(batch.toByteArray());
                    out.flush();
                } catch (IOException closedByServer) {
                    // the server may close a connection whose framing is broken
                }
            }
        }
        assertThat(connections).isGreaterThan(10);
        // A connection the server stopped reading (its client never read the answers) is released at the
        // latest by the idle timeout (10 s): nothing leaks.
        TestServer.await("every fuzzing connection is released", Duration.ofSeconds(30),
                () -> server.server.tcpConnections() == 0);
        assertThat(server.tcp("www.example.test.", Type.A).getSection(Section.ANSWER)).hasSize(1);
        assertThat(server.udp("www.example.test.", Type.A).getSection(Section.ANSWER)).hasSize(1);
    }

    static int drain(DatagramSocket s, byte[] buf) throws IOException {
        int n = 0;
        while (true) {
            try {
                s.receive(new DatagramPacket(buf, buf.length));
                n++;
            } catch (SocketTimeoutException e) {
                return n;
            }
        }
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
