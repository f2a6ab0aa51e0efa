package dev.geosteer.dnssec;

import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The NSEC chain of a zone (RFC 4034 §4, RFC 4035 §2.3), built once at load from the zone's names
 * and types, so that every negative answer is served from precomputed, presigned records and an
 * NXDOMAIN flood never becomes a signing flood. Immutable, shared between threads.
 *
 * <p>Which names have an NSEC: every authoritative name with data, every delegation point (its
 * bitmap lists NS and DS only, the types the parent has), never a name below a zone cut or below a
 * DNAME (glue and occluded data), never an empty non-terminal (RFC 4035 §2.3). Entries are in
 * canonical order (RFC 4034 §6.1); each one's bitmap adds RRSIG and NSEC, and DNSKEY at the apex.
 *
 * <p>Entries are addressed by index: {@link #matching} and {@link #covering} are binary searches
 * (O(log n)) over the owners' {@linkplain #canonicalKey canonical keys}, byte strings whose unsigned
 * order is the canonical order, packed in one array; a lookup allocates only the key of the name
 * looked up (or nothing, given the key), and the answer path can keep per-entry data (the RRSIGs) in
 * arrays of the same index.
 *
 * <p><b>Bitmap variants.</b> A balancer name answers A or AAAA depending on health and the client:
 * its {@linkplain Builder#addDynamic dynamic types}. Its NSEC, as served by default ({@link #rdata(int)}
 * and in covering proofs), lists every type it may answer, so that a resolver using the NSEC
 * aggressively (RFC 8198) never concludes that an address it may be given does not exist. A NODATA
 * answer at the balancer (say AAAA, for a pool without IPv6) needs a bitmap without that type:
 * {@link #rdata(int, int)} gives, and caches, the variant for the types present in that answer.
 */
public final class NsecChain {
    private static final int[] NO_TYPES = {};

    private final Name apex;
    private final long ttl;
    private final Name[] owners;
    private final byte[] keys;
    private final int[] keyStart;
    /** The first 8 octets of each key after the apex's: most search steps read only this (one cache line). */
    private final long[] head;
    private final int[] typeSetOf;
    private final int[][] typeSets;
    private final byte[][] bitmaps;
    private final int[] dynamicEntries;
    private final int[][] dynamicTypes;
    private final List<AtomicReferenceArray<byte[]>> variantCache;

    private NsecChain(Name apex, long ttl, Name[] owners, byte[] keys, int[] keyStart, int[] typeSetOf,
                      int[][] typeSets, int[] dynamicEntries, int[][] dynamicTypes) {
        this.apex = apex;
        this.ttl = ttl;
        this.owners = owners;
        this.keys = keys;
        this.keyStart = keyStart;
        this.head = new long[owners.length];
        for (int i = 0; i < owners.length; i++) {
            head[i] = head(keys, keyStart[i], keyStart[i + 1], keyStart[1]);
        }
        this.typeSetOf = typeSetOf;
        this.typeSets = typeSets;
        this.bitmaps = new byte[typeSets.length][];
        for (int i = 0; i < typeSets.length; i++) {
            bitmaps[i] = bitmap(typeSets[i]);
        }
        this.dynamicEntries = dynamicEntries;
        this.dynamicTypes = dynamicTypes;
        List<AtomicReferenceArray<byte[]>> caches = new ArrayList<>();
        for (int[] dynamic : dynamicTypes) {
            caches.add(new AtomicReferenceArray<>(1 << dynamic.length));
        }
        this.variantCache = List.copyOf(caches);
    }

    public static Builder builder(Name apex, long ttl) {
        return new Builder(apex, ttl);
    }

    public Name apex() { return apex; }
    /** The TTL of every NSEC record: min(SOA TTL, SOA MINIMUM) (RFC 4034 §4, RFC 9077). */
    public long ttl() { return ttl; }
    public int size() { return owners.length; }
    public Name owner(int index) { return owners[index]; }
    /** The next owner in canonical order; the last entry's next is the apex. */
    public Name next(int index) { return owners[index + 1 == owners.length ? 0 : index + 1]; }

    /** The types in the entry's bitmap (dynamic ones included), ascending. */
    public int[] types(int index) { return typeSets[typeSetOf[index]].clone(); }

    public boolean hasType(int index, int type) {
        return Arrays.binarySearch(typeSets[typeSetOf[index]], type) >= 0;
    }

    /** The entry's NSEC rdata: next owner (uncompressed), then the full type bitmap. */
    public byte[] rdata(int index) {
        return rdata(next(index), bitmaps[typeSetOf[index]]);
    }

    /** The index of the entry owned by {@code name}, or -1 (no such name, or it has no NSEC). */
    public int matching(Name name) {
        return matching(canonicalKey(name));
    }

    /** {@link #matching(Name)} for a name given by its {@link #canonicalKey}: no allocation. */
    public int matching(byte[] key) {
        int i = search(key);
        return i >= 0 ? i : -1;
    }

    /**
     * The index of the NSEC that covers {@code name}: the one whose owner is the canonical predecessor
     * of the name, proving that nothing exists between it and its next owner. -1 when the name has an
     * NSEC of its own or is not in the zone. An empty non-terminal is covered by its predecessor (its
     * descendants come after it), which is the proof of NODATA at it (RFC 4035 §3.1.3.2).
     */
    public int covering(Name name) {
        return covering(canonicalKey(name));
    }

    /** {@link #covering(Name)} for a name given by its {@link #canonicalKey}: no allocation. */
    public int covering(byte[] key) {
        int apexLength = keyStart[1];
        if (key.length < apexLength || Arrays.compareUnsigned(keys, 0, apexLength, key, 0, apexLength) != 0) {
            return -1; // not at or below the apex
        }
        int i = search(key);
        return i >= 0 ? -1 : -i - 2; // insertion point - 1: never -1, the apex comes first
    }

    /**
     * The NSEC covering {@code *.<encloser>}, the proof that no wildcard answers below the closest
     * encloser (RFC 4035 §3.1.3.2), or -1 when that wildcard exists (it answers).
     */
    public int coveringWildcard(Name closestEncloser) {
        return covering(wildcardKey(canonicalKey(closestEncloser)));
    }

    /** The canonical key of {@code *.<name>}, from the key of the name. */
    public static byte[] wildcardKey(byte[] key) {
        byte[] out = Arrays.copyOf(key, key.length + 2);
        out[key.length] = '*'; // labels are appended: keys run from the root down
        return out;
    }

    private int search(byte[] key) {
        long h = head(key, 0, key.length, keyStart[1]);
        int lo = 0;
        int hi = owners.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compareUnsigned(head[mid], h);
            if (c == 0) {
                c = Arrays.compareUnsigned(keys, keyStart[mid], keyStart[mid + 1], key, 0, key.length);
            }
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /**
     * Octets {@code skip..skip+8} of the key in {@code b[from..to)}, big-endian, zero-padded: ordered as
     * the keys are (a padding zero compares like an end of label, then the whole keys decide).
     */
    private static long head(byte[] b, int from, int to, int skip) {
        long h = 0;
        for (int i = 0; i < 8; i++) {
            int p = from + skip + i;
            h = (h << 8) | (p < to ? b[p] & 0xFF : 0);
        }
        return h;
    }

    /**
     * A byte string whose unsigned lexicographic order is the canonical order of names (RFC 4034
     * §6.1): the labels from the root down, each in lower case and ended by a 0 octet (octets 0 and 1
     * inside a label are escaped as 1,1 and 1,2, so that the end of a label sorts before any octet).
     */
    public static byte[] canonicalKey(Name name) {
        byte[] key = new byte[name.length() - 1]; // the wire form without the root's octet, if nothing is escaped
        int k = 0;
        for (int l = name.labels() - 2; l >= 0; l--) {
            byte[] label = name.getLabel(l); // length octet, then the label
            for (int i = 1; i < label.length; i++) {
                int b = label[i] & 0xFF;
                if (b <= 1) {
                    return escapedKey(name);
                }
                key[k++] = (byte) (b >= 'A' && b <= 'Z' ? b + 32 : b);
            }
            key[k++] = 0;
        }
        return key;
    }

    /** {@link #canonicalKey} for the rare name with octets 0 or 1 in a label. */
    private static byte[] escapedKey(Name name) {
        java.io.ByteArrayOutputStream key = new java.io.ByteArrayOutputStream(name.length() * 2);
        for (int l = name.labels() - 2; l >= 0; l--) {
            byte[] label = name.getLabel(l);
            for (int i = 1; i < label.length; i++) {
                int b = label[i] & 0xFF;
                if (b <= 1) {
                    key.write(1);
                    key.write(b + 1);
                } else {
                    key.write(b >= 'A' && b <= 'Z' ? b + 32 : b);
                }
            }
            key.write(0);
        }
        return key.toByteArray();
    }

    /** The types that may or may not be present at this entry, per answer (ascending); empty for most. */
    public int[] dynamicTypes(int index) {
        int d = Arrays.binarySearch(dynamicEntries, index);
        return d >= 0 ? dynamicTypes[d].clone() : NO_TYPES;
    }

    /** The mask for {@link #rdata(int, int)} of the dynamic types among {@code present}. */
    public int variantMask(int index, int... present) {
        int d = Arrays.binarySearch(dynamicEntries, index);
        int mask = 0;
        if (d >= 0) {
            for (int t : present) {
                int bit = Arrays.binarySearch(dynamicTypes[d], t);
                if (bit >= 0) {
                    mask |= 1 << bit;
                }
            }
        }
        return mask;
    }

    /**
     * The entry's NSEC rdata with only the dynamic types whose bit is set in {@code presentMask}
     * (bit k = {@code dynamicTypes(index)[k]}; for a balancer with A and AAAA, bit 0 is A and bit 1
     * AAAA). Computed once per variant, then cached (at most 2^k per entry). For an entry without
     * dynamic types, the mask is ignored.
     */
    public byte[] rdata(int index, int presentMask) {
        int d = Arrays.binarySearch(dynamicEntries, index);
        if (d < 0) {
            return rdata(index);
        }
        int[] dyn = dynamicTypes[d];
        int mask = presentMask & ((1 << dyn.length) - 1);
        AtomicReferenceArray<byte[]> cache = variantCache.get(d);
        byte[] cached = cache.get(mask);
        if (cached == null) {
            int[] full = typeSets[typeSetOf[index]];
            int[] types = Arrays.stream(full).filter(t -> {
                int bit = Arrays.binarySearch(dyn, t);
                return bit < 0 || (mask & (1 << bit)) != 0;
            }).toArray();
            cached = rdata(next(index), bitmap(types));
            if (!cache.compareAndSet(mask, null, cached)) {
                cached = cache.get(mask);
            }
        }
        return cached.clone();
    }

    private static byte[] rdata(Name next, byte[] bitmap) {
        byte[] nextWire = next.toWire(); // not lower-cased, not compressed (RFC 4034 §4.1.1, RFC 6840 §5.1)
        byte[] rd = Arrays.copyOf(nextWire, nextWire.length + bitmap.length);
        System.arraycopy(bitmap, 0, rd, nextWire.length, bitmap.length);
        return rd;
    }

    /** The type bitmap field (RFC 4034 §4.1.2): for each 256-type window in use, window, length, bits. */
    static byte[] bitmap(int[] sortedTypes) {
        byte[] out = new byte[sortedTypes.length * 34];
        int p = 0;
        int i = 0;
        while (i < sortedTypes.length) {
            int window = sortedTypes[i] >> 8;
            byte[] bits = new byte[32];
            int last = 0;
            while (i < sortedTypes.length && sortedTypes[i] >> 8 == window) {
                int low = sortedTypes[i] & 0xFF;
                bits[low >> 3] |= (byte) (0x80 >> (low & 7));
                last = low >> 3;
                i++;
            }
            out[p++] = (byte) window;
            out[p++] = (byte) (last + 1);
            System.arraycopy(bits, 0, out, p, last + 1);
            p += last + 1;
        }
        return Arrays.copyOf(out, p);
    }

    /**
     * Collects a zone's names and types. Give it every record of the zone file (glue and occluded
     * names included: {@link #build} leaves out what RFC 4035 §2.3 says), and the dynamic types of
     * each balancer name. Not thread-safe; one per load.
     */
    public static final class Builder {
        private final Name apex;
        private final long ttl;
        private final Map<Name, Types> names = new HashMap<>();

        private Builder(Name apex, long ttl) {
            this.apex = apex;
            this.ttl = ttl;
            add(apex, Type.DNSKEY); // a signed zone's apex always has its keys
        }

        /** A record of type {@code type} at {@code owner} (repeats are harmless). */
        public Builder add(Name owner, int type) {
            types(owner).add(type);
            return this;
        }

        /** Types that {@code owner} may or may not answer, per query (a balancer's A and AAAA). */
        public Builder addDynamic(Name owner, int... dynamic) {
            Types t = types(owner);
            for (int type : dynamic) {
                t.addDynamic(type);
            }
            return this;
        }

        private Types types(Name owner) {
            if (!owner.subdomain(apex)) {
                throw new IllegalArgumentException(owner + " is not in zone " + apex);
            }
            return names.computeIfAbsent(owner, n -> new Types());
        }

        public NsecChain build() {
            Item[] items = new Item[names.size()];
            int n = 0;
            for (Map.Entry<Name, Types> e : names.entrySet()) {
                items[n++] = new Item(canonicalKey(e.getKey()), e.getKey(), e.getValue());
            }
            Arrays.sort(items, (a, b) -> Arrays.compareUnsigned(a.key, b.key));
            Name[] owners = new Name[items.length];
            int[] keyStart = new int[items.length + 1];
            int[] typeSetOf = new int[items.length];
            Map<IntBuffer, Integer> typeSetIndex = new HashMap<>(); // IntBuffer: equal by content
            List<int[]> typeSets = new ArrayList<>();
            List<Integer> dynamicEntries = new ArrayList<>();
            List<int[]> dynamicTypes = new ArrayList<>();
            java.io.ByteArrayOutputStream keys = new java.io.ByteArrayOutputStream(items.length * 24);
            byte[] occluder = null;
            int size = 0;
            for (Item item : items) {
                if (occluder != null && startsWith(item.key, occluder)) {
                    continue; // below a zone cut or a DNAME: glue or occluded, not authoritative
                }
                occluder = null;
                Types t = item.types;
                boolean cut = !item.name.equals(apex) && t.has(Type.NS);
                int[] dynamic = cut ? NO_TYPES : t.dynamicTypes();
                int[] types;
                if (cut) {
                    occluder = item.key;
                    types = t.has(Type.DS) ? new int[] {Type.NS, Type.DS} : new int[] {Type.NS};
                } else {
                    if (t.has(Type.DNAME)) {
                        occluder = item.key;
                    }
                    types = t.staticTypes();
                }
                if (types.length == 0 && dynamic.length == 0) {
                    continue; // no data: like an empty non-terminal, no NSEC
                }
                int[] full = withSigningTypes(types, dynamic);
                Integer set = typeSetIndex.get(IntBuffer.wrap(full));
                if (set == null) {
                    set = typeSets.size();
                    typeSets.add(full);
                    typeSetIndex.put(IntBuffer.wrap(full), set);
                }
                if (dynamic.length > 0) {
                    dynamicEntries.add(size);
                    dynamicTypes.add(dynamic);
                }
                typeSetOf[size] = set;
                owners[size] = item.name;
                keys.writeBytes(item.key);
                keyStart[++size] = keys.size();
            }
            return new NsecChain(apex, ttl, Arrays.copyOf(owners, size), keys.toByteArray(),
                    Arrays.copyOf(keyStart, size + 1), Arrays.copyOf(typeSetOf, size), typeSets.toArray(new int[0][]),
                    dynamicEntries.stream().mapToInt(Integer::intValue).toArray(), dynamicTypes.toArray(new int[0][]));
        }

        private record Item(byte[] key, Name name, Types types) {
        }

        /** Whether a name (by key) is strictly below another: keys of descendants extend their ancestors'. */
        private static boolean startsWith(byte[] key, byte[] prefix) {
            return key.length > prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
        }

        private static int[] withSigningTypes(int[] types, int[] dynamic) {
            int[] all = Arrays.copyOf(types, types.length + dynamic.length + 2);
            System.arraycopy(dynamic, 0, all, types.length, dynamic.length);
            all[all.length - 2] = Type.RRSIG;
            all[all.length - 1] = Type.NSEC;
            return Arrays.stream(all).sorted().distinct().toArray();
        }
    }

    /** The types of one name while building: a bit set for the common ones, a list for the rest. */
    private static final class Types {
        private long low;
        private int[] high = NO_TYPES;
        private int[] dynamic = NO_TYPES;

        void add(int type) {
            if (type < 0 || type > 0xFFFF) {
                throw new IllegalArgumentException("type " + type);
            }
            if (type < 64) {
                low |= 1L << type;
            } else if (Arrays.binarySearch(high, type) < 0) {
                high = insert(high, type);
            }
        }

        void addDynamic(int type) {
            if (Arrays.binarySearch(dynamic, type) < 0) {
                dynamic = insert(dynamic, type);
            }
        }

        boolean has(int type) {
            return type < 64 ? (low & (1L << type)) != 0 : Arrays.binarySearch(high, type) >= 0;
        }

        /** The static types, without those also declared dynamic. */
        int[] staticTypes() {
            int[] out = new int[Long.bitCount(low) + high.length];
            int n = 0;
            for (long bits = low; bits != 0; bits &= bits - 1) {
                out[n++] = Long.numberOfTrailingZeros(bits);
            }
            System.arraycopy(high, 0, out, n, high.length);
            if (dynamic.length == 0) {
                return out;
            }
            return Arrays.stream(out).filter(t -> Arrays.binarySearch(dynamic, t) < 0).toArray();
        }

        int[] dynamicTypes() {
            return dynamic;
        }

        private static int[] insert(int[] sorted, int value) {
            int[] out = Arrays.copyOf(sorted, sorted.length + 1);
            out[out.length - 1] = value;
            Arrays.sort(out);
            return out;
        }
    }
}
