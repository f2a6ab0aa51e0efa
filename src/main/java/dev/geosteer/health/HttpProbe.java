package dev.geosteer.health;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code http} and {@code https}: a request on a fresh connection (no keep-alive, so that each check
 * proves the origin accepts connections); healthy when the status is expected and, if asked, the body
 * contains {@code expect_body} within its first {@link #BODY_CAP} bytes. Endless or hanging bodies end
 * at the timeout, and the connection is closed.
 */
final class HttpProbe implements Probe {
    static final int BODY_CAP = 64 * 1024;

    private final Vertx vertx;
    private final boolean tls;
    private final Map<String, HttpClient> clients = new HashMap<>();

    HttpProbe(Vertx vertx, boolean tls) {
        this.vertx = vertx;
        this.tls = tls;
    }

    /** One client per TLS setting (verify or not, CA file). */
    private HttpClient client(MonitorSpec m) {
        String key = tls ? m.tlsVerify() + "|" + m.caFile() : "plain";
        return clients.computeIfAbsent(key, k -> {
            HttpClientOptions o = new HttpClientOptions().setKeepAlive(false).setMaxRedirects(0)
                    .setDecompressionSupported(false).setConnectTimeout(60_000);
            if (tls) {
                o.setSsl(true).setForceSni(true);
                if (!m.tlsVerify()) {
                    o.setTrustAll(true).setVerifyHost(false);
                } else if (m.caFile() != null) {
                    o.setTrustOptions(new PemTrustOptions().addCertPath(m.caFile()));
                }
            }
            // A reset or refused connection is the check's verdict (the request fails with it); without
            // a handler, Vert.x would also log it as an ERROR on every flap of an origin.
            return vertx.httpClientBuilder().with(o).with(new PoolOptions().setHttp1MaxSize(64))
                    .withConnectHandler(connection -> connection.exceptionHandler(e -> { })).build();
        });
    }

    @Override
    public Future<CheckResult> check(CheckTarget target) {
        MonitorSpec m = target.monitor();
        long start = System.nanoTime();
        Promise<CheckResult> promise = Promise.promise();
        HttpClientRequest[] inFlight = new HttpClientRequest[1];
        long timer = vertx.setTimer(m.timeout().toMillis(), id -> {
            if (promise.tryComplete(CheckResult.failed("timeout after " + Probes.seconds(m.timeout()),
                    System.nanoTime() - start)) && inFlight[0] != null) {
                abandon(inFlight[0]); // a hanging origin must not keep the connection
            }
        });
        String ip = target.checkAddress().getHostAddress();
        String host = m.host() != null ? m.host() : (ip.contains(":") ? "[" + ip + "]" : ip);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        m.headers().forEach(headers::add);
        headers.set("User-Agent", "geosteer-health/1");
        RequestOptions options = new RequestOptions()
                .setServer(SocketAddress.inetSocketAddress(m.port(), ip))
                .setHost(m.host() != null ? m.host() : ip)
                .setPort(m.port())
                .setSsl(tls)
                .setMethod(HttpMethod.valueOf(m.method()))
                .setURI(m.path())
                .setHeaders(headers);
        options.putHeader("Host", m.port() == (tls ? 443 : 80) ? host : host + ":" + m.port());
        client(m).request(options).compose(req -> {
            inFlight[0] = req;
            return req.send();
        }).onComplete(ar -> {
            if (ar.failed()) {
                vertx.cancelTimer(timer);
                promise.tryComplete(CheckResult.failed(Probes.describe(ar.cause()), System.nanoTime() - start));
                return;
            }
            HttpClientResponse resp = ar.result();
            int status = resp.statusCode();
            if (!m.accepts(status)) {
                vertx.cancelTimer(timer);
                promise.tryComplete(CheckResult.failed("HTTP " + status, System.nanoTime() - start));
                abandon(resp.request());
                return;
            }
            if (m.expectBody() == null || m.method().equals("HEAD")) {
                vertx.cancelTimer(timer);
                promise.tryComplete(CheckResult.ok("HTTP " + status, System.nanoTime() - start));
                abandon(resp.request());
                return;
            }
            readBody(resp, m, status, start, timer, promise);
        });
        return promise.future();
    }

    /** Reads at most BODY_CAP bytes looking for expect_body; stops and closes as soon as it knows. */
    private void readBody(HttpClientResponse resp, MonitorSpec m, int status, long start, long timer,
                          Promise<CheckResult> promise) {
        Buffer body = Buffer.buffer();
        byte[] needle = m.expectBody().getBytes(StandardCharsets.UTF_8);
        resp.exceptionHandler(e -> {
            vertx.cancelTimer(timer);
            promise.tryComplete(CheckResult.failed(Probes.describe(e), System.nanoTime() - start));
        });
        resp.handler(chunk -> {
            if (promise.future().isComplete()) {
                return;
            }
            body.appendBuffer(chunk, 0, Math.min(chunk.length(), BODY_CAP - body.length()));
            if (contains(body, needle)) {
                vertx.cancelTimer(timer);
                promise.tryComplete(CheckResult.ok("HTTP " + status + ", body matches", System.nanoTime() - start));
                abandon(resp.request());
            } else if (body.length() >= BODY_CAP) {
                vertx.cancelTimer(timer);
                promise.tryComplete(CheckResult.failed("body mismatch (first " + BODY_CAP / 1024 + " KiB)",
                        System.nanoTime() - start));
                abandon(resp.request());
            }
        });
        resp.endHandler(v -> {
            vertx.cancelTimer(timer);
            promise.tryComplete(contains(body, needle)
                    ? CheckResult.ok("HTTP " + status + ", body matches", System.nanoTime() - start)
                    : CheckResult.failed("body mismatch", System.nanoTime() - start));
        });
    }

    /**
     * Stops a request we have our verdict for, closing its connection. Its streams get a no-op
     * exception handler first: otherwise Vert.x logs the reset we caused as an unhandled error.
     */
    private static void abandon(HttpClientRequest request) {
        try {
            request.exceptionHandler(e -> { });
        } catch (IllegalStateException alreadyComplete) {
            return; // the whole exchange has ended (small response): nothing left to stop
        }
        request.response().onSuccess(r -> r.exceptionHandler(e -> { }));
        request.reset();
    }

    private static boolean contains(Buffer haystack, byte[] needle) {
        byte[] h = haystack.getBytes();
        outer:
        for (int i = 0; i + needle.length <= h.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (h[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        clients.values().forEach(HttpClient::close);
        clients.clear();
    }
}
