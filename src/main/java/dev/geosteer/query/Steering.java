package dev.geosteer.query;

import dev.geosteer.dns.AnswerNote;
import dev.geosteer.dns.RRset;
import dev.geosteer.health.CheckTarget;

import java.util.List;
import java.util.Map;

/**
 * The steering of one zone's balancers: answers the A/AAAA questions of the names they own (the answer
 * path), and says what it is made of (the health checker's targets, the admin API's pools and
 * balancers), so that nobody needs to know the class behind it.
 */
public interface Steering {
    /**
     * The answer of balancer {@code index} for this client.
     *
     * @param qtype A or AAAA
     * @param trace where to explain the decision ({@link Trace#NONE} on the answer path)
     */
    Answer answer(int index, int qtype, ClientAddress client, Trace trace);

    /**
     * The TTL configured for balancer {@code index}: the most any of its answers is cached for, and the
     * original TTL of their RRSIGs (the TTL served may be lower, capped by health).
     */
    long configuredTtl(int index);

    /**
     * What a zone transfer carries for balancer {@code index}'s name, A or AAAA ({@code transfer_as}): a
     * fixed answer, since a secondary cannot steer; null for none.
     */
    default RRset transferAnswer(int index, int qtype) {
        return null;
    }

    /** How many balancers the zone has. */
    int balancerCount();

    /** Every pool of the zone, in the order of the steering file. */
    List<? extends SteeredPool> pools();

    /** The health targets of every origin of the zone, for the checker. */
    List<CheckTarget> targets();

    /** The balancers as plain data (names, policies, pools by name), for the admin API. */
    List<Map<String, Object>> describe();

    /**
     * {@code rrset} null means the chosen pool has no address of that family: NODATA. {@code note} says
     * which balancer and pool answered and how (for metrics and the query log); shared, not per query.
     */
    record Answer(RRset rrset, long ttl, int scope, AnswerNote note) {
    }
}
