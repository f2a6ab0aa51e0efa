package dev.geosteer.dns;

import dev.geosteer.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Response rate limiting, connection limits and slow clients, over real sockets. */
class RateLimitTest {
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
            c.rrl.exempt = List.of();          // loopback is exempt by default: not here
            c.rrl.ipv4Prefix = 32;             // 127.0.0.1 and 127.0.0.2 are different clients
            c.rrl.responsesPerSecond = 5;
            c.rrl.nxdomainsPerSecond = 5;
            c.rrl.slip = 2;
            tweak.accept(c);
        }, "example.test.zone");
    }

    /** What came back from a burst of identical queries sent from {@code source}. */
    record Flood(int sent, int answered, int slipped, long elapsedNanos) {
    }

    Flood flood(String source, String name, int count) throws IOException {
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)).toWire();
        return flood(source, java.util.Collections.nCopies(count, q));
    }

    /** Sends every query at once from {@code source}, then counts what comes back, full and slipped. */
    Flood flood(String source, List<byte[]> queries) throws IOException {
        int answered = 0;
        int slipped = 0;
        long start = System.nanoTime();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(source), 0))) {
            s.setReceiveBufferSize(1 << 20);
            for (byte[] q : queries) {
                s.send(new DatagramPacket(q, q.length, server.address));
            }
            long elapsed = System.nanoTime() - start;
            s.setSoTimeout(5000); // the first answer may be slow on a busy machine
            byte[] buf = new byte[4096];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                if (answered + slipped > 0) {
                    s.setSoTimeout(700); // then: silence means the rest was dropped
                }
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                Message m = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                if (m.getHeader().getFlag(Flags.TC)) {
                    assertThat(m.getSection(Section.ANSWER)).isEmpty();
                    assertThat(m.getQuestion()).as("a slip echoes the question").isNotNull();
                    slipped++;
                } else {
                    answered++;
                }
            }
            return new Flood(queries.size(), answered, slipped, elapsed);
        }
    }

    /** Full (not truncated) answers to {@code count} queries for unique names {@code r<i>.<suffix>}. */
    int floodUniqueNames(String source, String suffix, int type, int count) throws IOException {
        List<byte[]> queries = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            queries.add(Message.newQuery(Record.newRecord(Name.fromString("r" + i + "." + suffix), type, DClass.IN))
                    .toWire());
        }
        return flood(source, queries).answered();
    }

    @Test
    void limitsAFloodFromOneAddressAndSlipsEverySecondLimitedResponse() throws Exception {
        start(c -> { });
        Flood f = flood("127.0.0.1", "www.example.test.", 200);
        double seconds = f.elapsedNanos() / 1e9 + 0.1;
        int allowed = (int) Math.ceil(5 + 5 * seconds) + 1;
        assertThat(f.answered()).isBetween(5, allowed);
        int limited = f.sent() - f.answered();
        assertThat(f.slipped()).isBetween(limited / 2 - 2, limited / 2 + 2);

        // another address is answered normally
        Flood other = flood("127.0.0.2", "www.example.test.", 3);
        assertThat(other.answered()).isEqualTo(3);
        // TCP is never limited, even from the flooding address
        for (int i = 0; i < 20; i++) {
            assertThat(server.tcp("www.example.test.", Type.A).getSection(Section.ANSWER)).hasSize(1);
        }
        String metrics = server.server.metrics().scrape();
        assertThat(metrics).containsPattern("geosteer_rrl_total\\{action=\"dropped\"} [1-9]")
                .containsPattern("geosteer_rrl_total\\{action=\"slipped\"} [1-9]");
    }

    @Test
    void nxdomainFloodsAreLimitedPerZoneWhateverTheName() throws Exception {
        start(c -> { });
        // 100 unique names, one bucket: the zone's NXDOMAINs
        assertThat(floodUniqueNames("127.0.0.3", "example.test.", Type.A, 100)).isLessThan(20);
    }

    /** Referrals are charged to the delegation point (BIND's model), not to each name below it. */
    @Test
    void uniqueNamesUnderADelegationShareTheDelegationsBucket() throws Exception {
        start(c -> { });
        assertThat(floodUniqueNames("127.0.0.4", "child.example.test.", Type.A, 100)).isLessThan(20);
        // other names, and the same name's other types, have buckets of their own
        assertThat(floodUniqueNames("127.0.0.4", "x.wild.example.test.", Type.A, 1)).isEqualTo(1);
    }

    /** Wildcard answers are charged to the wildcard's owner (and type), not to each name it synthesizes. */
    @Test
    void uniqueNamesUnderAWildcardShareTheWildcardsBucket() throws Exception {
        start(c -> { });
        assertThat(floodUniqueNames("127.0.0.5", "wild.example.test.", Type.A, 100)).isLessThan(20);
        assertThat(floodUniqueNames("127.0.0.5", "wild.example.test.", Type.TXT, 1)).isEqualTo(1);
        assertThat(floodUniqueNames("127.0.0.5", "x.child.example.test.", Type.A, 1)).isEqualTo(1);
    }

    /**
     * A DNAME synthesizes a CNAME for every name below it: charged to the DNAME's owner. (Its target,
     * other.test, is not served here, so each answer is a positive DNAME + CNAME, not an NXDOMAIN.)
     */
    @Test
    void uniqueNamesUnderADnameShareTheDnamesBucket() throws Exception {
        start(c -> { });
        assertThat(floodUniqueNames("127.0.0.6", "dn.example.test.", Type.A, 100)).isLessThan(20);
    }

    @Test
    void dryRunAnswersEverythingAndCountsWhatItWouldHaveDone() throws Exception {
        start(c -> c.rrl.mode = "dry_run");
        Flood f = flood("127.0.0.1", "www.example.test.", 100);
        assertThat(f.answered()).isEqualTo(100);
        assertThat(server.server.metrics().scrape()).containsPattern("geosteer_rrl_total\\{action=\"dry_run_dropped\"} [1-9]");
    }

    @Test
    void exemptNetworksAreNeverLimited() throws Exception {
        start(c -> c.rrl.exempt = List.of("127.0.0.0/24"));
        assertThat(flood("127.0.0.1", "www.example.test.", 100).answered()).isEqualTo(100);
    }

    @Test
    void offMeansOff() throws Exception {
        start(c -> c.rrl.mode = "off");
        assertThat(flood("127.0.0.1", "www.example.test.", 100).answered()).isEqualTo(100);
    }

    @Test
    void aSlowlorisConnectionIsClosedAtTheQueryTimeout() throws Exception {
        start(c -> c.limits.tcpQueryTimeout = Duration.ofSeconds(2));
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString("www.example.test."), Type.A, DClass.IN)).toWire();
        try (Socket s = server.tcpSocket()) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            out.write(0);
            out.write(q.length);
            boolean closed = false;
            for (int i = 0; i < q.length && !closed; i++) { // one byte a second
                try {
                    out.write(q[i]);
                    out.flush();
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                s.setSoTimeout(1000);
                try {
                    closed = in.read() == -1;
                } catch (SocketTimeoutException stillOpen) {
                    // keep trickling
                } catch (IOException reset) {
                    closed = true;
                }
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertThat(closed).as("closed before the query completed").isTrue();
            assertThat(seconds).isBetween(1L, 5L);
        }
    }

    @Test
    void aClientThatNeverReadsIsPausedNotBuffered() throws Exception {
        start(c -> c.limits.tcpMaxPending = 16);
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString("large.example.test."), Type.TXT, DClass.IN)).toWire();
        java.io.ByteArrayOutputStream many = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 2000; i++) {
            many.write(q.length >> 8);
            many.write(q.length);
            many.writeBytes(q);
        }
        try (Socket s = server.tcpSocket()) {
            s.setReceiveBufferSize(4096);
            s.setSoTimeout(3000);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(many.toByteArray()); // blocks once the server stops reading
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            // the server keeps answering others meanwhile
            TestServer.await("the server still answers others", Duration.ofSeconds(5),
                    () -> { try { return server.udp("www.example.test.", Type.A).getRcode() == 0; }
                            catch (IOException e) { return false; } });
            // and the stuck client, once it reads, gets its answers in order
            Message first = new Message(TestServer.readFrame(s));
            assertThat(first.getSection(Section.ANSWER)).hasSize(6);
        }
    }
}
