package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** A real geosteer on an ephemeral loopback port, with helpers to query it over real UDP and TCP. */
public final class TestServer implements AutoCloseable {
    public final Path dir;
    public final Path zones;
    public final Geosteer server;
    public final InetSocketAddress address;

    private TestServer(Path dir, Path zones, Geosteer server) {
        this.dir = dir;
        this.zones = zones;
        this.server = server;
        this.address = server.dnsAddresses().get(0);
    }

    /**
     * Copies test resources into {@code dir} and starts: a bare file name is a zone
     * ({@code zones/NAME}), a path ({@code geoip/x.mmdb}) keeps its folder.
     */
    public static TestServer start(Path dir, String... zoneFiles) throws Exception {
        return start(dir, c -> { }, zoneFiles);
    }

    public static TestServer start(Path dir, Consumer<ServerConfig> tweak, String... zoneFiles) throws Exception {
        Path zones = Files.createDirectories(dir.resolve("zones"));
        for (String f : zoneFiles) {
            String resource = f.contains("/") ? f : "zones/" + f;
            Path to = dir.resolve(resource);
            Files.createDirectories(to.getParent());
            copyResource(resource, to);
        }
        ServerConfig c = new ServerConfig();
        c.zonesDir = zones.toString();
        c.listen = List.of("127.0.0.1:0");
        c.limits.threads = 2;
        c.reload.interval = Duration.ofMillis(100);
        c.reload.settle = Duration.ofMillis(100); // two polls in a row: an edit is served within ~0.3 s
        c.admin.listen = "";
        c.geoip.dir = dir.resolve("geoip").toString();
        tweak.accept(c);
        return new TestServer(dir, zones, Geosteer.start(c, dir, List.of()));
    }

    public static void copyResource(String resource, Path to) throws IOException {
        try (InputStream in = TestServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no test resource " + resource);
            }
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public SimpleResolver resolver(boolean tcp) {
        SimpleResolver r = new SimpleResolver(address);
        r.setTCP(tcp);
        r.setTimeout(Duration.ofSeconds(3));
        r.setIgnoreTruncation(true);
        return r;
    }

    /** A query with EDNS(0) as most resolvers send it. */
    public Message query(String name, int type, boolean tcp) throws IOException {
        SimpleResolver r = resolver(tcp);
        r.setEDNS(0, 1232, 0, List.<EDNSOption>of());
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        try {
            return r.send(q);
        } catch (java.io.EOFException closedWhileIdle) {
            // dnsjava keeps TCP connections open between queries and reuses them; the server closes one
            // that stayed idle past tcp idle timeout (RFC 7766 6.2.3), and a client then retries on a new
            // connection, as here (PacketFuzzTest waits out that timeout, then queries).
            if (!tcp) {
                throw closedWhileIdle;
            }
            return r.send(q);
        }
    }

    /** A UDP query with EDNS Client Subnet {@code subnet} ("2.2.3.0/24"). */
    public Message withSubnet(String name, int type, String subnet) throws IOException {
        SimpleResolver r = resolver(false);
        String[] p = subnet.split("/");
        r.setEDNS(0, 1232, 0, List.<EDNSOption>of(new org.xbill.DNS.ClientSubnetOption(Integer.parseInt(p[1]),
                java.net.InetAddress.getByName(p[0]))));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    public Message udp(String name, int type) throws IOException {
        return query(name, type, false);
    }

    public Message tcp(String name, int type) throws IOException {
        return query(name, type, true);
    }

    /** Sends raw bytes over UDP; returns the raw answer, or null when none came within the timeout. */
    public byte[] udpRaw(byte[] packet, Duration timeout) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout((int) timeout.toMillis());
            s.send(new DatagramPacket(packet, packet.length, address));
            byte[] buf = new byte[65535];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                s.receive(in);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return java.util.Arrays.copyOf(buf, in.getLength());
        }
    }

    public Message udpRawMessage(byte[] packet) throws IOException {
        byte[] answer = udpRaw(packet, Duration.ofSeconds(3));
        if (answer == null) {
            throw new IOException("no answer");
        }
        return new Message(answer);
    }

    /** Opens a TCP connection to the server. */
    public Socket tcpSocket() throws IOException {
        Socket s = new Socket();
        s.connect(address, 3000);
        s.setSoTimeout(5000);
        return s;
    }

    public static void writeFrame(Socket s, byte[] message) throws IOException {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeShort(message.length);
        out.write(message);
        out.flush();
    }

    public static byte[] readFrame(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        int len = in.readUnsignedShort();
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    /** Waits for a condition with a deadline, polling; fails the test with {@code what} if it never holds. */
    public static void await(String what, Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException ignored) {
                // not there yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out after " + deadline + " waiting for: " + what);
    }

    @Override
    public void close() {
        server.close();
    }
}
