package dev.geosteer.fuzz;

import dev.geosteer.dns.Query;
import dev.geosteer.dns.QueryObserver;
import dev.geosteer.dns.QueryParser;
import dev.geosteer.dns.Responder;
import dev.geosteer.dns.WireWriter;
import dev.geosteer.health.HealthView;
import dev.geosteer.health.HealthView.OriginHealth;
import dev.geosteer.health.HealthView.State;
import dev.geosteer.query.ServedZones;
import dev.geosteer.query.ZoneResolver;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * What the three fuzz targets share: copies of the test resources in a temporary directory, health
 * views to steer under, client addresses, a {@link Responder} whose swallowed internal errors are turned
 * back into failures, and the checks every encoded answer must pass.
 */
final class FuzzSupport {
    /** The server's default {@code limits.udp_max_size}. */
    static final int UDP_MAX = 1232;

    private FuzzSupport() {
    }

    // ---------------------------------------------------------------- files

    /**
     * A fresh temporary directory holding the given test resources, deleted when the JVM exits. A resource is
     * copied to the same relative path, or to the path after a {@code >} ({@code fuzz/zones/a.zone>zones/a.zone}).
     */
    static Path copyResources(String... resources) {
        try {
            Path dir = Files.createTempDirectory("geosteer-fuzz");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            for (String entry : resources) {
                int arrow = entry.indexOf('>');
                String r = arrow < 0 ? entry : entry.substring(0, arrow);
                Path to = dir.resolve(arrow < 0 ? entry : entry.substring(arrow + 1));
                Files.createDirectories(to.getParent());
                try (InputStream in = FuzzSupport.class.getClassLoader().getResourceAsStream(r)) {
                    if (in == null) {
                        throw new IOException("no test resource " + r);
                    }
                    Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    // ---------------------------------------------------------------- clients and health

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text); // literals only: never a lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Packet sources, chosen by the input: loopback (unknown location), GB, JP (IPv6), and an address in
     * the {@code nets} override 175.16.0.0/16 of geo.test.steer.yaml.
     */
    static final InetAddress[] CLIENTS = {
            ip("127.0.0.1"), ip("81.2.69.142"), ip("2001:218::1"), ip("175.16.199.5")};

    /** Every origin of geo.test.steer.yaml, by pool: keys are {@code zone/pool/origin}. */
    private static final Map<String, List<String>> GEO_TEST_ORIGINS = Map.of(
            "eu", List.of("par1", "par1-v6"), "na", List.of("iad1"), "ap", List.of("sin1", "sin1-v6"),
            "jp", List.of("tyo1"), "ca", List.of("sfo1"), "v6only", List.of("v6a"),
            "many", List.of("m1", "m2", "m3", "m4"));

    /**
     * Four health situations, chosen by the input: none checked (all usable); nothing usable (every
     * balancer falls back); a mix of down, drained and up origins whose verdicts could change soon (TTL
     * capping, failover to later pools); everything drained.
     */
    static HealthView[] healthViews(String zone) {
        long now = System.nanoTime();
        long second = 1_000_000_000L;
        Map<String, OriginHealth> mixed = new HashMap<>();
        Map<String, OriginHealth> drained = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, List<String>> pool : GEO_TEST_ORIGINS.entrySet()) {
            for (String origin : pool.getValue()) {
                String key = zone + "/" + pool.getKey() + "/" + origin;
                State state = switch (i++ % 3) {
                    case 0 -> State.DOWN;
                    case 1 -> State.UP;
                    default -> State.UNKNOWN;
                };
                mixed.put(key, new OriginHealth(state, i % 5 == 0, true, 10 * second, now + i * second, 2, 3,
                        i % 2));
                drained.put(key, new OriginHealth(State.UP, true, true, 10 * second, now, 2, 3, 0));
            }
        }
        return new HealthView[] {
                HealthView.NONE,
                new HealthView(Map.of(), false, 5),
                new HealthView(mixed, false, 5),
                new HealthView(drained, true, 1)};
    }

    // ---------------------------------------------------------------- the responder

    /** Records what the Responder logs when the resolver throws (it answers SERVFAIL and carries on). */
    static final class InternalErrors extends Handler {
        // Loggers are only weakly held by the LogManager: keep ours.
        private static final Logger RESPONDER_LOG = Logger.getLogger(Responder.class.getName());
        private static final InternalErrors INSTANCE = new InternalErrors();

        static {
            RESPONDER_LOG.setUseParentHandlers(false); // the fuzzer would print thousands of them
            RESPONDER_LOG.addHandler(INSTANCE);
        }

        private final ThreadLocal<LogRecord> last = new ThreadLocal<>();

        static InternalErrors install() {
            return INSTANCE;
        }

        void reset() {
            last.remove();
        }

        /** Throws when the last call logged an internal error: the resolver threw. */
        void check(String what) {
            LogRecord r = last.get();
            if (r != null) {
                last.remove();
                throw new AssertionError("the resolver threw (the Responder answered SERVFAIL): " + r.getMessage()
                        + "\n" + what, r.getThrown());
            }
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                last.set(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** A Responder as the server builds it (default UDP limit, cookies, the cap without them), over the given zones. */
    static Responder responder(Supplier<ServedZones> zones) {
        InternalErrors.install();
        return new Responder(new ZoneResolver(zones), UDP_MAX, QueryObserver.NONE, dev.geosteer.dns.Limiter.NONE,
                new dev.geosteer.dns.CookiePolicy(dev.geosteer.dns.ServerCookies.configured(new byte[16], null), 512,
                        a -> false));
    }

    /**
     * Answers {@code packet} (exactly its length, so that any read past the end throws) and checks the
     * answer; returns the parsed answer, or null when the packet was dropped.
     */
    static Message answerAndCheck(Responder responder, WireWriter writer, byte[] packet, InetAddress client,
                                  boolean tcp) {
        InternalErrors errors = InternalErrors.install();
        errors.reset();
        int n = responder.respond(packet, packet.length, client, tcp, writer);
        errors.check(describe(packet, client, tcp));
        return checkAnswer(packet, tcp, n, writer.buffer());
    }

    /**
     * The invariants of an answer to {@code packet}: dropped exactly when the packet is shorter than a
     * header or is a response; otherwise a message dnsjava can parse, with the query's ID and opcode,
     * within the transport's size, echoing the question byte for byte.
     */
    static Message checkAnswer(byte[] packet, boolean tcp, int n, byte[] buffer) {
        boolean mustDrop = packet.length < 12 || (packet[2] & 0x80) != 0;
        if (n < 0) {
            if (!mustDrop) {
                fail("a query was dropped", packet, tcp, null);
            }
            return null;
        }
        if (mustDrop) {
            fail("answered a packet that must be dropped", packet, tcp, Arrays.copyOf(buffer, n));
        }
        byte[] out = Arrays.copyOf(buffer, n);
        if (n < 12) {
            fail("answer shorter than a header", packet, tcp, out);
        }
        Query q = QueryParser.parse(packet, packet.length);
        byte[] parsable = out;
        if (q.clientSubnet() != null && q.clientSubnet().ipv4Mapped()) {
            // dnsjava turns an IPv4-mapped ECS address into IPv4 and then rejects its IPv6 prefix:
            // that option is checked here by hand, the rest of the message by dnsjava
            parsable = withoutMappedEcs(out, q.clientSubnet(), packet, tcp);
        }
        Message m;
        try {
            m = new Message(parsable);
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("dnsjava cannot parse the answer: " + e + "\n" + describe(packet, null, tcp)
                    + "\nanswer: " + hex(out), e);
        }
        if (out[0] != packet[0] || out[1] != packet[1]) {
            fail("answer ID differs from the query's", packet, tcp, out);
        }
        if ((out[2] & 0x80) == 0) {
            fail("QR is not set in the answer", packet, tcp, out);
        }
        if (((out[2] >> 3) & 0xF) != ((packet[2] >> 3) & 0xF)) {
            fail("answer opcode differs from the query's", packet, tcp, out);
        }
        int limit = tcp ? WireWriter.MAX_MESSAGE
                : q.edns() == null ? 512 : Math.min(Math.max(512, q.edns().udpSize()), UDP_MAX);
        if (n > limit) {
            fail("answer of " + n + " bytes exceeds the limit of " + limit, packet, tcp, out);
        }
        if (tcp && m.getHeader().getFlag(Flags.TC)) {
            fail("TC set over TCP", packet, tcp, out);
        }
        OPTRecord opt = m.getOPT();
        if ((opt != null) != (q.edns() != null)) {
            fail("OPT in the answer (" + (opt != null) + ") but EDNS in the query (" + (q.edns() != null) + ")",
                    packet, tcp, out);
        }
        if (opt != null && q.clientSubnet() != null && parsable == out) {
            List<EDNSOption> ecs = opt.getOptions(EDNSOption.Code.CLIENT_SUBNET);
            if (ecs.size() != 1) {
                fail("ECS not echoed", packet, tcp, out);
            }
            ClientSubnetOption echo = (ClientSubnetOption) ecs.get(0);
            if (echo.getSourcePrefixLength() != q.clientSubnet().sourcePrefix()
                    || echo.getFamily() != q.clientSubnet().family()) {
                fail("ECS echoed with another family or source prefix", packet, tcp, out);
            }
        }
        int qdcount = ((out[4] & 0xFF) << 8) | (out[5] & 0xFF);
        if (qdcount == 1) {
            int end = questionEnd(packet);
            if (end < 0 || end > n || !Arrays.equals(out, 12, end, packet, 12, end)) {
                fail("the answer's question is not the query's", packet, tcp, out);
            }
        } else if (qdcount != 0) {
            fail("QDCOUNT " + qdcount, packet, tcp, out);
        } else {
            int rcode = m.getRcode();
            if (rcode != Rcode.FORMERR && rcode != Rcode.NOTIMP) {
                fail("no question in a " + Rcode.string(rcode) + " answer", packet, tcp, out);
            }
        }
        return m;
    }

    /**
     * The answer without its ECS option, after checking that option: the query's family, source prefix
     * and address, and a scope in IPv6 space (at most 128). The OPT record is the writer's last record.
     */
    static byte[] withoutMappedEcs(byte[] out, dev.geosteer.dns.ClientSubnet asked, byte[] packet, boolean tcp) {
        int pos = questionEnd(out);
        int records = 0;
        for (int i = 6; i < 12; i += 2) {
            records += ((out[i] & 0xFF) << 8) | (out[i + 1] & 0xFF);
        }
        for (int r = 0; pos > 0 && r < records; r++) {
            int start = pos;
            while ((out[pos] & 0xFF) != 0 && (out[pos] & 0xC0) != 0xC0) {
                pos += (out[pos] & 0xFF) + 1;
            }
            pos += (out[pos] & 0xC0) == 0xC0 ? 2 : 1;
            int type = ((out[pos] & 0xFF) << 8) | (out[pos + 1] & 0xFF);
            int rdlength = ((out[pos + 8] & 0xFF) << 8) | (out[pos + 9] & 0xFF);
            int rdata = pos + 10;
            if (type == org.xbill.DNS.Type.OPT) {
                for (int o = rdata; o + 4 <= rdata + rdlength; ) {
                    int code = ((out[o] & 0xFF) << 8) | (out[o + 1] & 0xFF);
                    int olen = ((out[o + 2] & 0xFF) << 8) | (out[o + 3] & 0xFF);
                    if (code == 8) {
                        byte[] a = asked.addressBytes();
                        if (olen != 4 + a.length || out[o + 5] != 2 || (out[o + 6] & 0xFF) != asked.sourcePrefix()
                                || (out[o + 7] & 0xFF) > 128 || !Arrays.equals(out, o + 8, o + 8 + a.length, a, 0, a.length)) {
                            fail("IPv4-mapped ECS echoed wrong", packet, tcp, out);
                        }
                        byte[] cut = new byte[out.length - 4 - olen];
                        System.arraycopy(out, 0, cut, 0, o);
                        System.arraycopy(out, o + 4 + olen, cut, o, out.length - o - 4 - olen);
                        int len = rdlength - 4 - olen;
                        cut[pos + 8] = (byte) (len >> 8);
                        cut[pos + 9] = (byte) len;
                        return cut;
                    }
                    o += 4 + olen;
                }
            }
            pos = rdata + rdlength;
        }
        fail("ECS not echoed", packet, tcp, out);
        return out;
    }

    /** End of the question of a query with QDCOUNT 1 and an uncompressed name, or -1. */
    static int questionEnd(byte[] p) {
        if (p.length < 12 || ((p[4] & 0xFF) << 8 | (p[5] & 0xFF)) != 1) {
            return -1;
        }
        int pos = 12;
        while (pos < p.length) {
            int l = p[pos] & 0xFF;
            if (l == 0) {
                return pos + 5 <= p.length ? pos + 5 : -1;
            }
            if (l > 63) {
                return -1;
            }
            pos += l + 1;
        }
        return -1;
    }

    private static void fail(String what, byte[] packet, boolean tcp, byte[] answer) {
        throw new AssertionError(what + "\n" + describe(packet, null, tcp)
                + (answer == null ? "" : "\nanswer: " + hex(answer)));
    }

    static String describe(byte[] packet, InetAddress client, boolean tcp) {
        return "query (" + (tcp ? "TCP" : "UDP") + (client == null ? "" : " from " + client.getHostAddress()) + "): "
                + hex(packet);
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return s.toString();
    }

    static byte[] unhex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    // ---------------------------------------------------------------- queries

    /**
     * A query as dnsjava writes it, with an ID derived from the question (so that seeds are reproducible);
     * {@code udpSize} 0 means no EDNS; {@code ecs} may be null.
     */
    static byte[] query(Name name, int type, int udpSize, ClientSubnetOption ecs) {
        Message m = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        m.getHeader().setID((name.hashCode() * 31 + type) & 0xFFFF);
        if (udpSize > 0) {
            List<EDNSOption> options = ecs == null ? List.of() : List.of(ecs);
            m.addRecord(new OPTRecord(udpSize, 0, 0, 0, options), Section.ADDITIONAL);
        }
        return m.toWire();
    }
}
