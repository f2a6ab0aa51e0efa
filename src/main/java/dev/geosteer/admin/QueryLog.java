package dev.geosteer.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.geosteer.net.Addresses;
import dev.geosteer.dns.ClientSubnet;
import dev.geosteer.dns.Query;
import dev.geosteer.dns.QueryObserver;
import dev.geosteer.dns.Response;
import dev.geosteer.dns.AnswerNote;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One JSON line per (sampled) query, written by its own thread: the answer path only offers an entry to
 * a bounded queue and drops it (counted) when the queue is full, so logging can never slow answers.
 */
public final class QueryLog implements QueryObserver, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(QueryLog.class.getName());
    static final int QUEUE = 65536;

    private record Entry(long epochMillis, Query query, Response response, InetAddress client, boolean tcp,
                         long nanos) {
    }

    private final double sample;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Counter dropped;
    private final Counter written;
    private final Thread writer;
    private final Writer out;
    private volatile boolean closed;

    /** @param output "-" for standard output, else a file to append to */
    public QueryLog(String output, double sample, MeterRegistry registry) throws IOException {
        this.sample = sample;
        this.out = new BufferedWriter(new OutputStreamWriter(output.equals("-") ? System.out
                : new FileOutputStream(output, true), StandardCharsets.UTF_8), 1 << 16);
        this.dropped = Counter.builder("geosteer_querylog_dropped").description("Query log lines dropped: queue full")
                .register(registry);
        this.written = Counter.builder("geosteer_querylog_written").description("Query log lines written")
                .register(registry);
        this.writer = new Thread(this::run, "geosteer-querylog");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void answered(Query q, Response r, InetAddress client, boolean tcp, boolean truncated, long nanos) {
        if (sample < 1.0 && ThreadLocalRandom.current().nextDouble() >= sample) {
            return;
        }
        if (!queue.offer(new Entry(System.currentTimeMillis(), q, r, client, tcp, nanos))) {
            dropped.increment();
        }
    }

    private void run() {
        List<Entry> batch = new ArrayList<>(1024);
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.setRootValueSeparator(null);
            while (!closed || !queue.isEmpty()) {
                Entry first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 4095);
                for (Entry e : batch) {
                    write(json, e);
                    json.flush();
                    out.write('\n');
                }
                out.flush();
                written.increment(batch.size());
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.severe("query log stopped: " + e);
        }
    }

    private static void write(JsonGenerator j, Entry e) throws IOException {
        Query q = e.query();
        Response r = e.response();
        j.writeStartObject();
        j.writeStringField("time", Instant.ofEpochMilli(e.epochMillis()).toString());
        j.writeStringField("client", Addresses.format(e.client()));
        j.writeStringField("transport", e.tcp() ? "tcp" : "udp");
        ClientSubnet ecs = q.clientSubnet();
        if (ecs != null) {
            j.writeStringField("ecs", ecs.subnet());
            j.writeNumberField("ecs_scope", ecs.answerScope(r.ecsScope()));
        }
        if (q.hasQuestion()) {
            j.writeStringField("qname", q.qname().toString());
            j.writeStringField("qtype", Type.string(q.qtype()));
        }
        j.writeStringField("rcode", Rcode.string(r.rcode()));
        j.writeArrayFieldStart("answer");
        for (Response.Entry a : r.answer()) {
            Name owner = a.rrset().owner();
            for (Record rec : a.rrset().toRecords(owner, a.ttl())) {
                j.writeString(Type.string(rec.getType()) + " " + rec.rdataToString());
            }
        }
        j.writeEndArray();
        AnswerNote n = r.note();
        if (n != null) {
            j.writeStringField("balancer", n.balancer());
            j.writeStringField("pool", n.pool());
            j.writeStringField("rule", n.rule());
        }
        j.writeNumberField("latency_us", e.nanos() / 1000);
        j.writeEndObject();
    }

    @Override
    public void close() {
        closed = true;
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
