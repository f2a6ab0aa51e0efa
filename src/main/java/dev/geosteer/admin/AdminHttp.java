package dev.geosteer.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The HTTP side of the admin API, apart from what each endpoint does: routes with their methods (404, or 405
 * with {@code Allow}), who may call what (bearer token), request bodies (JSON objects up to {@value #BODY_LIMIT}
 * bytes, read by hand so that no form decoder ever runs), and a cap on open connections. Every refusal is a
 * one-line JSON error; none is logged with a stack trace.
 */
final class AdminHttp {
    private static final Logger LOG = Logger.getLogger(AdminServer.class.getName());
    static final int BODY_LIMIT = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BAD_ESCAPE = Pattern.compile("%(?![0-9a-fA-F]{2})");

    /** Who may call an endpoint. */
    enum Access {
        /** Probes: always open. */
        OPEN,
        /** {@code /metrics}: open unless the metrics need the token. */
        METRICS,
        /** Reads: open without a token, the token when there is one. */
        READ,
        /** Writes: refused without a token, the token when there is one. */
        WRITE
    }

    private record Endpoint(HttpMethod method, Pattern path) {
    }

    private final Router router;
    private final byte[] tokenDigest;
    private final boolean metricsNeedToken;
    private final int maxConnections;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong lastCapWarning = new AtomicLong();

    AdminHttp(Router router, String token, boolean metricsNeedToken, int maxConnections) {
        this.router = router;
        this.tokenDigest = token == null ? null : sha256(token);
        this.metricsNeedToken = metricsNeedToken;
        this.maxConnections = maxConnections;
        router.route().handler(AdminHttp::checkQuery);
    }

    /** A path or query string that does not decode (a lone or bad %-escape) is the client's error, not a 500. */
    private static void checkQuery(RoutingContext ctx) {
        if (BAD_ESCAPE.matcher(ctx.request().path()).find()) {
            error(ctx, 400, "malformed path: bad %-escape");
            return;
        }
        try {
            ctx.request().params();
        } catch (IllegalArgumentException e) {
            error(ctx, 400, "malformed query string: bad %-escape");
            return;
        }
        ctx.next();
    }

    /** A GET endpoint (HEAD too). {@code path} in Vert.x form: {@code /api/v1/zones/:zone/balancers}. */
    void get(String path, Access access, Handler<RoutingContext> handler) {
        add(HttpMethod.GET, path, access, handler);
        add(HttpMethod.HEAD, path, access, handler);
    }

    /** A POST endpoint; its optional body must be a JSON object ({@code ctx.body().asJsonObject()}). */
    void post(String path, Access access, Handler<RoutingContext> handler) {
        add(HttpMethod.POST, path, access, handler);
    }

    private void add(HttpMethod method, String path, Access access, Handler<RoutingContext> handler) {
        endpoints.add(new Endpoint(method, Pattern.compile(path.replaceAll(":[a-z]+", "[^/]+"))));
        var route = router.route(method, path).handler(ctx -> authorize(ctx, access));
        if (method == HttpMethod.POST) {
            route.handler(this::readJsonBody);
        }
        route.handler(handler);
    }

    /** After every endpoint: the answers for what matched none, and for failures. */
    void finish() {
        router.route().handler(this::noEndpoint);
        router.errorHandler(500, ctx -> {
            LOG.warning("admin API: internal error on " + ctx.request().method() + " " + ctx.request().path() + ": "
                    + ctx.failure());
            error(ctx, 500, "internal error");
        });
    }

    /** Closes connections beyond the cap as they arrive: a client holding many cannot lock operators out. */
    void onConnection(HttpConnection conn) {
        int now = open.incrementAndGet();
        conn.closeHandler(v -> open.decrementAndGet());
        if (now > maxConnections) {
            long t = System.nanoTime();
            long last = lastCapWarning.get();
            if ((last == 0 || t - last > 60_000_000_000L) && lastCapWarning.compareAndSet(last, t)) {
                LOG.warning("admin API: " + maxConnections + " connections open, refusing more from "
                        + conn.remoteAddress() + " (admin.max_connections; logged at most once a minute)");
            }
            conn.close();
        }
    }

    // ---- the steps of a request

    private void noEndpoint(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        Set<String> allowed = new LinkedHashSet<>();
        for (Endpoint e : endpoints) {
            if (e.path().matcher(path).matches()) {
                allowed.add(e.method().name());
            }
        }
        if (allowed.isEmpty()) {
            error(ctx, 404, "no such endpoint: " + ctx.request().method() + " " + shorten(ctx.request().path()));
            return;
        }
        ctx.response().putHeader("Allow", String.join(", ", allowed));
        error(ctx, 405, "method " + ctx.request().method() + " not allowed on " + shorten(ctx.request().path())
                + ": use " + String.join(" or ", allowed));
    }

    private void authorize(RoutingContext ctx, Access access) {
        boolean needsToken = switch (access) {
            case OPEN -> false;
            case METRICS -> metricsNeedToken;
            case READ, WRITE -> tokenDigest != null;
        };
        if (access == Access.WRITE && tokenDigest == null) {
            error(ctx, 403, "no admin token is configured: set admin.token or GEOSTEER_ADMIN_TOKEN to use "
                    + "write endpoints");
            return;
        }
        if (needsToken) {
            String refusal = checkToken(ctx.request().getHeader("Authorization"));
            if (refusal != null) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer");
                error(ctx, 401, refusal);
                return;
            }
        }
        ctx.next();
    }

    /** Why {@code header} does not carry the token, or null when it does. The scheme is case-insensitive (RFC 9110). */
    private String checkToken(String header) {
        if (header == null || header.isBlank()) {
            return "missing bearer token: send Authorization: Bearer <token>";
        }
        String h = header.strip();
        int space = h.indexOf(' ');
        if (space < 0 || !h.substring(0, space).equalsIgnoreCase("Bearer")) {
            return "use the Bearer scheme: Authorization: Bearer <token>";
        }
        // Digests are compared, in constant time: neither the content nor the length of the token leaks.
        if (!MessageDigest.isEqual(sha256(h.substring(space + 1).strip()), tokenDigest)) {
            return "wrong bearer token";
        }
        return null;
    }

    private void readJsonBody(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        String declared = req.getHeader("Content-Length");
        if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > BODY_LIMIT) {
            tooLarge(ctx);
            return;
        }
        Buffer body = Buffer.buffer();
        req.handler(chunk -> {
            if (ctx.response().ended()) {
                return;
            }
            if (body.length() + chunk.length() > BODY_LIMIT) {
                tooLarge(ctx);
            } else {
                body.appendBuffer(chunk);
            }
        });
        req.exceptionHandler(e -> {
            if (!ctx.response().ended()) {
                error(ctx, 400, "the request body could not be read");
            }
        });
        req.endHandler(v -> {
            if (ctx.response().ended()) {
                return;
            }
            String refusal = checkObject(body);
            if (refusal != null) {
                error(ctx, 400, refusal);
                return;
            }
            ((RoutingContextInternal) ctx).setBody(body); // ctx.body() works as with Vert.x's BodyHandler
            ctx.next();
        });
        req.resume();
    }

    /** Parses a body that must be empty or a JSON object; why not, or null. */
    private static String checkObject(Buffer body) {
        String example = ", e.g. {\"reason\": \"deploy\"}";
        if (body.length() == 0 || body.toString(StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        JsonNode node;
        try {
            node = JSON.readTree(body.getBytes());
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            return "malformed JSON body" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": " + oneLine(e.getOriginalMessage()) + "; the body must be a JSON object" + example;
        } catch (java.io.IOException e) {
            return "malformed JSON body; the body must be a JSON object" + example;
        }
        if (node == null || !node.isObject()) {
            String kind = node == null || node.isNull() ? "null" : node.isArray() ? "an array"
                    : node.isTextual() ? "a string" : node.isNumber() ? "a number" : node.isBoolean() ? "a boolean" : "not an object";
            return "the body must be a JSON object" + example + ", not " + kind;
        }
        return null;
    }

    private static void tooLarge(RoutingContext ctx) {
        if (ctx.response().ended()) {
            return;
        }
        // Close after answering: the rest of the body is not worth reading.
        ctx.response().putHeader("Connection", "close");
        error(ctx, 413, "request body too large: at most " + BODY_LIMIT / 1024 + " KiB, a JSON object");
    }

    // ---- answers

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(body.encodePrettily() + "\n");
    }

    static void error(RoutingContext ctx, int status, String message) {
        if (!ctx.response().ended()) {
            json(ctx, status, new JsonObject().put("error", message).put("status", status));
        }
    }

    /** User input echoed in an error: bounded. */
    static String shorten(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    /** A parser message on one line, without the parser's source description. */
    private static String oneLine(String message) {
        String m = message == null ? "" : message.lines().findFirst().orElse("");
        m = m.replaceAll("\\s*\\(?(start marker at )?\\[Source:.*$", "");
        return m.strip();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
