package dev.geosteer;

import dev.geosteer.admin.AdminServer;
import dev.geosteer.admin.DnsMetrics;
import dev.geosteer.admin.HealthMetrics;
import dev.geosteer.admin.QueryLog;
import dev.geosteer.cluster.Fleet;
import dev.geosteer.config.ServerConfig;
import dev.geosteer.config.ZoneCatalog;
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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
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
    private final Catalogs files;
    private final ScheduledExecutorService reloader;
    private final HealthState health;
    private final AdminStateFile fileDrains;
    private final PrometheusMeterRegistry registry;
    /** The fleet this server is a member of, or null (no cluster: section). */
    private final Fleet fleet;
    /** With cluster.config: etcd, the directory the set from etcd is written to; else null. */
    private dev.geosteer.cluster.ConfigDirectory fromEtcd;
    private final Instant startedAt = Instant.now();
    private final AtomicReference<Map<String, Object>> lastReload = new AtomicReference<>(Map.of());
    private final AtomicLong lastReloadSuccess = new AtomicLong();
    private final AtomicReference<ReloadStatus> reloadStatus = new AtomicReference<>(ReloadStatus.START);
    private ZoneSigning signing;
    private DnsServer dns;
    private AdminServer admin;
    private QueryLog queryLog;
    private dev.geosteer.xfr.XfrService xfr; // secondaries: null when not configured
    private volatile boolean closed;

    private Geosteer(ServerConfig config, Vertx vertx, Vertx healthVertx, Catalogs files,
                     ScheduledExecutorService reloader, HealthState health, AdminStateFile fileDrains,
                     PrometheusMeterRegistry registry, Fleet fleet) {
        this.healthVertx = healthVertx;
        this.fleet = fleet;
        this.config = config;
        this.vertx = vertx;
        this.files = files;
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
        ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "geosteer-reload");
            t.setDaemon(true);
            return t;
        });
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
                fleet = Fleet.open(config.cluster, config.health.quorum, baseDir, version());
            } catch (RuntimeException e) {
                closeQuietly(vertx, healthVertx, reloader);
                throw e;
            }
        }
        dev.geosteer.cluster.ConfigDirectory fromEtcd = null;
        if (fleet != null && config.cluster.configFromEtcd()) {
            // zones and steering files come from etcd: the catalog reads the set last received
            fromEtcd = new dev.geosteer.cluster.ConfigDirectory(baseDir.resolve(config.stateDir).resolve("etcd-config"));
            config.zonesDir = fromEtcd.dir().toString();
            LOG.info("cluster: zones and steering files from etcd (cluster.config: etcd), kept in " + fromEtcd.dir()
                    + (fromEtcd.revision() == 0 ? " (none received yet)" : " (revision " + fromEtcd.revision() + ")"));
        }
        LocalChecker checker = new LocalChecker(healthVertx, Fleet.userAgent(version(), fleet == null ? null : fleet.node()));
        checker.addListener(healthMetrics);
        AdminStateFile fileDrains = new AdminStateFile();
        ApiDrains apiDrains = new ApiDrains(new DrainStore(baseDir.resolve(config.stateDir).resolve(DrainStore.FILE)));
        HealthState health = new HealthState(healthVertx, fleet == null ? checker : fleet.verdicts(checker),
                List.of(fileDrains), apiDrains, fleet == null ? null : fleet.drains(),
                config.health.unknownIsUp, config.health.ttlFloor.toSeconds());
        health.addListener(healthMetrics);
        Catalogs files = Catalogs.of(config, baseDir, health::view);
        Geosteer g = new Geosteer(config, vertx, healthVertx, files, reloader, health, fileDrains, registry, fleet);
        g.signing = new ZoneSigning(ZoneSigning.keysDir(config, baseDir), config.dnssec,
                new dev.geosteer.dnssec.SignatureStats(), Instant::now);
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
        ZoneCatalog catalog = files.zones();
        // Checks start as soon as a configuration loads, not at the first query.
        catalog.onPublish(zones -> health.sync(Catalogs.targets(zones)));
        catalog.onPublish(signing::update); // DNSSEC: the answer path serves what signing publishes
        if (xfr != null) {
            catalog.onPublish(xfr::published); // transfers, IXFR history, NOTIFY, the catalog zone
        }
        files.onDrains(fileDrains::replace);
        files.onResult(this::recordReload);
        List<Problem> errors = reloader.submit(() -> {
            ZoneCatalog.Result r = files.refresh();
            reloadStatus.set(reloadStatus.get().passed(Instant.now(), files.problems()));
            return r.errors();
        }).get();
        if (catalog.current().size() == 0) {
            LOG.warning("no zone loaded from " + catalog.dir() + ": every query will be REFUSED"
                    + (catalog.fileCount() == 0 && errors.isEmpty() ? " (no *.zone file in it)" : ""));
        }
        registerGauges();
        if (fleet != null) {
            health.addListener(new dev.geosteer.admin.ClusterMetrics(registry, fleet));
            if (fromEtcd != null) {
                if (fromEtcd.revision() > 0) {
                    fleet.serving(fromEtcd.revision());
                }
                fleet.cluster().addListener(new dev.geosteer.cluster.EtcdCluster.Listener() {
                    @Override
                    public void configChanged(dev.geosteer.cluster.ConfigSet set) {
                        try {
                            reloader.execute(() -> applyFromEtcd(set));
                        } catch (java.util.concurrent.RejectedExecutionException e) {
                            // stopping
                        }
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
        observers.add(new DnsMetrics(registry));
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
        dns.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

        if (config.admin.listen != null && !config.admin.listen.isBlank()) {
            admin = new AdminServer(vertx, new Backend(), registry, new AdminServer.Options(config.adminToken(),
                    config.admin.maxConnections, config.admin.metricsAuth));
            admin.start(ServerConfig.parseHostPort(config.admin.listen, 8053)).toCompletionStage()
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }

        long every = config.reload.interval.toMillis();
        reloader.scheduleWithFixedDelay(this::reloadPass, every, every, TimeUnit.MILLISECONDS);
        LOG.info("geosteer " + version() + " answering on " + describe(dns.addresses()) + " (UDP and TCP, "
                + threads + " event loops" + (vertx.isNativeTransportEnabled() ? ", epoll" : "") + "), "
                + catalog.current().size() + " zones" + (errors.isEmpty() ? ""
                : ", " + errors.size() + (errors.size() == 1 ? " error: " + errors.get(0)
                : " errors, the first: " + errors.get(0) + " (all are logged above)")));
    }

    /**
     * One scheduled pass. Nothing may escape it: an exception or error thrown out of a scheduled task
     * cancels every later run, silently, and the files would never be looked at again.
     */
    private void reloadPass() {
        try {
            files.refresh();
            signing.tick();
            reloadStatus.set(reloadStatus.get().passed(Instant.now(), files.problems()));
        } catch (Throwable t) {
            passFailed(t);
        }
    }

    /** A pass that could not finish: logged, counted, and shown by /readyz and /status until one does. */
    private void passFailed(Throwable t) {
        try {
            reloadStatus.set(reloadStatus.get().failed(Instant.now(), t));
            Counter.builder("geosteer_reloads").description("Reload passes that changed something or found errors")
                    .tag("result", "failed").register(registry).increment();
            LOG.log(Level.SEVERE, "reload pass failed, the files will be looked at again in "
                    + config.reload.interval.toMillis() + " ms: " + t, t);
        } catch (Throwable ignored) {
            // even logging failed (out of memory): the next pass tries again
        }
    }

    private void registerGauges() {
        Gauge.builder("geosteer_tcp_connections", this, g -> g.dns == null ? 0 : g.dns.tcpConnections())
                .description("Open DNS TCP connections").register(registry);
        Gauge.builder("geosteer_zones", this, g -> g.files.zones().current().size())
                .description("Zones served").register(registry);
        Gauge.builder("geosteer_last_reload_success_timestamp_seconds", lastReloadSuccess, AtomicLong::get)
                .description("Unix time of the last reload that applied a change without errors").register(registry);
        Gauge.builder("geosteer_reload_errors", reloadStatus, r -> r.get().problems().size())
                .description("Files whose current version was refused (the previous version is served)").register(registry);
        Gauge.builder("geosteer_reload_pass_failing", reloadStatus, r -> r.get().failure() == null ? 0 : 1)
                .description("1 while reload passes fail as a whole (nothing is reloaded)").register(registry);
        dev.geosteer.dnssec.SignatureStats sig = signing.stats();
        io.micrometer.core.instrument.FunctionCounter.builder("geosteer_dnssec_signatures", sig, x -> x.signatures.sum())
                .description("RRSIGs made (at load, and for steered RRsets on first use)").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("geosteer_dnssec_signatures_reused", sig, x -> x.reused.sum())
                .description("RRSIGs kept from a zone's previous version at a reload (RRset unchanged)").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("geosteer_dnssec_steered_cache_lookups", sig,
                x -> x.cacheHits.sum()).tag("result", "hit")
                .description("Steered RRsets answered with DO: RRSIGs found in the cache, or made").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("geosteer_dnssec_steered_cache_lookups", sig,
                x -> x.cacheMisses.sum()).tag("result", "miss")
                .description("Steered RRsets answered with DO: RRSIGs found in the cache, or made").register(registry);
        Gauge.builder("geosteer_dnssec_steered_cache_entries", signing, ZoneSigning::cacheSize)
                .description("Steered RRsets whose RRSIGs are cached, all zones").register(registry);
        Gauge.builder("geosteer_dnssec_next_resign_timestamp_seconds", signing, z -> {
            Instant t = z.nextResign();
            return t == null ? 0 : t.getEpochSecond();
        }).description("Unix time of the next re-sign (half of the validity, or a key's timing), 0 when none").register(registry);
    }

    private void recordReload(ZoneCatalog.Result r) {
        boolean ok = r.errors().isEmpty();
        Counter.builder("geosteer_reloads").description("Reload passes that changed something or found errors")
                .tag("result", ok ? "ok" : "failed").register(registry).increment();
        if (ok) {
            lastReloadSuccess.set(Instant.now().getEpochSecond());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", Instant.now().toString());
        m.put("changed", r.changed());
        m.put("errors", r.errors().stream().map(Problem::toString).toList());
        m.put("warnings", r.warnings().stream().map(Problem::toString).toList());
        lastReload.set(m);
    }

    /**
     * Reloads every file now (zones, steering, GeoIP, admin-state.yaml), changed or not, on the reload
     * thread, so reloads never overlap; returns at once. The future holds the errors found.
     */
    public Future<List<Problem>> reload() {
        Promise<List<Problem>> p = Promise.promise();
        try {
            reloader.execute(() -> {
                try {
                    List<Problem> errors = files.reloadAll().errors();
                    reloadStatus.set(reloadStatus.get().passed(Instant.now(), files.problems()));
                    p.complete(errors);
                } catch (Throwable t) { // an Error too: the caller must get an answer, never wait forever
                    passFailed(t);
                    p.fail(new IllegalStateException(t.getClass().getSimpleName()
                            + (t.getMessage() == null ? "" : ": " + t.getMessage()), t));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            p.fail(new IllegalStateException("the server is stopping"));
        }
        return p.future();
    }

    /**
     * A configuration set from etcd (on the reload thread): written into the directory the catalog reads, then
     * its changed files loaded at once, in one pass (a file that fails keeps its previous version in service). The revision
     * is reported as served when the whole set loaded without errors.
     */
    private void applyFromEtcd(dev.geosteer.cluster.ConfigSet set) {
        try {
            long before = fromEtcd.revision();
            List<String> changed = set.revision() == before ? List.of() : fromEtcd.write(set);
            List<Problem> errors = files.applyNow().errors();
            reloadStatus.set(reloadStatus.get().passed(Instant.now(), files.problems()));
            if (errors.isEmpty()) {
                fleet.serving(set.revision());
                LOG.info("cluster: configuration revision " + set.revision() + " (generation " + set.generation()
                        + ", published by " + set.by() + ") in service: " + files.zones().current().size() + " zones"
                        + (changed.isEmpty() ? "" : ", changed " + changed));
            } else {
                LOG.warning("cluster: configuration revision " + set.revision() + " has " + errors.size()
                        + " error(s); the previous versions of those files stay in service: " + errors.stream()
                        .map(Problem::toString).collect(java.util.stream.Collectors.joining("; ")));
            }
        } catch (Throwable t) {
            passFailed(t);
        }
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
                LOG.info("reload on SIGHUP done: " + files.zones().current().size() + " zones, no errors");
            } else {
                LOG.warning("reload on SIGHUP found " + ar.result().size() + " error(s), the previous versions "
                        + "stay in service: " + ar.result().stream().map(Problem::toString)
                        .collect(java.util.stream.Collectors.joining("; ")));
            }
        });
    }

    /** The last pass that changed something, and the reload state now (for /status). */
    private Map<String, Object> describeReloads() {
        Map<String, Object> m = new LinkedHashMap<>(lastReload.get());
        m.putAll(reloadStatus.get().describe());
        return m;
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
            return files.zones().current();
        }

        @Override
        public GeoIndex geo() {
            return files.geo().current();
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
            List<String> lines = dev.geosteer.query.Lookup.explain(files.zones()::current, name, type, client, tcp);
            if (fleet == null) {
                return lines;
            }
            List<String> keys = dev.geosteer.query.Lookup.answeredOrigins(files.zones().current(), lines);
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
            return describeReloads();
        }

        @Override
        public String reloadFailure() {
            return reloadStatus.get().failureReason();
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

    private static void closeQuietly(Vertx vertx, Vertx healthVertx, ScheduledExecutorService reloader) {
        reloader.shutdownNow();
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
    public ZoneCatalog.Result lastReload() {
        return files.lastResult();
    }

    public ZoneCatalog catalog() {
        return files.zones();
    }

    /** What the reload thread found at its last pass. */
    public ReloadStatus reloadStatus() {
        return reloadStatus.get();
    }

    /** The files the server reads (tests reach in to make a reload pass fail). */
    Catalogs files() {
        return files;
    }

    public ServerConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reloader.shutdownNow();
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
                admin.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            if (dns != null) {
                dns.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            healthVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("unclean shutdown: " + e);
        }
        if (queryLog != null) {
            queryLog.close();
        }
        LOG.info("geosteer stopped");
    }
}
