package dev.geosteer.query;

import dev.geosteer.dns.DnsServer;
import dev.geosteer.dns.Responder;
import dev.geosteer.dns.WireWriter;
import dev.geosteer.zone.Node;
import org.xbill.DNS.Type;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Answers made up before the listeners open, so that the first real queries run compiled code: the JIT
 * compiles a method after some thousands of calls, and until then an answer costs several times more
 * (the first 5-second benchmark run after a start was 0.37 of gdnsd's QPS, against 0.82 warmed: issue
 * 15). The questions come from the zones served: the apex's SOA and NS, names of the zone with their
 * types, a name that does not exist, and each balancer's A and AAAA from IPv4 and IPv6 subnets (ECS), with
 * and without EDNS and DO. They are answered by a {@link Responder} made like the real one (its metrics
 * in a registry of their own), on the calling thread and then over the loopback on a UDP socket set up as
 * the listeners' are, before the listeners open; then the warm-up waits for the JIT compilers to be idle
 * (at most 3 s). A steered answer asked with DO is signed here as on its first real query, and cached.
 * {@code -Dgeosteer.warmup=N} sets how many answers (0: none).
 *
 * <p>Measured (bench/answer-cost.sh --first-answers 50000, static, on a busy 2-core host): the first 50 000
 * answers after the start cost the event loop 8-11 us each instead of 21, and the process (the JIT
 * compilers included) 24-33 us instead of 45; the start takes 2.5-4 s longer.
 */
public final class Warmup {
    private static final Logger LOG = Logger.getLogger(Warmup.class.getName());
    /** Answers made in process by default (a quarter as many over UDP): the JIT's second tier compiles every stage. */
    public static final int DEFAULT_ANSWERS = 100_000;
    private static final int NAMES_PER_ZONE = 32;
    private static final int ZONES = 16;

    private Warmup() {
    }

    /** How many answers {@code -Dgeosteer.warmup} asks for (default {@link #DEFAULT_ANSWERS}). */
    public static int answers() {
        return Integer.getInteger("geosteer.warmup", DEFAULT_ANSWERS);
    }

    /**
     * Warms the answer path with questions about {@code zones}, answered by {@code responder}: first on
     * this thread (parse, resolve, encode: fast even before compilation), then over the loopback on a UDP
     * socket of {@code dns}'s own ({@link DnsServer#warmUp}: Netty's path too), then waits for the
     * compilers. At most about 6 s in all; returns the answers made.
     */
    public static int run(DnsServer dns, Responder responder, ServedZones zones) {
        int answers = answers();
        if (answers <= 0 || zones.size() == 0) {
            return 0;
        }
        long start = System.nanoTime();
        List<byte[]> queries = questions(zones);
        WireWriter writer = new WireWriter();
        InetAddress client = InetAddress.getLoopbackAddress();
        long deadline = start + 1_500_000_000L;
        int local = 0;
        for (int i = 0; i < answers && (i % 1024 != 0 || System.nanoTime() < deadline); i++) {
            byte[] q = queries.get(i % queries.size());
            responder.respond(q, q.length, client, false, writer);
            local++;
        }
        int udp = dns.warmUp(responder, queries, answers / 4, java.time.Duration.ofMillis(1500));
        awaitCompilers(java.time.Duration.ofSeconds(3));
        LOG.info("warm-up: " + local + " answers in process and " + udp + " over UDP to " + queries.size()
                + " questions, " + (System.nanoTime() - start) / 1_000_000 + " ms");
        return local + udp;
    }

    /**
     * Waits until the JIT compilers have been idle for 200 ms (their total time stops growing), at most
     * {@code max}: what the warm-up queued is compiled before the first query, not during the first
     * seconds of traffic (on one core, the compilers take that CPU from the answers).
     */
    static void awaitCompilers(java.time.Duration max) {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long deadline = System.nanoTime() + max.toNanos();
        long last = jit.getTotalCompilationTime();
        try {
            while (System.nanoTime() < deadline) {
                Thread.sleep(200);
                long now = jit.getTotalCompilationTime();
                if (now == last) {
                    return;
                }
                last = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The questions, interleaved so that every stage is called throughout. */
    static List<byte[]> questions(ServedZones zones) {
        List<byte[]> out = new ArrayList<>();
        int z = 0;
        for (ServedZone served : zones.all()) {
            if (z++ == ZONES) {
                break;
            }
            byte[] apex = served.zone().origin().toWire();
            for (int flavour = 0; flavour < 4; flavour++) {
                boolean edns = flavour > 0;
                boolean dnssecOk = flavour == 2;
                out.add(query(apex, Type.SOA, edns, dnssecOk, null));
                out.add(query(apex, Type.NS, edns, dnssecOk, null));
                out.add(query(prefixed("warmup-nx-" + flavour, apex), Type.A, edns, dnssecOk, null));
                int names = 0;
                for (Node node : served.zone().nodes()) {
                    if (names++ == NAMES_PER_ZONE) {
                        break;
                    }
                    byte[] owner = node.name().toWire();
                    int type = node.rrsetCount() > 0 ? node.rrset(0).type() : Type.A;
                    out.add(query(owner, node.steering() >= 0 ? Type.A : type, edns, dnssecOk, null));
                    if (node.steering() >= 0) {
                        // a balancer: clients from several places (ECS), both families
                        for (int s = 0; s < 8; s++) {
                            byte[] v4 = {(byte) (1 + s * 29), (byte) (s * 37), (byte) (s * 53), 0};
                            byte[] v6 = {0x20, 0x01, (byte) (s * 16), (byte) (s * 3), 0, 0};
                            out.add(query(owner, Type.A, true, dnssecOk, ecs(1, 24, v4, 3)));
                            out.add(query(owner, Type.AAAA, true, dnssecOk, ecs(2, 48, v6, 6)));
                        }
                        out.add(query(owner, Type.AAAA, edns, dnssecOk, null));
                    }
                }
            }
        }
        return out;
    }

    private static byte[] prefixed(String label, byte[] apex) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(label.length());
        b.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.writeBytes(apex);
        return b.toByteArray();
    }

    /** The ECS option's data: family, source prefix, scope 0, the address's first {@code bytes} octets. */
    private static byte[] ecs(int family, int prefix, byte[] address, int bytes) {
        byte[] o = new byte[4 + bytes];
        o[1] = (byte) family;
        o[2] = (byte) prefix;
        System.arraycopy(address, 0, o, 4, bytes);
        return o;
    }

    /** A query packet: RD clear; with {@code edns} an OPT record of 1232 bytes with DO as asked and the ECS option. */
    private static byte[] query(byte[] qname, int type, boolean edns, boolean dnssecOk, byte[] ecs) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x57, 0x41, 0, 0, 0, 1, 0, 0, 0, 0, 0, (byte) (edns ? 1 : 0)});
        b.writeBytes(qname);
        b.writeBytes(new byte[] {(byte) (type >> 8), (byte) type, 0, 1});
        if (edns) {
            int rdlen = ecs == null ? 0 : 4 + ecs.length;
            b.writeBytes(new byte[] {0, 0, 41, 0x04, (byte) 0xD0, 0, 0, (byte) (dnssecOk ? 0x80 : 0), 0,
                    (byte) (rdlen >> 8), (byte) rdlen});
            if (ecs != null) {
                b.writeBytes(new byte[] {0, 8, (byte) (ecs.length >> 8), (byte) ecs.length});
                b.writeBytes(ecs);
            }
        }
        return b.toByteArray();
    }
}
