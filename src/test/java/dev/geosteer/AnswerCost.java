package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * What one answer costs the server, measured deterministically rather than as QPS (which other
 * processes on a shared machine make noisy): a real server in this JVM (one event loop), queried over
 * loopback UDP by a client thread, and the heap bytes allocated and the CPU time used by the server's
 * event-loop threads (ThreadMXBean) divided by the answers. Allocation per answer is exact and
 * repeatable; CPU per answer is thread CPU time (user + system, the syscalls included), which other
 * processes disturb far less than wall-clock QPS. Run by bench/answer-cost.sh (see bench/README.md).
 *
 * <pre>
 * AnswerCost --config DIR/geosteer.yaml --anchors ANCHORS_QUERIES_DIR [--answers N] [--warmup N]
 *            [--rounds R] [--window W] [--only w1,w2] [--first-answers N]
 * </pre>
 */
public final class AnswerCost {
    private record Workload(String name, List<byte[]> queries) {
    }

    public static void main(String[] args) throws Exception {
        Path config = null;
        Path anchors = null;
        int answers = 200_000;
        int warmup = 300_000;
        int rounds = 3;
        int window = 32;
        int firstAnswers = 0;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = Path.of(args[++i]);
                case "--anchors" -> anchors = Path.of(args[++i]);
                case "--answers" -> answers = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--window" -> window = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                case "--first-answers" -> firstAnswers = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (config == null || anchors == null) {
            throw new IllegalArgumentException("--config and --anchors are required");
        }
        ServerConfig c = ServerConfig.load(config);
        c.listen = List.of("127.0.0.1:0");
        c.limits.threads = 1; // one event loop: the figures are per core
        c.admin.listen = "";
        Geosteer server = Geosteer.start(c, config.toAbsolutePath().getParent(), List.of());
        try {
            InetSocketAddress address = server.dnsAddresses().stream()
                    .filter(a -> a.getAddress() instanceof java.net.Inet4Address).findFirst().orElseThrow();
            List<Workload> workloads = workloads(anchors);
            if (only != null) {
                List<String> names = List.of(only.split(","));
                workloads.removeIf(w -> !names.contains(w.name()));
            }
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.connect(address);
                socket.setSoTimeout(500);
                socket.setReceiveBufferSize(1 << 20);
                if (firstAnswers > 0) {
                    System.out.println("first answers after the start: workload, answers, B/answer, event loop CPU"
                            + " ns/answer, process CPU ns/answer (JIT compilers included)");
                    // the cold start: the first answers after the start, before any warm-up (JIT at work)
                    for (Workload w : workloads) {
                        Sample s = measure(socket, w, firstAnswers, window);
                        System.out.printf(Locale.ROOT, "cold\t%s\t%d\t%.0f\t%.0f\t%.0f%n", w.name(), s.answers,
                                s.bytesPer(), s.nanosPer(), s.processNanosPer());
                    }
                }
                // our code alone, without sockets: Responder.respond on this thread, as UdpHandler calls it
                dev.geosteer.dns.Responder responder = responder(server);
                java.net.InetAddress client = java.net.InetAddress.getLoopbackAddress();
                System.out.println("in process (parse, resolve, encode, metrics; no socket):");
                System.out.println("workload\tanswers\tB/answer\tCPU ns/answer");
                for (Workload w : workloads) {
                    direct(responder, client, w, warmup);
                    List<double[]> samples = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        samples.add(direct(responder, client, w, answers * 5));
                    }
                    samples.sort(java.util.Comparator.comparingDouble(d -> d[1]));
                    double minBytes = samples.stream().mapToDouble(d -> d[0]).min().orElse(0);
                    System.out.printf(Locale.ROOT, "%s\t%d\t%.1f\t%.0f%n", w.name(), answers * 5, minBytes,
                            samples.get(samples.size() / 2)[1]);
                }
                System.out.println();
                System.out.println("over loopback UDP (the whole server: Netty, system calls):");
                System.out.println("workload\tanswers\tlost\tB/answer\tCPU ns/answer\tof which user\tprocess CPU ns/answer\tanswer bytes\trcode\tsections");
                for (Workload w : workloads) {
                    measure(socket, w, warmup, window); // JIT, caches, the steered RRSIG cache
                    List<Sample> samples = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        samples.add(measure(socket, w, answers, window));
                    }
                    samples.sort(java.util.Comparator.comparingDouble(Sample::nanosPer));
                    Sample median = samples.get(samples.size() / 2);
                    double minBytes = samples.stream().mapToDouble(Sample::bytesPer).min().orElse(0);
                    String shape = describe(socket, w.queries().get(0));
                    System.out.printf(Locale.ROOT, "%s\t%d\t%d\t%.1f\t%.0f\t%.0f\t%.0f\t%s%n", w.name(), median.answers,
                            median.lost, minBytes, median.nanosPer(), median.userNanosPer(), median.processNanosPer(), shape);
                }
            }
        } finally {
            server.close();
        }
    }

    /** The server's Responder (private to it: read by reflection, for this measurement only). */
    private static dev.geosteer.dns.Responder responder(Geosteer server) throws Exception {
        java.lang.reflect.Field dns = Geosteer.class.getDeclaredField("dns");
        dns.setAccessible(true);
        Object dnsServer = dns.get(server);
        java.lang.reflect.Field responder = dnsServer.getClass().getDeclaredField("responder");
        responder.setAccessible(true);
        return (dev.geosteer.dns.Responder) responder.get(dnsServer);
    }

    /** {@code count} answers made on this thread: bytes allocated and CPU nanoseconds per answer. */
    private static double[] direct(dev.geosteer.dns.Responder responder, java.net.InetAddress client, Workload w,
                                   int count) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        dev.geosteer.dns.WireWriter writer = new dev.geosteer.dns.WireWriter();
        byte[][] qs = w.queries().toArray(new byte[0][]);
        long bytes0 = mx.getCurrentThreadAllocatedBytes();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long sum = 0;
        for (int i = 0; i < count; i++) {
            byte[] q = qs[i % qs.length];
            sum += responder.respond(q, q.length, client, false, writer);
        }
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        long bytes = mx.getCurrentThreadAllocatedBytes() - bytes0;
        if (sum <= 0) {
            throw new IllegalStateException("no answers");
        }
        return new double[] {(double) bytes / count, (double) cpu / count};
    }

    private record Sample(long answers, long lost, long bytes, long nanos, long userNanos, long processNanos) {
        double bytesPer() {
            return answers == 0 ? 0 : (double) bytes / answers;
        }

        double nanosPer() {
            return answers == 0 ? 0 : (double) nanos / answers;
        }

        double processNanosPer() {
            return answers == 0 ? 0 : (double) processNanos / answers;
        }

        double userNanosPer() {
            return answers == 0 ? 0 : (double) userNanos / answers;
        }
    }

    /** Sends {@code count} queries of the workload in turn, {@code window} outstanding, and counts the server's cost. */
    private static Sample measure(DatagramSocket socket, Workload w, int count, int window) throws Exception {
        List<byte[]> qs = w.queries();
        byte[] in = new byte[65535];
        DatagramPacket reply = new DatagramPacket(in, in.length);
        DatagramPacket[] packets = new DatagramPacket[qs.size()];
        for (int i = 0; i < packets.length; i++) {
            packets[i] = new DatagramPacket(qs.get(i), qs.get(i).length);
        }
        long[] before = serverCost();
        int sent = 0;
        int outstanding = 0;
        long received = 0;
        long lost = 0;
        while (sent < count || outstanding > 0) {
            while (outstanding < window && sent < count) {
                socket.send(packets[sent % packets.length]);
                sent++;
                outstanding++;
            }
            try {
                socket.receive(reply);
                received++;
                outstanding--;
            } catch (SocketTimeoutException e) {
                lost += outstanding; // dropped somewhere: go on with a full window
                outstanding = 0;
            }
        }
        long[] after = serverCost();
        return new Sample(received, lost, after[0] - before[0], after[1] - before[1], after[2] - before[2],
                after[3] - before[3]);
    }

    /** Bytes allocated and CPU nanoseconds used so far by the server's event-loop threads. */
    private static long[] serverCost() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long bytes = 0;
        long nanos = 0;
        long user = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("vert.x-eventloop-thread-")) {
                bytes += mx.getThreadAllocatedBytes(t.getId());
                nanos += mx.getThreadCpuTime(t.getId());
                user += mx.getThreadUserTime(t.getId());
            }
        }
        // the whole process (GC, JIT, every thread) but this client thread: what "server CPU" is in bench/run.sh
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() - mx.getCurrentThreadCpuTime();
        return new long[] {bytes, nanos, user, process};
    }

    /** The answer to one query of the workload, in a few words (size, rcode, records per section). */
    private static String describe(DatagramSocket socket, byte[] query) throws Exception {
        socket.send(new DatagramPacket(query, query.length));
        byte[] in = new byte[65535];
        DatagramPacket reply = new DatagramPacket(in, in.length);
        socket.receive(reply);
        Message m = new Message(java.util.Arrays.copyOf(in, reply.getLength()));
        return reply.getLength() + "\t" + Rcode.string(m.getRcode()) + "\t" + m.getSection(Section.ANSWER).size() + "/"
                + m.getSection(Section.AUTHORITY).size() + "/" + m.getSection(Section.ADDITIONAL).size();
    }

    private static List<Workload> workloads(Path anchors) throws Exception {
        Map<String, List<byte[]>> w = new LinkedHashMap<>();
        w.put("static", List.of(query("static.example.test", 1, false, false)));
        w.put("static-do", List.of(query("static.example.test", 1, true, true)));
        w.put("geo8", readBin(anchors.resolve("geo-ecs.bin"), false));
        w.put("geo8-do", readBin(anchors.resolve("geo-ecs.bin"), true));
        w.put("georand", readBin(anchors.resolve("geo-ecs-rand.bin"), false));
        w.put("georand-do", readBin(anchors.resolve("geo-ecs-rand.bin"), true));
        Random rnd = new Random(42);
        List<byte[]> nx = new ArrayList<>();
        List<byte[]> nxDo = new ArrayList<>();
        List<byte[]> wild = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String name = String.format(Locale.ROOT, "nx%06d-%08x.example.test", i, rnd.nextInt() & 0x7FFFFFFF);
            nx.add(query(name, 1, false, false));
            nxDo.add(query(name, 1, true, true));
            wild.add(query(String.format(Locale.ROOT, "h%05d.apps.example.test", i), 1, false, false));
        }
        w.put("nxdomain", nx);
        w.put("nxdomain-do", nxDo);
        w.put("wildcard", wild);
        w.put("referral", List.of(query("www.child.example.test", 1, false, false)));
        List<Workload> out = new ArrayList<>();
        w.forEach((k, v) -> out.add(new Workload(k, v)));
        return out;
    }

    /** A query as dnsperf sends it: RD clear; with {@code edns}, an OPT record of 1232 bytes, DO as asked. */
    static byte[] query(String name, int type, boolean edns, boolean dnssecOk) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, (byte) (edns ? 1 : 0)});
        for (String label : name.split("\\.")) {
            b.write(label.length());
            b.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        b.writeBytes(new byte[] {0, 0, (byte) type, 0, 1});
        if (edns) {
            b.writeBytes(new byte[] {0, 0, 41, 0x04, (byte) 0xD0, 0, 0, (byte) (dnssecOk ? 0x80 : 0), 0, 0, 0});
        }
        return b.toByteArray();
    }

    /** A dnsperf -B file (2-byte length, then the message); {@code dnssecOk}: the DO bit set in each OPT record. */
    static List<byte[]> readBin(Path file, boolean dnssecOk) throws Exception {
        byte[] d = Files.readAllBytes(file);
        List<byte[]> out = new ArrayList<>();
        for (int p = 0; p + 2 <= d.length; ) {
            int n = ((d[p] & 0xFF) << 8) | (d[p + 1] & 0xFF);
            byte[] m = java.util.Arrays.copyOfRange(d, p + 2, p + 2 + n);
            p += 2 + n;
            if (dnssecOk) {
                setDo(m);
            }
            out.add(m);
        }
        return out;
    }

    /** Sets DO in the OPT record of a query with one question and the OPT as its only additional record. */
    private static void setDo(byte[] m) {
        int q = 12;
        while (m[q] != 0) {
            q += (m[q] & 0xFF) + 1;
        }
        q += 5; // root label of the question, type, class
        // the OPT: owner (root, one octet), type, class (size), TTL = ext-rcode, version, flags
        m[q + 1 + 2 + 2 + 2] |= (byte) 0x80;
    }
}
