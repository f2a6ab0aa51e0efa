package dev.geosteer.dns;

import dev.geosteer.net.Addresses;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The table of open DNS-over-TCP connections: at most {@code max} in all and at most {@code perNetwork}
 * from one client network (a /24 or a /56 by default, so that one host, or its neighbours, cannot take
 * every slot). When the table is full, a new connection takes the slot of the one idle the longest (as
 * Knot, NSD and unbound do under pressure): a flood of idle connections cannot lock real clients out,
 * and a network over its share is refused. Called from every event loop: accepts and closes take a lock
 * (they are rare next to queries); activity is a volatile write on the connection.
 */
final class TcpSlots {
    private static final Logger LOG = Logger.getLogger(TcpSlots.class.getName());

    /** What the table needs of a connection. */
    interface Slot {
        /** System.nanoTime() of the last byte read or written. */
        long lastActive();

        /** Closes the connection to free its slot (from any thread). */
        void evict();
    }

    private final int max;
    private final int perNetwork;
    private final int ipv4Prefix;
    private final int ipv6Prefix;
    private final Set<Slot> open = new LinkedHashSet<>();
    private final Map<Slot, InetAddress> networkOf = new HashMap<>();
    private final Map<InetAddress, Integer> perNet = new HashMap<>();
    private final AtomicLong lastLog = new AtomicLong();

    TcpSlots(int max, int perNetwork, int ipv4Prefix, int ipv6Prefix) {
        this.max = max;
        this.perNetwork = perNetwork;
        this.ipv4Prefix = ipv4Prefix;
        this.ipv6Prefix = ipv6Prefix;
    }

    /** Takes a slot for {@code slot}, from {@code client}; false when it must be refused (close it). */
    boolean admit(InetAddress client, Slot slot) {
        int prefix = client instanceof Inet4Address ? ipv4Prefix : ipv6Prefix;
        InetAddress network = Addresses.mask(client, prefix);
        Slot victim = null;
        long idleNanos = 0;
        synchronized (this) {
            if (perNet.getOrDefault(network, 0) >= perNetwork) {
                log(network, prefix, null, 0);
                return false;
            }
            if (open.size() >= max) {
                victim = idlest();
                idleNanos = System.nanoTime() - victim.lastActive();
                remove(victim);
            }
            open.add(slot);
            networkOf.put(slot, network);
            perNet.merge(network, 1, Integer::sum);
        }
        if (victim != null) {
            victim.evict();
            log(network, prefix, victim, idleNanos);
        }
        return true;
    }

    /** Frees the slot of a closed connection (nothing if it was evicted or never admitted). */
    synchronized void release(Slot slot) {
        remove(slot);
    }

    synchronized int size() {
        return open.size();
    }

    private Slot idlest() {
        Slot best = null;
        for (Slot s : open) {
            if (best == null || s.lastActive() - best.lastActive() < 0) {
                best = s;
            }
        }
        return best;
    }

    private void remove(Slot slot) {
        if (open.remove(slot)) {
            perNet.computeIfPresent(networkOf.remove(slot), (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** At most one line a second: a connection flood must not become a log flood. */
    private void log(InetAddress network, int prefix, Slot evicted, long idleNanos) {
        long now = System.currentTimeMillis();
        long prev = lastLog.get();
        if (now - prev < 1000 || !lastLog.compareAndSet(prev, now)) {
            return;
        }
        String net = Addresses.format(network) + "/" + prefix;
        LOG.warning(evicted == null
                ? "TCP: " + net + " has " + perNetwork + " connections open (limits.tcp_max_per_client): refusing more"
                : "TCP: " + max + " connections open (limits.tcp_max_connections): closed the idlest (idle "
                        + idleNanos / 1_000_000 + " ms) for a new one from " + net);
    }
}
