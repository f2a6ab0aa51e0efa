package dev.geosteer.query;

import dev.geosteer.dns.RRset;

/** Answers the A/AAAA questions of the names that a zone's balancers own. */
public interface Steering {
    /**
     * The answer of balancer {@code index} for this client.
     *
     * @param qtype A or AAAA
     * @param trace where to explain the decision, or null on the answer path
     */
    Answer answer(int index, int qtype, ClientAddress client, Trace trace);

    /**
     * {@code rrset} null means the chosen pool has no address of that family: NODATA. {@code note} says
     * which balancer and pool answered and how (for metrics and the query log); shared, not per query.
     */
    record Answer(RRset rrset, long ttl, int scope, Note note) {
    }

    /**
     * How a steered answer was chosen. {@code rule}: {@code first} (the first pool of the client's
     * order), {@code failover} (a later pool, earlier ones unhealthy), {@code fallback} (no healthy pool).
     */
    record Note(String zone, String balancer, String pool, String rule) {
    }
}
