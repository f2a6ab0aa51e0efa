package dev.geosteer.health;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A checked monitor definition. Two origins with equal specs and addresses are the same check, which is
 * how health state survives a reload of an unchanged origin; with {@link #sameProbe} specs that differ
 * only in timing or thresholds, the check goes on with the new timing and keeps its verdict.
 */
public record MonitorSpec(String name, String type, int port, String path, String method, String host,
                          Map<String, String> headers, List<int[]> expect, String expectBody, Duration interval,
                          Duration timeout, int rise, int fall, boolean tlsVerify, String caFile) {

    public boolean accepts(int status) {
        for (int[] range : expect) {
            if (status >= range[0] && status <= range[1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MonitorSpec m)) {
            return false;
        }
        if (m.expect.size() != expect.size()) {
            return false;
        }
        for (int i = 0; i < expect.size(); i++) {
            if (!java.util.Arrays.equals(m.expect.get(i), expect.get(i))) {
                return false;
            }
        }
        return name.equals(m.name) && type.equals(m.type) && port == m.port && path.equals(m.path)
                && method.equals(m.method) && java.util.Objects.equals(host, m.host) && headers.equals(m.headers)
                && java.util.Objects.equals(expectBody, m.expectBody) && interval.equals(m.interval)
                && timeout.equals(m.timeout) && rise == m.rise && fall == m.fall && tlsVerify == m.tlsVerify
                && java.util.Objects.equals(caFile, m.caFile);
    }

    /**
     * Does {@code m} probe the same thing in the same way (type, port, request, what passes, TLS), so
     * that a verdict of one is a verdict of the other? Only timing (interval, timeout), thresholds
     * (rise, fall) and the name may differ: an origin keeps its verdict when only those change.
     */
    public boolean sameProbe(MonitorSpec m) {
        if (m == null || m.expect.size() != expect.size()) {
            return false;
        }
        for (int i = 0; i < expect.size(); i++) {
            if (!java.util.Arrays.equals(m.expect.get(i), expect.get(i))) {
                return false;
            }
        }
        return type.equals(m.type) && port == m.port && path.equals(m.path) && method.equals(m.method)
                && java.util.Objects.equals(host, m.host) && headers.equals(m.headers)
                && java.util.Objects.equals(expectBody, m.expectBody) && tlsVerify == m.tlsVerify
                && java.util.Objects.equals(caFile, m.caFile);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, type, port, path, host, interval, timeout, rise, fall);
    }
}
