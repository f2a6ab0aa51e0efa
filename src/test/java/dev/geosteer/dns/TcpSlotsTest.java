package dev.geosteer.dns;

import dev.geosteer.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TCP connection slots are shared per client network (/24 here), not per address, and a full table
 * makes room by closing its idlest connection rather than refusing a new client. Clients come from
 * distinct loopback addresses (all of 127.0.0.0/8 is local on Linux).
 */
class TcpSlotsTest {
    @TempDir
    Path dir;
    TestServer server;
    final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir, c -> {
            c.limits.tcpMaxConnections = 6;
            c.limits.tcpMaxPerClient = 3;
            c.limits.tcpIdleTimeout = Duration.ofSeconds(60); // nothing closes by itself during the test
        }, "example.test.zone");
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        server.close();
    }

    Socket connect(String from) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(server.address, 3000);
        s.setSoTimeout(5000);
        return s;
    }

    /** True when the connection answers a query; false when the server closed it. */
    static boolean served(Socket s) throws IOException {
        try {
            TestServer.writeFrame(s, Message.newQuery(Record.newRecord(Name.fromString("www.example.test."), Type.A,
                    DClass.IN)).toWire());
            return new Message(TestServer.readFrame(s)).getSection(Section.ANSWER).size() == 1;
        } catch (SocketTimeoutException e) {
            throw e; // neither answered nor closed: a real failure
        } catch (IOException closed) {
            return false; // EOF, reset or broken pipe
        }
    }

    @Test
    void oneNetworkGetsItsShareOfConnectionsAndNoMore() throws Exception {
        for (String a : new String[] {"127.0.0.1", "127.0.0.2", "127.0.0.3"}) {
            assertThat(served(connect(a))).as(a).isTrue();
        }
        assertThat(served(connect("127.0.0.4"))).as("a fourth address of 127.0.0.0/24").isFalse();
        assertThat(served(connect("127.0.1.1"))).as("another network").isTrue();
        // the network's connections still work
        assertThat(served(sockets.get(0))).isTrue();
    }

    @Test
    void aFullTableClosesItsIdlestConnectionForANewClient() throws Exception {
        List<Socket> open = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            Socket s = connect("127.0." + i + ".1");
            assertThat(served(s)).isTrue();
            open.add(s);
        }
        for (Socket s : open.subList(1, 6)) {
            assertThat(served(s)).isTrue(); // every connection but the first was active since
        }
        Socket newcomer = connect("127.0.7.1");
        assertThat(served(newcomer)).as("a new client at capacity").isTrue();
        assertThat(open.get(0).getInputStream().read()).as("the idlest connection was closed").isEqualTo(-1);
        for (Socket s : open.subList(1, 6)) {
            assertThat(served(s)).as("active connections stay").isTrue();
        }
        TestServer.await("the gauge counts the table", Duration.ofSeconds(5), () -> server.server.tcpConnections() == 6);
    }
}
