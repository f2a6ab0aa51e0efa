package dev.geosteer.dns;

import java.net.InetAddress;

/** Hook for metrics and the query log; called on the event loop, so it must be cheap and non-blocking. */
public interface QueryObserver {
    QueryObserver NONE = new QueryObserver() {
    };

    default void answered(Query query, Response response, InetAddress client, boolean tcp, boolean truncated,
                          long nanos) {
    }

    /**
     * A packet dropped unanswered: {@code malformed} (shorter than a header, or a response),
     * {@code send_queue_full} (the socket could not take more: shed rather than queue),
     * {@code invalid_source} (from a multicast, broadcast or unspecified address, or port 0).
     */
    default void dropped(boolean tcp, String reason) {
    }

    /** Response rate limiting acted: {@code dropped}, {@code slipped}, or {@code dry_run_*}. */
    default void rateLimited(String action) {
    }

    /** Observers called in turn. */
    static QueryObserver all(java.util.List<QueryObserver> observers) {
        QueryObserver[] list = observers.toArray(new QueryObserver[0]);
        return new QueryObserver() {
            @Override
            public void answered(Query q, Response r, InetAddress client, boolean tcp, boolean truncated, long nanos) {
                for (QueryObserver o : list) {
                    o.answered(q, r, client, tcp, truncated, nanos);
                }
            }

            @Override
            public void dropped(boolean tcp, String reason) {
                for (QueryObserver o : list) {
                    o.dropped(tcp, reason);
                }
            }

            @Override
            public void rateLimited(String action) {
                for (QueryObserver o : list) {
                    o.rateLimited(action);
                }
            }
        };
    }
}
