package dev.geosteer.xfr;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.dns.MessageWriter;
import dev.geosteer.dns.Query;
import dev.geosteer.dns.RRset;
import dev.geosteer.dns.Response;
import dev.geosteer.net.Cidr;
import dev.geosteer.dns.Signatures;
import dev.geosteer.dns.Streams;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Answers AXFR (RFC 5936) and IXFR (RFC 1995) to the clients {@code transfer.allow} lets in, streaming
 * the messages from one version of the zone (the one served when the request came: a reload during the
 * transfer does not mix versions). Runs on the connection's event loop; the work per message is bounded.
 */
public final class Transfers implements Streams {
    private static final Logger LOG = Logger.getLogger(Transfers.class.getName());

    /** One {@code transfer.allow} entry: a network (or any) and a key (or none). */
    record Rule(Cidr network, String key, String text) {
        boolean allows(InetAddress client, Signatures.Signer signer) {
            if (network != null && !network.contains(client)) {
                return false;
            }
            return key == null || (signer != null && signer.keyName() != null
                    && bare(signer.keyName()).equalsIgnoreCase(bare(key)));
        }

        private static String bare(String name) {
            return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        }
    }

    private final Supplier<ServedZones> zones;
    private final History history;
    private final List<Rule> rules;
    private final int maxConcurrent;
    private final int perClientPerMinute;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, long[]> perClient = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > 4096;
        }
    };
    private final MeterRegistry registry;

    public Transfers(ServerConfig.Transfer config, Supplier<ServedZones> zones, History history, MeterRegistry registry) {
        this.zones = zones;
        this.history = history;
        this.registry = registry;
        List<Rule> r = new ArrayList<>();
        for (ServerConfig.Allow a : config.allow) {
            r.add(new Rule(a.network == null ? null : Cidr.parse(a.network, false), a.key,
                    (a.network == null ? "any" : a.network) + (a.key == null ? "" : " key " + a.key)));
        }
        this.rules = List.copyOf(r);
        this.maxConcurrent = config.maxConcurrent;
        this.perClientPerMinute = config.perClientPerMinute;
    }

    @Override
    public boolean streams(Query query) {
        return query.qtype() == Type.AXFR || query.qtype() == Type.IXFR;
    }

    private boolean allowed(InetAddress client, Signatures.Signer signer) {
        for (Rule r : rules) {
            if (r.allows(client, signer)) {
                return true;
            }
        }
        return false;
    }

    private void count(String kind, String result) {
        Counter.builder("geosteer_xfr").description("Zone transfers by kind (axfr, ixfr, ixfr_axfr: a whole zone"
                        + " in answer to an IXFR, ixfr_udp) and result")
                .tag("kind", kind).tag("result", result).register(registry).increment();
    }

    private static String who(InetAddress client, Signatures.Signer signer) {
        return client.getHostAddress() + (signer == null ? " (unsigned)" : " (key " + signer.keyName() + ")");
    }

    @Override
    public Response udp(Query query, InetAddress client, Signatures.Signer signer) {
        if (query.qtype() != Type.IXFR) {
            return null; // AXFR over UDP: the resolver's NOTIMP (RFC 5936 §4.2)
        }
        ServedZone z = zones.get().get(query.qname());
        if (z == null) {
            return Response.of(Rcode.NOTAUTH, false);
        }
        if (!allowed(client, signer)) {
            count("ixfr_udp", "refused");
            LOG.info("IXFR over UDP of " + z.zone().origin() + " from " + who(client, signer) + " refused: not in transfer.allow");
            return Response.of(Rcode.REFUSED, false).zone(z.zone().originText());
        }
        // RFC 1995 §2: the SOA alone tells the client its version or that it should ask over TCP
        count("ixfr_udp", "ok");
        return Response.of(Rcode.NOERROR, true).answer(z.zone().soa(), null, z.zone().soa().ttl())
                .zone(z.zone().originText());
    }

    @Override
    public MessageStream open(Query query, InetAddress client, Signatures.Signer signer) {
        boolean ixfr = query.qtype() == Type.IXFR;
        String kind = ixfr ? "ixfr" : "axfr";
        ServedZone z = zones.get().get(query.qname());
        if (z == null) {
            count(kind, "notauth");
            return single(query, Rcode.NOTAUTH);
        }
        String what = (ixfr ? "IXFR" : "AXFR") + " of " + z.zone().origin() + " to " + who(client, signer);
        if (!allowed(client, signer)) {
            count(kind, "refused");
            LOG.info(what + " refused: not in transfer.allow");
            return single(query, Rcode.REFUSED);
        }
        if (!rateAllows(client)) {
            count(kind, "rate_limited");
            LOG.warning(what + " refused: more than " + perClientPerMinute + " a minute from this address"
                    + " (transfer.per_client_per_minute)");
            return single(query, Rcode.REFUSED);
        }
        if (active.incrementAndGet() > maxConcurrent) {
            active.decrementAndGet();
            count(kind, "busy");
            LOG.warning(what + " refused: " + maxConcurrent + " transfers already running (transfer.max_concurrent)");
            return single(query, Rcode.REFUSED);
        }
        List<Iterator<RRset>> parts = new ArrayList<>();
        RRset soa = z.zone().soa();
        if (ixfr) {
            long theirs = query.ixfrSerial();
            List<Diff> diffs = history.since(z, theirs);
            if (theirs >= 0 && serialAtLeast(theirs, z.zone().serial())) {
                kind = "ixfr";
                what += ": up to date (serial " + theirs + ")";
                parts.add(List.of(soa).iterator());
            } else if (diffs != null) {
                parts.add(List.of(soa).iterator());
                for (Diff d : diffs) {
                    parts.add(List.of(d.fromSoa()).iterator());
                    parts.add(d.removed().iterator());
                    parts.add(List.of(d.toSoa()).iterator());
                    parts.add(d.added().iterator());
                }
                parts.add(List.of(soa).iterator());
                what += ": serial " + theirs + " to " + z.zone().serial() + " in " + diffs.size() + " step(s)";
            } else {
                kind = "ixfr_axfr"; // RFC 1995 §4: no history for that serial, the whole zone
                what += ": no history for serial " + theirs + ", whole zone";
                parts.add(List.of(soa).iterator());
                parts.add(Content.all(z));
                parts.add(List.of(soa).iterator());
            }
        } else {
            parts.add(List.of(soa).iterator());
            parts.add(Content.all(z));
            parts.add(List.of(soa).iterator());
        }
        return new Transfer(query, parts.iterator(), kind, what + ", serial " + z.zone().serial());
    }

    /** RFC 1982: true when {@code a} is the same as or after {@code b}. */
    static boolean serialAtLeast(long a, long b) {
        return a == b || ((a - b) & 0xFFFFFFFFL) < 0x80000000L;
    }

    private synchronized boolean rateAllows(InetAddress client) {
        long now = System.nanoTime();
        long[] bucket = perClient.computeIfAbsent(client.getHostAddress(), k -> new long[] {perClientPerMinute, now});
        double refill = (now - bucket[1]) / 60e9 * perClientPerMinute;
        long tokens = Math.min(perClientPerMinute, bucket[0] + (long) refill);
        if (refill >= 1) {
            bucket[1] = now;
        }
        if (tokens < 1) {
            bucket[0] = tokens;
            return false;
        }
        bucket[0] = tokens - 1;
        return true;
    }

    /** Transfers running now. */
    public int active() {
        return active.get();
    }

    private static MessageStream single(Query query, int rcode) {
        MessageWriter w = new MessageWriter(query, 512 + 1024);
        w.start(rcode, true);
        byte[] m = w.finish();
        return new MessageStream() {
            private boolean sent;

            @Override
            public byte[] next() {
                if (sent) {
                    return null;
                }
                sent = true;
                return m;
            }

            @Override
            public void close() {
            }
        };
    }

    /** The messages of one transfer, written as the connection takes them. */
    private final class Transfer implements MessageStream {
        private final MessageWriter writer;
        private final Iterator<Iterator<RRset>> parts;
        private final String kind;
        private final String what;
        private final long start = System.nanoTime();
        private Iterator<RRset> part;
        private RRset set;
        private int index;
        private boolean first = true;
        private boolean done;
        private boolean closed;
        private long messages;
        private long bytes;
        private long records;

        Transfer(Query query, Iterator<Iterator<RRset>> parts, String kind, String what) {
            this.writer = new MessageWriter(query, 65535);
            this.parts = parts;
            this.kind = kind;
            this.what = what;
        }

        private boolean advance() {
            while (set == null || index >= set.size()) {
                while (part == null || !part.hasNext()) {
                    if (!parts.hasNext()) {
                        return false;
                    }
                    part = parts.next();
                }
                set = part.next();
                index = 0;
            }
            return true;
        }

        @Override
        public byte[] next() {
            if (done) {
                return null;
            }
            writer.start(Rcode.NOERROR, first);
            first = false;
            while (advance()) {
                if (!writer.add(set.ownerWire(), set, index, set.ttl())) {
                    break;
                }
                index++;
            }
            if (!advance()) {
                done = true;
            }
            records += writer.records();
            byte[] m = writer.finish();
            messages++;
            bytes += m.length;
            return m;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            active.decrementAndGet();
            count(kind, done ? "ok" : "aborted");
            LOG.info(String.format("%s: %s, %d records in %d messages, %d bytes, %d ms", what,
                    done ? "sent" : "ABORTED (connection closed)", records, messages, bytes,
                    (System.nanoTime() - start) / 1_000_000));
        }
    }
}
