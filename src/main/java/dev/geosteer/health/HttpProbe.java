package dev.geosteer.health;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
record HttpProbe(boolean tls, String path, String method, String host, Map<String, String> headers,
                 List<StatusRange> expect, String expectBody, boolean tlsVerify, String caFile) implements Probe {
    static final int BODY_CAP = 64 * 1024;
    static final int HEAD_CAP = 16 * 1024;
    /** Bytes read in all (heads, chunk framing, body): interim responses or tiny chunks cannot go on. */
    static final int WIRE_CAP = HEAD_CAP + 2 * BODY_CAP;
    private static final int CHUNK_LINE_CAP = 1024;

    /** Status codes {@code low..high} pass ({@code 200}, {@code 200-399}, {@code 2xx}). */
    record StatusRange(int low, int high) {
    }

    boolean accepts(int status) {
        for (StatusRange r : expect) {
            if (status >= r.low() && status <= r.high()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Future<CheckResult> check(ProbeContext context, CheckTarget target) {
        MonitorSpec m = target.monitor();
        ProbeAttempt attempt = context.attempt(target);
        Exchange x = new Exchange(attempt);
        String ip = target.checkAddress().getHostAddress();
        String hostHeader = host != null ? host : (ip.contains(":") ? "[" + ip + "]" : ip);
        byte[] request = request(m.port() == (tls ? 443 : 80) ? hostHeader : hostHeader + ":" + m.port(),
                context.userAgent());
        attempt.connect(target.checkAddress(), m.port(), socket -> {
            x.attach(socket);
            if (!tls) {
                socket.write(Buffer.buffer(request));
                return;
            }
            socket.upgradeToSsl(context.tls(tlsVerify, caFile, m.timeout()), host != null ? host : ip).onComplete(up -> {
                if (up.failed()) {
                    attempt.fail(tlsFailure(up.cause()));
                } else if (!attempt.done()) {
                    socket.write(Buffer.buffer(request));
                }
            });
        });
        return attempt.result();
    }

    private static String tlsFailure(Throwable t) {
        String d = ProbeAttempt.describe(t);
        return d.startsWith("TLS") ? d : "TLS: " + d;
    }

    /**
     * The request head; header values were checked for CR and LF when the steering file loaded. A
     * {@code User-Agent} of the monitor's headers wins over {@code userAgent} (the vantage point's).
     */
    byte[] request(String hostHeader, String userAgent) {
        StringBuilder b = new StringBuilder(256);
        b.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        b.append("Host: ").append(hostHeader).append("\r\n");
        boolean hasUserAgent = false;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("host") || name.equals("connection") || name.equals("content-length")
                    || name.equals("transfer-encoding")) {
                continue; // ours: one request, no body, then close
            }
            hasUserAgent |= name.equals("user-agent");
            b.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (!hasUserAgent) {
            b.append("User-Agent: ").append(userAgent).append("\r\n");
        }
        b.append("Connection: close\r\n\r\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The response read so far of one check. Confined to the checker's event loop. The attempt's
     * {@link ProbeAttempt#finish} is the only way out, and it closes the connection.
     */
    private final class Exchange {
        private enum Framing { LENGTH, CHUNKED, UNTIL_CLOSE }

        private enum Chunk { SIZE, DATA, DATA_END, DONE }

        final ProbeAttempt attempt;
        final byte[] needle;
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

        Exchange(ProbeAttempt attempt) {
            this.attempt = attempt;
            this.needle = expectBody == null ? null : expectBody.getBytes(StandardCharsets.UTF_8);
        }

        void attach(NetSocket s) {
            s.exceptionHandler(e -> attempt.fail(ProbeAttempt.describe(e)));
            s.closeHandler(v -> closed());
            s.handler(this::received);
        }

        void finish(CheckResult r) {
            attempt.finish(r);
        }

        long elapsed() {
            return attempt.elapsed();
        }

        void closed() {
            if (attempt.done()) {
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
            while (!attempt.done() && off < len) {
                if (status < 0) {
                    off = readHead(data, off);
                } else {
                    off = readBody(data, off);
                }
            }
            if (!attempt.done() && received > WIRE_CAP) {
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
            if (!accepts(code)) {
                finish(CheckResult.failed("HTTP " + code, elapsed()));
                return;
            }
            status = code;
            if (method.equals("HEAD") || code == 204 || code == 304) {
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
            while (!attempt.done() && i < len) {
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
            if (to <= from || attempt.done()) {
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
