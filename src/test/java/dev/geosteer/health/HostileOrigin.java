package dev.geosteer.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP origin that misbehaves the way an attacker's (or a broken) origin does, one way per
 * instance, and counts the connections it holds: a connection counts as open from accept until the
 * checker closes or resets it (seen as end of stream or an error on this side).
 */
public final class HostileOrigin implements AutoCloseable {
    public enum Mode {
        /** Accepts, reads whatever comes, never answers. */
        ACCEPT_AND_HANG,
        /** Reads the request head, answers {@code 100 Continue}, then nothing. */
        CONTINUE_AND_HANG,
        /** {@code 200} with a chunked body that never ends, sent as fast as the checker reads. */
        ENDLESS_CHUNKED,
        /** {@code 200} announcing 100 000 bytes, sends 1 000, then resets the connection (RST). */
        RESET_MID_BODY,
        /** The status line, then one byte of headers every 50 ms, forever. */
        SLOW_HEADERS,
        /** Never accepts: the listen backlog is full, so the checker's SYNs go unanswered. */
        BACKLOG_FULL,
        /** Reads the request head, writes a fixed response, closes (not hostile: for parser checks). */
        SCRIPTED
    }

    private final Mode mode;
    private final byte[] script;
    private final ServerSocket socket;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Socket> fillers = new CopyOnWriteArrayList<>();

    public HostileOrigin(String address, Mode mode) throws IOException {
        this(address, mode, null);
    }

    /** A {@link Mode#SCRIPTED} origin that answers every request with {@code response}, then closes. */
    public static HostileOrigin scripted(String address, String response) throws IOException {
        return new HostileOrigin(address, Mode.SCRIPTED, response.getBytes(StandardCharsets.ISO_8859_1));
    }

    private HostileOrigin(String address, Mode mode, byte[] script) throws IOException {
        this.mode = mode;
        this.script = script;
        socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0), mode == Mode.BACKLOG_FULL ? 1 : 50);
        if (mode == Mode.BACKLOG_FULL) {
            // Linux queues backlog + 1 connections; past that, SYNs are dropped and connects hang.
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket();
                try {
                    s.connect(socket.getLocalSocketAddress(), 200);
                    fillers.add(s);
                } catch (IOException full) {
                    s.close();
                    break;
                }
            }
            return;
        }
        Thread t = new Thread(this::acceptLoop, "hostile-" + mode);
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public Mode mode() {
        return mode;
    }

    /** Sockets of this process connected to the origin to fill its backlog (not the checker's). */
    public int fillers() {
        return fillers.size();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections accepted and not yet closed by the checker. */
    public int open() {
        return open.get();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            Socket c;
            try {
                c = socket.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            open.incrementAndGet();
            sockets.add(c);
            Thread t = new Thread(() -> serve(c), "hostile-conn-" + mode);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket c) {
        boolean[] counted = {false};
        Runnable closed = () -> {
            synchronized (counted) {
                if (!counted[0]) {
                    counted[0] = true;
                    open.decrementAndGet();
                    sockets.remove(c);
                }
            }
        };
        try {
            InputStream in = c.getInputStream();
            OutputStream out = c.getOutputStream();
            if (mode == Mode.ACCEPT_AND_HANG) {
                drain(in);
                return;
            }
            readHead(in);
            // From here a reader notices when the checker goes away, whatever we are writing.
            Thread reader = new Thread(() -> {
                try {
                    drain(in);
                } catch (IOException ignored) {
                    // reset by the checker
                }
                closed.run();
            }, "hostile-reader-" + mode);
            reader.setDaemon(true);
            reader.start();
            switch (mode) {
                case CONTINUE_AND_HANG -> {
                    out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    reader.join();
                }
                case ENDLESS_CHUNKED -> {
                    out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    byte[] chunk = ("2000\r\n" + "x".repeat(0x2000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    while (!c.isClosed()) {
                        out.write(chunk);
                    }
                }
                case RESET_MID_BODY -> {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "y".repeat(1000))
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    c.setSoLinger(true, 0);
                    c.close(); // RST
                }
                case SCRIPTED -> {
                    out.write(script);
                    out.flush();
                    c.shutdownOutput(); // FIN: the end of a response without a length
                    reader.join();
                }
                case SLOW_HEADERS -> {
                    out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    while (!c.isClosed() && reader.isAlive()) {
                        out.write('z');
                        out.flush();
                        reader.join(50);
                    }
                }
                default -> throw new IllegalStateException(mode.toString());
            }
        } catch (IOException | InterruptedException e) {
            // the checker closed or reset the connection
        } finally {
            try {
                c.close();
            } catch (IOException ignored) {
                // already closed
            }
            if (mode == Mode.ACCEPT_AND_HANG || mode == Mode.RESET_MID_BODY) {
                closed.run();
            }
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] b = new byte[4096];
        while (in.read(b) >= 0) {
            // discard
        }
    }

    /** Reads up to the blank line that ends a request head. */
    private static void readHead(InputStream in) throws IOException {
        int state = 0;
        int b;
        while ((b = in.read()) >= 0) {
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1
                    : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                return;
            }
        }
        throw new IOException("closed before the request ended");
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : sockets) {
            s.close();
        }
        for (Socket s : fillers) {
            s.close();
        }
    }

    /**
     * Sockets this process holds open (an fd, not an orphan in FIN_WAIT or TIME_WAIT) whose remote end is
     * {@code remote}: read from /proc/net/tcp and tcp6 (a socket with an inode belongs to a process).
     */
    public static int socketsHeldTo(InetSocketAddress remote) throws IOException {
        byte[] a = remote.getAddress().getAddress();
        String v4 = String.format("%02X%02X%02X%02X:%04X", a[3], a[2], a[1], a[0], remote.getPort());
        // ::ffff:a.b.c.d as /proc/net/tcp6 prints it (four little-endian 32-bit words)
        String v6 = String.format("0000000000000000FFFF0000%02X%02X%02X%02X:%04X", a[3], a[2], a[1], a[0],
                remote.getPort());
        Set<String> held = Set.of("01", "02", "08"); // ESTABLISHED, SYN_SENT, CLOSE_WAIT
        int n = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || f[0].equals("sl")) {
                    continue;
                }
                boolean toIt = f[2].equals(v4) || f[2].equals(v6);
                if (toIt && held.contains(f[3]) && !f[9].equals("0")) {
                    n++;
                }
            }
        }
        return n;
    }
}
