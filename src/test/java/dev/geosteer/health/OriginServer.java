package dev.geosteer.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real local HTTP origin (the JDK's server) that tests stop, restart, and make misbehave: answer
 * 503, hang, send the wrong body or an endless one. Counts the requests it receives.
 */
public final class OriginServer implements AutoCloseable {
    public enum Mode { OK, STATUS_503, HANG, WRONG_BODY, ENDLESS_BODY }

    private final InetAddress address;
    private int port;
    private volatile Mode mode = Mode.OK;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private ExecutorService executor;

    private OriginServer(InetAddress address, int port) {
        this.address = address;
        this.port = port;
    }

    /** Starts on {@code address}, port {@code port} (0: any free one). */
    public static OriginServer start(String address, int port) throws IOException {
        OriginServer o = new OriginServer(InetAddress.getByName(address), port);
        o.up();
        return o;
    }

    public int port() {
        return port;
    }

    public String address() {
        return address.getHostAddress();
    }

    public int requests() {
        return requests.get();
    }

    public void mode(Mode m) {
        mode = m;
        if (m != Mode.HANG) {
            release.countDown();
            release = new CountDownLatch(1);
        }
    }

    public synchronized void up() throws IOException {
        if (server != null) {
            return;
        }
        int p = port();
        server = HttpServer.create(new InetSocketAddress(address, p), 50);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "origin-" + address.getHostAddress());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort(); // a restart comes back on the same port
    }

    /** Stops listening: connections are refused. */
    public synchronized void down() {
        if (server == null) {
            return;
        }
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
        server = null;
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            switch (mode) {
                case OK -> reply(ex, 200, "healthy");
                case STATUS_503 -> reply(ex, 503, "unavailable");
                case WRONG_BODY -> reply(ex, 200, "sick");
                case HANG -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                case ENDLESS_BODY -> {
                    ex.sendResponseHeaders(200, 0);
                    OutputStream out = ex.getResponseBody();
                    byte[] chunk = "x".repeat(8192).getBytes(StandardCharsets.US_ASCII);
                    try {
                        while (mode == Mode.ENDLESS_BODY) {
                            out.write(chunk);
                            out.flush();
                        }
                    } catch (IOException closedByClient) {
                        // the checker gave up reading: what we want
                    }
                }
            }
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        down();
    }

    /** A raw TCP listener that accepts and closes connections, counting them. */
    public static final class TcpListener implements AutoCloseable {
        private final InetAddress address;
        private int port;
        private final AtomicInteger accepted = new AtomicInteger();
        private ServerSocket socket;

        public TcpListener(String address, int port) throws IOException {
            this.address = InetAddress.getByName(address);
            this.port = port;
            up();
        }

        public int port() {
            return port;
        }

        public int accepted() {
            return accepted.get();
        }

        public synchronized void up() throws IOException {
            if (socket != null) {
                return;
            }
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, port), 50);
            socket = s;
            port = s.getLocalPort();
            Thread t = new Thread(() -> {
                while (!s.isClosed()) {
                    try {
                        s.accept().close();
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "tcp-origin");
            t.setDaemon(true);
            t.start();
        }

        public synchronized void down() throws IOException {
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }

        @Override
        public void close() throws IOException {
            down();
        }
    }
}
