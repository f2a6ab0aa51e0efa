package dev.geosteer.xfr;

import dev.geosteer.net.Addresses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

/**
 * Tells secondaries that a zone changed (NOTIFY, RFC 1996): over UDP, retried after 1, 2, 4 and 8 s
 * without an answer (RFC 1996 §3.6), each outcome logged. Off the event loops, on its own threads.
 */
final class Notifier implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Notifier.class.getName());
    private static final int ATTEMPTS = 5;

    private final MeterRegistry registry;
    private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "geosteer-notify");
        t.setDaemon(true);
        return t;
    });
    /** The newest serial to announce per zone: an older announcement still retrying gives up. */
    private final Map<Name, Long> latest = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Notifier(MeterRegistry registry) {
        this.registry = registry;
    }

    void notify(Name zone, long serial, Record soa, List<InetSocketAddress> targets) {
        latest.put(zone, serial);
        for (InetSocketAddress target : targets) {
            try {
                pool.execute(() -> send(zone, serial, soa, target));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return; // stopping
            }
        }
    }

    private void count(String result) {
        Counter.builder("geosteer_notify").description("NOTIFY messages by outcome (acked, failed, refused)")
                .tag("result", result).register(registry).increment();
    }

    private void send(Name zone, long serial, Record soa, InetSocketAddress target) {
        Message m = new Message();
        m.getHeader().setOpcode(Opcode.NOTIFY);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(Record.newRecord(zone, Type.SOA, DClass.IN), Section.QUESTION);
        m.addRecord(soa, Section.ANSWER);
        byte[] wire = m.toWire();
        int id = m.getHeader().getID();
        String what = "NOTIFY " + zone + " serial " + serial + " to " + Addresses.format(target);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(target);
            long timeout = 1000;
            for (int attempt = 1; attempt <= ATTEMPTS && !closed; attempt++) {
                Long newest = latest.get(zone);
                if (newest != null && newest != serial) {
                    return; // a newer serial is being announced
                }
                socket.send(new DatagramPacket(wire, wire.length));
                long deadline = System.currentTimeMillis() + timeout;
                byte[] buf = new byte[4096];
                while (true) {
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0) {
                        break;
                    }
                    socket.setSoTimeout((int) left);
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                    } catch (SocketTimeoutException e) {
                        break;
                    } catch (java.net.PortUnreachableException e) {
                        // nothing listens there (yet): as no answer, retried after the same wait
                        Thread.sleep(Math.max(0, deadline - System.currentTimeMillis()));
                        break;
                    }
                    Message answer;
                    try {
                        answer = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                    } catch (IOException e) {
                        continue;
                    }
                    if (answer.getHeader().getID() != id || !answer.getHeader().getFlag(Flags.QR)) {
                        continue;
                    }
                    int rcode = answer.getRcode();
                    if (rcode == Rcode.NOERROR) {
                        count("acked");
                        LOG.info(what + ": acknowledged" + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
                    } else {
                        count("refused");
                        LOG.warning(what + ": answered " + Rcode.string(rcode) + " (does the secondary allow"
                                + " NOTIFY from this address, and serve this zone?)");
                    }
                    return;
                }
                timeout *= 2;
                if (attempt < ATTEMPTS) {
                    LOG.fine(what + ": no answer, retrying");
                }
            }
            if (!closed) {
                count("failed");
                LOG.warning(what + ": no answer after " + ATTEMPTS + " attempts (31 s); the secondary will see the"
                        + " change at its next SOA refresh");
            }
        } catch (IOException e) {
            count("failed");
            LOG.warning(what + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping
        }
    }

    @Override
    public void close() {
        closed = true;
        pool.shutdownNow();
    }
}
