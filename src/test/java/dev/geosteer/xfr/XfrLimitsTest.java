package dev.geosteer.xfr;

import dev.geosteer.TestServer;
import dev.geosteer.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Transfers running at once are capped, and each client may start only so many a minute. */
class XfrLimitsTest {
    @TempDir
    Path dir;
    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    void start(int records, Consumer<ServerConfig> tweak) throws Exception {
        Path zones = Files.createDirectories(dir.resolve("zones"));
        StringBuilder z = new StringBuilder(XfrTest.zone(1, "192.0.2.1", 0));
        String text = "x".repeat(200);
        for (int i = 0; i < records; i++) {
            z.append("t").append(i).append(" TXT \"").append(text).append("\"\n");
        }
        Files.writeString(zones.resolve("xfr.test.zone"), z);
        server = TestServer.start(dir, c -> {
            ServerConfig.Allow a = new ServerConfig.Allow();
            a.network = "127.0.0.1/32";
            c.transfer.allow.add(a);
            tweak.accept(c);
        });
    }

    static byte[] axfrQuery() throws Exception {
        return Message.newQuery(Record.newRecord(Name.fromString("xfr.test."), Type.AXFR, DClass.IN)).toWire();
    }

    /** Sends an AXFR and returns the rcode of the first message. */
    int firstRcode(Socket s) throws Exception {
        TestServer.writeFrame(s, axfrQuery());
        return new Message(TestServer.readFrame(s)).getRcode();
    }

    double count(String kind, String result) {
        var c = server.server.metrics().find("geosteer_xfr").tag("kind", kind).tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aTransferOverTheConcurrencyCapIsRefusedUntilOneEnds() throws Exception {
        start(60_000, c -> c.transfer.maxConcurrent = 1);
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(server.address);
            // started, then held: this client reads one message and no more (the server pauses on the full socket)
            assertThat(firstRcode(stalled)).isEqualTo(Rcode.NOERROR);
            try (Socket second = server.tcpSocket()) {
                assertThat(firstRcode(second)).isEqualTo(Rcode.REFUSED);
            }
            assertThat(count("axfr", "busy")).isEqualTo(1);
        }
        // the stalled connection closed: its transfer ends (aborted) and the slot is free again
        TestServer.await("the transfer slot is freed", Duration.ofSeconds(10),
                () -> server.server.metrics().find("geosteer_xfr").tag("result", "aborted").counter() != null);
        try (Socket third = server.tcpSocket()) {
            assertThat(firstRcode(third)).isEqualTo(Rcode.NOERROR);
        }
    }

    @Test
    void aClientOverItsRateIsRefused() throws Exception {
        start(0, c -> c.transfer.perClientPerMinute = 2);
        for (int i = 0; i < 2; i++) {
            try (Socket s = server.tcpSocket()) {
                assertThat(firstRcode(s)).isEqualTo(Rcode.NOERROR);
            }
        }
        try (Socket s = server.tcpSocket()) {
            assertThat(firstRcode(s)).isEqualTo(Rcode.REFUSED);
        }
        assertThat(count("axfr", "rate_limited")).isEqualTo(1);
    }
}
