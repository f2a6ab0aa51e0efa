package dev.geosteer.health;

import dev.geosteer.config.OwnKeys;
import dev.geosteer.config.Yaml;
import dev.geosteer.config.YamlProblems;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code http} and {@code https}: the request ({@code path}, {@code method}, {@code host}, {@code headers})
 * and what passes ({@code expect}, {@code expect_body}); https adds {@code tls_verify} and {@code ca_file}.
 * The request is written by hand ({@link HttpProbe}), so nothing written here may carry a CR or LF.
 */
final class HttpMonitor implements MonitorType {
    private static final Pattern STATUS_RANGE = Pattern.compile("(\\d{3})(?:-(\\d{3}))?|([1-5])xx");
    private static final List<String> TLS_KEYS = List.of("tls_verify", "ca_file");

    /** The keys of http and https monitors, as written. */
    public static final class Keys {
        public String path = "/";
        public String method = "GET";
        public String host;
        public Map<String, String> headers = new LinkedHashMap<>();
        public String expect = "200-399";
        public String expectBody;
        public boolean tlsVerify = true;
        public String caFile;
    }

    private final boolean tls;
    private final List<String> keys;

    HttpMonitor(boolean tls) {
        this.tls = tls;
        this.keys = Yaml.keysOf(Keys.class).stream().filter(k -> tls || !TLS_KEYS.contains(k)).toList();
    }

    @Override
    public String name() {
        return tls ? "https" : "http";
    }

    @Override
    public int defaultPort() {
        return tls ? 443 : 80;
    }

    @Override
    public List<String> keys() {
        return keys;
    }

    @Override
    public Probe configure(OwnKeys in) {
        Keys m = in.bind(Keys.class, Keys::new);
        String path = in.path();
        int[] count = {0};
        YamlProblems problems = (at, message) -> {
            count[0]++;
            in.add(at, message);
        };
        if (m.path == null || !m.path.startsWith("/")) {
            problems.add(path + ".path", "the path must start with '/'");
        } else if (!m.path.matches("[!-~]*")) {
            problems.add(path + ".path", "the path must be printable ASCII without spaces (percent-encode the rest)");
        }
        if (m.host != null && !m.host.matches("[!-~]*")) {
            problems.add(path + ".host", "the host must be printable ASCII without spaces");
        }
        if (m.headers != null) {
            // The request is written by hand: a CR or LF here would smuggle a second header or request.
            m.headers.forEach((k, v) -> {
                if (!k.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    problems.add(path + ".headers", "'" + k + "' is not a header name");
                } else if (v == null || !v.matches("[\\t -~\\x80-\\xff]*")) {
                    problems.add(path + ".headers." + k, "a header value must be one line of printable characters");
                }
            });
        }
        String method = m.method == null ? "" : m.method.toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("HEAD")) {
            problems.add(path + ".method", "'" + m.method + "': method must be GET or HEAD");
        }
        List<HttpProbe.StatusRange> expect = statusRanges(path + ".expect", m.expect, problems);
        if (m.caFile != null && !m.caFile.isEmpty()) {
            Path ca;
            try {
                ca = Path.of(m.caFile);
            } catch (java.nio.file.InvalidPathException e) {
                ca = null;
            }
            if (ca == null || !java.nio.file.Files.isReadable(ca)) {
                problems.add(path + ".ca_file", "cannot read CA file '" + m.caFile + "'");
            }
        }
        if (count[0] > 0) {
            return null;
        }
        return new HttpProbe(tls, m.path, method, blankToNull(m.host), Map.copyOf(m.headers), expect,
                blankToNull(m.expectBody), m.tlsVerify, blankToNull(m.caFile));
    }

    static List<HttpProbe.StatusRange> statusRanges(String path, String text, YamlProblems problems) {
        List<HttpProbe.StatusRange> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            problems.add(path, "expect must list status codes, e.g. 200-399 or 2xx");
            return out;
        }
        for (String part : text.split("[,\\s]+")) {
            Matcher m = STATUS_RANGE.matcher(part.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                problems.add(path, "'" + part + "' is not a status code, range (200-399) or class (2xx)");
                continue;
            }
            if (m.group(3) != null) {
                int c = Integer.parseInt(m.group(3));
                out.add(new HttpProbe.StatusRange(c * 100, c * 100 + 99));
            } else {
                int lo = Integer.parseInt(m.group(1));
                int hi = m.group(2) == null ? lo : Integer.parseInt(m.group(2));
                if (lo < 100 || hi > 599 || lo > hi) {
                    problems.add(path, "'" + part + "' is not a range of HTTP status codes");
                }
                out.add(new HttpProbe.StatusRange(lo, hi));
            }
        }
        return List.copyOf(out);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
