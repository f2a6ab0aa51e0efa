package dev.geosteer.cluster;

import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** etcd and gRPC failures as one line an operator can act on. */
final class EtcdErrors {
    private static final String TIMEOUT = "etcd did not answer in time";
    private static final String CONNECT = "cannot connect to etcd: ";
    private EtcdErrors() {
    }

    /** {@code user} is the configured etcd user (null if none), named when etcd refuses it. */
    static String describe(Throwable t, String user) {
        Throwable e = unwrap(t);
        if (e instanceof TimeoutException) {
            return TIMEOUT + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        }
        String all = messages(e);
        if (all.contains("authentication failed") || all.contains("invalid user ID or password")) {
            return "etcd refused user '" + user + "': wrong user name or password";
        }
        if (all.contains("user name is empty") || all.contains("user name not found")) {
            return "etcd requires authentication: set cluster.user and cluster.password"
                    + (user == null ? "" : " (user '" + user + "' is not known to etcd)");
        }
        if (all.contains("permission denied")) {
            return "etcd denied user '" + user + "' access (permission denied): grant its role readwrite on the"
                    + " key prefix";
        }
        if (all.contains("requested lease not found")) {
            return "lease expired (etcd no longer knows it)";
        }
        if (all.contains("no leader") || all.contains("leader changed")) {
            return "etcd has no leader (a minority partition or an election): " + firstLine(all);
        }
        SSLException ssl = find(e, SSLException.class);
        if (ssl != null) {
            return "TLS with etcd failed: " + ssl.getMessage() + " (check cluster.ca, cert and key)";
        }
        ConnectException connect = find(e, ConnectException.class);
        if (connect != null) {
            return CONNECT + connect.getMessage();
        }
        if (e instanceof StatusRuntimeException s) {
            Status st = s.getStatus();
            return "etcd call failed: " + st.getCode() + (st.getDescription() == null ? "" : ": " + st.getDescription())
                    + (s.getCause() == null || s.getCause() == s ? "" : " (" + s.getCause().getMessage() + ")");
        }
        if (e instanceof EtcdException x) {
            return "etcd call failed: " + x.getErrorCode() + ": " + x.getMessage();
        }
        return "etcd call failed: " + e;
    }

    /** A failure that comes and goes on its own (no answer, connection refused), as {@link #describe} words it. */
    static boolean transientFailure(String described) {
        return described.startsWith(TIMEOUT) || described.startsWith(CONNECT);
    }

    static boolean leaseNotFound(Throwable t) {
        return messages(unwrap(t)).contains("requested lease not found");
    }

    static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = e; c != null && b.length() < 4000; c = c.getCause() == c ? null : c.getCause()) {
            b.append(c.getMessage()).append('\n');
        }
        return b.toString();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
