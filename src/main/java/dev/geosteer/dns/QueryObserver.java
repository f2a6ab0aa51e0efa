package dev.geosteer.dns;

/** Hook for metrics and the query log; called on the event loop, so it must be cheap and non-blocking. */
public interface QueryObserver {
    QueryObserver NONE = new QueryObserver() {
    };

    default void answered(Query query, Response response, boolean tcp, boolean truncated, long nanos) {
    }

    default void dropped(boolean tcp) {
    }
}
