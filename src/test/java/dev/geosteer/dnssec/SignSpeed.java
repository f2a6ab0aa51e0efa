package dev.geosteer.dnssec;

import dev.geosteer.dns.RRset;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Signatures per second, per provider and algorithm: the JDK's SunEC through JCA, BouncyCastle through
 * JCA (a provider instance, not registered), BouncyCastle's lightweight API (random and deterministic
 * k, specialised and generic P-256), and geosteer's {@link Signer} end to end on an A RRset. Run by
 * bench/sign-speed.sh; not a unit test (speed is measured in bench/, never asserted).
 *
 * <pre>java -cp ... dev.geosteer.dnssec.SignSpeed [--seconds 2] [--rounds 5] [--warmup 3] [--threads 1,2] [--only REGEX] [--interleave]</pre>
 */
public final class SignSpeed {
    interface Op {
        void run(byte[] message) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        double seconds = 2;
        int rounds = 5;
        double warmup = 3;
        int[] threads = {1, 2};
        String only = ".*";
        boolean interleave = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--only" -> only = args[++i];
                case "--interleave" -> interleave = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (Security.getProvider("BC") != null) {
            throw new IllegalStateException("BC must not be registered globally");
        }
        System.out.printf(Locale.ROOT, "# java %s (%s), %d cores, %s s x %d rounds after %s s warm-up, median%n",
                System.getProperty("java.version"), System.getProperty("java.vm.name"),
                Runtime.getRuntime().availableProcessors(), seconds, rounds, warmup);
        Map<String, Supplier<Op>> cases = cases();
        String pattern = only;
        cases.keySet().removeIf(k -> !k.matches(pattern));
        if (interleave) {
            interleaved(cases, threads, rounds, seconds, warmup);
            return;
        }
        System.out.println("case\tthreads\tsig/s (median)\tmin\tmax");
        for (Map.Entry<String, Supplier<Op>> c : cases.entrySet()) {
            for (int t : threads) {
                measure(c.getKey(), c.getValue(), t, warmup);
                List<Double> rates = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    rates.add(measure(c.getKey(), c.getValue(), t, seconds));
                }
                rates.sort(null);
                System.out.printf(Locale.ROOT, "%s\t%d\t%.0f\t%.0f\t%.0f%n", c.getKey(), t, rates.get(rates.size() / 2),
                        rates.get(0), rates.get(rates.size() - 1));
            }
        }
    }

    /**
     * Each round measures every case once, in turn, so that a change in the machine's load hits all
     * cases alike; prints each case's median and its median ratio to the first case, round by round.
     */
    static void interleaved(Map<String, Supplier<Op>> cases, int[] threads, int rounds, double seconds,
                            double warmup) throws Exception {
        System.out.println("case\tthreads\tsig/s (median)\tmin\tmax\tratio to the first case (median of rounds)");
        for (int t : threads) {
            List<String> names = new ArrayList<>(cases.keySet());
            for (String name : names) {
                measure(name, cases.get(name), t, warmup);
            }
            double[][] rates = new double[names.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int c = 0; c < names.size(); c++) {
                    rates[c][r] = measure(names.get(c), cases.get(names.get(c)), t, seconds);
                }
            }
            for (int c = 0; c < names.size(); c++) {
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = rates[c][r] / rates[0][r];
                }
                double[] sorted = rates[c].clone();
                Arrays.sort(sorted);
                Arrays.sort(ratio);
                System.out.printf(Locale.ROOT, "%s\t%d\t%.0f\t%.0f\t%.0f\t%.2f%n", names.get(c), t, sorted[rounds / 2],
                        sorted[0], sorted[rounds - 1], ratio[rounds / 2]);
            }
        }
    }

    static Map<String, Supplier<Op>> cases() throws Exception {
        Map<String, Supplier<Op>> cases = new LinkedHashMap<>();
        Provider bc = new BouncyCastleProvider(); // an instance handed to getInstance: never registered
        SecureRandom random = new SecureRandom();

        KeyPairGenerator sunEc = KeyPairGenerator.getInstance("EC", "SunEC");
        sunEc.initialize(new ECGenParameterSpec("secp256r1"));
        PrivateKey sunEcKey = sunEc.generateKeyPair().getPrivate();
        cases.put("ecdsa-p256 jca SunEC", () -> jca("SHA256withECDSA", "SunEC", null, sunEcKey));

        KeyPairGenerator bcEc = KeyPairGenerator.getInstance("EC", bc);
        bcEc.initialize(new ECGenParameterSpec("secp256r1"));
        PrivateKey bcEcKey = bcEc.generateKeyPair().getPrivate();
        cases.put("ecdsa-p256 jca BC", () -> jca("SHA256withECDSA", null, bc, bcEcKey));

        byte[] d = Algorithm.ECDSAP256SHA256.newPrivateKey(random);
        X9ECParameters custom = CustomNamedCurves.getByName("secp256r1");
        X9ECParameters generic = ECNamedCurveTable.getByName("secp256r1");
        cases.put("ecdsa-p256 bc-lightweight random-k", () -> lightweightEcdsa(custom, d, random));
        cases.put("ecdsa-p256 bc-lightweight random-k generic-curve", () -> lightweightEcdsa(generic, d, random));
        Algorithm.KeySigner det = Algorithm.ECDSAP256SHA256.signer(d, Algorithm.ECDSAP256SHA256.publicKey(d));
        cases.put("ecdsa-p256 bc-lightweight rfc6979-k (geosteer)", () -> m -> det.sign(m, m.length));

        KeyPair sunEd = KeyPairGenerator.getInstance("Ed25519", "SunEC").generateKeyPair();
        cases.put("ed25519 jca SunEC", () -> jca("Ed25519", "SunEC", null, sunEd.getPrivate()));
        KeyPair bcEd = KeyPairGenerator.getInstance("Ed25519", bc).generateKeyPair();
        cases.put("ed25519 jca BC", () -> jca("Ed25519", null, bc, bcEd.getPrivate()));
        byte[] seed = Algorithm.ED25519.newPrivateKey(random);
        Algorithm.KeySigner ed = Algorithm.ED25519.signer(seed, Algorithm.ED25519.publicKey(seed));
        cases.put("ed25519 bc-lightweight (geosteer)", () -> m -> ed.sign(m, m.length));

        for (Algorithm a : Algorithm.values()) {
            DnssecKey key = DnssecKey.generate(Name.fromString("example.test."), a, DnssecKey.CSK_FLAGS,
                    KeyTiming.activeFrom(Instant.now()), random);
            Name owner = Name.fromString("www.example.test.");
            long now = Instant.now().getEpochSecond();
            cases.put("Signer.sign A RRset (2 records) " + a.name(), () -> m -> {
                byte[][] rdata = {{(byte) 192, 0, 2, m[0]}, {(byte) 198, 51, 100, m[1]}};
                Signer.sign(key, RRset.ofRdata(owner, owner.toWire(), Type.A, 30, rdata), now, now + 86400);
            });
        }
        return cases;
    }

    static Op jca(String algorithm, String providerName, Provider provider, PrivateKey key) {
        try {
            Signature s = provider != null ? Signature.getInstance(algorithm, provider)
                    : Signature.getInstance(algorithm, providerName);
            return m -> {
                s.initSign(key);
                s.update(m);
                s.sign();
            };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Op lightweightEcdsa(X9ECParameters x9, byte[] d, SecureRandom random) {
        ECDomainParameters dom = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
        ECPrivateKeyParameters key = new ECPrivateKeyParameters(new BigInteger(1, d), dom);
        return m -> {
            SHA256Digest sha = new SHA256Digest();
            sha.update(m, 0, m.length);
            byte[] h = new byte[32];
            sha.doFinal(h, 0);
            ECDSASigner s = new ECDSASigner();
            s.init(true, new ParametersWithRandom(key, random));
            s.generateSignature(h);
        };
    }

    /** Signatures per second of {@code threads} threads, each with its own Op, for {@code seconds}. */
    static double measure(String name, Supplier<Op> factory, int threads, double seconds) throws Exception {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        Exception[] failure = new Exception[1];
        for (int t = 0; t < threads; t++) {
            Op op = factory.get();
            Thread w = new Thread(() -> {
                byte[] message = new byte[120]; // about an A RRset's signed data
                long n = 0;
                try {
                    ready.countDown();
                    go.await();
                    while (!stop.get()) {
                        message[0] = (byte) n;
                        message[1] = (byte) (n >> 8);
                        op.run(message);
                        n++;
                    }
                } catch (Exception e) {
                    failure[0] = e;
                }
                done.add(n);
            }, "sign-" + t);
            workers.add(w);
            w.start();
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failure[0] != null) {
            throw new IllegalStateException(name, failure[0]);
        }
        return done.sum() / elapsed;
    }
}
