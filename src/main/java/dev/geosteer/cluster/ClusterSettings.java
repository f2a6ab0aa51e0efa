package dev.geosteer.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code cluster:} section of {@code geosteer.yaml}. Bound by the project's YAML mapper (snake_case keys,
 * durations like {@code 10s}); {@link #problems} then checks what types alone cannot, each problem naming its
 * key path so that the caller can add {@code file:line:column}. Without this section nothing of the cluster
 * runs.
 *
 * <pre>
 * cluster:
 *   etcd: ["https://10.0.0.5:2379", "https://10.0.0.6:2379"]
 *   node: par-1          # default: this machine's host name
 *   prefix: /geosteer/   # default
 *   config: files        # files (default) | etcd
 *   ca: /etc/geosteer/etcd-ca.pem
 *   cert: /etc/geosteer/etcd-client.pem
 *   key: /etc/geosteer/etcd-client.key
 *   user: geosteer
 *   password: ...        # GEOSTEER_ETCD_PASSWORD wins
 *   lease_ttl: 10s
 *   grace: 30s           # default: 3 check intervals
 * </pre>
 */
public final class ClusterSettings {
    public static final String PASSWORD_ENV = "GEOSTEER_ETCD_PASSWORD";
    static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern PREFIX = Pattern.compile("/([A-Za-z0-9._-]+/)*");

    /** etcd client URLs, all http:// or all https://; the port defaults to 2379. */
    public List<String> etcd = new ArrayList<>();
    /** This instance's name, unique in the cluster; null or empty: the host name. */
    public String node;
    /** Every key geosteer reads or writes starts with this. */
    public String prefix = "/geosteer/";
    /** Where zones and steering files come from: {@code files} (each instance's zones/) or {@code etcd}. */
    public String config = "files";
    /** PEM CA bundle that signed etcd's server certificate; empty: the JVM's trusted CAs. */
    public String ca;
    /** PEM client certificate and its PKCS#8 key, when etcd asks for client certificates. */
    public String cert;
    public String key;
    /** etcd user and password, when etcd has authentication enabled. */
    public String user;
    public String password;
    /** TTL of this instance's lease: how long after a crash its membership and verdicts disappear. */
    public Duration leaseTtl = Duration.ofSeconds(10);
    /** How long without etcd before only local verdicts count; null: 3 check intervals. */
    public Duration grace;

    /** A problem with a setting: the key's path ({@code cluster.etcd[1]}) and what is wrong. */
    public record Problem(String path, String message) {
        @Override
        public String toString() {
            return "'" + path + "': " + message;
        }
    }

    public boolean configFromEtcd() {
        return "etcd".equals(config);
    }

    /** The password: the {@value #PASSWORD_ENV} environment variable wins over the file. */
    public String password(Map<String, String> env) {
        String fromEnv = env.get(PASSWORD_ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        return password == null || password.isEmpty() ? null : password;
    }

    /** This node's name: {@code node}, else the host name. */
    public String nodeName() {
        return node == null || node.isBlank() ? hostName() : node.trim();
    }

    /** The grace period: {@code grace}, else 3 intervals of the slowest check. */
    public Duration grace(Duration longestCheckInterval) {
        return grace != null ? grace : longestCheckInterval.multipliedBy(3);
    }

    /** Lease TTL in whole seconds (etcd's unit), rounded up. */
    public long leaseTtlSeconds() {
        return Math.max(1, (leaseTtl.toMillis() + 999) / 1000);
    }

    /** The endpoints as URIs with the port filled in; call after {@link #problems} found none. */
    public List<URI> endpoints() {
        List<URI> out = new ArrayList<>();
        for (String e : etcd) {
            out.add(endpoint(e));
        }
        return out;
    }

    public boolean tls() {
        return !etcd.isEmpty() && etcd.get(0).trim().startsWith("https:");
    }

    /**
     * Everything wrong with the section, each naming its key under {@code path} (normally {@code cluster}).
     * Files named by {@code ca}, {@code cert} and {@code key} are resolved against {@code baseDir} and must be
     * readable (skipped when {@code baseDir} is null).
     */
    public List<Problem> problems(String path, Path baseDir, Map<String, String> env) {
        List<Problem> out = new ArrayList<>();
        if (etcd == null || etcd.isEmpty()) {
            out.add(new Problem(path + ".etcd", "list at least one etcd endpoint, e.g. [\"http://10.0.0.5:2379\"]"));
        } else {
            String firstScheme = null;
            for (int i = 0; i < etcd.size(); i++) {
                String at = path + ".etcd[" + i + "]";
                try {
                    URI u = endpoint(etcd.get(i));
                    if (firstScheme == null) {
                        firstScheme = u.getScheme();
                    } else if (!firstScheme.equals(u.getScheme())) {
                        out.add(new Problem(at, "all endpoints must use the same scheme ('" + etcd.get(i)
                                + "' is " + u.getScheme() + ", the first one " + firstScheme + ")"));
                    }
                } catch (IllegalArgumentException e) {
                    out.add(new Problem(at, e.getMessage()));
                }
            }
        }
        if (node != null && !node.isBlank() && !NODE.matcher(node.trim()).matches()) {
            out.add(new Problem(path + ".node", "'" + node + "' is not a node name: letters, digits, '.', '_' and '-',"
                    + " at most 63, starting with a letter or digit"));
        } else if ((node == null || node.isBlank()) && !NODE.matcher(hostName()).matches()) {
            out.add(new Problem(path + ".node", "the host name '" + hostName() + "' cannot be a node name: set one"));
        }
        if (prefix == null || !PREFIX.matcher(prefix).matches() || prefix.equals("/")) {
            out.add(new Problem(path + ".prefix", "'" + prefix + "' is not a key prefix: it starts and ends with '/'"
                    + " and names at least one level, e.g. /geosteer/"));
        }
        if (!"files".equals(config) && !"etcd".equals(config)) {
            out.add(new Problem(path + ".config", "must be files or etcd, not '" + config + "'"));
        }
        boolean hasCert = cert != null && !cert.isBlank();
        boolean hasKey = key != null && !key.isBlank();
        if (hasCert != hasKey) {
            out.add(new Problem(path + (hasCert ? ".key" : ".cert"), "'cert' and 'key' go together: set both or neither"));
        }
        boolean anyTls = hasCert || hasKey || (ca != null && !ca.isBlank());
        if (anyTls && etcd != null && !etcd.isEmpty() && !tls()) {
            out.add(new Problem(path + ".etcd", "'ca', 'cert' and 'key' need https:// endpoints"));
        }
        if (baseDir != null) {
            readable(out, path + ".ca", ca, baseDir);
            readable(out, path + ".cert", cert, baseDir);
            readable(out, path + ".key", key, baseDir);
        }
        boolean hasUser = user != null && !user.isBlank();
        String pw = password(env);
        if (hasUser && pw == null) {
            out.add(new Problem(path + ".password", "user '" + user + "' needs a password (or the environment variable "
                    + PASSWORD_ENV + ")"));
        } else if (!hasUser && pw != null) {
            out.add(new Problem(path + ".user", "a password is set (" + (env.containsKey(PASSWORD_ENV) ? PASSWORD_ENV
                    : "'password'") + ") but no user"));
        }
        if (leaseTtl == null || leaseTtl.compareTo(Duration.ofSeconds(2)) < 0 || leaseTtl.compareTo(Duration.ofHours(1)) > 0) {
            out.add(new Problem(path + ".lease_ttl", "must be within 2s..1h (etcd expires a crashed instance's keys"
                    + " after it)"));
        }
        if (grace != null && grace.isNegative()) {
            out.add(new Problem(path + ".grace", "must not be negative"));
        }
        return out;
    }

    /** Resolves a file setting against the configuration's directory. */
    public Path file(String setting, Path baseDir) {
        Path p = Path.of(setting.trim());
        return baseDir == null || p.isAbsolute() ? p : baseDir.resolve(p);
    }

    private void readable(List<Problem> out, String at, String setting, Path baseDir) {
        if (setting == null || setting.isBlank()) {
            return;
        }
        Path p = file(setting, baseDir);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            out.add(new Problem(at, "cannot read " + p));
        }
    }

    static URI endpoint(String text) {
        String t = text == null ? "" : text.trim();
        URI u;
        try {
            u = new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL like http://10.0.0.5:2379 (http or https)");
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                || u.getHost() == null) {
            throw new IllegalArgumentException("'" + text + "' is not a URL like http://10.0.0.5:2379 (http or https)");
        }
        if (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/")
                || u.getRawQuery() != null || u.getUserInfo() != null) {
            throw new IllegalArgumentException("'" + text + "': an etcd endpoint is scheme://host:port only"
                    + " (credentials go in 'user' and 'password')");
        }
        try {
            return new URI(u.getScheme(), null, u.getHost(), u.getPort() < 0 ? 2379 : u.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL like http://10.0.0.5:2379");
        }
    }

    /** The kernel's host name without a DNS lookup (which could hang at start), else Java's idea of it. */
    static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: ask Java
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
