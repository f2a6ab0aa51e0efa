package dev.geosteer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The commands' way to a running server: its admin API, with the bearer token when there is one. */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code base} is {@code http://host:port}; {@code token} may be null. */
    AdminClient(String base, String token) {
        this.base = base.replaceAll("/+$", "");
        this.token = token == null || token.isBlank() ? null : token;
    }

    String base() {
        return base;
    }

    /** An answer: its status, and its body as JSON (missing when the body is not JSON). */
    record Reply(int status, JsonNode json, String body) {
        /** The API's one-line error message, else the body. */
        String error() {
            return json.path("error").asText(body.strip());
        }
    }

    /**
     * Sends {@code method path} ({@code path} with its query string, already encoded).
     *
     * @throws IOException when the server cannot be reached; the message names the address
     */
    Reply send(String method, String path, Duration timeout) throws IOException, InterruptedException {
        HttpRequest.Builder req;
        try {
            req = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                    .method(method, HttpRequest.BodyPublishers.noBody());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + base + "' is not a URL like http://127.0.0.1:8053");
        }
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String why = e.getMessage() != null ? e.getMessage()
                    : e instanceof java.net.ConnectException ? "connection refused" : e.getClass().getSimpleName();
            throw new IOException("cannot reach the admin API at " + base + ": " + why
                    + " (is geosteer running, with admin.listen on that address?)", e);
        }
        JsonNode json;
        try {
            json = JSON.readTree(resp.body());
        } catch (IOException e) {
            json = MissingNode.getInstance();
        }
        return new Reply(resp.statusCode(), json == null ? MissingNode.getInstance() : json, resp.body());
    }
}
