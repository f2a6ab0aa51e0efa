package dev.geosteer.dns;

import dev.geosteer.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production listen of the README, {@code 0.0.0.0:P} and {@code [::]:P}, on Linux's default
 * {@code net.ipv6.bindv6only = 0}: the IPv6 wildcard sockets must be IPV6_V6ONLY (as NSD, Knot and BIND
 * bind them), or the second bind fails with "Address already in use".
 */
class DualStackListenTest {
    @TempDir
    Path dir;

    @Test
    void bindsTheIpv4AndIpv6WildcardsOnOnePortAndAnswersBothFamiliesOverUdpAndTcp() throws Exception {
        int port = freePort();
        try (TestServer server = TestServer.start(dir, c -> c.listen = List.of("0.0.0.0:" + port, "[::]:" + port),
                "example.test.zone")) {
            assertThat(server.server.dnsAddresses()).hasSize(2);
            for (String host : new String[] {"127.0.0.1", "::1"}) {
                for (boolean tcp : new boolean[] {false, true}) {
                    SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(host), port));
                    r.setTCP(tcp);
                    r.setTimeout(Duration.ofSeconds(3));
                    Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString("www.example.test."), Type.A,
                            DClass.IN)));
                    assertThat(m.getSection(Section.ANSWER)).as(host + (tcp ? " TCP" : " UDP")).hasSize(1);
                }
            }
        }
    }

    /** A port free for UDP and TCP on the wildcard of both families (the JDK binds [::] dual-stack). */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0)) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(port)) {
                    assert udp.isBound();   // held open until the TCP side is closed too
                    return port;
                } catch (IOException taken) {
                    // UDP side in use: try another
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP");
    }
}
