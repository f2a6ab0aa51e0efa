package dev.geosteer.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code http} and {@code https}: one HTTP/1.1 request on a fresh connection ({@code Connection: close},
 * so that each check proves the origin accepts connections), written and read by hand on a plain
 * socket so that the check owns its connection from connect to close. Healthy when the whole response
 * arrives within the timeout with an expected status and, if asked, a body containing
 * {@code expect_body}. Bounded whatever the origin does: the connection is closed on every outcome (a
 * verdict, the timeout, an error); headers are read up to {@link #HEAD_CAP} and the body up to
 * {@link #BODY_CAP}, after which the check fails and the connection is closed; a response cut short by
 * a reset or a close is a failed check. No connection pool, so nothing queues: the checker runs one
 * check per origin at a time.
 */
final class HttpProbe implements Probe {
    static final int BODY_CAP = 64 * 1024;
    static final int HEAD_CAP = 16 * 1024;
    /** Bytes read in all (heads, chunk framing, body): interim responses or tiny chunks cannot go on. */
    static final int WIRE_CAP = HEAD_CAP + 2 * BODY_CAP;
    private static final int CHUNK_LINE_CAP = 1024;

    private final Vertx vertx;
    private final boolean tls;
    private final NetClient client;
    private final Map<String, ClientSSLOptions> sslOptions = new HashMap<>();

    HttpProbe(Vertx vertx, boolean tls) {
        this.vertx = vertx;
        this.tls = tls;
        this.client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    }

    /** One set of TLS options per setting (verify or not, CA file, handshake timeout). */
    private ClientSSLOptions ssl(MonitorSpec m) {
        String key = m.tlsVerify() + "|" + m.caFile() + "|" + m.timeout().toMillis();
        return sslOptions.computeIfAbsent(key, k -> {
            ClientSSLOptions o = new ClientSSLOptions().setSslHandshakeTimeout(m.timeout().toMillis())
                    .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
            if (!m.tlsVerify()) {
                o.setTrustAll(true).setHostnameVerificationAlgorithm("");
            } else {
                o.setHostnameVerificationAlgorithm("HTTPS");
                if (m.caFile() != null) {
                    o.setTrustOptions(new PemTrustOptions().addCertPath(m.caFile()));
                }
            }
            return o;
        });
    }

    @Override
    public Future<CheckResult> check(CheckTarget target) {
        MonitorSpec m = target.monitor();
        Exchange x = new Exchange(m);
        x.timer = vertx.setTimer(m.timeout().toMillis(),
                id -> x.finish(CheckResult.failed("timeout after " + Probes.seconds(m.timeout()), x.elapsed())));
        String ip = target.checkAddress().getHostAddress();
        String host = m.host() != null ? m.host() : (ip.contains(":") ? "[" + ip + "]" : ip);
        byte[] request = request(m, m.port() == (tls ? 443 : 80) ? host : host + ":" + m.port());
        ConnectOptions co = new ConnectOptions().setRemoteAddress(SocketAddress.inetSocketAddress(m.port(), ip))
                .setTimeout((int) Math.max(1, m.timeout().toMillis()));
        client.connect(co).onComplete(ar -> {
            if (ar.failed()) {
                x.finish(CheckResult.failed(Probes.connectFailure(ar.cause(), m), x.elapsed()));
                return;
            }
            NetSocket socket = ar.result();
            if (!x.attach(socket)) {
                return; // the verdict came first (timeout): attach closed it
            }
            if (!tls) {
                socket.write(Buffer.buffer(request));
                return;
            }
            socket.upgradeToSsl(ssl(m), m.host() != null ? m.host() : ip).onComplete(up -> {
                if (up.failed()) {
                    x.finish(CheckResult.failed(tlsFailure(up.cause()), x.elapsed()));
                } else if (!x.done) {
                    socket.write(Buffer.buffer(request));
                }
            });
        });
        return x.promise.future();
    }

    private static String tlsFailure(Throwable t) {
        String d = Probes.describe(t);
        return d.startsWith("TLS") ? d : "TLS: " + d;
    }

    /** The request head; header values were checked for CR and LF when the steering file loaded. */
    static byte[] request(MonitorSpec m, String hostHeader) {
        StringBuilder b = new StringBuilder(256);
        b.append(m.method()).append(' ').append(m.path()).append(" HTTP/1.1\r\n");
        b.append("Host: ").append(hostHeader).append("\r\n");
        boolean userAgent = false;
        for (Map.Entry<String, String> h : m.headers().entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("host") || name.equals("connection") || name.equals("content-length")
                    || name.equals("transfer-encoding")) {
                continue; // ours: one request, no body, then close
            }
            userAgent |= name.equals("user-agent");
            b.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (!userAgent) {
            b.append("User-Agent: geosteer-health/1\r\n");
        }
        b.append("Connection: close\r\n\r\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        client.close();
    }

    /**
     * One check: its socket, timer and the response read so far. Confined to the checker's event loop.
     * {@link #finish} is the only way out, and it closes the connection.
     */
    private final class Exchange {
        private enum Framing { LENGTH, CHUNKED, UNTIL_CLOSE }

        private enum Chunk { SIZE, DATA, DATA_END, DONE }

        final MonitorSpec m;
        final long start = System.nanoTime();
        final Promise<CheckResult> promise = Promise.promise();
        final byte[] needle;
        long timer = -1;
        boolean done;
        NetSocket socket;
        // the response head, until its blank line
        Buffer head = Buffer.buffer();
        int status = -1;
        Framing framing;
        long remaining; // LENGTH: body bytes still to come; CHUNKED: of the current chunk
        Chunk chunk = Chunk.SIZE;
        final StringBuilder chunkLine = new StringBuilder();
        // with expect_body, the first BODY_CAP bytes of the body; and how many came in all
        final Buffer body = Buffer.buffer();
        long bodyBytes;
        long received;

        Exchange(MonitorSpec m) {
            this.m = m;
            this.needle = m.expectBody() == null ? null : m.expectBody().getBytes(StandardCharsets.UTF_8);
        }

        long elapsed() {
            return System.nanoTime() - start;
        }

        /** Takes the connected socket; false (and closes it) if the check already has its verdict. */
        boolean attach(NetSocket s) {
            if (done) {
                s.close();
                return false;
            }
            socket = s;
            s.exceptionHandler(e -> finish(CheckResult.failed(Probes.describe(e), elapsed())));
            s.closeHandler(v -> closed());
            s.handler(this::received);
            return true;
        }

        void finish(CheckResult r) {
            if (done) {
                return;
            }
            done = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            if (socket != null) {
                socket.handler(null);
                socket.exceptionHandler(e -> { });
                socket.close();
            }
            promise.complete(r);
        }

        void closed() {
            if (done) {
                return;
            }
            if (status >= 0 && framing == Framing.UNTIL_CLOSE) {
                end();
            } else {
                finish(CheckResult.failed(status < 0 ? "connection closed before the response"
                        : "connection closed before the end of the body (truncated)", elapsed()));
            }
        }

        void received(Buffer data) {
            int off = 0;
            int len = data.length();
            received += len;
            while (!done && off < len) {
                if (status < 0) {
                    off = readHead(data, off);
                } else {
                    off = readBody(data, off);
                }
            }
            if (!done && received > WIRE_CAP) {
                finish(CheckResult.failed("response longer than " + WIRE_CAP / 1024 + " KiB", elapsed()));
            }
        }

        /** Appends to the head; at its blank line, parses it. Returns the offset where the head ended. */
        int readHead(Buffer data, int off) {
            int len = data.length();
            int i = off;
            for (; i < len; i++) {
                head.appendByte(data.getByte(i));
                int n = head.length();
                if (n >= 4 && head.getByte(n - 1) == '\n' && head.getByte(n - 2) == '\r'
                        && head.getByte(n - 3) == '\n' && head.getByte(n - 4) == '\r') {
                    parseHead();
                    return i + 1;
                }
                if (n > HEAD_CAP) {
                    finish(CheckResult.failed("response headers longer than " + HEAD_CAP / 1024 + " KiB", elapsed()));
                    return len;
                }
            }
            return len;
        }

        void parseHead() {
            String text = head.toString(StandardCharsets.ISO_8859_1);
            head = Buffer.buffer();
            String[] lines = text.split("\r\n");
            String statusLine = lines[0];
            if (!statusLine.matches("HTTP/1\\.[01] [0-9]{3}( .*)?")) {
                finish(CheckResult.failed("not an HTTP response", elapsed()));
                return;
            }
            int code = Integer.parseInt(statusLine.substring(9, 12));
            if (code >= 100 && code < 200 && code != 101) {
                return; // interim (100 Continue, 103 Early Hints): the real response follows
            }
            if (!m.accepts(code)) {
                finish(CheckResult.failed("HTTP " + code, elapsed()));
                return;
            }
            status = code;
            if (m.method().equals("HEAD") || code == 204 || code == 304) {
                finish(CheckResult.ok("HTTP " + code, elapsed()));
                return;
            }
            String length = null;
            boolean chunked = false;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                if (name.equals("transfer-encoding")) {
                    chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                } else if (name.equals("content-length")) {
                    if (length != null && !length.equals(value)) {
                        finish(CheckResult.failed("conflicting Content-Length headers", elapsed()));
                        return;
                    }
                    length = value;
                }
            }
            if (chunked) {
                framing = Framing.CHUNKED;
            } else if (length != null) {
                if (!length.matches("[0-9]{1,18}")) {
                    finish(CheckResult.failed("bad Content-Length", elapsed()));
                    return;
                }
                framing = Framing.LENGTH;
                remaining = Long.parseLong(length);
                if (remaining == 0) {
                    end();
                }
            } else {
                framing = Framing.UNTIL_CLOSE;
            }
        }

        int readBody(Buffer data, int off) {
            int len = data.length();
            switch (framing) {
                case UNTIL_CLOSE -> {
                    content(data, off, len);
                    return len;
                }
                case LENGTH -> {
                    int n = (int) Math.min(remaining, len - off);
                    remaining -= n;
                    content(data, off, off + n);
                    if (remaining == 0) {
                        end();
                    }
                    return len; // anything after the announced length is ignored: we close
                }
                default -> {
                    return readChunked(data, off);
                }
            }
        }

        int readChunked(Buffer data, int off) {
            int len = data.length();
            int i = off;
            while (!done && i < len) {
                switch (chunk) {
                    case SIZE -> {
                        char c = (char) (data.getByte(i++) & 0xFF);
                        if (c == '\n') {
                            String line = chunkLine.toString().trim();
                            chunkLine.setLength(0);
                            int semi = line.indexOf(';');
                            String hex = semi >= 0 ? line.substring(0, semi).trim() : line;
                            if (!hex.matches("[0-9a-fA-F]{1,15}")) {
                                finish(CheckResult.failed("malformed chunked body", elapsed()));
                                return len;
                            }
                            remaining = Long.parseLong(hex, 16);
                            chunk = remaining == 0 ? Chunk.DONE : Chunk.DATA;
                            if (chunk == Chunk.DONE) {
                                end(); // trailers are not read: we close
                            }
                        } else if (chunkLine.length() >= CHUNK_LINE_CAP) {
                            finish(CheckResult.failed("malformed chunked body", elapsed()));
                            return len;
                        } else {
                            chunkLine.append(c);
                        }
                    }
                    case DATA -> {
                        int n = (int) Math.min(remaining, len - i);
                        content(data, i, i + n);
                        i += n;
                        remaining -= n;
                        if (remaining == 0) {
                            chunk = Chunk.DATA_END;
                            remaining = 2; // CRLF
                        }
                    }
                    case DATA_END -> {
                        i++;
                        if (--remaining == 0) {
                            chunk = Chunk.SIZE;
                        }
                    }
                    default -> i = len;
                }
            }
            return len;
        }

        /** Body bytes {@code [from, to)}: kept up to the cap, searched for expect_body as they come. */
        void content(Buffer data, int from, int to) {
            if (to <= from || done) {
                return;
            }
            bodyBytes += to - from;
            int keep = needle == null ? 0 : Math.min(to - from, BODY_CAP - body.length());
            if (keep > 0) {
                int searchFrom = Math.max(0, body.length() - needle.length + 1);
                body.appendBuffer(data, from, keep);
                if (indexOf(body, needle, searchFrom) >= 0) {
                    finish(CheckResult.ok("HTTP " + status + ", body matches", elapsed()));
                    return;
                }
            }
            if (bodyBytes > BODY_CAP) {
                finish(CheckResult.failed(needle != null ? "body mismatch (first " + BODY_CAP / 1024 + " KiB)"
                        : "body longer than " + BODY_CAP / 1024 + " KiB", elapsed()));
            }
        }

        /** The whole body arrived. */
        void end() {
            if (needle == null) {
                finish(CheckResult.ok("HTTP " + status, elapsed()));
            } else {
                finish(indexOf(body, needle, 0) >= 0 ? CheckResult.ok("HTTP " + status + ", body matches", elapsed())
                        : CheckResult.failed("body mismatch", elapsed()));
            }
        }
    }

    static int indexOf(Buffer haystack, byte[] needle, int from) {
        int n = haystack.length();
        outer:
        for (int i = from; i + needle.length <= n; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
