package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.health.HealthChecker;
import dev.geosteer.config.ZoneCatalog;
import dev.geosteer.dns.DnsServer;
import dev.geosteer.dns.Limiter;
import dev.geosteer.dns.ListenOptions;
import dev.geosteer.dns.QueryObserver;
import dev.geosteer.dns.Responder;
import dev.geosteer.query.ZoneResolver;
import dev.geosteer.zone.ZoneError;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The running server: owns Vert.x, the DNS listeners and the reload thread, and wires the immutable
 * snapshots between them. Start with {@link #start}, stop with {@link #close} (idempotent).
 */
public final class Geosteer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Geosteer.class.getName());

    private final ServerConfig config;
    private final Vertx vertx;
    private final Catalogs files;
    private final ZoneCatalog catalog;
    private final ScheduledExecutorService reloader;
    private final DnsServer dns;
    private final HealthChecker checker;
    private volatile boolean closed;

    private Geosteer(ServerConfig config, Vertx vertx, Catalogs files, ScheduledExecutorService reloader,
                     DnsServer dns, HealthChecker checker) {
        this.config = config;
        this.vertx = vertx;
        this.files = files;
        this.catalog = files.zones();
        this.reloader = reloader;
        this.dns = dns;
        this.checker = checker;
    }

    public HealthChecker health() {
        return checker;
    }

    /**
     * Loads the zones, binds the listeners and starts watching files. Zones that fail to load are
     * logged and left out; a listener that cannot bind fails the start.
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
        try {
            HealthChecker checker = new HealthChecker(vertx, config.health.unknownIsUp,
                    config.health.ttlFloor.toSeconds());
            Catalogs files = Catalogs.of(config, baseDir, checker::view);
            ZoneCatalog catalog = files.zones();
            // Checks start as soon as a configuration loads, not at the first query.
            catalog.onPublish(zones -> checker.sync(Catalogs.targets(zones)));
            files.onDrains(checker::fileDrains);
            List<ZoneError> errors = reloader.submit(() -> files.refresh().errors()).get();
            if (catalog.current().size() == 0) {
                LOG.warning("no zone loaded from " + catalog.dir() + ": every query will be REFUSED");
            }
            ZoneResolver resolver = new ZoneResolver(catalog::current);
            Responder responder = new Responder(resolver, listen.udpMaxSize(), QueryObserver.NONE);
            DnsServer dns = new DnsServer(vertx, responder, Limiter.NONE, listen);
            dns.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            long every = config.reload.interval.toMillis();
            reloader.scheduleWithFixedDelay(() -> {
                try {
                    files.refresh();
                } catch (RuntimeException e) {
                    LOG.log(java.util.logging.Level.SEVERE, "reload pass failed: " + e, e); // keep the schedule alive
                }
            }, every, every, TimeUnit.MILLISECONDS);
            Geosteer g = new Geosteer(config, vertx, files, reloader, dns, checker);
            LOG.info("geosteer " + version() + " answering on " + describe(dns.addresses()) + " (UDP and TCP, "
                    + threads + " event loops" + (vertx.isNativeTransportEnabled() ? ", epoll" : "") + "), "
                    + catalog.current().size() + " zones" + (errors.isEmpty() ? "" : ", " + errors.size() + " errors"));
            return g;
        } catch (Exception e) {
            reloader.shutdownNow();
            vertx.close();
            throw e;
        }
    }

    private static String describe(List<InetSocketAddress> addresses) {
        StringBuilder b = new StringBuilder();
        for (InetSocketAddress a : addresses) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(dev.geosteer.dns.Addresses.format(a));
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

    /** TCP connections open right now. */
    public int tcpConnections() {
        return dns.tcpConnections();
    }

    /** The last reload pass that changed something or found errors, over zones, steering and admin state. */
    public ZoneCatalog.Result lastReload() {
        return files.lastResult();
    }

    public ZoneCatalog catalog() {
        return catalog;
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
        checker.close();
        try {
            dns.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("unclean shutdown: " + e);
        }
        LOG.info("geosteer stopped");
    }
}
