package dev.geosteer.dnssec;

import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Random;

/**
 * Build time and heap of the NSEC chain of a big zone (bench/nsec-chain.sh; not a unit test). The
 * zone: N names {@code h<i>.g<i/1000>.bigzone.test.} (so N/1000 empty non-terminals), each with A,
 * every 2nd with AAAA, every 5th with TXT, every 10th with MX; plus N/1000 delegations with glue.
 * The names are made first and kept (in a server they belong to the zone); the chain's heap is what
 * it adds. Also: the heap if every NSEC rdata were kept as a byte[], and lookups per second.
 *
 * <pre>java -Xmx2g -cp ... dev.geosteer.dnssec.NsecChainSize [--names 1000000] [--rounds 3]</pre>
 */
public final class NsecChainSize {
    public static void main(String[] args) throws Exception {
        int n = 1_000_000;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--names" -> n = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "# java %s, %d cores, max heap %d MB, %d names%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, n);
        Name apex = Name.fromString("bigzone.test.");
        long base = usedAfterGc();
        Name[] names = new Name[n];
        for (int i = 0; i < n; i++) {
            names[i] = Name.fromString("h" + i + ".g" + (i / 1000), apex);
        }
        Name[] cuts = new Name[n / 1000];
        Name[] glue = new Name[n / 1000];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = Name.fromString("d" + i, apex);
            glue[i] = Name.fromString("ns.d" + i, apex);
        }
        long withNames = usedAfterGc();
        System.out.printf(Locale.ROOT, "names (dnsjava Name objects, kept by the zone): %.1f MB%n", mb(withNames - base));

        NsecChain chain = null;
        for (int r = 0; r < rounds; r++) {
            chain = null;
            usedAfterGc();
            long t0 = System.nanoTime();
            NsecChain.Builder b = NsecChain.builder(apex, 300);
            b.add(apex, Type.SOA).add(apex, Type.NS);
            for (int i = 0; i < n; i++) {
                b.add(names[i], Type.A);
                if (i % 2 == 0) {
                    b.add(names[i], Type.AAAA);
                }
                if (i % 5 == 0) {
                    b.add(names[i], Type.TXT);
                }
                if (i % 10 == 0) {
                    b.add(names[i], Type.MX);
                }
            }
            for (int i = 0; i < cuts.length; i++) {
                b.add(cuts[i], Type.NS).add(glue[i], Type.A);
            }
            long t1 = System.nanoTime();
            chain = b.build();
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "round %d: builder.add %.2f s, build %.2f s, total %.2f s, %d NSEC records%n",
                    r + 1, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t2 - t0) / 1e9, chain.size());
        }
        long withChain = usedAfterGc();
        System.out.printf(Locale.ROOT, "chain heap (beyond the names): %.1f MB, %.1f bytes per NSEC%n",
                mb(withChain - withNames), (withChain - withNames) / (double) chain.size());

        byte[][] rdata = new byte[chain.size()][];
        long t0 = System.nanoTime();
        for (int i = 0; i < rdata.length; i++) {
            rdata[i] = chain.rdata(i);
        }
        long t1 = System.nanoTime();
        long withRdata = usedAfterGc();
        System.out.printf(Locale.ROOT, "every NSEC rdata as a byte[] (if kept): %.1f MB more, %.1f bytes each; made in %.2f s%n",
                mb(withRdata - withChain), (withRdata - withChain) / (double) rdata.length, (t1 - t0) / 1e9);
        rdata = null;

        // half names that exist (NODATA: matching), half that do not (NXDOMAIN: covering), as the
        // answer path knows from its zone walk which one it needs
        Random random = new Random(1);
        Name[] probes = new Name[100_000];
        boolean[] exists = new boolean[probes.length];
        for (int i = 0; i < probes.length; i++) {
            exists[i] = random.nextBoolean();
            probes[i] = exists[i] ? names[random.nextInt(n)]
                    : Name.fromString("nx" + random.nextInt() + ".g" + random.nextInt(n / 1000), apex);
        }
        long found = 0;
        for (int r = 0; r < 3; r++) {
            long s = System.nanoTime();
            for (int k = 0; k < 10; k++) {
                for (int p = 0; p < probes.length; p++) {
                    found += exists[p] ? chain.matching(probes[p]) : chain.covering(probes[p]);
                }
            }
            long e = System.nanoTime();
            System.out.printf(Locale.ROOT, "lookups (matching or covering, from the Name): %.0f per second, %.0f ns each%n",
                    probes.length * 10 / ((e - s) / 1e9), (e - s) / (probes.length * 10.0));
        }
        byte[][] probeKeys = new byte[probes.length][];
        for (int i = 0; i < probes.length; i++) {
            probeKeys[i] = NsecChain.canonicalKey(probes[i]);
        }
        for (int r = 0; r < 3; r++) {
            long s = System.nanoTime();
            for (int k = 0; k < 10; k++) {
                for (int p = 0; p < probes.length; p++) {
                    found += exists[p] ? chain.matching(probeKeys[p]) : chain.covering(probeKeys[p]);
                }
            }
            long e = System.nanoTime();
            System.out.printf(Locale.ROOT, "the same, keys given: %.0f per second, %.0f ns each%n",
                    probeKeys.length * 10 / ((e - s) / 1e9), (e - s) / (probeKeys.length * 10.0));
        }
        for (int r = 0; r < 3; r++) {
            long s = System.nanoTime();
            for (int k = 0; k < 10; k++) {
                for (Name q : probes) {
                    found += NsecChain.canonicalKey(q).length;
                }
            }
            long e = System.nanoTime();
            System.out.printf(Locale.ROOT, "canonicalKey(Name) alone: %.0f ns each%n", (e - s) / (probes.length * 10.0));
        }
        Name[] sortedOwners = new Name[chain.size()];
        for (int i = 0; i < sortedOwners.length; i++) {
            sortedOwners[i] = chain.owner(i);
        }
        for (int r = 0; r < 3; r++) {
            long s = System.nanoTime();
            for (int k = 0; k < 10; k++) {
                for (Name q : probes) {
                    found += java.util.Arrays.binarySearch(sortedOwners, q);
                }
            }
            long e = System.nanoTime();
            System.out.printf(Locale.ROOT, "for comparison, the same binary search over Name[] with dnsjava's Name.compareTo: %.0f ns each%n",
                    (e - s) / (probes.length * 10.0));
        }
        if (found == 42) {
            System.out.println(); // keeps the loop's result alive
        }
        System.out.println("kept alive: " + names.length + cuts.length + glue.length + chain.size());
    }

    static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static double mb(long bytes) {
        return bytes / 1048576.0;
    }
}
