package dev.geosteer.dnssec;

import dev.geosteer.dns.RRset;
import dev.geosteer.zone.Node;
import dev.geosteer.zone.Zone;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One version of a zone, signed: the RRSIGs of every authoritative static RRset (made at load, in
 * parallel), the DNSKEY RRset (and CDS/CDNSKEY) with theirs, the NSEC chain with an RRSIG per entry
 * (and per bitmap variant of a balancer name), and the cache of the steered RRsets' RRSIGs. All
 * signatures share one {@link SignatureWindow}. Immutable except for the steered cache; read by the
 * answer path from any event loop.
 *
 * <p>Negative answers never sign anything: every NSEC served is in the chain, signed here.
 */
public final class SignedZone {
    /** An RRset with its RRSIGs (the RRSIGs' owner and TTL are the RRset's when written). */
    public record Signed(RRset rrset, RRset rrsig) {
    }

    /**
     * Chains up to this many entries keep each NSEC RRset and its RRSIGs once built (at most a few
     * MB): NXDOMAIN answers then allocate nothing for their proofs. Longer chains build them per
     * answer, so that a flood of random names cannot fill the heap with them.
     */
    static final int NSEC_CACHE_MAX = 1 << 16;

    private final Zone zone;
    private final KeySet.Signing keys;
    private final SignatureWindow window;
    private final SignatureWindow steeredWindow;
    private final java.time.Instant refreshAt;
    private final NsecChain chain;
    private final RRset dnskey;
    private final RRset cds;
    private final RRset cdnskey;
    private final IdentityHashMap<RRset, byte[][]> rrsigs;
    private final byte[][][] nsecSigs;
    private final Map<Long, byte[][]> variantSigs;
    private final SteeredSignatures steered;
    private final SignatureStats stats;
    private final int signaturesMade;
    private final java.util.concurrent.atomic.AtomicReferenceArray<Signed> nsecCache;

    private SignedZone(Zone zone, KeySet.Signing keys, SignatureWindow window, SignatureWindow steeredWindow,
                       java.time.Instant refreshAt, NsecChain chain, RRset dnskey, RRset cds,
                       RRset cdnskey, IdentityHashMap<RRset, byte[][]> rrsigs, byte[][][] nsecSigs,
                       Map<Long, byte[][]> variantSigs, SteeredSignatures steered, SignatureStats stats, int made) {
        this.zone = zone;
        this.keys = keys;
        this.window = window;
        this.steeredWindow = steeredWindow;
        this.refreshAt = refreshAt;
        this.chain = chain;
        this.dnskey = dnskey;
        this.cds = cds;
        this.cdnskey = cdnskey;
        this.rrsigs = rrsigs;
        this.nsecSigs = nsecSigs;
        this.variantSigs = variantSigs;
        this.steered = steered;
        this.stats = stats;
        this.signaturesMade = made;
        this.nsecCache = chain.size() <= NSEC_CACHE_MAX ? new java.util.concurrent.atomic.AtomicReferenceArray<>(chain.size())
                : null;
    }

    /** The version of the zone these signatures are for. */
    public Zone zone() { return zone; }
    public KeySet.Signing keys() { return keys; }
    /** The window of the signatures made for this version (kept ones may be older: see {@link #refreshAt}). */
    public SignatureWindow window() { return window; }
    /**
     * When this version is due to be signed again: when the first of its signatures reaches half its
     * validity (the steered cache's and the balancer variants' included). Signing it then makes new
     * signatures only for the RRsets whose signatures are due within {@link #batchMargin} of that.
     */
    public java.time.Instant refreshAt() { return refreshAt; }
    public NsecChain chain() { return chain; }
    /** The DNSKEY RRset served at the apex. */
    public RRset dnskey() { return dnskey; }
    /** CDS at the apex (RFC 7344), or null when no key is in its sync window. */
    public RRset cds() { return cds; }
    /** CDNSKEY at the apex, or null. */
    public RRset cdnskey() { return cdnskey; }
    /** Signatures made for this version (the others were kept from the previous one). */
    public int signaturesMade() { return signaturesMade; }
    /** RRsets signed, NSEC records included. */
    public int rrsetsSigned() { return rrsigs.size() + chain.size(); }
    public SteeredSignatures steered() { return steered; }

    /** The apex RRset of a type that signing adds (DNSKEY, CDS, CDNSKEY), or null. */
    public RRset apexRRset(int type) {
        return switch (type) {
            case Type.DNSKEY -> dnskey;
            case Type.CDS -> cds;
            case Type.CDNSKEY -> cdnskey;
            default -> null;
        };
    }

    /** The RRSIGs of a static RRset of this zone version (or of DNSKEY, CDS, CDNSKEY), or null. */
    public RRset rrsig(RRset set) {
        byte[][] sigs = rrsigs.get(set);
        return sigs == null ? null : RRset.ofRdata(set.owner(), set.ownerWire(), Type.RRSIG, set.ttl(), sigs);
    }

    /** Entry {@code index} of the NSEC chain with its RRSIGs, with the full bitmap. */
    public Signed nsec(int index) {
        if (nsecCache != null) {
            Signed cached = nsecCache.get(index);
            if (cached == null) {
                cached = buildNsec(index);
                nsecCache.set(index, cached); // two threads may build it: equal values
            }
            return cached;
        }
        return buildNsec(index);
    }

    private Signed buildNsec(int index) {
        Name owner = chain.owner(index);
        byte[] ownerWire = owner.toWire();
        RRset nsec = RRset.ofRdata(owner, ownerWire, Type.NSEC, chain.ttl(), new byte[][] {chain.rdata(index)});
        return new Signed(nsec, RRset.ofRdata(owner, ownerWire, Type.RRSIG, chain.ttl(), sigsOf(nsecSigs, index)));
    }

    /**
     * Entry {@code index} with only the dynamic types of {@code presentMask} in its bitmap (NODATA at a
     * balancer name), with its RRSIGs; the full entry when it has no dynamic types.
     */
    public Signed nsec(int index, int presentMask) {
        byte[][] sigs = variantSigs.get(variantKey(index, presentMask));
        if (sigs == null) {
            return nsec(index);
        }
        Name owner = chain.owner(index);
        byte[] ownerWire = owner.toWire();
        RRset nsec = RRset.ofRdata(owner, ownerWire, Type.NSEC, chain.ttl(),
                new byte[][] {chain.rdata(index, presentMask)});
        return new Signed(nsec, RRset.ofRdata(owner, ownerWire, Type.RRSIG, chain.ttl(), sigs));
    }

    /**
     * The RRSIGs of a steered A/AAAA RRset: from the cache, or made now and cached. {@code originalTtl}
     * is the balancer's TTL (the RRset's own TTL may be lower, capped by health).
     */
    public RRset signSteered(RRset answer, long originalTtl) {
        SteeredSignatures.Key key = SteeredSignatures.Key.of(answer.ownerWire(), answer.type(), originalTtl, answer);
        byte[][] sigs = steered.get(key, () -> {
            byte[][] rdata = new byte[answer.size()][];
            for (int i = 0; i < rdata.length; i++) {
                rdata[i] = answer.rdata(i);
            }
            return signAll(keys.signersFor(answer.type()), answer.owner(), answer.type(), originalTtl, rdata,
                    steeredWindow, stats);
        });
        return RRset.ofRdata(answer.owner(), answer.ownerWire(), Type.RRSIG, originalTtl, sigs);
    }

    private static byte[][] sigsOf(byte[][][] perKey, int index) {
        byte[][] out = new byte[perKey.length][];
        for (int k = 0; k < perKey.length; k++) {
            out[k] = perKey[k][index];
        }
        return out;
    }

    private static long variantKey(int index, int mask) {
        return ((long) index << 16) | mask;
    }

    static byte[][] signAll(List<DnssecKey> signers, Name owner, int type, long ttl, byte[][] rdata,
                            SignatureWindow w, SignatureStats stats) {
        return signAll(signers, owner, type, ttl, rdata, w.inception(), w.expiration(), stats);
    }

    static byte[][] signAll(List<DnssecKey> signers, Name owner, int type, long ttl, byte[][] rdata,
                            long inception, long expiration, SignatureStats stats) {
        byte[][] out = new byte[signers.size()][];
        for (int k = 0; k < out.length; k++) {
            out[k] = Signer.sign(signers.get(k), owner, type, ttl, rdata, inception, expiration);
        }
        stats.signatures.add(out.length);
        return out;
    }

    /** Half the validity of a window's signatures, in seconds. */
    private static long half(SignatureWindow w) {
        return Math.max(1, w.expiration() - w.refreshAt().getEpochSecond());
    }

    /**
     * How much earlier than half its validity a signature may be refreshed, so that the refresh goes in
     * batches (Knot's rrsig-pre-refresh): 1/8 of the half validity (21 h for 14 days).
     */
    public static long batchMargin(SignatureWindow w) {
        return half(w) / 8;
    }

    /**
     * The expiration of a static RRset's signatures: the window's, less a spread of up to a quarter of
     * the validity chosen by owner and type, so that the signatures of a zone signed at once do not all
     * reach their refresh time together: each refresh then re-signs a part of the zone (about a quarter).
     */
    static long expiration(SignatureWindow w, Name owner, int type) {
        long spread = half(w) / 2;
        int h = owner.hashCode() * 31 + type; // Name.hashCode ignores case
        h ^= h >>> 16;
        h *= 0x45d9f3b;
        h ^= h >>> 16;
        return w.expiration() - Math.floorMod(h, spread);
    }

    /** The expiration field of RRSIG rdata (RFC 4034 §3.1: octets 8-11), seconds since 1970. */
    static long expirationOf(byte[] rrsig) {
        return ((rrsig[8] & 0xFFL) << 24) | ((rrsig[9] & 0xFFL) << 16) | ((rrsig[10] & 0xFFL) << 8) | (rrsig[11] & 0xFFL);
    }

    /** Whether signatures can be kept (each expiring no earlier than {@code keepFrom}). */
    private static boolean keep(byte[][] sigs, long keepFrom) {
        if (sigs == null) {
            return false;
        }
        for (byte[] sig : sigs) {
            if (sig == null || expirationOf(sig) < keepFrom) {
                return false;
            }
        }
        return true;
    }

    private static byte[][] rdataOf(RRset set) {
        byte[][] rdata = new byte[set.size()][];
        for (int i = 0; i < rdata.length; i++) {
            rdata[i] = set.rdata(i);
        }
        return rdata;
    }

    /** Whether two RRsets hold the same records with the same TTL (in the same order: as loaded). */
    private static boolean sameContent(RRset a, RRset b) {
        if (a.type() != b.type() || a.ttl() != b.ttl() || a.size() != b.size() || !a.owner().equals(b.owner())) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.rdata(i), b.rdata(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether both sign with the same keys in the same roles (same DNSKEY, CDS and CDNSKEY content). */
    public static boolean sameKeys(KeySet.Signing a, KeySet.Signing b) {
        return tags(a.keySigning()).equals(tags(b.keySigning())) && tags(a.zoneSigning()).equals(tags(b.zoneSigning()))
                && tags(a.published()).equals(tags(b.published())) && tags(a.sync()).equals(tags(b.sync()));
    }

    private static List<String> tags(List<DnssecKey> keys) {
        List<String> out = new ArrayList<>(keys.size());
        for (DnssecKey k : keys) {
            out.add(k.keyTag() + "/" + k.algorithm().number() + "/" + Arrays.hashCode(k.dnskeyRdata()));
        }
        return out;
    }

    /**
     * Signs {@code zone}. When {@code previous} (the zone's last signed version) has the same keys and
     * {@code window}, the RRSIGs of RRsets that did not change are kept and its steered cache goes on;
     * otherwise everything is signed anew. Static RRsets and NSEC entries are signed in parallel on
     * {@code pool}.
     *
     * @param dnskeyTtl    TTL of the DNSKEY, CDS and CDNSKEY RRsets
     * @param cacheEntries bound of the steered RRSIG cache
     */
    public static SignedZone sign(Zone zone, KeySet.Signing keys, SignatureWindow window, long dnskeyTtl,
                                  SignedZone previous, int cacheEntries, SignatureStats stats, ExecutorService pool)
            throws InterruptedException {
        if (!keys.isSigned()) {
            throw new IllegalArgumentException("no active key for " + zone.origin());
        }
        // Signatures of an unchanged RRset are kept while they expire after the next refresh (plus the batch
        // margin): a refresh re-signs only those that need it (incremental), a reload only what changed.
        boolean reuse = previous != null && sameKeys(previous.keys, keys);
        long keepFrom = window.refreshAt().getEpochSecond() + batchMargin(window);
        Name apex = zone.origin();
        byte[] apexWire = zone.apex().name().toWire();
        RRset dnskey = RRset.ofRdata(zone.apex().name(), apexWire, Type.DNSKEY, dnskeyTtl,
                keys.published().stream().map(DnssecKey::dnskeyRdata).toArray(byte[][]::new));
        RRset cds = null;
        RRset cdnskey = null;
        if (!keys.sync().isEmpty()) {
            cds = RRset.ofRdata(zone.apex().name(), apexWire, Type.CDS, dnskeyTtl,
                    Ds.cds(keys.sync(), Ds.SHA256).toArray(byte[][]::new));
            cdnskey = RRset.ofRdata(zone.apex().name(), apexWire, Type.CDNSKEY, dnskeyTtl,
                    Ds.cdnskey(keys.sync()).toArray(byte[][]::new));
        }

        Set<Name> dnameOwners = new HashSet<>();
        for (Node node : zone.nodes()) {
            if (!node.isOccluded() && node.hasType(Type.DNAME)) {
                dnameOwners.add(node.name());
            }
        }
        NsecChain.Builder nsec = NsecChain.builder(apex, zone.negativeTtl());
        List<RRset> toSign = new ArrayList<>();
        for (Node node : zone.nodes()) {
            boolean steeredNode = node.steering() >= 0;
            for (int i = 0; i < node.rrsetCount(); i++) {
                RRset set = node.rrset(i);
                int type = set.type();
                if (type == Type.DNSKEY || type == Type.CDS || type == Type.CDNSKEY || type == Type.RRSIG
                        || type == Type.NSEC) {
                    continue; // made from the keys here; a zone file's own are not served signed
                }
                nsec.add(node.name(), type);
                if (node.isOccluded() || below(node.name(), dnameOwners, apex)) {
                    continue; // glue and occluded data are not signed (RFC 4035 §2.2)
                }
                if (node.isDelegation() && type != Type.DS) {
                    continue; // the parent signs its DS only
                }
                if (steeredNode && (type == Type.A || type == Type.AAAA)) {
                    continue; // the balancer answers these, signed per content
                }
                toSign.add(set);
            }
            if (steeredNode) {
                nsec.addDynamic(node.name(), Type.A, Type.AAAA);
            }
        }
        if (cds != null) {
            nsec.add(apex, Type.CDS).add(apex, Type.CDNSKEY);
        }
        toSign.add(dnskey);
        if (cds != null) {
            toSign.add(cds);
            toSign.add(cdnskey);
        }
        NsecChain chain = nsec.build();

        // What can be kept from the previous version.
        byte[][][] setSigs = new byte[toSign.size()][][];
        int kept = 0;
        if (reuse) {
            for (int i = 0; i < toSign.size(); i++) {
                RRset set = toSign.get(i);
                RRset before = previousOf(previous, set);
                if (before != null && sameContent(before, set)) {
                    byte[][] sigs = previous.rrsigs.get(before);
                    if (keep(sigs, keepFrom)) {
                        setSigs[i] = sigs;
                        kept++;
                    }
                }
            }
        }
        int keyCount = keys.zoneSigning().size();
        byte[][][] nsecSigs = new byte[keyCount][chain.size()][];
        boolean[] nsecDone = new boolean[chain.size()];
        if (reuse) {
            NsecChain pc = previous.chain;
            for (int i = 0; i < chain.size(); i++) {
                int j = pc.matching(chain.owner(i));
                if (j >= 0 && Arrays.equals(pc.rdata(j), chain.rdata(i))
                        && keep(sigsOf(previous.nsecSigs, j), keepFrom)) {
                    for (int k = 0; k < keyCount; k++) {
                        nsecSigs[k][i] = previous.nsecSigs[k][j];
                    }
                    nsecDone[i] = true;
                    kept++;
                }
            }
        }

        int n = toSign.size();
        int total = n + chain.size();
        // Chunks taken in turn by the caller and by helpers of the pool. The caller signs too, so that a
        // zone is signed even while the pool's threads all help another (big) zone; a helper that has not
        // started when the caller runs out of chunks is cancelled, not waited for.
        int chunk = 256;
        int chunks = (total + chunk - 1) / chunk;
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger madeCount = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.BooleanSupplier oneChunk = () -> {
            int c = stop.get() ? chunks : next.getAndIncrement();
            if (c >= chunks) {
                return false;
            }
            int m = 0;
            for (int i = c * chunk, to = Math.min(total, i + chunk); i < to; i++) {
                if (i < n) {
                    if (setSigs[i] == null) {
                        RRset set = toSign.get(i);
                        setSigs[i] = signAll(keys.signersFor(set.type()), set.owner(), set.type(), set.ttl(),
                                rdataOf(set), window.inception(), expiration(window, set.owner(), set.type()), stats);
                        m += setSigs[i].length;
                    }
                } else {
                    int e = i - n;
                    if (!nsecDone[e]) {
                        byte[][] sigs = signAll(keys.zoneSigning(), chain.owner(e), Type.NSEC, chain.ttl(),
                                new byte[][] {chain.rdata(e)}, window.inception(),
                                expiration(window, chain.owner(e), Type.NSEC), stats);
                        for (int k = 0; k < keyCount; k++) {
                            nsecSigs[k][e] = sigs[k];
                        }
                        m += sigs.length;
                    }
                }
            }
            madeCount.addAndGet(m);
            return true;
        };
        int helpers = Math.min(chunks - 1, Runtime.getRuntime().availableProcessors());
        List<Helper> started = new ArrayList<>(Math.max(0, helpers));
        for (int h = 0; h < helpers; h++) {
            Helper helper = new Helper(oneChunk, stop);
            started.add(helper);
            pool.execute(helper);
        }
        try {
            while (oneChunk.getAsBoolean()) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("signing of " + apex + " cancelled");
                }
            }
            for (Helper h : started) {
                h.join();
            }
        } catch (InterruptedException e) {
            stop.set(true);
            throw e;
        } catch (RuntimeException | Error e) {
            stop.set(true);
            throw e;
        }
        int made = madeCount.get();
        stats.reused.add(kept);

        IdentityHashMap<RRset, byte[][]> rrsigs = new IdentityHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            rrsigs.put(toSign.get(i), setSigs[i]);
        }
        // Bitmap variants of balancer names (NODATA for one family): few, signed here.
        Map<Long, byte[][]> variants = new HashMap<>();
        for (Node node : zone.nodes()) {
            if (node.steering() < 0) {
                continue;
            }
            int index = chain.matching(node.name());
            if (index < 0) {
                continue;
            }
            int dynamic = chain.dynamicTypes(index).length;
            for (int mask = 0; mask < (1 << dynamic); mask++) {
                byte[][] sigs = signAll(keys.zoneSigning(), chain.owner(index), Type.NSEC, chain.ttl(),
                        new byte[][] {chain.rdata(index, mask)}, window, stats);
                made += sigs.length;
                variants.put(variantKey(index, mask), sigs);
            }
        }
        // the steered cache goes on while its signatures are not due (they share one window)
        boolean keepSteered = reuse && previous.steeredWindow.expiration() >= keepFrom;
        SteeredSignatures steered = keepSteered ? previous.steered : new SteeredSignatures(cacheEntries, stats);
        SignatureWindow steeredWindow = keepSteered ? previous.steeredWindow : window;
        long earliest = Math.min(window.expiration(), steeredWindow.expiration());
        for (byte[][] sigs : setSigs) {
            for (byte[] sig : sigs) {
                earliest = Math.min(earliest, expirationOf(sig));
            }
        }
        for (byte[][] perKey : nsecSigs) {
            for (byte[] sig : perKey) {
                earliest = Math.min(earliest, expirationOf(sig));
            }
        }
        // due when the first signature reaches half its validity; that refresh takes every signature due
        // within the margin too, so refreshes are at least the margin apart
        java.time.Instant refreshAt = java.time.Instant.ofEpochSecond(earliest - half(window));
        return new SignedZone(zone, keys, window, steeredWindow, refreshAt, chain, dnskey, cds, cdnskey, rrsigs, nsecSigs,
                Map.copyOf(variants), steered, stats, made);
    }

    /**
     * A helper of one signing on the pool: takes chunks until none is left. One that has not started when
     * the signing thread is done is dropped, never waited for (the pool may be busy with another zone).
     */
    private static final class Helper implements Runnable {
        private final java.util.function.BooleanSupplier oneChunk;
        private final java.util.concurrent.atomic.AtomicBoolean stop;
        private final java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        private volatile Throwable failure;

        Helper(java.util.function.BooleanSupplier oneChunk, java.util.concurrent.atomic.AtomicBoolean stop) {
            this.oneChunk = oneChunk;
            this.stop = stop;
        }

        @Override
        public void run() {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            try {
                while (oneChunk.getAsBoolean()) {
                    // the next chunk
                }
            } catch (Throwable t) {
                failure = t;
                stop.set(true);
            } finally {
                done.countDown();
            }
        }

        /** Waits for it if it started (it finishes its chunk); rethrows what it failed with. */
        void join() throws InterruptedException {
            if (claimed.compareAndSet(false, true)) {
                return; // never started: it will not
            }
            done.await();
            Throwable t = failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
        }
    }

    /**
     * The signed static zone as records, in canonical order (what {@code geosteer dnssec dump} prints and
     * {@code dnssec-verify} checks): every RRset of the zone file with its RRSIGs (glue and occluded data
     * unsigned, as served), DNSKEY/CDS/CDNSKEY, and the NSEC chain. A balancer name's A/AAAA are chosen
     * per query, so they are not here, and its NSEC is the variant without them (the one a NODATA for
     * both families would carry); the zone file's own A/AAAA there are never served.
     */
    public List<org.xbill.DNS.Record> records() {
        List<Node> nodes = new ArrayList<>(zone.nodes());
        nodes.sort((a, b) -> a.name().compareTo(b.name()));
        List<org.xbill.DNS.Record> out = new ArrayList<>();
        for (Node node : nodes) {
            List<RRset> sets = new ArrayList<>();
            for (int i = 0; i < node.rrsetCount(); i++) {
                RRset set = node.rrset(i);
                int type = set.type();
                if (type == Type.DNSKEY || type == Type.CDS || type == Type.CDNSKEY || type == Type.RRSIG
                        || type == Type.NSEC || (node.steering() >= 0 && (type == Type.A || type == Type.AAAA))) {
                    continue;
                }
                sets.add(set);
            }
            if (node == zone.apex()) {
                sets.add(dnskey);
                if (cds != null) {
                    sets.add(cds);
                    sets.add(cdnskey);
                }
            }
            for (RRset set : sets) {
                out.addAll(set.toRecords());
                RRset sig = rrsig(set);
                if (sig != null) {
                    out.addAll(sig.toRecords());
                }
            }
            int index = chain.matching(node.name());
            if (index >= 0) {
                Signed nsec = node.steering() >= 0 ? nsec(index, 0) : nsec(index);
                out.addAll(nsec.rrset().toRecords());
                out.addAll(nsec.rrsig().toRecords());
            }
        }
        return out;
    }

    /** The RRset of the previous version at the same owner and type, or null. */
    private static RRset previousOf(SignedZone previous, RRset set) {
        int type = set.type();
        if (type == Type.DNSKEY) {
            return previous.dnskey;
        }
        if (type == Type.CDS || type == Type.CDNSKEY) {
            return previous.apexRRset(type);
        }
        Node node = previous.zone.node(set.owner());
        return node == null ? null : node.get(type);
    }

    /** Whether {@code name} is strictly below one of the DNAME owners (occluded by it). */
    private static boolean below(Name name, Set<Name> dnameOwners, Name apex) {
        if (dnameOwners.isEmpty()) {
            return false;
        }
        for (int strip = 1; name.labels() - strip >= apex.labels(); strip++) {
            if (dnameOwners.contains(new Name(name, strip))) {
                return true;
            }
        }
        return false;
    }
}
