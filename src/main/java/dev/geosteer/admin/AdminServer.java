package dev.geosteer.admin;

import dev.geosteer.admin.AdminHttp.Access;
import dev.geosteer.net.Addresses;
import dev.geosteer.geo.GeoIndex;
import dev.geosteer.health.HealthState;
import dev.geosteer.query.ClientAddress;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import dev.geosteer.query.SteeredOrigin;
import dev.geosteer.query.SteeredPool;
import dev.geosteer.problem.Problem;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The admin HTTP API (JSON under {@code /api/v1}) and {@code /metrics} for Prometheus. Reads the same
 * immutable snapshots as the DNS path; writes (reload, drain) go through the owners of that state.
 * Errors are JSON {@code {"error": "..."}} with a meaningful status, never a stack trace.
 */
public final class AdminServer {
    private static final Logger LOG = Logger.getLogger(AdminServer.class.getName());

    /** What the admin API needs from the running server. */
    public interface Backend {
        String version();

        Instant startedAt();

        List<InetSocketAddress> dnsAddresses();

        ServedZones zones();

        GeoIndex geo();

        HealthState health();

        /** Reloads every file now, on the reload thread (so reloads are serialized); the errors found. */
        Future<List<Problem>> reload();

        /** The {@code lookup} explanation, with live health. */
        List<String> lookup(String name, String type, ClientAddress client, boolean tcp);

        /** The last reload pass that changed something or failed (time, errors), and the reload state now. */
        Map<String, Object> lastReload();

        /** Why reloading is broken (passes fail as a whole), or null: the server is then not ready. */
        String reloadFailure();

        Duration readyGrace();

        /** DNSSEC per zone: signed, keys, signatures' validity, next re-sign, steered RRSIG cache (issue 13). */
        default Map<String, Object> dnssec() {
            return Map.of();
        }

        /** Everything of the fleet ({@code GET /api/v1/cluster}), or null when this server runs alone. */
        default Map<String, Object> cluster() {
            return null;
        }

        /** A short summary of the fleet for the status, or null when this server runs alone. */
        default Map<String, Object> clusterSummary() {
            return null;
        }
    }

    /**
     * How the API is exposed: the bearer token (null: reads open, writes refused), connections open at once,
     * and whether {@code /metrics} needs the token ({@code auto}: when listening beyond loopback with a token).
     */
    public record Options(String token, int maxConnections, String metricsAuth) {
    }

    private final Vertx vertx;
    private final Backend backend;
    private final PrometheusMeterRegistry registry;
    private final Options options;
    private HttpServer server;

    public AdminServer(Vertx vertx, Backend backend, PrometheusMeterRegistry registry, Options options) {
        this.vertx = vertx;
        this.backend = backend;
        this.registry = registry;
        this.options = options;
    }

    /** Binds; refuses a non-loopback address without a token (the API can drain every origin). */
    public Future<HttpServer> start(InetSocketAddress address) {
        String token = options.token();
        boolean loopback = address.getAddress().isLoopbackAddress();
        if (token == null && !loopback) {
            return Future.failedFuture(new IllegalArgumentException("the admin API on " + Addresses.format(address)
                    + " is reachable from other hosts: set admin.token (or GEOSTEER_ADMIN_TOKEN), or listen on loopback"));
        }
        if (token == null && "always".equals(options.metricsAuth())) {
            return Future.failedFuture(new IllegalArgumentException("admin.metrics_auth is 'always' but no token is "
                    + "set: set admin.token (or GEOSTEER_ADMIN_TOKEN)"));
        }
        boolean metricsNeedToken = switch (options.metricsAuth()) {
            case "always" -> true;
            case "never" -> false;
            default -> token != null && !loopback;
        };
        Router router = Router.router(vertx);
        AdminHttp http = new AdminHttp(router, token, metricsNeedToken, options.maxConnections());
        http.get("/metrics", Access.METRICS, this::metrics);
        http.get("/api/v1/livez", Access.OPEN, ctx -> json(ctx, 200, new JsonObject().put("status", "ok")));
        http.get("/api/v1/readyz", Access.OPEN, this::ready);
        http.get("/api/v1/status", Access.READ, this::status);
        http.get("/api/v1/pools", Access.READ, this::pools);
        http.get("/api/v1/zones/:zone/balancers", Access.READ, this::balancers);
        http.get("/api/v1/lookup", Access.READ, this::lookup);
        http.get("/api/v1/cluster", Access.READ, this::cluster);
        http.post("/api/v1/reload", Access.WRITE, this::reload);
        http.post("/api/v1/pools/:pool/drain", Access.WRITE, ctx -> drain(ctx, true));
        http.post("/api/v1/pools/:pool/undrain", Access.WRITE, ctx -> drain(ctx, false));
        http.post("/api/v1/pools/:pool/origins/:origin/drain", Access.WRITE, ctx -> drain(ctx, true));
        http.post("/api/v1/pools/:pool/origins/:origin/undrain", Access.WRITE, ctx -> drain(ctx, false));
        http.finish();
        // HTTP/1.1 only: no cleartext HTTP/2 upgrade dance for curl, Prometheus and probes.
        server = vertx.createHttpServer(new HttpServerOptions().setHost(address.getAddress().getHostAddress())
                .setPort(address.getPort()).setIdleTimeout(60).setHttp2ClearTextEnabled(false));
        server.connectionHandler(http::onConnection);
        return server.requestHandler(router).listen()
                .recover(e -> Future.failedFuture(new java.io.IOException("cannot listen on "
                        + Addresses.format(address) + " for the admin API (admin.listen): " + bindReason(e), e)))
                .onSuccess(s -> LOG.info("admin API on http://" + Addresses.format(new InetSocketAddress(
                        address.getAddress(), s.actualPort())) + (token == null ? " (no token: read-only)"
                        : " (bearer token required" + (metricsNeedToken ? ", /metrics too)" : ", /metrics open)"))));
    }

    /** "bind(..) failed with error(-98): Address already in use" → "address already in use". */
    private static String bindReason(Throwable e) {
        String m = String.valueOf(e.getMessage()).replaceFirst("^.*failed with error\\(-?\\d+\\): ", "");
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    // ---- handlers

    private void metrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
    }

    private void ready(RoutingContext ctx) {
        ServedZones zones = backend.zones();
        backend.health().status().onComplete(ar -> {
            long unjudged = ar.succeeded() ? ar.result().stream()
                    .filter(s -> s.monitor() != null && s.state() == dev.geosteer.health.HealthView.State.UNKNOWN)
                    .count() : -1;
            boolean graceOver = Instant.now().isAfter(backend.startedAt().plus(backend.readyGrace()));
            JsonObject body = new JsonObject().put("zones", zones.size()).put("origins_without_verdict", unjudged);
            String reloadFailure = backend.reloadFailure();
            body.put("reload", backend.lastReload().get("state"));
            if (zones.size() == 0) {
                json(ctx, 503, body.put("status", "not ready").put("reason", "no zone loaded"));
            } else if (reloadFailure != null) {
                json(ctx, 503, body.put("status", "not ready").put("reason", reloadFailure));
            } else if (!signingFirst(backend.dnssec()).isEmpty()) {
                json(ctx, 503, body.put("status", "not ready").put("reason", "DNSSEC: first signing under way for "
                        + String.join(", ", signingFirst(backend.dnssec())) + " (REFUSED until signed)"));
            } else if (unjudged > 0 && !graceOver) {
                json(ctx, 503, body.put("status", "not ready").put("reason", unjudged
                        + " origins have no health verdict yet"));
            } else {
                json(ctx, 200, body.put("status", "ready"));
            }
        });
    }

    /**
     * The signed zones not served yet because their first signing is under way, from the dnssec status
     * ({@code /readyz} is 503 while there is one).
     */
    public static List<String> signingFirst(Map<String, Object> dnssec) {
        List<String> out = new ArrayList<>();
        if (dnssec != null && dnssec.get("zones") instanceof Map<?, ?> zones) {
            for (Map.Entry<?, ?> e : zones.entrySet()) {
                if (e.getValue() instanceof Map<?, ?> z && Boolean.FALSE.equals(z.get("served"))
                        && Boolean.TRUE.equals(z.get("signing"))) {
                    out.add(String.valueOf(e.getKey()));
                }
            }
        }
        return out;
    }

    private void status(RoutingContext ctx) {
        JsonArray zones = new JsonArray();
        for (ServedZone z : sorted(backend.zones())) {
            zones.add(new JsonObject()
                    .put("zone", z.zone().originText())
                    .put("serial", z.zone().serial())
                    .put("file", String.valueOf(z.zone().source()))
                    .put("loaded_at", z.zone().loadedAt().toString())
                    .put("records", z.zone().recordCount())
                    .put("names", z.zone().nameCount())
                    .put("balancers", z.steering() == null ? 0 : z.steering().balancerCount()));
        }
        JsonArray dbs = new JsonArray();
        for (GeoIndex.Database db : backend.geo().databases()) {
            dbs.add(new JsonObject().put("file", db.path().toString()).put("type", db.type())
                    .put("ip_version", db.ipVersion()).put("built", db.built().toString())
                    .put("networks", db.networks()));
        }
        JsonArray listen = new JsonArray();
        backend.dnsAddresses().forEach(a -> listen.add(Addresses.format(a)));
        backend.health().status().onComplete(ar -> {
            Map<String, Integer> states = new HashMap<>();
            int drained = 0;
            if (ar.succeeded()) {
                for (HealthState.OriginStatus s : ar.result()) {
                    states.merge(s.state().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
                    drained += s.drained() ? 1 : 0;
                }
            }
            json(ctx, 200, new JsonObject()
                    .put("version", backend.version())
                    .put("started_at", backend.startedAt().toString())
                    .put("uptime_seconds", Duration.between(backend.startedAt(), Instant.now()).toSeconds())
                    .put("listen", listen)
                    .put("zones", zones)
                    .put("geoip", dbs)
                    .put("origins", new JsonObject(new HashMap<>(states)).put("drained", drained))
                    .put("last_reload", new JsonObject(backend.lastReload()))
                    .put("dnssec", JsonObject.mapFrom(backend.dnssec()))
                    .put("cluster", backend.clusterSummary() == null ? null : new JsonObject(backend.clusterSummary())));
        });
    }

    /** The fleet: this node, its connection, the members, every origin's votes and effective verdict, the drains. */
    private void cluster(RoutingContext ctx) {
        Map<String, Object> c = backend.cluster();
        if (c == null) {
            error(ctx, 404, "this server is not in a cluster (no 'cluster:' section in geosteer.yaml)");
            return;
        }
        json(ctx, 200, new JsonObject(c));
    }

    private void pools(RoutingContext ctx) {
        String zoneParam = ctx.request().getParam("zone");
        ServedZone only = zoneParam == null ? null : servedZone(ctx, zoneParam);
        if (zoneParam != null && only == null) {
            return;
        }
        backend.health().status().onComplete(ar -> {
            Map<String, HealthState.OriginStatus> byKey = new HashMap<>();
            if (ar.succeeded()) {
                ar.result().forEach(s -> byKey.put(s.key(), s));
            }
            JsonArray out = new JsonArray();
            for (ServedZone z : sorted(backend.zones())) {
                if (only != null && z.zone() != only.zone()) {
                    continue;
                }
                if (z.steering() != null) {
                    for (SteeredPool p : z.steering().pools()) {
                        out.add(pool(z, p, byKey));
                    }
                }
            }
            json(ctx, 200, new JsonObject().put("pools", out));
        });
    }

    private JsonObject pool(ServedZone z, SteeredPool p, Map<String, HealthState.OriginStatus> byKey) {
        var view = backend.health().view();
        JsonArray origins = new JsonArray();
        String poolKey = z.zone().originText() + "/" + p.name();
        List<dev.geosteer.health.Drain> poolDrains = new ArrayList<>();
        for (SteeredOrigin o : p.origins()) {
            HealthState.OriginStatus s = byKey.get(o.key());
            JsonObject j = new JsonObject().put("name", o.name()).put("address", Addresses.format(o.address()))
                    .put("check_address", Addresses.format(o.checkAddress()))
                    .put("monitor", o.monitor() == null ? null : o.monitor().name())
                    .put("usable", o.usable(view));
            if (s != null) {
                j.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT))
                        .put("since", s.since().toString())
                        .put("drained", s.drained())
                        .put("last_result", s.lastResult())
                        .put("last_latency_ms", s.lastLatencyMillis())
                        .put("last_check", s.lastCheck() == null ? null : s.lastCheck().toString())
                        .put("checks", s.checks())
                        .put("failures", s.failures());
            } else {
                j.put("state", "unknown").put("drained", view.drained(o.key()));
            }
            List<dev.geosteer.health.Drain> by = s == null ? List.of() : s.drains();
            j.put("drained_by", drains(by));
            by.stream().filter(d -> d.selector().equals(poolKey)).forEach(d -> {
                if (!poolDrains.contains(d)) {
                    poolDrains.add(d);
                }
            });
            origins.add(j);
        }
        return new JsonObject().put("zone", z.zone().originText()).put("name", p.name())
                .put("healthy", p.isHealthy(view, false) && p.isHealthy(view, true))
                .put("usable_origins", p.usableCount(view)).put("minimum_origins", p.minimumOrigins())
                .put("ipv4", family(p, view, false)).put("ipv6", family(p, view, true))
                .put("drained_by", drains(poolDrains)).put("origins", origins);
    }

    /** A pool's health for one address family: what A (ipv4) or AAAA (ipv6) queries see. */
    private static JsonObject family(SteeredPool p, dev.geosteer.health.HealthView view, boolean v6) {
        JsonObject j = new JsonObject().put("healthy", p.isHealthy(view, v6)).put("origins", p.originCount(v6))
                .put("usable_origins", p.usableCount(view, v6));
        return p.originCount(v6) > 0 ? j.put("minimum", p.minimumFor(v6))
                : j.put("note", "no origin of this family: judged by all origins, answers NODATA");
    }

    private void balancers(RoutingContext ctx) {
        ServedZone z = servedZone(ctx, ctx.pathParam("zone"));
        if (z == null) {
            return;
        }
        JsonArray list = new JsonArray();
        if (z.steering() != null) {
            z.steering().describe().forEach(m -> list.add(new JsonObject(m)));
        }
        json(ctx, 200, new JsonObject().put("zone", z.zone().originText()).put("balancers", list));
    }

    private void lookup(RoutingContext ctx) {
        String name = ctx.request().getParam("name");
        String type = ctx.request().getParam("type", "A");
        String client = ctx.request().getParam("client", "127.0.0.1");
        if (name == null || name.isBlank()) {
            error(ctx, 400, "the 'name' parameter is required, e.g. /api/v1/lookup?name=www.example.test&type=A"
                    + "&client=175.16.199.0/24");
            return;
        }
        try {
            ClientAddress who = dev.geosteer.query.Lookup.parseClient(client);
            List<String> lines = backend.lookup(name, type, who, "tcp".equals(ctx.request().getParam("transport")));
            json(ctx, 200, new JsonObject().put("lines", new JsonArray(lines)));
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
        }
    }

    private void reload(RoutingContext ctx) {
        backend.reload().onComplete(ar -> {
            if (ar.failed()) {
                error(ctx, 500, "reload failed: " + ar.cause().getMessage());
                return;
            }
            JsonArray errors = new JsonArray();
            ar.result().forEach(e -> errors.add(e.toString()));
            json(ctx, ar.result().isEmpty() ? 200 : 422, new JsonObject()
                    .put("status", ar.result().isEmpty() ? "reloaded" : "errors: the previous versions stay in service")
                    .put("errors", errors).put("zones", backend.zones().size()));
        });
    }

    /**
     * Drain or undrain through the API. Two sources drain: {@code admin-state.yaml} and this API; the API
     * cannot undrain what the file drains (409), nor one origin of a pool it drains (409: undrain the
     * pool). The answer is the state after the call, per origin, with every drain that holds it.
     */
    private void drain(RoutingContext ctx, boolean drain) {
        String pool = ctx.pathParam("pool");
        String origin = ctx.pathParam("origin");
        String zoneParam = ctx.request().getParam("zone");
        List<String> zones = new ArrayList<>();
        for (ServedZone z : sorted(backend.zones())) {
            if (z.steering() != null && z.steering().pools().stream().anyMatch(p -> p.name().equals(pool))
                    && (zoneParam == null || z.zone().originText().equals(zoneName(zoneParam)))) {
                zones.add(z.zone().originText());
            }
        }
        if (zones.isEmpty()) {
            error(ctx, 404, "no pool '" + pool + "'" + (zoneParam == null ? "" : " in zone " + zoneName(zoneParam)));
            return;
        }
        if (zones.size() > 1) {
            error(ctx, 409, "pool '" + pool + "' exists in several zones " + zones + ": add ?zone=<zone>");
            return;
        }
        JsonObject body = ctx.body().length() == 0 || ctx.body().asString().isBlank() ? new JsonObject()
                : ctx.body().asJsonObject(); // checked to be an object by AdminHttp
        String reason;
        String by;
        try {
            reason = text(body, "reason");
            by = text(body, "by");
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        if (by == null) {
            by = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
        }
        String selector = zones.get(0) + "/" + pool + (origin == null ? "" : "/" + origin);
        Future<HealthState.DrainChange> change = drain ? backend.health().drain(selector, reason, by)
                : backend.health().undrain(selector, by);
        change.onComplete(ar -> {
            if (ar.failed()) {
                error(ctx, 500, ar.cause().getMessage());
                return;
            }
            HealthState.DrainChange r = ar.result();
            if (r.status() == 404) {
                error(ctx, 404, "no origin '" + origin + "' in pool '" + pool + "'");
                return;
            }
            JsonArray state = new JsonArray();
            boolean all = true;
            for (HealthState.OriginDrains o : r.origins()) {
                all &= o.drained();
                state.add(new JsonObject().put("origin", o.key().substring(o.key().lastIndexOf('/') + 1))
                        .put("drained", o.drained()).put("drained_by", drains(o.drains())));
            }
            JsonObject out = new JsonObject();
            if (r.status() != 200) {
                out.put("error", r.message()).put("status", r.status());
            }
            out.put("selector", selector).put("action", drain ? "drain" : "undrain").put("drained", all)
                    .put("changed", r.changed()).put("origins", r.origins().size()).put("state", state)
                    .put("persisted", r.persisted());
            json(ctx, r.status(), out);
        });
    }

    /** An optional string field of a request body, of bounded length. */
    private static String text(JsonObject body, String field) {
        Object v = body.getValue(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String t) || t.length() > 500 || t.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("'" + field + "' must be a one-line string of at most 500 characters");
        }
        return t.isBlank() ? null : t.trim();
    }

    private static JsonArray drains(List<dev.geosteer.health.Drain> drains) {
        JsonArray out = new JsonArray();
        for (dev.geosteer.health.Drain d : drains) {
            JsonObject j = new JsonObject().put("source", d.source()).put("selector", d.written());
            if (d.file() != null) {
                j.put("file", d.file());
            }
            if (d.by() != null) {
                j.put("reason", d.reason()).put("by", d.by()).put("at", String.valueOf(d.at()));
            }
            out.add(j);
        }
        return out;
    }

    // ---- helpers

    private static List<ServedZone> sorted(ServedZones zones) {
        List<ServedZone> list = new ArrayList<>(zones.all());
        list.sort(java.util.Comparator.comparing(z -> z.zone().originText()));
        return list;
    }

    /** The served zone named {@code raw} ("geo.test" or "geo.test."), or null after answering 400 or 404. */
    private ServedZone servedZone(RoutingContext ctx, String raw) {
        org.xbill.DNS.Name name;
        try {
            name = org.xbill.DNS.Name.fromString(zoneName(raw));
        } catch (org.xbill.DNS.TextParseException e) {
            error(ctx, 400, "'" + AdminHttp.shorten(raw) + "' is not a domain name: " + e.getMessage());
            return null;
        }
        ServedZone z = backend.zones().get(name);
        if (z == null) {
            error(ctx, 404, "no zone " + AdminHttp.shorten(name.toString()) + " is served");
        }
        return z;
    }

    private static String zoneName(String raw) {
        String z = raw.toLowerCase(java.util.Locale.ROOT);
        return z.endsWith(".") ? z : z + ".";
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        AdminHttp.json(ctx, status, body);
    }

    private static void error(RoutingContext ctx, int status, String message) {
        AdminHttp.error(ctx, status, message);
    }
}
