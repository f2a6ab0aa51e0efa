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

    /** {@code rrset} null means the chosen pool has no address of that family: NODATA. */
    record Answer(RRset rrset, long ttl, int scope) {
    }
}
