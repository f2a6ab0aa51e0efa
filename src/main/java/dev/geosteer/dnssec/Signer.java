package dev.geosteer.dnssec;

import dev.geosteer.dns.RRset;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.util.Arrays;

/**
 * Makes RRSIG records (RFC 4034 §3): signs one RRset, in the shapes of {@link RRset} (owner, type,
 * class IN, rdata in wire form), over the canonical form of RFC 4034 §6 — owner and the names inside
 * the rdata of the types §6.2 lists (as corrected by RFC 6840 §5.1: not NSEC's) in lower case, records
 * sorted by their canonical rdata and duplicates removed, each with the original TTL.
 *
 * <p>A wildcard RRset is signed under its own owner ({@code *.x}): the RRSIG's labels field then
 * leaves out the {@code *}, so the same RRSIG is served, unchanged, under every name the wildcard
 * answers for (RFC 4035 §5.3.4).
 *
 * <p>Pure functions: no state, safe from any thread. The result is the RRSIG rdata, ready to be
 * served (the signer's name in lower case, uncompressed, as RFC 4034 §3.1.7 requires).
 */
public final class Signer {
    private Signer() {
    }

    /**
     * Signs {@code set} with {@code key}; the RRset's TTL is the RRSIG's original TTL (what a cache
     * may keep it for at most; the TTL served may be lower).
     */
    public static byte[] sign(DnssecKey key, RRset set, long inception, long expiration) {
        byte[][] rdata = new byte[set.size()][];
        for (int i = 0; i < rdata.length; i++) {
            rdata[i] = set.rdata(i);
        }
        return sign(key, set.owner(), set.type(), set.ttl(), rdata, inception, expiration);
    }

    /**
     * Signs the RRset {@code owner}/IN/{@code type} of these records. Inception and expiration are
     * in seconds since 1970 (written modulo 2^32, RFC 4034 §3.1.5); the owner must be in the key's zone.
     */
    public static byte[] sign(DnssecKey key, Name owner, int type, long originalTtl, byte[][] rdata,
                              long inception, long expiration) {
        if (rdata.length == 0) {
            throw new IllegalArgumentException("an RRset has at least one record");
        }
        if (!owner.subdomain(key.zone())) {
            throw new IllegalArgumentException(owner + " is not in zone " + key.zone() + " of key " + key.keyTag());
        }
        if (originalTtl < 0 || originalTtl > 0x7FFFFFFFL) {
            throw new IllegalArgumentException("TTL out of range: " + originalTtl);
        }
        byte[] ownerWire = owner.canonicalize().toWire();
        byte[][] canonical = canonicalRdata(type, rdata);
        byte[] signer = key.signerWire();
        int headerLength = 18 + signer.length;

        int length = headerLength;
        for (byte[] rd : canonical) {
            if (rd != null) {
                length += ownerWire.length + 10 + rd.length;
            }
        }
        byte[] data = new byte[length];
        int p = writeHeader(data, key, type, labels(owner), originalTtl, inception, expiration);
        for (byte[] rd : canonical) {
            if (rd == null) {
                continue; // a duplicate
            }
            System.arraycopy(ownerWire, 0, data, p, ownerWire.length);
            p += ownerWire.length;
            p = put16(data, p, type);
            p = put16(data, p, DClass.IN);
            p = put32(data, p, originalTtl);
            p = put16(data, p, rd.length);
            System.arraycopy(rd, 0, data, p, rd.length);
            p += rd.length;
        }
        byte[] signature = key.sign(data, length);
        byte[] rrsig = Arrays.copyOf(data, headerLength + signature.length);
        System.arraycopy(signature, 0, rrsig, headerLength, signature.length);
        return rrsig;
    }

    private static int writeHeader(byte[] out, DnssecKey key, int type, int labels, long originalTtl, long inception,
                                   long expiration) {
        int p = put16(out, 0, type);
        out[p++] = (byte) key.algorithm().number();
        out[p++] = (byte) labels;
        p = put32(out, p, originalTtl);
        p = put32(out, p, expiration);
        p = put32(out, p, inception);
        p = put16(out, p, key.keyTag());
        byte[] signer = key.signerWire();
        System.arraycopy(signer, 0, out, p, signer.length);
        return p + signer.length;
    }

    /** The RRSIG labels field: the owner's labels, root and a leading {@code *} not counted (RFC 4034 §3.1.3). */
    public static int labels(Name owner) {
        int n = owner.labels() - 1;
        return owner.isWild() ? n - 1 : n;
    }

    /**
     * The canonical rdata of each record (RFC 4034 §6.2), sorted (§6.3), a duplicate replaced by null.
     * Names are lowered only in the types that RFC 4034 §6.2 lists, without NSEC (RFC 6840 §5.1); in
     * others (SVCB, HTTPS, ...) names are signed as they are (RFC 9460 §2.2).
     */
    static byte[][] canonicalRdata(int type, byte[][] rdata) {
        byte[][] out = new byte[rdata.length][];
        boolean lower = hasNamesToLower(type);
        for (int i = 0; i < rdata.length; i++) {
            out[i] = lower ? Record.newRecord(Name.root, type, DClass.IN, 0, rdata[i]).rdataToWireCanonical()
                    : rdata[i];
        }
        if (out.length > 1) {
            Arrays.sort(out, Arrays::compareUnsigned);
            for (int i = out.length - 1; i > 0; i--) {
                if (Arrays.equals(out[i], out[i - 1])) {
                    out[i] = null;
                }
            }
        }
        return out;
    }

    static boolean hasNamesToLower(int type) {
        return switch (type) {
            case Type.NS, Type.MD, Type.MF, Type.CNAME, Type.SOA, Type.MB, Type.MG, Type.MR, Type.PTR,
                 Type.MINFO, Type.MX, Type.RP, Type.AFSDB, Type.RT, Type.SIG, Type.PX, Type.NXT, Type.NAPTR,
                 Type.KX, Type.SRV, Type.DNAME, Type.A6, Type.RRSIG -> true;
            default -> false; // HINFO is in §6.2's list but has no names
        };
    }

    static int put16(byte[] b, int p, int v) {
        b[p] = (byte) (v >> 8);
        b[p + 1] = (byte) v;
        return p + 2;
    }

    static int put32(byte[] b, int p, long v) {
        b[p] = (byte) (v >> 24);
        b[p + 1] = (byte) (v >> 16);
        b[p + 2] = (byte) (v >> 8);
        b[p + 3] = (byte) v;
        return p + 4;
    }
}
