package dev.geosteer.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.geosteer.dns.ListenOptions;
import dev.geosteer.net.Cidr;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code geosteer.yaml}: server settings. Every key is optional; the defaults serve {@code ./zones}
 * and {@code ./geoip} on 127.0.0.1:5353 and [::1]:5353. Fields are filled by Jackson, then
 * {@link #validate} checks the values that types alone cannot.
 */
public final class ServerConfig {
    public List<String> listen = new ArrayList<>(List.of("127.0.0.1:5353", "[::1]:5353"));
    public String zonesDir = "zones";
    /** Where geosteer keeps what it must remember across restarts (the admin API's drains). */
    public String stateDir = "state";
    public Geoip geoip = new Geoip();
    public Limits limits = new Limits();
    public Reload reload = new Reload();
    public Health health = new Health();
    public Admin admin = new Admin();
    public QueryLog queryLog = new QueryLog();
    public Rrl rrl = new Rrl();
    public Cookies cookies = new Cookies();
    public Log log = new Log();
    public Dnssec dnssec = new Dnssec();

    /** Signing (issue 13): a zone is signed when the keys directory has an active key for it. */
    public static final class Dnssec {
        /** BIND key files; relative to the base directory. Default: keys/ in the zones directory. */
        public String keysDir;
        /** How long an RRSIG is valid (Knot's rrsig-lifetime); zones are signed again at half of it. */
        public Duration signatureValidity = dev.geosteer.dnssec.SignatureWindow.DEFAULT_VALIDITY;
        /** How far back an RRSIG's inception is set, for validators whose clocks are behind. */
        public Duration inceptionOffset = dev.geosteer.dnssec.SignatureWindow.DEFAULT_INCEPTION_OFFSET;
        /** Steered RRsets whose RRSIGs are cached, per zone. */
        public int signatureCache = 100_000;
    }
    /** The fleet on etcd (issue 12); null, the default: a single instance, nothing of the cluster runs. */
    public dev.geosteer.cluster.ClusterSettings cluster;
    /** TSIG keys by name (RFC 8945), beside those of {@link #tsigKeyFile}. */
    public java.util.Map<String, TsigKey> tsigKeys = new java.util.LinkedHashMap<>();
    /** A BIND key file ({@code key "name" { algorithm ...; secret "..."; };}), relative to this file. */
    public String tsigKeyFile;
    public Transfer transfer = new Transfer();

    /** One TSIG key. */
    public static final class TsigKey {
        public String algorithm = "hmac-sha256";
        /** Base64. */
        public String secret;
    }

    /** Zone transfers to secondaries: who may, whom to tell of changes, the catalog zone, limits. */
    public static final class Transfer {
        /** Who may transfer: a network, and a key when given (the request must then be signed with it). */
        public List<Allow> allow = new ArrayList<>();
        /** host:port told (NOTIFY) of every serial change of every zone, the catalog zone's included. */
        public List<String> notify = new ArrayList<>();
        /** Zone → more host:port told of that zone's changes. */
        public java.util.Map<String, List<String>> alsoNotify = new java.util.LinkedHashMap<>();
        /** Name of the RFC 9432 catalog zone listing the zones served (e.g. catalog.geosteer.), or none. */
        public String catalog;
        /** Transfers running at once; more are refused. */
        public int maxConcurrent = 10;
        /** Transfers one client address may start per minute; more are refused. */
        public int perClientPerMinute = 60;
        /** Versions of each zone remembered for IXFR (differences from each to the next). */
        public int history = 16;
    }

    public static final class Allow {
        public String network;
        public String key;
    }

    /** The TSIG algorithms accepted, by their RFC 8945 names. */
    public static final List<String> TSIG_ALGORITHMS = List.of("hmac-sha256", "hmac-sha512", "hmac-sha384",
            "hmac-sha224", "hmac-sha1");

    /** The server's own log, on standard error; {@code --log-level} and {@code --log-format} win. */
    public static final class Log {
        /** error, warn, info or debug. */
        public String level = "info";
        /** text (one line per event) or json (one object per line). */
        public String format = "text";
    }

    public static final class Geoip {
        /** Databases to load; empty = every {@code .mmdb} in {@link #dir}. */
        public List<String> databases = new ArrayList<>();
        public String dir = "geoip";
    }

    public static final class Limits {
        public int udpMaxSize = 1232;
        /** Largest UDP answer to a request without a valid DNS cookie (BIND's nocookie-udp-size). */
        public int nocookieUdpSize = 512;
        public int tcpMaxConnections = 1000;
        /** Open TCP connections from one client network: the /tcp_client_ipv4_prefix or /..._ipv6_prefix. */
        public int tcpMaxPerClient = 50;
        public int tcpClientIpv4Prefix = 24;
        public int tcpClientIpv6Prefix = 56;
        public Duration tcpIdleTimeout = Duration.ofSeconds(10);
        public Duration tcpQueryTimeout = Duration.ofSeconds(5);
        public int tcpMaxMessage = 16384;
        public int tcpMaxPending = 256;
        /** Event loops answering DNS; 0 = one per core. */
        public int threads = 0;
        /** MiB the GeoIP tries of one zone's balancers may take (shared tries counted once). */
        public int steeringMaxMb = 256;
        /** Largest zone file read; a bigger one is refused before it is read. */
        @JsonDeserialize(using = ByteSize.Reader.class)
        public long zoneFileMaxBytes = 128L << 20;
        /** Most records one zone may hold, {@code $GENERATE}d ones included (~250 bytes of heap each). */
        public long zoneMaxRecords = 2_000_000;
        /** Largest steering file (and admin-state.yaml) read. */
        @JsonDeserialize(using = ByteSize.Reader.class)
        public long steeringFileMaxBytes = 8L << 20;
        /** Largest GeoIP database opened (checked before opening it). */
        @JsonDeserialize(using = ByteSize.Reader.class)
        public long mmdbMaxBytes = 512L << 20;
    }

    /** geosteer.yaml itself is read before any limit is known: this one is fixed. */
    public static final long CONFIG_FILE_MAX_BYTES = 1L << 20;

    public static final class Reload {
        /** How often the zones directory and the GeoIP databases are checked for changes. */
        public Duration interval = Duration.ofSeconds(1);
        /** A changed file is loaded once it has not changed for this long (see catalog.Settling). */
        public Duration settle = Duration.ofSeconds(1);
        /** A steering file or admin-state.yaml that becomes empty is applied only once it has stayed empty this long. */
        public Duration emptyGrace = Duration.ofSeconds(10);
    }

    public static final class Health {
        /** Whether an origin with no verdict yet (just started) is answered. */
        public boolean unknownIsUp = true;
        /** Lowest TTL given to a steered answer, however soon its health could change. */
        public Duration ttlFloor = Duration.ofSeconds(5);
        /** /readyz reports ready after this long even if some origins have no verdict yet. */
        public Duration readyGrace = Duration.ofSeconds(30);
        /** In a fleet: how many vantage points must say down for an origin to be down everywhere. */
        public dev.geosteer.cluster.QuorumRule quorum = dev.geosteer.cluster.QuorumRule.MAJORITY;
    }

    /** Response rate limiting (UDP only), the BIND/Knot model. */
    public static final class Rrl {
        /** on, off, or dry_run (count and log, but answer everything). */
        public String mode = "on";
        public int responsesPerSecond = 20;
        public int nxdomainsPerSecond = 20;
        public int errorsPerSecond = 20;
        /** Every slip-th limited response is sent truncated (TC) instead of dropped; 0 = drop all. */
        public int slip = 2;
        public int ipv4Prefix = 24;
        public int ipv6Prefix = 56;
        public int tableSize = 65536;
        /** Networks never limited. Loopback by default: it cannot be a reflection victim. */
        public List<String> exempt = new ArrayList<>(List.of("127.0.0.0/8", "::1/128"));
    }

    /** DNS cookies (RFC 7873, RFC 9018 server cookies). */
    public static final class Cookies {
        public boolean enabled = true;
        /** 32 hex digits, shared by a fleet; GEOSTEER_COOKIE_SECRET wins. None: generated at start. */
        public String secret;
        /** The secret {@link #secret} replaced, still accepted while the fleet changes over. */
        public String previousSecret;
        /** How long a generated secret is used before a new one (the previous one is still accepted). */
        public Duration secretLifetime = Duration.ofHours(26);
    }

    public static final class QueryLog {
        public boolean enabled = false;
        /** "-" for standard output, else a file (appended to). */
        public String output = "-";
        /** Fraction of queries logged, 0..1. */
        public double sample = 1.0;
    }

    public static final class Admin {
        /** host:port of the admin HTTP API; empty to disable it. */
        public String listen = "127.0.0.1:8053";
        /** Bearer token; the GEOSTEER_ADMIN_TOKEN environment variable wins over it. */
        public String token;
        /** Admin connections open at once; more are closed as they arrive. */
        public int maxConnections = 64;
        /**
         * Whether {@code /metrics} needs the token: {@code auto} (when the API listens beyond loopback and a
         * token is set), {@code always}, {@code never}.
         */
        public String metricsAuth = "auto";
    }

    /** Reads a config file; every problem in it is reported at once, as {@code file:line:column: reason}. */
    public static ServerConfig load(Path file) throws ProblemException {
        Yaml.Document<ServerConfig> doc = Yaml.read(file, ServerConfig.class, ServerConfig::new, CONFIG_FILE_MAX_BYTES,
                "the size limit of a geosteer.yaml");
        if (doc == null) {
            throw new ProblemException(new Problem(file.toString(), 0, "no such file"));
        }
        List<Problem> problems = new ArrayList<>();
        doc.value().check((path, reason) -> {
            Problem e = doc.error(path, reason);
            if (e != null) {
                problems.add(e);
            }
        });
        doc.throwIfAny(problems);
        return doc.value();
    }

    /** Checks the settings built in code (no file): the first problem is thrown. */
    public void validate(String file) throws ProblemException {
        List<Problem> problems = new ArrayList<>();
        check((path, reason) -> problems.add(new Problem(file, 0, reason)));
        if (!problems.isEmpty()) {
            throw new ProblemException(problems);
        }
    }

    /** Where a check reports: the key path ({@code limits.udp_max_size}) and what is wrong with it. */
    interface Problems {
        void add(String path, String reason);
    }

    /** The checks that types alone cannot make. */
    void check(Problems p) {
        if (listen == null || listen.isEmpty()) {
            p.add("listen", "'listen' must name at least one address");
        } else {
            for (int i = 0; i < listen.size(); i++) {
                try {
                    parseHostPort(listen.get(i), 5353);
                } catch (IllegalArgumentException e) {
                    p.add("listen[" + i + "]", "'listen': " + e.getMessage());
                }
            }
        }
        if (limits.udpMaxSize < 512 || limits.udpMaxSize > 65535) {
            p.add("limits.udp_max_size", "'limits.udp_max_size' must be within 512..65535");
        }
        if (limits.steeringMaxMb < 1) {
            p.add("limits.steering_max_mb", "'limits.steering_max_mb' must be >= 1");
        }
        if (limits.tcpMaxConnections < 1) {
            p.add("limits.tcp_max_connections", "'limits.tcp_max_connections' must be >= 1");
        }
        if (limits.tcpMaxPerClient < 1) {
            p.add("limits.tcp_max_per_client", "'limits.tcp_max_per_client' must be >= 1");
        }
        if (limits.tcpClientIpv4Prefix < 8 || limits.tcpClientIpv4Prefix > 32) {
            p.add("limits.tcp_client_ipv4_prefix", "'limits.tcp_client_ipv4_prefix' must be within 8..32");
        }
        if (limits.tcpClientIpv6Prefix < 16 || limits.tcpClientIpv6Prefix > 128) {
            p.add("limits.tcp_client_ipv6_prefix", "'limits.tcp_client_ipv6_prefix' must be within 16..128");
        }
        if (limits.tcpMaxMessage < 512 || limits.tcpMaxMessage > 65535) {
            p.add("limits.tcp_max_message", "'limits.tcp_max_message' must be within 512..65535");
        }
        if (limits.tcpIdleTimeout.isZero()) {
            p.add("limits.tcp_idle_timeout", "'limits.tcp_idle_timeout' must be positive");
        }
        if (limits.tcpQueryTimeout.isZero()) {
            p.add("limits.tcp_query_timeout", "'limits.tcp_query_timeout' must be positive");
        }
        if (limits.zoneFileMaxBytes < 1) {
            p.add("limits.zone_file_max_bytes", "'limits.zone_file_max_bytes' must be positive");
        }
        if (limits.zoneMaxRecords < 1) {
            p.add("limits.zone_max_records", "'limits.zone_max_records' must be positive");
        }
        if (limits.steeringFileMaxBytes < 1) {
            p.add("limits.steering_file_max_bytes", "'limits.steering_file_max_bytes' must be positive");
        }
        if (limits.mmdbMaxBytes < 1) {
            p.add("limits.mmdb_max_bytes", "'limits.mmdb_max_bytes' must be positive");
        }
        if (limits.nocookieUdpSize < 128 || limits.nocookieUdpSize > 65535) {
            p.add("limits.nocookie_udp_size", "'limits.nocookie_udp_size' must be within 128..65535");
        }
        for (String[] secret : new String[][] {{"cookies.secret", cookies.secret},
                {"cookies.previous_secret", cookies.previousSecret}}) {
            if (secret[1] != null && !secret[1].isBlank() && parseSecret(secret[1]) == null) {
                p.add(secret[0], "'" + secret[0] + "' must be 32 hexadecimal digits (16 bytes)");
            }
        }
        if (cookies.secretLifetime.compareTo(Duration.ofHours(1)) < 0
                || cookies.secretLifetime.compareTo(Duration.ofDays(36)) > 0) {
            p.add("cookies.secret_lifetime", "'cookies.secret_lifetime' must be within 1h..36d (RFC 7873 §7.1)");
        }
        if (reload.interval.toMillis() < 100) {
            p.add("reload.interval", "'reload.interval' must be at least 100ms");
        }
        try {
            dev.geosteer.dns.ResponseRateLimiter.mode(rrl.mode);
        } catch (IllegalArgumentException e) {
            p.add("rrl.mode", "'rrl.mode' must be on, off or dry_run, not " + Problem.quote(rrl.mode));
        }
        if (dnssec.signatureValidity.compareTo(Duration.ofHours(2)) < 0
                || dnssec.signatureValidity.compareTo(Duration.ofDays(366)) > 0) {
            p.add("dnssec.signature_validity", "'dnssec.signature_validity' must be within 2h..366d");
        }
        if (dnssec.inceptionOffset.isNegative() || dnssec.inceptionOffset.compareTo(Duration.ofDays(1)) > 0) {
            p.add("dnssec.inception_offset", "'dnssec.inception_offset' must be within 0..1d");
        }
        if (dnssec.signatureCache < 2) {
            p.add("dnssec.signature_cache", "'dnssec.signature_cache' must be >= 2");
        }
        if (rrl.responsesPerSecond < 0 || rrl.nxdomainsPerSecond < 0 || rrl.errorsPerSecond < 0) {
            p.add(rrl.responsesPerSecond < 0 ? "rrl.responses_per_second" : rrl.nxdomainsPerSecond < 0
                    ? "rrl.nxdomains_per_second" : "rrl.errors_per_second", "'rrl' rates must be >= 0");
        }
        if (rrl.slip < 0 || rrl.slip > 10) {
            p.add("rrl.slip", "'rrl.slip' must be within 0..10");
        }
        if (rrl.ipv4Prefix < 8 || rrl.ipv4Prefix > 32) {
            p.add("rrl.ipv4_prefix", "'rrl.ipv4_prefix' must be within 8..32");
        }
        if (rrl.ipv6Prefix < 16 || rrl.ipv6Prefix > 128) {
            p.add("rrl.ipv6_prefix", "'rrl.ipv6_prefix' must be within 16..128");
        }
        if (rrl.tableSize < 1024 || rrl.tableSize > 1 << 24) {
            p.add("rrl.table_size", "'rrl.table_size' must be within 1024..16777216");
        }
        for (int i = 0; i < rrl.exempt.size(); i++) {
            try {
                parseCidr(rrl.exempt.get(i));
            } catch (IllegalArgumentException ex) {
                p.add("rrl.exempt[" + i + "]", "'rrl.exempt': " + ex.getMessage());
            }
        }
        if (queryLog.sample < 0 || queryLog.sample > 1) {
            p.add("query_log.sample", "'query_log.sample' must be within 0..1");
        }
        if (admin.listen != null && !admin.listen.isBlank()) {
            try {
                parseHostPort(admin.listen, 8053);
            } catch (IllegalArgumentException e) {
                p.add("admin.listen", "'admin.listen': " + e.getMessage());
            }
        }
        if (!List.of("error", "warn", "info", "debug").contains(String.valueOf(log.level))) {
            p.add("log.level", "'log.level' must be error, warn, info or debug, not " + Problem.quote(log.level));
        }
        if (!List.of("text", "json").contains(String.valueOf(log.format))) {
            p.add("log.format", "'log.format' must be text or json, not " + Problem.quote(log.format));
        }
        if (!List.of("auto", "always", "never").contains(admin.metricsAuth)) {
            p.add("admin.metrics_auth", "'admin.metrics_auth' must be auto, always or never, not "
                    + Problem.quote(admin.metricsAuth));
        }
        if (admin.maxConnections < 1) {
            p.add("admin.max_connections", "'admin.max_connections' must be >= 1");
        }
        if (cluster != null) {
            // files (ca, cert, key) are checked when the connection opens, against the configuration's directory
            for (dev.geosteer.cluster.ClusterSettings.Problem c : cluster.problems("cluster", null, System.getenv())) {
                p.add(c.path(), c.toString());
            }
        }
        checkTransfer(p);
    }

    /** tsig_keys and transfer; keys of tsig_key_file are checked when the file is read ({@code xfr.TsigKeys}). */
    private void checkTransfer(Problems p) {
        tsigKeys.forEach((name, k) -> {
            String path = "tsig_keys." + name;
            if (k == null) {
                p.add(path, "'" + path + "' needs an algorithm and a secret");
                return;
            }
            if (!TSIG_ALGORITHMS.contains(String.valueOf(k.algorithm).toLowerCase(java.util.Locale.ROOT))) {
                p.add(path + ".algorithm", "'" + path + ".algorithm' must be one of " + String.join(", ", TSIG_ALGORITHMS)
                        + ", not " + Problem.quote(k.algorithm));
            }
            if (k.secret == null || k.secret.isBlank()) {
                p.add(path + ".secret", "'" + path + ".secret' is required (base64, e.g. from tsig-keygen or keymgr -t)");
            } else {
                try {
                    if (java.util.Base64.getMimeDecoder().decode(k.secret.trim()).length == 0) {
                        p.add(path + ".secret", "'" + path + ".secret' is empty");
                    }
                } catch (IllegalArgumentException e) {
                    p.add(path + ".secret", "'" + path + ".secret' is not base64: " + e.getMessage());
                }
            }
        });
        for (int i = 0; i < transfer.allow.size(); i++) {
            Allow a = transfer.allow.get(i);
            String path = "transfer.allow[" + i + "]";
            if (a == null || (a.network == null && a.key == null)) {
                p.add(path, "'" + path + "' needs a network, a key, or both");
                continue;
            }
            if (a.network != null) {
                try {
                    parseCidr(a.network);
                } catch (IllegalArgumentException e) {
                    p.add(path + ".network", "'" + path + ".network': " + e.getMessage());
                }
            }
            if (a.key != null && tsigKeyFile == null && !tsigKeys.containsKey(a.key)) {
                p.add(path + ".key", "'" + path + ".key': no key " + Problem.quote(a.key) + " in tsig_keys"
                        + (tsigKeys.isEmpty() ? "" : " (" + String.join(", ", tsigKeys.keySet()) + ")"));
            }
        }
        List<String> targets = new ArrayList<>(transfer.notify);
        transfer.alsoNotify.values().forEach(l -> targets.addAll(l == null ? List.of() : l));
        for (int i = 0; i < targets.size(); i++) {
            try {
                parseHostPort(targets.get(i), 53);
            } catch (IllegalArgumentException e) {
                p.add(i < transfer.notify.size() ? "transfer.notify[" + i + "]" : "transfer.also_notify",
                        "'transfer.notify': " + e.getMessage());
            }
        }
        if (transfer.catalog != null) {
            try {
                org.xbill.DNS.Name.fromString(transfer.catalog, org.xbill.DNS.Name.root);
            } catch (org.xbill.DNS.TextParseException e) {
                p.add("transfer.catalog", "'transfer.catalog' is not a domain name: " + e.getMessage());
            }
        }
        if (transfer.maxConcurrent < 1) {
            p.add("transfer.max_concurrent", "'transfer.max_concurrent' must be >= 1");
        }
        if (transfer.perClientPerMinute < 1) {
            p.add("transfer.per_client_per_minute", "'transfer.per_client_per_minute' must be >= 1");
        }
        if (transfer.history < 0 || transfer.history > 1000) {
            p.add("transfer.history", "'transfer.history' must be within 0..1000");
        }
    }

    public dev.geosteer.dns.ResponseRateLimiter.Settings rrlSettings() {
        List<dev.geosteer.dns.ResponseRateLimiter.Exempt> exempt = new ArrayList<>();
        for (String e : rrl.exempt) {
            exempt.add(parseCidr(e));
        }
        return new dev.geosteer.dns.ResponseRateLimiter.Settings(dev.geosteer.dns.ResponseRateLimiter.mode(rrl.mode),
                rrl.responsesPerSecond, rrl.nxdomainsPerSecond, rrl.errorsPerSecond, rrl.slip, rrl.ipv4Prefix,
                rrl.ipv6Prefix, rrl.tableSize, exempt);
    }

    /** A network, or a bare address for that one address. */
    static dev.geosteer.dns.ResponseRateLimiter.Exempt parseCidr(String text) {
        Cidr c = Cidr.parse(text, false);
        return new dev.geosteer.dns.ResponseRateLimiter.Exempt(c.bytes(), c.prefix());
    }

    /**
     * The DNS cookie secrets, or null when cookies are off: the configured secret (GEOSTEER_COOKIE_SECRET
     * wins) and the previous one, or a generated secret replaced every {@code secret_lifetime}.
     */
    public dev.geosteer.dns.ServerCookies serverCookies() {
        if (!cookies.enabled) {
            return null;
        }
        String env = System.getenv("GEOSTEER_COOKIE_SECRET");
        String secret = env != null && !env.isBlank() ? env : cookies.secret;
        if (secret == null || secret.isBlank()) {
            return dev.geosteer.dns.ServerCookies.generated(cookies.secretLifetime);
        }
        byte[] current = parseSecret(secret);
        if (current == null) {
            throw new IllegalArgumentException("GEOSTEER_COOKIE_SECRET must be 32 hexadecimal digits (16 bytes)");
        }
        return dev.geosteer.dns.ServerCookies.configured(current,
                cookies.previousSecret == null || cookies.previousSecret.isBlank() ? null
                        : parseSecret(cookies.previousSecret));
    }

    /** 32 hex digits (an optional 0x prefix, as Knot writes them) to 16 bytes, or null. */
    static byte[] parseSecret(String text) {
        String t = text.trim();
        if (t.startsWith("0x") || t.startsWith("0X")) {
            t = t.substring(2);
        }
        if (!t.matches("[0-9a-fA-F]{32}")) {
            return null;
        }
        return java.util.HexFormat.of().parseHex(t);
    }

    /** The admin token: the GEOSTEER_ADMIN_TOKEN environment variable wins over the file. */
    public String adminToken() {
        String env = System.getenv("GEOSTEER_ADMIN_TOKEN");
        if (env != null && !env.isBlank()) {
            return env;
        }
        return admin.token == null || admin.token.isBlank() ? null : admin.token;
    }

    public ListenOptions listenOptions(List<String> override) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String l : override == null || override.isEmpty() ? listen : override) {
            addresses.add(parseHostPort(l, 5353));
        }
        return new ListenOptions(addresses, limits.udpMaxSize, limits.tcpMaxConnections, limits.tcpMaxPerClient,
                limits.tcpClientIpv4Prefix, limits.tcpClientIpv6Prefix, limits.tcpIdleTimeout, limits.tcpQueryTimeout, limits.tcpMaxMessage, limits.tcpMaxPending,
                limits.threads);
    }

    /** {@code 127.0.0.1:53}, {@code [::1]:53}, {@code ::1} (default port), {@code 0.0.0.0}. Literals only. */
    public static InetSocketAddress parseHostPort(String text, int defaultPort) {
        String s = text.trim();
        String host;
        int port = defaultPort;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("'" + text + "': missing ']'");
            }
            host = s.substring(1, end);
            String rest = s.substring(end + 1);
            if (rest.startsWith(":")) {
                port = parsePort(text, rest.substring(1));
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "': expected [address]:port");
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = parsePort(text, s.substring(s.indexOf(':') + 1));
        } else {
            host = s; // IPv4 without port, or bare IPv6
            int last = s.lastIndexOf(':');
            String tail = s.substring(last + 1);
            if (last > 0 && tail.matches("\\d{1,5}") && isIpv6(s.substring(0, last))) {
                // "::1:53" would be the address 0:0:0:0:0:0:1:53 on the default port: hardly ever what was meant
                throw new IllegalArgumentException("'" + text + "': an IPv6 address with a port needs brackets: write ["
                        + s.substring(0, last) + "]:" + tail + " (or [" + s + "] for that address on port "
                        + defaultPort + ")");
            }
        }
        try {
            return new InetSocketAddress(dev.geosteer.net.Addresses.parse(host), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': the address must be an IP literal");
        }
    }

    private static boolean isIpv6(String text) {
        try {
            return dev.geosteer.net.Addresses.parse(text) instanceof java.net.Inet6Address;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int parsePort(String text, String port) {
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': bad port '" + port + "'");
        }
    }
}
