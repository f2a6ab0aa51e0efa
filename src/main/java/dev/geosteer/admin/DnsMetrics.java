package dev.geosteer.admin;

import dev.geosteer.dns.Query;
import dev.geosteer.dns.QueryObserver;
import dev.geosteer.dns.Response;
import dev.geosteer.dns.AnswerNote;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Query counters for Prometheus. Label values are bounded: zones are the served ones (or {@code none}),
 * qtypes a fixed list (else {@code other}), rcodes, transport, ECS yes/no; never client addresses or
 * names. Counters are looked up by array index on the answer path, created on first use.
 */
public final class DnsMetrics implements QueryObserver {
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.CNAME, Type.MX, Type.NS, Type.SOA, Type.TXT, Type.SRV,
            Type.PTR, Type.CAA, Type.DS, Type.DNSKEY, Type.HTTPS, Type.SVCB, Type.ANY, Type.AXFR, Type.IXFR};
    private static final int[] RCODES = {Rcode.NOERROR, Rcode.FORMERR, Rcode.SERVFAIL, Rcode.NXDOMAIN, Rcode.NOTIMP,
            Rcode.REFUSED, Rcode.NOTAUTH, Rcode.BADVERS};
    private static final int TYPE_SLOTS = TYPES.length + 1;
    private static final int RCODE_SLOTS = RCODES.length + 1;

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> byZone = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<AnswerNote, Counter> steering = new ConcurrentHashMap<>();
    private final Timer udpLatency;
    private final Timer tcpLatency;
    private final Counter udpTruncated;
    private final Counter tcpTruncated;
    private final ConcurrentHashMap<String, Counter> dropped = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> limited = new ConcurrentHashMap<>();

    public DnsMetrics(MeterRegistry registry) {
        this.registry = registry;
        udpLatency = latency(registry, "udp");
        tcpLatency = latency(registry, "tcp");
        io.micrometer.core.instrument.FunctionCounter.builder("geosteer_host_udp_receive_buffer_errors", this,
                        m -> HostUdpStats.receiveBufferErrors())
                .description("UDP datagrams the kernel dropped for a full receive buffer, host-wide (shed load)")
                .register(registry);
        udpTruncated = Counter.builder("geosteer_dns_truncated").description("Responses sent with TC set")
                .tag("transport", "udp").register(registry);
        tcpTruncated = Counter.builder("geosteer_dns_truncated").description("Responses sent with TC set")
                .tag("transport", "tcp").register(registry);
    }

    /** The gauge of open DNS TCP connections, read from the listeners once they exist. */
    public void tcpConnections(java.util.function.IntSupplier open) {
        io.micrometer.core.instrument.Gauge.builder("geosteer_tcp_connections", open, java.util.function.IntSupplier::getAsInt)
                .description("Open DNS TCP connections").register(registry);
    }

    private static Timer latency(MeterRegistry registry, String transport) {
        return Timer.builder("geosteer_dns_query_duration")
                .description("Time from packet parsed to answer encoded")
                .tag("transport", transport)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1_000))
                .maximumExpectedValue(Duration.ofMillis(100))
                .register(registry);
    }


    @Override
    public void answered(Query q, Response r, InetAddress client, boolean tcp, boolean truncated, long nanos) {
        String zone = r.zone() == null ? "none" : r.zone();
        AtomicReferenceArray<Counter> counters = byZone.computeIfAbsent(zone,
                z -> new AtomicReferenceArray<>(TYPE_SLOTS * RCODE_SLOTS * 4));
        int t = indexOf(TYPES, q.qtype());
        int rc = indexOf(RCODES, r.rcode());
        boolean ecs = q.clientSubnet() != null;
        int slot = ((t * RCODE_SLOTS + rc) * 2 + (tcp ? 1 : 0)) * 2 + (ecs ? 1 : 0);
        Counter c = counters.get(slot);
        if (c == null) {
            c = Counter.builder("geosteer_dns_queries").description("Queries answered")
                    .tag("zone", zone)
                    .tag("qtype", t < TYPES.length ? Type.string(TYPES[t]) : "other")
                    .tag("rcode", rc < RCODES.length ? Rcode.string(RCODES[rc]) : "other")
                    .tag("transport", tcp ? "tcp" : "udp")
                    .tag("ecs", ecs ? "yes" : "no")
                    .register(registry);
            counters.set(slot, c);
        }
        c.increment();
        (tcp ? tcpLatency : udpLatency).record(nanos, TimeUnit.NANOSECONDS);
        if (truncated) {
            (tcp ? tcpTruncated : udpTruncated).increment();
        }
        AnswerNote n = r.note();
        if (n != null) {
            Counter decided = steering.get(n); // get first: the lambda below captures, so it is allocated per call
            if (decided != null) {
                decided.increment();
                return;
            }
            steering.computeIfAbsent(n, k -> Counter.builder("geosteer_steering_decisions")
                    .description("Steered answers by balancer, answering pool and how it was reached "
                            + "(first choice, failover, fallback)")
                    .tag("zone", k.zone()).tag("balancer", k.balancer()).tag("pool", k.pool()).tag("rule", k.rule())
                    .register(registry)).increment();
        }
    }

    @Override
    public void dropped(boolean tcp, String reason) {
        String transport = tcp ? "tcp" : "udp";
        dropped.computeIfAbsent(transport + reason, k -> Counter.builder("geosteer_dns_dropped")
                .description("Packets dropped unanswered: malformed (not a query), send_queue_full (shed), invalid_source")
                .tag("transport", transport).tag("reason", reason).register(registry)).increment();
    }

    @Override
    public void rateLimited(String action) {
        limited.computeIfAbsent(action, k -> Counter.builder("geosteer_rrl")
                .description("Responses rate limited: dropped, slipped (sent truncated), dry_run_* (would have been)")
                .tag("action", k).register(registry)).increment();
    }

    private static int indexOf(int[] list, int value) {
        for (int i = 0; i < list.length; i++) {
            if (list[i] == value) {
                return i;
            }
        }
        return list.length;
    }
}
