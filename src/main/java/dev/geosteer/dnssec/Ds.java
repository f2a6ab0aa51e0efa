package dev.geosteer.dnssec;

import org.xbill.DNS.Name;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * DS records (RFC 4034 §5) for the parent zone, and the CDS and CDNSKEY records (RFC 7344) a zone
 * publishes so that the parent can take them automatically (RFC 8078).
 */
public final class Ds {
    /** Digest type 2: SHA-256 (RFC 4509), the one every parent accepts. */
    public static final int SHA256 = 2;
    /** Digest type 4: SHA-384 (RFC 6605). */
    public static final int SHA384 = 4;

    private Ds() {
    }

    /** The DS rdata of {@code key}: key tag, algorithm, digest type, digest(owner | DNSKEY rdata). */
    public static byte[] rdata(DnssecKey key, int digestType) {
        return rdata(key.zone(), key.keyTag(), key.algorithm().number(), key.dnskeyRdata(), digestType);
    }

    static byte[] rdata(Name owner, int keyTag, int algorithm, byte[] dnskeyRdata, int digestType) {
        MessageDigest md = digest(digestType);
        md.update(owner.canonicalize().toWire());
        md.update(dnskeyRdata);
        byte[] digest = md.digest();
        byte[] rd = new byte[4 + digest.length];
        Signer.put16(rd, 0, keyTag);
        rd[2] = (byte) algorithm;
        rd[3] = (byte) digestType;
        System.arraycopy(digest, 0, rd, 4, digest.length);
        return rd;
    }

    /** The DS record as a master-file line, as {@code dnssec-dsfromkey} prints it: {@code zone. IN DS tag alg type HEX}. */
    public static String text(DnssecKey key, int digestType) {
        byte[] rd = rdata(key, digestType);
        return key.zone() + " IN DS " + key.keyTag() + " " + key.algorithm().number() + " " + digestType + " "
                + HexFormat.of().formatHex(rd, 4, rd.length).toUpperCase(Locale.ROOT);
    }

    /** CDS rdata (the same as DS rdata, RFC 7344 §3.1) for each of these keys and digest types. */
    public static List<byte[]> cds(List<DnssecKey> keys, int... digestTypes) {
        List<byte[]> out = new ArrayList<>();
        for (DnssecKey k : keys) {
            for (int d : digestTypes) {
                out.add(rdata(k, d));
            }
        }
        return out;
    }

    /** CDNSKEY rdata (the same as DNSKEY rdata, RFC 7344 §3.2) of each of these keys. */
    public static List<byte[]> cdnskey(List<DnssecKey> keys) {
        List<byte[]> out = new ArrayList<>();
        for (DnssecKey k : keys) {
            out.add(k.dnskeyRdata());
        }
        return out;
    }

    /** Digest type by number or name ({@code 2}, {@code sha256}, {@code SHA-256}, {@code 4}, {@code sha384}). */
    public static int digestType(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace("-", "");
        return switch (t) {
            case "2", "SHA256" -> SHA256;
            case "4", "SHA384" -> SHA384;
            default -> throw new IllegalArgumentException("digest type '" + text + "': use 2 (SHA-256) or 4 (SHA-384)");
        };
    }

    private static MessageDigest digest(int digestType) {
        try {
            return switch (digestType) {
                case SHA256 -> MessageDigest.getInstance("SHA-256");
                case SHA384 -> MessageDigest.getInstance("SHA-384");
                default -> throw new IllegalArgumentException("DS digest type " + digestType
                        + " is not supported: 2 (SHA-256) or 4 (SHA-384)");
            };
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + digestType + " digest", e);
        }
    }
}
