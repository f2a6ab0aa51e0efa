package dev.geosteer.health;

import io.vertx.core.Vertx;

import java.net.ConnectException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The registry of probe kinds: one line per {@code type:} value. */
final class Probes {
    private final Map<String, Probe> byType = new LinkedHashMap<>();

    Probes(Vertx vertx) {
        byType.put("http", new HttpProbe(vertx, false));
        byType.put("https", new HttpProbe(vertx, true));
        byType.put("tcp", new TcpProbe(vertx));
    }

    Probe get(String type) {
        return byType.get(type);
    }

    void close() {
        byType.values().forEach(Probe::close);
    }

    /** A short reason for a failed connection or request, as an operator reads it in the log. */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = String.valueOf(root.getMessage());
        if (root instanceof ConnectException || msg.contains("Connection refused")) {
            return "connect refused";
        }
        if (msg.contains("Connection reset")) {
            return "connection reset";
        }
        if (root instanceof javax.net.ssl.SSLException || t instanceof javax.net.ssl.SSLException) {
            return "TLS: " + msg;
        }
        if (msg.contains("closed") || msg.contains("Closed")) {
            return "connection closed: " + msg;
        }
        return root.getClass().getSimpleName() + ": " + msg;
    }

    /** Why a connect failed; the connect's own timeout reads like the check's. */
    static String connectFailure(Throwable t, MonitorSpec m) {
        if (t instanceof io.netty.channel.ConnectTimeoutException) {
            return "timeout after " + seconds(m.timeout());
        }
        return describe(t);
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
