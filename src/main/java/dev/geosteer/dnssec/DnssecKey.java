package dev.geosteer.dnssec;

import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * One DNSSEC key of a zone: its DNSKEY (flags, algorithm, public key, key tag), its timing, where it
 * was read from, and the private key to sign with. Immutable and safe to share between threads; the
 * private key never appears in {@link #toString()}.
 */
public final class DnssecKey {
    /** DNSKEY flags: Zone Key (RFC 4034 §2.1.1). */
    public static final int ZONE = 256;
    /** DNSKEY flags: Secure Entry Point, set on KSKs and CSKs (RFC 4034 §2.1.1). */
    public static final int SEP = 1;
    /** DNSKEY flags: Revoked (RFC 5011). */
    public static final int REVOKE = 128;
    /** The flags of a combined signing key, as {@code dnssec-keygen -f KSK} makes it. */
    public static final int CSK_FLAGS = ZONE | SEP;

    private final Name zone;
    private final byte[] signerWire;
    private final int flags;
    private final Algorithm algorithm;
    private final byte[] publicKey;
    private final byte[] privateKey;
    private final byte[] dnskeyRdata;
    private final int keyTag;
    private final KeyTiming timing;
    private final long ttl;
    private final Path keyFile;
    private final Path privateFile;
    private final Algorithm.KeySigner signer;

    DnssecKey(Name zone, int flags, Algorithm algorithm, byte[] publicKey, byte[] privateKey, KeyTiming timing,
              long ttl, Path keyFile, Path privateFile) {
        this.zone = zone;
        this.signerWire = zone.canonicalize().toWire();
        this.flags = flags;
        this.algorithm = algorithm;
        this.publicKey = publicKey.clone();
        this.privateKey = privateKey.clone();
        this.dnskeyRdata = dnskeyRdata(flags, algorithm.number(), publicKey);
        this.keyTag = keyTag(dnskeyRdata);
        this.timing = timing;
        this.ttl = ttl;
        this.keyFile = keyFile;
        this.privateFile = privateFile;
        this.signer = algorithm.signer(privateKey, publicKey);
    }

    /**
     * A new key for {@code zone} (not written anywhere: see {@link KeyFile#write}). Flags
     * {@link #CSK_FLAGS} (257) for a combined signing key or a KSK, {@link #ZONE} (256) for a ZSK.
     */
    public static DnssecKey generate(Name zone, Algorithm algorithm, int flags, KeyTiming timing,
                                     SecureRandom random) {
        if (!zone.isAbsolute()) {
            throw new IllegalArgumentException("zone name must be absolute: " + zone);
        }
        if ((flags & ~(ZONE | SEP)) != 0 || (flags & ZONE) == 0) {
            throw new IllegalArgumentException("flags must be 256 (ZSK) or 257 (KSK, CSK), not " + flags);
        }
        byte[] sk = algorithm.newPrivateKey(random);
        return new DnssecKey(zone, flags, algorithm, algorithm.publicKey(sk), sk, timing, -1, null, null);
    }

    /** The same key with other files (after writing it). */
    DnssecKey at(Path newKeyFile, Path newPrivateFile) {
        return new DnssecKey(zone, flags, algorithm, publicKey, privateKey, timing, ttl, newKeyFile, newPrivateFile);
    }

    public Name zone() { return zone; }
    public int flags() { return flags; }
    public boolean isSep() { return (flags & SEP) != 0; }
    public Algorithm algorithm() { return algorithm; }
    /** The public key as in the DNSKEY record (a copy). */
    public byte[] publicKey() { return publicKey.clone(); }
    /** The DNSKEY rdata in wire form (a copy). */
    public byte[] dnskeyRdata() { return dnskeyRdata.clone(); }
    /** The key tag (RFC 4034 Appendix B) that RRSIG and DS records name the key by. */
    public int keyTag() { return keyTag; }
    public KeyTiming timing() { return timing; }
    /** The TTL written in the .key file, or -1 when it has none. */
    public long ttl() { return ttl; }
    /** The .key file, or null for a key not yet written. */
    public Path keyFile() { return keyFile; }
    /** The .private file, or null for a key not yet written. */
    public Path privateFile() { return privateFile; }

    /** BIND's name for the key's files, without extension: {@code Kexample.test.+013+12345}. */
    public String baseName() {
        return KeyFile.baseName(zone, algorithm.number(), keyTag);
    }

    /** The DNSKEY record, for display and for dnsjava's validator in tests. */
    public DNSKEYRecord toRecord(long recordTtl) {
        return (DNSKEYRecord) Record.newRecord(zone, Type.DNSKEY, DClass.IN, recordTtl, dnskeyRdata);
    }

    /** The signer's name in RRSIG records: the zone, lower case, wire form (shared: do not modify). */
    byte[] signerWire() { return signerWire; }

    byte[] privateKey() { return privateKey.clone(); }

    byte[] sign(byte[] data, int len) {
        return signer.sign(data, len);
    }

    public boolean isPublished(Instant now) { return timing.isPublished(now); }
    public boolean isActive(Instant now) { return timing.isActive(now); }

    static byte[] dnskeyRdata(int flags, int algorithm, byte[] publicKey) {
        byte[] rd = new byte[4 + publicKey.length];
        rd[0] = (byte) (flags >> 8);
        rd[1] = (byte) flags;
        rd[2] = 3; // protocol: always 3 (RFC 4034 §2.1.2)
        rd[3] = (byte) algorithm;
        System.arraycopy(publicKey, 0, rd, 4, publicKey.length);
        return rd;
    }

    /** RFC 4034 Appendix B. */
    static int keyTag(byte[] dnskeyRdata) {
        long ac = 0;
        for (int i = 0; i < dnskeyRdata.length; i++) {
            ac += (i & 1) == 0 ? (dnskeyRdata[i] & 0xFF) << 8 : dnskeyRdata[i] & 0xFF;
        }
        ac += (ac >> 16) & 0xFFFF;
        return (int) (ac & 0xFFFF);
    }

    @Override
    public String toString() {
        return baseName() + " (" + algorithm.name() + ", flags " + flags + ", tag " + keyTag + ")";
    }
}
