package dev.geosteer.dnssec;

import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys of one zone, and which of them do what at a given instant ({@link #at}). Immutable.
 */
public final class KeySet {
    private final Name zone;
    private final List<DnssecKey> keys;

    public KeySet(Name zone, List<DnssecKey> keys) {
        this.zone = zone;
        List<DnssecKey> sorted = new ArrayList<>(keys);
        sorted.sort(Comparator.comparingInt((DnssecKey k) -> k.algorithm().number()).thenComparingInt(DnssecKey::keyTag));
        this.keys = List.copyOf(sorted);
    }

    public Name zone() { return zone; }
    /** Every key of the zone, whatever its state, by algorithm then key tag. */
    public List<DnssecKey> keys() { return keys; }

    /**
     * Which keys do what at one instant:
     * <ul>
     * <li>{@code published}: the DNSKEY RRset;</li>
     * <li>{@code keySigning}: the keys that sign the DNSKEY, CDS and CDNSKEY RRsets: the active SEP
     *     keys (flags 257) of each algorithm, or its active ZSKs when it has no active SEP key;</li>
     * <li>{@code zoneSigning}: the keys that sign every other RRset: the active ZSKs (256) of each
     *     algorithm, or its active SEP keys when it has no active ZSK. So a single SEP key, as
     *     {@code dnssec-keygen -f KSK} makes it, is a combined signing key (CSK) that signs everything,
     *     and so are two of them during a CSK rollover; with a KSK and a ZSK, the KSK signs the
     *     DNSKEY RRset only;</li>
     * <li>{@code sync}: the published SEP keys within their SyncPublish..SyncDelete window, for CDS
     *     and CDNSKEY (RFC 7344).</li>
     * </ul>
     * Problems are what would make validators fail or the zone go unsigned (no active key; an
     * algorithm published with no active key, against RFC 4035 §2.2).
     */
    public record Signing(Instant at, List<DnssecKey> published, List<DnssecKey> keySigning,
                          List<DnssecKey> zoneSigning, List<DnssecKey> sync, List<String> problems) {
        /** Whether the zone is signed: it has at least one active key. */
        public boolean isSigned() {
            return !zoneSigning.isEmpty();
        }

        /** The keys that sign an RRset of this type. */
        public List<DnssecKey> signersFor(int type) {
            return type == Type.DNSKEY || type == Type.CDS || type == Type.CDNSKEY ? keySigning : zoneSigning;
        }

        /** CSK, KSK or ZSK: the role this key plays now ("-" when it does not sign). */
        public String role(DnssecKey key) {
            boolean keys = keySigning.contains(key);
            boolean zone = zoneSigning.contains(key);
            return keys && zone ? "CSK" : keys ? "KSK" : zone ? "ZSK" : "-";
        }
    }

    public Signing at(Instant now) {
        List<DnssecKey> published = new ArrayList<>();
        List<DnssecKey> keySigning = new ArrayList<>();
        List<DnssecKey> zoneSigning = new ArrayList<>();
        List<DnssecKey> sync = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<Algorithm> publishedAlgorithms = new TreeSet<>();
        for (Algorithm algorithm : Algorithm.values()) {
            List<DnssecKey> activeSep = new ArrayList<>();
            List<DnssecKey> activeZsk = new ArrayList<>();
            for (DnssecKey k : keys) {
                if (k.algorithm() != algorithm) {
                    continue;
                }
                if (k.isPublished(now)) {
                    published.add(k);
                    publishedAlgorithms.add(algorithm);
                    if (k.isSep() && k.timing().isSyncPublished(now)) {
                        sync.add(k);
                    }
                }
                if (k.isActive(now)) {
                    (k.isSep() ? activeSep : activeZsk).add(k);
                }
            }
            keySigning.addAll(activeSep.isEmpty() ? activeZsk : activeSep);
            zoneSigning.addAll(activeZsk.isEmpty() ? activeSep : activeZsk);
            if (publishedAlgorithms.contains(algorithm) && activeSep.isEmpty() && activeZsk.isEmpty()) {
                problems.add("algorithm " + algorithm.number() + " (" + algorithm.name() + ") has keys in the DNSKEY"
                        + " RRset but none active: every RRset must be signed with each algorithm published"
                        + " (RFC 4035 §2.2)");
            }
        }
        if (!keys.isEmpty() && zoneSigning.isEmpty()) {
            problems.add("no active key at " + now + " (" + keys.size() + " key(s): "
                    + keys.stream().map(k -> k.keyTag() + " " + k.timing().state(now).label()).toList() + ")");
        }
        return new Signing(now, List.copyOf(published), List.copyOf(keySigning), List.copyOf(zoneSigning),
                List.copyOf(sync), List.copyOf(problems));
    }

    /** The first instant after {@code now} at which {@link #at} may give another answer, or null. */
    public Instant nextChange(Instant now) {
        Instant next = null;
        for (DnssecKey k : keys) {
            Instant t = k.timing().nextChange(now);
            if (t != null && (next == null || t.isBefore(next))) {
                next = t;
            }
        }
        return next;
    }
}
