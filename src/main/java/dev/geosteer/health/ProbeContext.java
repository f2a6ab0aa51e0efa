package dev.geosteer.health;

import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What probes share on the checker's event loop: one TCP client (no pool: every check opens and closes
 * its own connection) and the TLS settings already made. Confined to that loop.
 */
public final class ProbeContext {
    private final Vertx vertx;
    private final NetClient client;
    private final Map<String, ClientSSLOptions> tls = new HashMap<>();
    private final String userAgent;

    ProbeContext(Vertx vertx, String userAgent) {
        this.vertx = vertx;
        this.userAgent = userAgent;
        this.client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    }

    public Vertx vertx() {
        return vertx;
    }

    /**
     * What HTTP(S) checks send as {@code User-Agent}: {@code geosteer/<version>}, and in a fleet
     * {@code geosteer/<version> (node <name>)}, so that an origin's logs tell the vantage points apart.
     */
    public String userAgent() {
        return userAgent;
    }

    NetClient client() {
        return client;
    }

    /** Starts one check of {@code target}: its deadline runs from now. */
    public ProbeAttempt attempt(CheckTarget target) {
        return new ProbeAttempt(this, target.monitor().timeout());
    }

    /**
     * TLS client settings (one set per combination): verify the certificate and host name against the
     * system's CAs or {@code caFile}, or trust anything; the handshake gives up at {@code timeout}.
     */
    public ClientSSLOptions tls(boolean verify, String caFile, Duration timeout) {
        String key = verify + "|" + caFile + "|" + timeout.toMillis();
        return tls.computeIfAbsent(key, k -> {
            ClientSSLOptions o = new ClientSSLOptions().setSslHandshakeTimeout(timeout.toMillis())
                    .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
            if (!verify) {
                o.setTrustAll(true).setHostnameVerificationAlgorithm("");
            } else {
                o.setHostnameVerificationAlgorithm("HTTPS");
                if (caFile != null) {
                    o.setTrustOptions(new PemTrustOptions().addCertPath(caFile));
                }
            }
            return o;
        });
    }

    void close() {
        client.close();
    }
}
