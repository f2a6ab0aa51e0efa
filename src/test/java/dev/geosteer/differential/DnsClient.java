package dev.geosteer.differential;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * Sends raw queries to one server over UDP (one socket) and TCP (one connection, reopened when the
 * server closes it). Returns the raw response, or null when none came in time.
 */
final class DnsClient implements AutoCloseable {
    private static final int TIMEOUT_MS = 3000;

    private final InetSocketAddress server;
    private final DatagramSocket udp;
    private Socket tcp;
    private final byte[] buf = new byte[65535];

    DnsClient(InetSocketAddress server) throws IOException {
        this.server = server;
        this.udp = new DatagramSocket();
        udp.setSoTimeout(TIMEOUT_MS);
    }

    /** Sends a UDP query without waiting, so that two servers can work on it at once. */
    void sendUdp(byte[] query) throws IOException {
        udp.send(new DatagramPacket(query, query.length, server));
    }

    /** The UDP response with this ID (late answers to earlier queries are skipped), or null. */
    byte[] receiveUdp(int id) throws IOException {
        long end = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        while (System.nanoTime() < end) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(in);
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (in.getLength() >= 2 && (((buf[0] & 0xFF) << 8) | (buf[1] & 0xFF)) == id) {
                return Arrays.copyOf(buf, in.getLength());
            }
        }
        return null;
    }

    byte[] tcp(byte[] query) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                if (tcp == null) {
                    tcp = new Socket();
                    tcp.connect(server, TIMEOUT_MS);
                    tcp.setSoTimeout(TIMEOUT_MS);
                    tcp.setTcpNoDelay(true);
                }
                DataOutputStream out = new DataOutputStream(tcp.getOutputStream());
                byte[] framed = new byte[query.length + 2];
                framed[0] = (byte) (query.length >> 8);
                framed[1] = (byte) query.length;
                System.arraycopy(query, 0, framed, 2, query.length);
                out.write(framed);
                out.flush();
                DataInputStream in = new DataInputStream(tcp.getInputStream());
                byte[] answer = new byte[in.readUnsignedShort()];
                in.readFully(answer);
                return answer;
            } catch (SocketTimeoutException e) {
                closeTcp();
                return null;
            } catch (IOException e) {
                closeTcp(); // the server closed an idle connection: one fresh try
                if (attempt > 0) {
                    return null;
                }
            }
        }
    }

    private void closeTcp() {
        if (tcp != null) {
            try {
                tcp.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            tcp = null;
        }
    }

    @Override
    public void close() {
        udp.close();
        closeTcp();
    }
}
