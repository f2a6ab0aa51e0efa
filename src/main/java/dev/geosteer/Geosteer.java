package dev.geosteer;

import dev.geosteer.admin.AdminServer;
import dev.geosteer.admin.DnsMetrics;
import dev.geosteer.admin.DnssecMetrics;
import dev.geosteer.admin.HealthMetrics;
import dev.geosteer.admin.QueryLog;
import dev.geosteer.cluster.Fleet;
import dev.geosteer.admin.ReloadMetrics;
import dev.geosteer.catalog.LoadResult;
import dev.geosteer.catalog.LocalDirectory;
import dev.geosteer.catalog.ReloadStatus;
import dev.geosteer.catalog.Reloader;
import dev.geosteer.config.ServerConfig;
import dev.geosteer.net.Addresses;
import dev.geosteer.dns.DnsServer;
import dev.geosteer.dns.ResponseRateLimiter;
import dev.geosteer.dns.ListenOptions;
import dev.geosteer.dns.QueryObserver;
import dev.geosteer.dns.Responder;
import dev.geosteer.geo.GeoIndex;
import dev.geosteer.health.AdminStateFile;
import dev.geosteer.health.ApiDrains;
import dev.geosteer.health.DrainStore;
import dev.geosteer.health.HealthState;
import dev.geosteer.health.LocalChecker;
import dev.geosteer.query.ClientAddress;
import dev.geosteer.query.ServedZones;
import dev.geosteer.query.ZoneResolver;
import dev.geosteer.problem.Problem;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The running server: owns Vert.x, the DNS listeners, the health checker, the admin API and the reload
 * thread, and wires the immutable snapshots between them. Start with {@link #start}, stop with
 * {@link #close} (idempotent).
 */
public final class Geosteer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Geosteer.class.getName());

    private final ServerConfig config;
    private final Vertx vertx;
    private final Vertx healthVertx;
    private final Reloader reloader;
    private final HealthState health;
    private final AdminStateFile fileDrains;
    private final PrometheusMeterRegistry registry;
    /** The fleet this server is a member of, or null (no cluster: section). */
    private final Fleet fleet;
    /** With cluster.config: etcd, the configuration source fed from etcd (and its local copy); else null. */
    private dev.geosteer.cluster.EtcdConfigSource fromEtcd;
    private final Instant startedAt = Instant.now();
    private ZoneSigning signing;
    private DnsServer dns;
    private AdminServer admin;
    private QueryLog queryLog;
    private dev.geosteer.xfr.XfrService xfr; // secondaries: null when not configured
    private volatile boolean closed;

    private Geosteer(ServerConfig config, Vertx vertx, Vertx healthVertx, Reloader reloader, HealthState health,
                     AdminStateFile fileDrains, PrometheusMeterRegistry registry, Fleet fleet) {
        this.healthVertx = healthVertx;
        this.fleet = fleet;
        this.config = config;
        this.vertx = vertx;
        this.reloader = reloader;
        this.health = health;
        this.fileDrains = fileDrains;
        this.registry = registry;
    }

    /**
     * Loads the zones, starts the health checks, binds the listeners and the admin API, and starts
     * watching files. Zones that fail to load are logged and left out; a listener that cannot bind
     * fails the start (and everything started is stopped).
     */
    public static Geosteer start(ServerConfig config, Path baseDir, List<String> listenOverride) throws Exception {
        ListenOptions listen = config.listenOptions(listenOverride);
        int threads = config.limits.threads > 0 ? config.limits.threads : Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(threads));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Health checks get their own event loop: thousands of connects per interval must never queue
        // behind, or ahead of, DNS packets on a listener's loop.
        Vertx healthVertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1)
                .setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
        // Health: verdicts from the local checks, drains from admin-state.yaml and from the API.
        HealthMetrics healthMetrics = new HealthMetrics(registry);
        // In a fleet: verdicts by quorum of the vantage points, drains shared through etcd (issue 12).
        Fleet fleet = null;
        if (config.cluster != null) {
            try {
                fleet = Fleet.open(config.cluster, config.health.quorum, baseDir, baseDir.resolve(config.stateDir),
                        version());
            } catch (RuntimeException e) {
                closeQuietly(vertx, healthVertx);
                throw e;
            }
        }
        dev.geosteer.catalog.ConfigSource source = LocalDirectory.of(config, baseDir);
        dev.geosteer.cluster.EtcdConfigSource fromEtcd = null;
        if (fleet != null && config.cluster.configFromEtcd()) {
            // zones and steering files come from etcd; the set last applied is kept under state_dir
            try {
                fromEtcd = dev.geosteer.cluster.EtcdConfigSource.open(baseDir.resolve(config.stateDir)
                        .resolve(dev.geosteer.cluster.EtcdConfigSource.DIR), config.cluster.prefix, source.geoip());
            } catch (java.io.IOException | RuntimeException e) {
                fleet.close();
                closeQuietly(vertx, healthVertx);
                throw e;
            }
            source = fromEtcd;
            LOG.info("cluster: zones and steering files from etcd (cluster.config: etcd): " + fromEtcd.startLine());
        }
        LocalChecker checker = new LocalChecker(healthVertx, Fleet.userAgent(version(), fleet == null ? null : fleet.node()));
        checker.addListener(healthMetrics);
        AdminStateFile fileDrains = new AdminStateFile();
        ApiDrains apiDrains = new ApiDrains(new DrainStore(baseDir.resolve(config.stateDir).resolve(DrainStore.FILE)));
        HealthState health = new HealthState(healthVertx, fleet == null ? checker : fleet.verdicts(checker),
                List.of(fileDrains), apiDrains, fleet == null ? null : fleet.drains(),
                config.health.unknownIsUp, config.health.ttlFloor.toSeconds());
        health.addListener(healthMetrics);
        Reloader reloader = Reloader.of(config, source, health::view);
        Geosteer g = new Geosteer(config, vertx, healthVertx, reloader, health, fileDrains, registry, fleet);
        g.signing = new ZoneSigning(ZoneSigning.keysDir(config, baseDir), config.dnssec,
                new dev.geosteer.dnssec.SignatureStats(), Instant::now,
                dev.geosteer.dnssec.SignedSerials.in(baseDir.resolve(config.stateDir)));
        g.fromEtcd = fromEtcd;
        try {
            g.xfr = dev.geosteer.xfr.XfrService.of(config, baseDir, registry);
            g.startAll(listen, threads);
            return g;
        } catch (Exception e) {
            g.close();
            throw e;
        }
    }

    private void startAll(ListenOptions listen, int threads) throws Exception {
        // Checks start as soon as a configuration loads, not at the first query.
        reloader.onPublish(catalog -> health.sync(catalog.targets()));
        // DNSSEC: the answer path serves what signing publishes; each pass re-signs what is due
        reloader.onPublish(catalog -> signing.update(catalog.zones()));
        reloader.afterEachPass(signing::tick);
        if (xfr != null) {
            signing.onPublish(xfr::published); // the zones as served (signed): transfers, IXFR history, NOTIFY, catalog zone
        }
        reloader.onDrains(fileDrains::replace);
        new ReloadMetrics(registry, reloader);
        DnssecMetrics.register(registry, signing.stats(), signing::cacheSize, signing::nextResign);
        List<Problem> errors = reloader.start().get().errors(); // the first pass: zones load before anything listens
        // signed zones are signed off the reload thread: small ones are ready in a moment, a big one is
        // REFUSED (never served unsigned) until signed, and /readyz says so, rather than holding every zone
        if (!signing.awaitIdle(START_SIGNING_WAIT)) {
            LOG.warning("DNSSEC: signing not finished after " + START_SIGNING_WAIT.toSeconds()
                    + " s; the zones not signed yet are REFUSED until they are: " + signing.unsignedYet());
        }
        if (zones().size() == 0) {
            LOG.warning("no zone loaded from " + reloader.source().describe() + ": every query will be REFUSED"
                    + (reloader.zoneFileCount() == 0 && errors.isEmpty() ? " (no *.zone file in it)" : ""));
        }
        if (fleet != null) {
            health.addListener(new dev.geosteer.admin.ClusterMetrics(registry, fleet));
            if (fromEtcd != null) {
                if (fromEtcd.revision() > 0 && setProblems().isEmpty()) {
                    fleet.serving(fromEtcd.revision(), fromEtcd.fromCache());
                }
                fleet.cluster().addListener(new dev.geosteer.cluster.EtcdCluster.Listener() {
                    @Override
                    public void configChanged(dev.geosteer.cluster.ConfigSet set) {
                        applyFromEtcd(set);
                    }
                });
            }
            fleet.start();
            // drains made through any instance apply before this one answers: wait a little for etcd
            if (!fleet.awaitSynced(Duration.ofSeconds(3))) {
                LOG.warning("cluster: no view of etcd after 3 s; answering from local state meanwhile");
            }
        }

        List<QueryObserver> observers = new ArrayList<>();
        DnsMetrics dnsMetrics = new DnsMetrics(registry);
        dnsMetrics.tcpConnections(() -> dns == null ? 0 : dns.tcpConnections());
        observers.add(dnsMetrics);
        if (config.queryLog.enabled) {
            queryLog = new QueryLog(config.queryLog.output, config.queryLog.sample, registry);
            observers.add(queryLog);
            LOG.info("query log to " + (config.queryLog.output.equals("-") ? "standard output" : config.queryLog.output)
                    + ", sampling " + config.queryLog.sample);
        }
        ZoneResolver resolver = new ZoneResolver(xfr == null ? signing::current : () -> xfr.withCatalog(signing.current()));
        QueryObserver observer = QueryObserver.all(observers);
        ResponseRateLimiter rrl = new ResponseRateLimiter(config.rrlSettings(), observer);
        dev.geosteer.dns.ServerCookies cookies = config.serverCookies();
        Responder responder = new Responder(resolver, listen.udpMaxSize(), observer, rrl,
                new dev.geosteer.dns.CookiePolicy(cookies, config.limits.nocookieUdpSize, rrl::exempt),
                xfr == null ? null : xfr.signatures(), xfr == null ? null : xfr.streams());
        LOG.info("DNS cookies " + (cookies == null ? "off" : "on, " + cookies.describe())
                + "; UDP answers to requests without a valid cookie: at most " + config.limits.nocookieUdpSize + " bytes");
        dns = new DnsServer(vertx, responder, listen);
        // The answer path compiled by the JIT before the first query (issue 15), through a Responder made of
        // the same classes as the real one (so that the JIT's type profiles stay true: with no-op observers
        // it compiled code the first real answers threw away), its metrics in a registry of its own.
        QueryObserver warmObserver = QueryObserver.all(List.of(
                new DnsMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))));
        ResponseRateLimiter warmRrl = new ResponseRateLimiter(config.rrlSettings(), warmObserver);
        dev.geosteer.query.Warmup.run(dns, new Responder(resolver, listen.udpMaxSize(), warmObserver, warmRrl,
                new dev.geosteer.dns.CookiePolicy(cookies, config.limits.nocookieUdpSize, warmRrl::exempt),
                xfr == null ? null : xfr.signatures(), xfr == null ? null : xfr.streams()), signing.current());
        await(dns.start(), START_TIMEOUT);

        if (config.admin.listen != null && !config.admin.listen.isBlank()) {
            admin = new AdminServer(vertx, new Backend(), registry, new AdminServer.Options(config.adminToken(),
                    config.admin.maxConnections, config.admin.metricsAuth));
            await(admin.start(ServerConfig.parseHostPort(config.admin.listen, 8053)), START_TIMEOUT);
        }

        LOG.info("geosteer " + version() + " answering on " + describe(dns.addresses()) + " (UDP and TCP, "
                + threads + " event loops" + (vertx.isNativeTransportEnabled() ? ", epoll" : "") + "), "
                + zones().size() + " zones" + (errors.isEmpty() ? ""
                : ", " + errors.size() + (errors.size() == 1 ? " error: " + errors.get(0)
                : " errors, the first: " + errors.get(0) + " (all are logged above)")));
    }

    /**
     * Reloads every file now (zones, steering, GeoIP, admin-state.yaml), changed or not, on the reload
     * thread, so reloads never overlap; returns at once. The future holds the errors found.
     */
    public Future<List<Problem>> reload() {
        return Future.fromCompletionStage(reloader.reload()).map(LoadResult::errors);
    }

    /**
     * A configuration set from etcd: on the reload thread, made the set of the source (and kept under state_dir),
     * then its changed files loaded at once, in one pass (a file that fails keeps its previous version in
     * service). The revision is reported as served when every file of the set is in service. A failure is the
     * pass's (a set that cannot be written under state_dir is not applied: the previous one stays).
     */
    private void applyFromEtcd(dev.geosteer.cluster.ConfigSet set) {
        List<List<String>> changed = new ArrayList<>(1);
        reloader.applyNow(() -> changed.add(fromEtcd.install(set)))
                .whenComplete((r, failure) -> {
                    if (failure != null) {
                        LOG.severe("cluster: configuration revision " + set.revision() + " not applied, revision "
                                + fromEtcd.revision() + " stays in service: " + failure.getMessage());
                        return;
                    }
                    List<Problem> refused = setProblems();
                    if (refused.isEmpty()) {
                        fleet.serving(set.revision(), false);
                        LOG.info("cluster: configuration revision " + set.revision() + " (generation " + set.generation()
                                + ", published by " + set.by() + ") in service: " + zones().size() + " zones"
                                + (changed.get(0).isEmpty() ? " (the set already served: nothing to load)"
                                : ", changed " + changed.get(0)));
                    } else {
                        LOG.warning("cluster: configuration revision " + set.revision() + " is not served whole: "
                                + refused.size() + " file(s) refused, their previous versions (if any) stay in service: "
                                + refused.stream().map(Problem::toString)
                                .collect(java.util.stream.Collectors.joining("; ")));
                    }
                });
    }

    /** The files of the configuration set not in service as they are now (zone, steering, drains files). */
    private List<Problem> setProblems() {
        return reloader.problems().stream().filter(p -> !"geoip".equals(p.file())).toList();
    }

    /** SIGHUP: the same reload as {@code POST /api/v1/reload}, logged with its outcome. Never blocks. */
    void reloadOnSignal() {
        if (closed) {
            return;
        }
        LOG.info("SIGHUP: reloading zones, steering files, GeoIP databases and drains");
        reload().onComplete(ar -> {
            if (ar.failed()) {
                LOG.severe("reload on SIGHUP failed: " + ar.cause().getMessage());
            } else if (ar.result().isEmpty()) {
                LOG.info("reload on SIGHUP done: " + zones().size() + " zones, no errors");
            } else {
                LOG.warning("reload on SIGHUP found " + ar.result().size() + " error(s), the previous versions "
                        + "stay in service: " + ar.result().stream().map(Problem::toString)
                        .collect(java.util.stream.Collectors.joining("; ")));
            }
        });
    }

    /** What the admin API reads and does. */
    private final class Backend implements AdminServer.Backend {
        @Override
        public String version() {
            return Geosteer.version();
        }

        @Override
        public Instant startedAt() {
            return startedAt;
        }

        @Override
        public List<InetSocketAddress> dnsAddresses() {
            return dns.addresses();
        }

        @Override
        public ServedZones zones() {
            return Geosteer.this.zones();
        }

        @Override
        public GeoIndex geo() {
            return reloader.current().geo();
        }

        @Override
        public HealthState health() {
            return health;
        }

        @Override
        public Future<List<Problem>> reload() {
            return Geosteer.this.reload();
        }

        @Override
        public List<String> lookup(String name, String type, ClientAddress client, boolean tcp) {
            List<String> lines = dev.geosteer.query.Lookup.explain(Geosteer.this::zones, name, type, client, tcp);
            if (fleet == null) {
                return lines;
            }
            List<String> keys = dev.geosteer.query.Lookup.answeredOrigins(zones(), lines);
            if (keys.isEmpty()) {
                return lines;
            }
            List<String> out = new ArrayList<>(lines);
            out.add(";; VANTAGE POINTS (node " + fleet.node() + ", quorum " + fleet.rule() + ")");
            out.addAll(fleet.vantageLines(keys));
            return out;
        }

        @Override
        public Map<String, Object> lastReload() {
            return reloader.status().describe();
        }

        @Override
        public String reloadFailure() {
            return reloader.status().failureReason();
        }

        @Override
        public Duration readyGrace() {
            return config.health.readyGrace;
        }

        @Override
        public Map<String, Object> dnssec() {
            return signing.status();
        }

        @Override
        public Map<String, Object> cluster() {
            return fleet == null ? null : fleet.describe();
        }

        @Override
        public Map<String, Object> clusterSummary() {
            return fleet == null ? null : fleet.summary();
        }
    }

    private static void closeQuietly(Vertx vertx, Vertx healthVertx) {
        vertx.close();
        healthVertx.close();
    }

    /** The fleet, or null when this server runs alone. */
    public Fleet fleet() {
        return fleet;
    }

    private static String describe(List<InetSocketAddress> addresses) {
        StringBuilder b = new StringBuilder();
        for (InetSocketAddress a : addresses) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(Addresses.format(a));
        }
        return b.toString();
    }

    public static String version() {
        String v = Geosteer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Where the DNS listeners are bound (ports resolved). */
    public List<InetSocketAddress> dnsAddresses() {
        return dns.addresses();
    }

    /** The admin API's port, or -1 when it is off. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** TCP connections open right now. */
    public int tcpConnections() {
        return dns.tcpConnections();
    }

    public HealthState health() {
        return health;
    }

    public PrometheusMeterRegistry metrics() {
        return registry;
    }

    /** The last reload pass that changed something or found errors, over zones, steering and admin state. */
    public LoadResult lastReload() {
        return reloader.status().lastResult();
    }

    /** The zones in service. */
    public ServedZones zones() {
        return reloader.current().zones();
    }

    /** What the reload thread found at its last pass. */
    public ReloadStatus reloadStatus() {
        return reloader.status();
    }

    /** Signing (tests reach in to hold a zone's signing). */
    ZoneSigning signing() {
        return signing;
    }

    /** The load pipeline (tests reach in to make a reload pass fail). */
    public Reloader reloader() {
        return reloader;
    }

    public ServerConfig config() {
        return config;
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** How long the start waits for the first signatures before it listens. */
    private static final Duration START_SIGNING_WAIT = Duration.ofSeconds(5);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /** Waits for a Vert.x step of starting or stopping (never called on an event loop). */
    private static <T> T await(Future<T> step, Duration timeout) throws Exception {
        return step.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reloader.close();
        if (fleet != null) {
            fleet.close(); // revokes the lease: the peers stop counting this vantage point at once
        }
        if (signing != null) {
            signing.close();
        }
        health.close();
        if (xfr != null) {
            xfr.close();
        }
        try {
            if (admin != null) {
                await(admin.stop(), STOP_TIMEOUT);
            }
            if (dns != null) {
                await(dns.stop(), STOP_TIMEOUT);
            }
            await(vertx.close(), STOP_TIMEOUT);
            await(healthVertx.close(), STOP_TIMEOUT);
        } catch (Exception e) {
            LOG.warning("unclean shutdown: " + e);
        }
        if (queryLog != null) {
            queryLog.close();
        }
        LOG.info("geosteer stopped");
    }
}
