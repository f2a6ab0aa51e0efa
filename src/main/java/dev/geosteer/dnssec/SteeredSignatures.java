package dev.geosteer.dnssec;

import dev.geosteer.dns.RRset;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The RRSIGs of steered A/AAAA RRsets, made when an RRset is first answered and then cached by its
 * content: owner, type, original TTL (the balancer's) and the sorted addresses. A failover makes a
 * new RRset, signed once, then served from here. Bounded: two generations, the young one taking new
 * and used entries; when it holds half the bound it becomes the old one and the old one is dropped
 * (an LRU approximation without a lock on reads). One per {@link SignedZone} generation (keys and
 * validity window): a re-sign or a key change starts an empty one. Thread-safe.
 */
public final class SteeredSignatures {
    private final int maxEntries;
    private final SignatureStats stats;
    private volatile ConcurrentHashMap<Key, byte[][]> young = new ConcurrentHashMap<>();
    private volatile ConcurrentHashMap<Key, byte[][]> old = new ConcurrentHashMap<>();

    SteeredSignatures(int maxEntries, SignatureStats stats) {
        this.maxEntries = Math.max(2, maxEntries);
        this.stats = stats;
    }

    /** The content of an RRset as a cache key: owner (lower case), type, original TTL, sorted rdata. */
    record Key(byte[] bytes, int hash) {
        static Key of(byte[] ownerWire, int type, long ttl, RRset set) {
            byte[][] rdata = new byte[set.size()][];
            int length = ownerWire.length + 6;
            for (int i = 0; i < rdata.length; i++) {
                rdata[i] = set.rdata(i);
                length += rdata[i].length + 2;
            }
            if (rdata.length > 1) {
                Arrays.sort(rdata, Arrays::compareUnsigned);
            }
            byte[] b = new byte[length];
            int p = 0;
            for (byte o : ownerWire) {
                b[p++] = (byte) (o >= 'A' && o <= 'Z' ? o + 32 : o);
            }
            p = Signer.put16(b, p, type);
            p = Signer.put32(b, p, ttl);
            for (byte[] rd : rdata) {
                p = Signer.put16(b, p, rd.length);
                System.arraycopy(rd, 0, b, p, rd.length);
                p += rd.length;
            }
            return new Key(b, Arrays.hashCode(b));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    interface Maker {
        byte[][] sign();
    }

    byte[][] get(Key key, Maker maker) {
        ConcurrentHashMap<Key, byte[][]> y = young;
        byte[][] sigs = y.get(key);
        if (sigs == null) {
            sigs = old.get(key);
            if (sigs == null) {
                stats.cacheMisses.increment();
                sigs = maker.sign(); // two loops may sign the same RRset at once: both results are valid
            } else {
                stats.cacheHits.increment();
            }
            y.put(key, sigs);
            if (y.size() >= maxEntries / 2) {
                rotate(y);
            }
        } else {
            stats.cacheHits.increment();
        }
        return sigs;
    }

    private synchronized void rotate(ConcurrentHashMap<Key, byte[][]> full) {
        if (young == full) {
            old = full;
            young = new ConcurrentHashMap<>();
        }
    }

    /** Entries held now (at most about the bound). */
    public int size() {
        return young.size() + old.size();
    }
}
