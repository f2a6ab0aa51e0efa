package dev.geosteer.health;

/** The outcome of one check: ok, or the reason it failed ({@code HTTP 503}, {@code connect refused}, ...). */
public record CheckResult(boolean ok, String detail, long latencyNanos) {
    public static CheckResult ok(String detail, long latencyNanos) {
        return new CheckResult(true, detail, latencyNanos);
    }

    public static CheckResult failed(String reason, long latencyNanos) {
        return new CheckResult(false, reason, latencyNanos);
    }
}
