package dev.geosteer.query;

import dev.geosteer.dns.Query;
import dev.geosteer.dns.RRset;
import dev.geosteer.dns.Response;
import dev.geosteer.zone.Node;
import dev.geosteer.zone.Zone;
import org.xbill.DNS.Name;

import java.util.ArrayList;
import java.util.List;

/**
 * The state of one query between the stages of {@link ZoneResolver}: the question, the client, the
 * zone, the name being answered (it moves along a CNAME/DNAME chain) and the response being built.
 * One instance per resolver thread, reused query after query ({@link #start}/{@link #clear}): it is
 * never shared and never escapes {@link ZoneResolver#resolve}.
 *
 * <p>Every RRset reaches the response through one method per kind, so that DNSSEC adds what goes
 * beside it in one place: {@link #answer} (zone data and synthesized CNAMEs: their RRSIGs),
 * {@link #steered} (A/AAAA chosen per query: signed on use), {@link #authority} (NS of a referral,
 * SOA of a negative answer), {@link #additional}, and {@link #wildcardExpanded} (a wildcard answered:
 * the NSEC proving no closer name). Negative answers are made in {@link NegativeAnswer} only.
 */
final class AnswerContext {
    // the question, fixed for the query
    Query query;
    int qtype;
    boolean tcp;
    ClientAddress client;
    Trace trace = Trace.NONE;

    // set by ZoneSelection
    /**
     * The zone's signatures when the query has DO and the zone is signed, else null: then every RRset
     * goes in with its RRSIGs and negative answers and wildcards with their NSEC proofs ({@link Denial}).
     */
    dev.geosteer.dnssec.SignedZone signed;
    /** NSEC entries (chain indexes) already in the response: a proof goes in once. */
    private int[] proofs = new int[4];
    private int proofCount;
    ServedZone served;
    Zone zone;
    Response response;

    // moves along a chain (Chain)
    /** The name being answered: the question's, then each chain link's target. */
    Name name;
    /** Its wire form, as the owner of synthesized records (wildcard expansions, DNAME's CNAME). */
    byte[] nameWire;
    /** Links followed (CNAME and DNAME), against {@link ZoneResolver#MAX_CHAIN}. */
    int links;
    /** How many times the zone was walked (0: the question's own name). */
    int step;
    /** Wildcard nodes whose CNAME was followed, to stop a loop through expansions. Reused. */
    final List<Node> wildcardsFollowed = new ArrayList<>(2);

    // what the additional stage looks at: answered RRsets with targets, and the referral's cut
    private Node[] targetNodes = new Node[4];
    private RRset[] targetSets = new RRset[4];
    private int targetCount;
    /** The cut of a referral, or null: its NS targets' addresses go in additional, in-domain glue required. */
    Node referralCut;

    void start(Query q, ClientAddress client, boolean tcp, Trace trace) {
        this.query = q;
        this.qtype = q.qtype();
        this.tcp = tcp;
        this.client = client;
        this.trace = trace;
        this.name = q.qname();
        this.nameWire = q.qnameWire();
    }

    /** Forgets the query, so that a reused context holds no snapshot, zone or response alive. */
    void clear() {
        query = null;
        client = null;
        trace = Trace.NONE;
        served = null;
        signed = null;
        proofCount = 0;
        zone = null;
        response = null;
        name = null;
        nameWire = null;
        links = 0;
        step = 0;
        wildcardsFollowed.clear();
        java.util.Arrays.fill(targetNodes, 0, targetCount, null);
        java.util.Arrays.fill(targetSets, 0, targetCount, null);
        targetCount = 0;
        referralCut = null;
    }

    /** An RRset of zone data (or a synthesized CNAME) into the answer; {@code owner} replaces its owner, or null. */
    void answer(RRset set, byte[] owner, long ttl) {
        response.answer(set, owner, ttl, signed == null ? null : signed.rrsig(set)); // null for a synthesized CNAME
    }

    /** A zone RRset of {@code node} answered: into the answer, its MX/SRV/NS targets' addresses into additional. */
    void answer(Node node, RRset set, byte[] owner) {
        answer(set, owner, set.ttl());
        wantTargets(node, set);
    }

    /**
     * An A/AAAA RRset a balancer chose for this query (not zone data); {@code originalTtl} is the
     * balancer's TTL, the original TTL of its RRSIGs (signed on first use, then cached by content).
     */
    void steered(RRset set, byte[] owner, long ttl, long originalTtl) {
        response.answer(set, owner, ttl, signed == null ? null : signed.signSteered(set, originalTtl));
    }

    /** SOA and NS (a cut's NS is not signed: {@code rrsig} finds none), with RRSIGs when signed. */
    void authority(RRset set, long ttl) {
        response.authority(set, ttl, signed == null ? null : signed.rrsig(set));
    }

    /**
     * An address RRset into additional, once; {@code required}: TC when it does not fit (in-domain glue).
     * Authoritative addresses carry their RRSIGs (glue has none), a wildcard's expansion too (under the
     * expanded name, the RRSIG's labels field telling the wildcard), as Knot sends them; like Knot, no
     * NSEC proof of the expansion comes with an additional record (RFC 4035 §3.1.3.3 asks it for answers).
     */
    void additional(RRset set, byte[] owner, boolean required) {
        response.additional(set, owner, required, signed == null ? null : signed.rrsig(set));
    }

    /** A wildcard answers for {@link #name} (its RRsets, CNAME or steering, owned by {@link #nameWire}). */
    void wildcardExpanded(Node wildcard) {
        response.charge(dev.geosteer.dns.Charge.wildcard(wildcard.name()));
        if (signed != null) {
            Denial.wildcard(this); // RFC 4035 §3.1.3.3: no closer name exists
        }
    }

    /** True the first time a proof (an NSEC chain index) is added to this response. */
    boolean proofAdded(int index) {
        for (int i = 0; i < proofCount; i++) {
            if (proofs[i] == index) {
                return false;
            }
        }
        if (proofCount == proofs.length) {
            proofs = java.util.Arrays.copyOf(proofs, proofCount * 2);
        }
        proofs[proofCount++] = index;
        return true;
    }

    private void wantTargets(Node node, RRset set) {
        if (targetCount == targetNodes.length) {
            targetNodes = java.util.Arrays.copyOf(targetNodes, targetCount * 2);
            targetSets = java.util.Arrays.copyOf(targetSets, targetCount * 2);
        }
        targetNodes[targetCount] = node;
        targetSets[targetCount] = set;
        targetCount++;
    }

    int targetCount() {
        return targetCount;
    }

    Node targetNode(int i) {
        return targetNodes[i];
    }

    RRset targetSet(int i) {
        return targetSets[i];
    }
}
