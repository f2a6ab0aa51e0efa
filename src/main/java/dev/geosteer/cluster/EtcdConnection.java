package dev.geosteer.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import javax.net.ssl.SSLException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A jetcd client built from {@link ClusterSettings} (endpoints, TLS, user and password), on a Vert.x instance
 * of its own with one event loop: etcd traffic and the cluster's timers never run on, or wait for, a DNS
 * loop. jetcd closes the Vert.x instance it is given when the client closes, which is why it cannot be the
 * server's. Opening makes no network call; calls fail fast while etcd is unreachable (no wait-for-ready),
 * each with a deadline ({@link #timeout}).
 */
public final class EtcdConnection implements AutoCloseable {
    private final Vertx vertx;
    private final Context context;
    private final Client client;
    final Keys keys;
    final String user;
    private final Duration timeout;

    private EtcdConnection(Vertx vertx, Client client, Keys keys, String user, Duration timeout) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = client;
        this.keys = keys;
        this.user = user;
        this.timeout = timeout;
    }

    /**
     * Builds the client. {@code settings} must have passed {@link ClusterSettings#problems}; a CA, certificate
     * or key that cannot be loaded is an IllegalArgumentException naming the file.
     */
    public static EtcdConnection open(ClusterSettings settings, Path baseDir, Map<String, String> env) {
        Duration timeout = requestTimeout(settings);
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1)
                .setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
        try {
            ClientBuilder b = Client.builder()
                    .endpoints(settings.endpoints().toArray(new java.net.URI[0]))
                    .vertx(vertx)
                    .waitForReady(false)
                    .connectTimeout(timeout)
                    // one quick retry (jetcd renews an expired auth token that way); our own loop does the rest
                    .retryMaxAttempts(1)
                    .retryDelay(100)
                    .retryMaxDelay(500)
                    .retryMaxDuration(timeout);
            String password = settings.password(env);
            if (settings.user != null && !settings.user.isBlank() && password != null) {
                b.user(ByteSequence.from(settings.user.trim(), StandardCharsets.UTF_8))
                        .password(ByteSequence.from(password, StandardCharsets.UTF_8));
            }
            if (settings.tls()) {
                tls(b, settings, baseDir);
            }
            String user = settings.user == null || settings.user.isBlank() ? null : settings.user.trim();
            return new EtcdConnection(vertx, b.build(), new Keys(settings.prefix), user, timeout);
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    private static void tls(ClientBuilder b, ClusterSettings s, Path baseDir) {
        try {
            b.sslContext(ssl -> {
                if (s.ca != null && !s.ca.isBlank()) {
                    ssl.trustManager(s.file(s.ca, baseDir).toFile());
                }
                if (s.cert != null && !s.cert.isBlank()) {
                    ssl.keyManager(s.file(s.cert, baseDir).toFile(), s.file(s.key, baseDir).toFile());
                }
            });
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cluster TLS: cannot load " + describeFiles(s, baseDir) + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    private static String describeFiles(ClusterSettings s, Path baseDir) {
        StringBuilder b = new StringBuilder();
        if (s.ca != null && !s.ca.isBlank()) {
            b.append("ca ").append(s.file(s.ca, baseDir));
        }
        if (s.cert != null && !s.cert.isBlank()) {
            b.append(b.length() > 0 ? ", " : "").append("cert ").append(s.file(s.cert, baseDir)).append(", key ")
                    .append(s.file(s.key, baseDir));
        }
        return b.toString();
    }

    /** A third of the lease TTL (so that a keepalive fits between two), within 1..5 s. */
    static Duration requestTimeout(ClusterSettings s) {
        long ms = s.leaseTtlSeconds() * 1000 / 3;
        return Duration.ofMillis(Math.max(1000, Math.min(5000, ms)));
    }

    public Client client() {
        return client;
    }

    Context context() {
        return context;
    }

    Vertx vertx() {
        return vertx;
    }

    Duration timeout() {
        return timeout;
    }

    /** The call's future with this connection's deadline. */
    <T> CompletableFuture<T> deadline(CompletableFuture<T> f) {
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** Closes the client and its Vert.x instance (jetcd does both); pending calls fail. */
    @Override
    public void close() {
        client.close();
    }
}
