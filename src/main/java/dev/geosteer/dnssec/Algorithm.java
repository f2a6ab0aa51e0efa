package dev.geosteer.dnssec;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.bouncycastle.util.BigIntegers;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;

/**
 * The DNSSEC algorithms geosteer signs with: 13 (ECDSA P-256 with SHA-256, RFC 6605) and 15 (Ed25519,
 * RFC 8080). Both have small keys and signatures, so signed answers stay well under 1232 octets, and
 * both are what RFC 8624 recommends for signing. RSA and the rest are refused rather than half-supported.
 *
 * <p>Keys are raw octets in the DNS forms: the public key as in the DNSKEY record (P-256: X||Y, 64
 * octets; Ed25519: 32 octets) and the private key as in BIND's {@code PrivateKey:} field (P-256: the
 * scalar d, 32 octets; Ed25519: the 32-octet seed). Signing uses BouncyCastle's lightweight API
 * directly (never registered as a JCA provider): it is several times faster than the JDK's SunEC
 * (bench/sign-speed.sh).
 */
public enum Algorithm {
    ECDSAP256SHA256(13, 64, 32, 64) {
        @Override
        byte[] publicKey(byte[] privateKey) {
            ECPoint q = new FixedPointCombMultiplier().multiply(P256.getG(), scalar(privateKey)).normalize();
            byte[] out = new byte[64];
            BigIntegers.asUnsignedByteArray(q.getAffineXCoord().toBigInteger(), out, 0, 32);
            BigIntegers.asUnsignedByteArray(q.getAffineYCoord().toBigInteger(), out, 32, 32);
            return out;
        }

        @Override
        byte[] newPrivateKey(SecureRandom random) {
            BigInteger n = P256.getN();
            BigInteger d;
            do {
                d = BigIntegers.createRandomBigInteger(256, random);
            } while (d.signum() == 0 || d.compareTo(n) >= 0);
            return BigIntegers.asUnsignedByteArray(32, d);
        }

        /**
         * BIND writes d without its leading zero octets (OpenSSL's BN_bn2bin): one key in 256 has 31
         * octets in its file, and is as good as the others.
         */
        @Override
        byte[] fromFile(byte[] privateKey) {
            if (privateKey.length < 28 || privateKey.length >= 32) {
                return privateKey; // 4 zero octets or more (one key in 2^32): a wrong key, said as such
            }
            byte[] out = new byte[32];
            System.arraycopy(privateKey, 0, out, 32 - privateKey.length, privateKey.length);
            return out;
        }

        @Override
        String checkPrivateKey(byte[] privateKey) {
            if (privateKey.length != 32) {
                return "an ECDSA P-256 private key is 32 octets, this one is " + privateKey.length;
            }
            BigInteger d = new BigInteger(1, privateKey);
            return d.signum() == 0 || d.compareTo(P256.getN()) >= 0 ? "not a valid P-256 private key" : null;
        }

        @Override
        KeySigner signer(byte[] privateKey, byte[] publicKey) {
            ECPrivateKeyParameters key = new ECPrivateKeyParameters(scalar(privateKey), P256);
            return (data, len) -> {
                SHA256Digest sha = new SHA256Digest();
                sha.update(data, 0, len);
                byte[] hash = new byte[32];
                sha.doFinal(hash, 0);
                // deterministic k (RFC 6979): the same RRset and validity always give the same
                // signature, on every instance of a cluster, and no entropy is drawn per signature
                ECDSASigner ecdsa = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
                ecdsa.init(true, key);
                BigInteger[] rs = ecdsa.generateSignature(hash);
                byte[] sig = new byte[64]; // RFC 6605 §4: r and s, 32 octets each, not DER
                BigIntegers.asUnsignedByteArray(rs[0], sig, 0, 32);
                BigIntegers.asUnsignedByteArray(rs[1], sig, 32, 32);
                return sig;
            };
        }
    },

    ED25519(15, 32, 32, 64) {
        @Override
        byte[] publicKey(byte[] privateKey) {
            byte[] pk = new byte[Ed25519.PUBLIC_KEY_SIZE];
            Ed25519.generatePublicKey(privateKey, 0, pk, 0);
            return pk;
        }

        @Override
        byte[] newPrivateKey(SecureRandom random) {
            byte[] sk = new byte[Ed25519.SECRET_KEY_SIZE];
            Ed25519.generatePrivateKey(random, sk);
            return sk;
        }

        @Override
        String checkPrivateKey(byte[] privateKey) {
            return privateKey.length == 32 ? null
                    : "an Ed25519 private key is 32 octets, this one is " + privateKey.length;
        }

        @Override
        KeySigner signer(byte[] privateKey, byte[] publicKey) {
            byte[] sk = privateKey.clone();
            byte[] pk = publicKey.clone();
            return (data, len) -> {
                byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
                Ed25519.sign(sk, 0, pk, 0, data, 0, len, sig, 0); // pure: no shared state between threads
                return sig;
            };
        }
    };

    private static final ECDomainParameters P256;

    static {
        // BouncyCastle's specialised P-256 field arithmetic: several times faster than the generic curve
        X9ECParameters x9 = CustomNamedCurves.getByName("secp256r1");
        P256 = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
    }

    private final int number;
    private final int publicKeyLength;
    private final int privateKeyLength;
    private final int signatureLength;

    Algorithm(int number, int publicKeyLength, int privateKeyLength, int signatureLength) {
        this.number = number;
        this.publicKeyLength = publicKeyLength;
        this.privateKeyLength = privateKeyLength;
        this.signatureLength = signatureLength;
    }

    /** The algorithm number of DNSKEY, RRSIG and DS records. */
    public int number() { return number; }
    /** BIND's and the IANA registry's mnemonic, as in {@code Algorithm: 13 (ECDSAP256SHA256)}. */
    public String mnemonic() { return name(); }
    public int publicKeyLength() { return publicKeyLength; }
    public int privateKeyLength() { return privateKeyLength; }
    public int signatureLength() { return signatureLength; }

    /** Signs the first {@code len} octets of {@code data}. Implementations are thread-safe. */
    @FunctionalInterface
    interface KeySigner {
        byte[] sign(byte[] data, int len);
    }

    /** The public key (DNSKEY form) of a private key, to check that a .private matches its .key. */
    abstract byte[] publicKey(byte[] privateKey);

    abstract byte[] newPrivateKey(SecureRandom random);

    /** Why these octets are not a private key of this algorithm, or null if they are. */
    /** The private key as read from a file, in the form this algorithm signs with. */
    byte[] fromFile(byte[] privateKey) {
        return privateKey;
    }

    abstract String checkPrivateKey(byte[] privateKey);

    abstract KeySigner signer(byte[] privateKey, byte[] publicKey);

    /** The algorithm with this number, or null when geosteer does not sign with it. */
    public static Algorithm byNumber(int number) {
        for (Algorithm a : values()) {
            if (a.number == number) {
                return a;
            }
        }
        return null;
    }

    /** By mnemonic ({@code ecdsap256sha256}, {@code ed25519}, any case) or number; null if unknown. */
    public static Algorithm byName(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        for (Algorithm a : values()) {
            if (a.name().equals(t) || String.valueOf(a.number).equals(t)) {
                return a;
            }
        }
        return null;
    }

    /** The registry's mnemonic for any algorithm number, for error messages about the ones refused. */
    public static String describe(int number) {
        String known = switch (number) {
            case 1 -> "RSAMD5";
            case 3 -> "DSA";
            case 5 -> "RSASHA1";
            case 6 -> "DSA-NSEC3-SHA1";
            case 7 -> "RSASHA1-NSEC3-SHA1";
            case 8 -> "RSASHA256";
            case 10 -> "RSASHA512";
            case 12 -> "ECC-GOST";
            case 13 -> "ECDSAP256SHA256";
            case 14 -> "ECDSAP384SHA384";
            case 15 -> "ED25519";
            case 16 -> "ED448";
            default -> null;
        };
        return known == null ? String.valueOf(number) : number + " (" + known + ")";
    }

    /** What to say when a key of another algorithm is found. */
    static String unsupported(int number) {
        return "algorithm " + describe(number) + " is not supported: geosteer signs with "
                + Arrays.stream(values()).map(a -> a.number + " (" + a.name() + ")")
                        .reduce((x, y) -> x + " and " + y).orElse("");
    }

    private static BigInteger scalar(byte[] privateKey) {
        return new BigInteger(1, privateKey);
    }
}
