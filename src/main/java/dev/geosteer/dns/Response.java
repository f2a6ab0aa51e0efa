package dev.geosteer.dns;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link Resolver} answers: rcode, AA, and the sections as RRsets. The wire layer adds the
 * header, the question, EDNS and truncation. Built by one thread for one query.
 */
public final class Response {
    /**
     * One RRset in a section; {@code ownerWire} replaces the RRset's owner (wildcard synthesis).
     * {@code required}: an additional RRset that must fit, or the response is truncated (referral glue).
     * {@code rrsig}: its RRSIG records (DNSSEC, when the query has DO), written right after it with the
     * same owner and TTL, and left out with it: never an RRset without its signature.
     */
    public record Entry(byte[] ownerWire, RRset rrset, long ttl, boolean required, RRset rrsig) {
        public Entry(byte[] ownerWire, RRset rrset, long ttl, boolean required) {
            this(ownerWire, rrset, ttl, required, null);
        }

        /** This entry with its RRSIGs. */
        public Entry signed(RRset signatures) {
            return new Entry(ownerWire, rrset, ttl, required, signatures);
        }

        /** Records it writes: the RRset's and its RRSIGs'. */
        public int records() {
            return rrset.size() + (rrsig == null ? 0 : rrsig.size());
        }

        public byte[] owner() {
            return ownerWire != null ? ownerWire : rrset.ownerWire();
        }
    }

    private int rcode;
    private boolean authoritative;
    private int extendedError = -1;
    private int ecsScope;
    private String zone;
    private boolean truncated;
    private Charge charge;
    private AnswerNote note;
    // Each section's list is made at its first RRset: most answers fill one section or two, and three
    // lists made up front were ~130 B of the ~330 B a static answer allocated (bench/answer-cost.sh).
    private List<Entry> answer = List.of();
    private List<Entry> authority = List.of();
    private List<Entry> additional = List.of();

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
    /** RFC 8914 Extended DNS Error INFO-CODE sent in the OPT record (when the query has EDNS), or -1. */
    public int extendedError() { return extendedError; }
    public Response extendedError(int infoCode) { extendedError = infoCode; return this; }
    /**
     * ECS SCOPE PREFIX-LENGTH: how widely this answer may be cached (RFC 7871 §7.2.1), in the family the
     * client was located in (IPv4 for an IPv4-mapped subnet: the writer answers it in IPv6 space).
     */
    public int ecsScope() { return ecsScope; }
    public Response ecsScope(int value) { ecsScope = value; return this; }
    /** Sent with TC set and no records (a rate-limited "slip"): the client should retry over TCP. */
    public boolean truncated() { return truncated; }
    public Response truncated(boolean value) { truncated = value; return this; }
    /** The served zone the question fell in (for metrics), or null when none. */
    public String zone() { return zone; }
    public Response zone(String value) { zone = value; return this; }
    /** The name rate limiting charges this response to, or null for the question's (or the zone's). */
    public Charge charge() { return charge; }
    /** Sets the charge unless one is set: along a CNAME/DNAME chain, the first synthesis is the one to key. */
    public Response charge(Charge value) {
        if (charge == null) {
            charge = value;
        }
        return this;
    }
    /** How the answer was chosen, when a balancer answered, or null (the wire layer does not read it). */
    public AnswerNote note() { return note; }
    public Response note(AnswerNote value) { note = value; return this; }
    /** The answer section's RRsets (read only: RRsets go in through {@link #answer(RRset, byte[], long)}). */
    public List<Entry> answer() { return answer; }
    public List<Entry> authority() { return authority; }
    public List<Entry> additional() { return additional; }

    public Response answer(RRset set, byte[] owner, long ttl) {
        return answer(set, owner, ttl, null);
    }

    /** An answer RRset with its RRSIGs ({@code rrsig} null: none). */
    public Response answer(RRset set, byte[] owner, long ttl, RRset rrsig) {
        if (answer.isEmpty()) {
            answer = new ArrayList<>(2);
        }
        answer.add(new Entry(owner, set, ttl, false, rrsig));
        return this;
    }

    public Response authority(RRset set, long ttl) {
        return authority(set, ttl, null);
    }

    /** An authority RRset with its RRSIGs ({@code rrsig} null: none). */
    public Response authority(RRset set, long ttl, RRset rrsig) {
        if (authority.isEmpty()) {
            authority = new ArrayList<>(2);
        }
        authority.add(new Entry(null, set, ttl, false, rrsig));
        return this;
    }

    /**
     * Adds an additional-section RRset once. {@code owner} replaces its owner (an address found through a
     * wildcard is owned by the name looked up); {@code required}: see {@link Entry}.
     */
    public Response additional(RRset set, byte[] owner, boolean required) {
        return additional(set, owner, required, null);
    }

    /** {@link #additional(RRset, byte[], boolean)} with the RRset's RRSIGs ({@code rrsig} null: none). */
    public Response additional(RRset set, byte[] owner, boolean required, RRset rrsig) {
        for (Entry e : additional) {
            if (e.rrset() == set && java.util.Arrays.equals(e.ownerWire(), owner)) {
                return this;
            }
        }
        if (additional.isEmpty()) {
            additional = new ArrayList<>(2);
        }
        additional.add(new Entry(owner, set, set.ttl(), required, rrsig));
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
