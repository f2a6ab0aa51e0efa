package dev.geosteer.differential;

import dev.geosteer.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Differential test against Knot DNS: a real {@code knotd} and geosteer serve the same zone files
 * ({@code src/test/resources/knotdiff/}) on ephemeral loopback ports; every query of the {@link Corpus}
 * goes to both, and the answers must be identical field by field (rcode, flags, each section as a
 * multiset of records, EDNS) except for the few {@link AcceptedDifferences}, each argued from the RFCs.
 * Skipped, saying so, only when knotd is not installed ({@code apt-get install knot}; CI installs it).
 */
class KnotDifferentialTest {
    static final List<String> ZONES = List.of("diff.test", "sub.diff.test", "far.test", "moved.test");

    @TempDir
    Path dir;

    @Test
    void answersLikeKnot() throws Exception {
        Path knotd = Knotd.findOrSkip("KnotDifferentialTest");

        Path zones = Files.createDirectories(dir.resolve("zones"));
        List<Path> files = new ArrayList<>();
        for (String zone : ZONES) {
            Path f = zones.resolve(zone + ".zone");
            TestServer.copyResource("knotdiff/" + zone + ".zone", f);
            files.add(f);
        }
        Corpus corpus = new Corpus(files);
        Path reportFile = Path.of("target", "knot-differences.txt");
        Files.deleteIfExists(reportFile);
        long start = System.nanoTime();
        try (Knotd knot = Knotd.start(knotd, dir.resolve("knot"), files, "diff.test.");
             TestServer geo = TestServer.start(dir);
             DnsClient toKnot = new DnsClient(knot.address);
             DnsClient toGeo = new DnsClient(geo.address)) {
            AcceptedDifferences accepted = new AcceptedDifferences(toKnot);
            Map<String, List<String>> unexplained = new TreeMap<>(); // kind of difference → reports
            int compared = 0;
            for (Probe q : corpus.probes) {
                byte[][] replies = ask(q, toKnot, toGeo);
                compared++;
                byte[] k = replies[0];
                byte[] g = replies[1];
                Answer[] left = accepted.normalize(new AcceptedDifferences.Exchange(q, length(k), length(g)),
                        parse(k), parse(g));
                if (left[0].equals(left[1])) {
                    continue;
                }
                List<String> diffs = Answer.differences(left[0], left[1]);
                String kind = Probe.typeName(q.type()) + "/" + Probe.className(q.dclass()) + ": "
                        + diffs.stream().map(d -> d.substring(0, d.indexOf(':'))).toList();
                unexplained.computeIfAbsent(kind, x -> new ArrayList<>()).add(report(q, diffs, k, g));
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("KnotDifferentialTest: %d queries (%d names) compared with knotd on %s in %d ms; "
                    + "accepted differences: %s%n", compared, corpus.names.size(), knot.address, ms, accepted.counts());
            StringBuilder failure = new StringBuilder();
            int total = 0;
            for (Map.Entry<String, List<String>> e : unexplained.entrySet()) {
                total += e.getValue().size();
                failure.append("\n=== ").append(e.getValue().size()).append(" × ").append(e.getKey()).append('\n')
                        .append(e.getValue().get(0));
            }
            if (total > 0) {
                Files.createDirectories(reportFile.getParent());
                StringBuilder all = new StringBuilder();
                unexplained.forEach((sig, list) -> list.forEach(r -> all.append(r).append('\n')));
                Files.writeString(reportFile, all);
                System.out.println(failure);
            }
            assertThat(total).as("%d answers differ from Knot's (first of each kind below; all in %s)%s",
                    total, reportFile.toAbsolutePath(), failure).isZero();
            assertThat(accepted.unused()).as("accepted differences the corpus never exercises: remove them or add the queries")
                    .isEmpty();
        }
    }

    /** Sends the query to both servers (over UDP at once, so that they work in parallel); the raw replies. */
    private static byte[][] ask(Probe q, DnsClient knot, DnsClient geo) throws IOException {
        byte[] wire = q.wire();
        if (q.tcp()) {
            return new byte[][] {knot.tcp(wire), geo.tcp(wire)};
        }
        knot.sendUdp(wire);
        geo.sendUdp(wire);
        return new byte[][] {knot.receiveUdp(q.id()), geo.receiveUdp(q.id())};
    }

    private static int length(byte[] wire) {
        return wire == null ? -1 : wire.length;
    }

    private static Answer parse(byte[] wire) {
        if (wire == null) {
            return Answer.NONE;
        }
        try {
            return Answer.of(Answer.parse(wire));
        } catch (IOException e) {
            return Answer.NONE.withAnswer(List.of("(unparsable: " + e.getMessage() + ")"));
        }
    }

    private static String report(Probe q, List<String> diffs, byte[] k, byte[] g) {
        StringBuilder b = new StringBuilder("query: ").append(q).append('\n');
        diffs.forEach(d -> b.append("  ").append(d).append('\n'));
        b.append("--- knot:\n").append(show(k)).append("--- geosteer:\n").append(show(g));
        return b.toString();
    }

    private static String show(byte[] wire) {
        if (wire == null) {
            return "(no response)\n";
        }
        try {
            return new Message(wire).toString().replaceAll("(?m)^;; (Message size|Query time).*\n", "") + "\n";
        } catch (IOException e) {
            return "(unparsable: " + e + ")\n";
        }
    }
}
