package dev.geosteer.dns;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link Resolver} answers: rcode, AA, and the sections as RRsets. The wire layer adds the
 * header, the question, EDNS and truncation. Built by one thread for one query.
 */
public final class Response {
    /** One RRset in a section; {@code ownerWire} replaces the RRset's owner (wildcard synthesis). */
    public record Entry(byte[] ownerWire, RRset rrset, long ttl) {
        public byte[] owner() {
            return ownerWire != null ? ownerWire : rrset.ownerWire();
        }
    }

    private int rcode;
    private boolean authoritative;
    private boolean additionalRequired;
    private int ecsScope;
    private String zone;
    private boolean truncated;
    private Object steering;
    private final List<Entry> answer = new ArrayList<>(4);
    private final List<Entry> authority = new ArrayList<>(2);
    private final List<Entry> additional = new ArrayList<>(2);

    public static Response of(int rcode, boolean authoritative) {
        Response r = new Response();
        r.rcode = rcode;
        r.authoritative = authoritative;
        return r;
    }

    public int rcode() { return rcode; }
    public Response rcode(int value) { rcode = value; return this; }
    public boolean authoritative() { return authoritative; }
    public Response authoritative(boolean value) { authoritative = value; return this; }
    /** Referral glue must be complete: if it does not fit, the response is truncated (RFC 9471). */
    public boolean additionalRequired() { return additionalRequired; }
    public Response additionalRequired(boolean value) { additionalRequired = value; return this; }
    /** ECS SCOPE PREFIX-LENGTH to echo: how widely this answer may be cached (RFC 7871 §7.2.1). */
    public int ecsScope() { return ecsScope; }
    public Response ecsScope(int value) { ecsScope = value; return this; }
    /** Sent with TC set and no records (a rate-limited "slip"): the client should retry over TCP. */
    public boolean truncated() { return truncated; }
    public Response truncated(boolean value) { truncated = value; return this; }
    /** The served zone the question fell in (for metrics), or null when none. */
    public String zone() { return zone; }
    public Response zone(String value) { zone = value; return this; }
    /** What steering decided, when a balancer answered (opaque here: the wire layer does not read it). */
    public Object steering() { return steering; }
    public Response steering(Object value) { steering = value; return this; }
    public List<Entry> answer() { return answer; }
    public List<Entry> authority() { return authority; }
    public List<Entry> additional() { return additional; }

    public Response answer(RRset set, byte[] owner, long ttl) {
        answer.add(new Entry(owner, set, ttl));
        return this;
    }

    public Response authority(RRset set, long ttl) {
        authority.add(new Entry(null, set, ttl));
        return this;
    }

    public Response additional(RRset set) {
        for (Entry e : additional) {
            if (e.rrset() == set) {
                return this;
            }
        }
        additional.add(new Entry(null, set, set.ttl()));
        return this;
    }

    public boolean inAnswer(RRset set) {
        for (Entry e : answer) {
            if (e.rrset() == set) {
                return true;
            }
        }
        return false;
    }
}
