package dev.geosteer.dns;

/**
 * Labels a resolver attaches to an answer it chose among several (for metrics and the query log): in
 * which zone, which {@code balancer} (the chooser), which {@code pool} (what it chose) and by which
 * {@code rule} ({@code first}, {@code failover}, {@code fallback}). Made once at load and shared, never
 * per query. The wire layer carries it and never reads it.
 */
public record AnswerNote(String zone, String balancer, String pool, String rule) {
}
