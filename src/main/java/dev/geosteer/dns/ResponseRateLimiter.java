package dev.geosteer.dns;

import dev.geosteer.net.Addresses;

import org.xbill.DNS.Rcode;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Response rate limiting in the BIND/Knot model: a token bucket per (client network, kind of response,
 * what the response says). Answers are keyed by name and type, NXDOMAIN and NODATA by zone (so a
 * random-subdomain flood is one bucket), errors by network alone; referrals by their delegation point
 * and synthesized answers by the wildcard or DNAME that made them ({@link Charge}), so that unique names
 * below a cut, a wildcard or a DNAME are one bucket too. Over the rate, UDP responses are
 * dropped, and every {@code slip}-th one is sent truncated so that a real resolver retries over TCP.
 * The table is fixed-size and hashed (a new key takes over its slot), so memory never grows.
 */
public final class ResponseRateLimiter implements Limiter {
    private static final Logger LOG = Logger.getLogger(ResponseRateLimiter.class.getName());

    public enum Mode { OFF, ON, DRY_RUN }

    /** A network that is never limited. */
    public record Exempt(byte[] address, int prefix) {
        boolean contains(byte[] a) {
            return Addresses.inPrefix(address, prefix, a);
        }
    }

    public record Settings(Mode mode, int responsesPerSecond, int nxdomainsPerSecond, int errorsPerSecond, int slip,
                           int ipv4Prefix, int ipv6Prefix, int tableSize, List<Exempt> exempt) {
    }

    private static final int ANSWER = 0;
    private static final int NODATA = 1;
    private static final int NXDOMAIN = 2;
    private static final int ERROR = 3;
    private static final int REFERRAL = 4;
    private static final String[] KINDS = {"answers", "nodata", "nxdomain", "errors", "referrals"};
    private static final int STRIPES = 1024;

    private final Settings s;
    private final QueryObserver observer;
    private final long seed = ThreadLocalRandom.current().nextLong();
    private final int mask;
    private final long[] keys;
    private final long[] credit;   // milli-tokens
    private final long[] last;     // ms
    private final int[] limited;   // responses over the rate since the bucket was taken
    private final Object[] locks = new Object[STRIPES];
    private final AtomicLong lastLog = new AtomicLong();

    public ResponseRateLimiter(Settings settings, QueryObserver observer) {
        this.s = settings;
        this.observer = observer;
        int size = Integer.highestOneBit(Math.max(1024, settings.tableSize()));
        this.mask = size - 1;
        this.keys = new long[size];
        this.credit = new long[size];
        this.last = new long[size];
        this.limited = new int[size];
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    @Override
    public Action check(InetAddress client, Query q, Response r) {
        if (s.mode() == Mode.OFF) {
            return Action.SEND;
        }
        if (exempt(client)) {
            return Action.SEND;
        }
        byte[] addr = client.getAddress();
        int kind;
        int rate;
        int rcode = r.rcode();
        if (rcode == Rcode.NXDOMAIN) {
            kind = NXDOMAIN;
            rate = s.nxdomainsPerSecond();
        } else if (rcode != Rcode.NOERROR) {
            kind = ERROR;
            rate = s.errorsPerSecond();
        } else if (r.charge() != null && r.charge().kind() == Charge.Kind.REFERRAL) {
            kind = REFERRAL;
            rate = s.responsesPerSecond();
        } else if (r.answer().isEmpty() && !r.authority().isEmpty() && r.authoritative()) {
            kind = NODATA;
            rate = s.responsesPerSecond();
        } else {
            kind = ANSWER;
            rate = s.responsesPerSecond();
        }
        if (rate <= 0) {
            return Action.SEND;
        }
        int prefix = client instanceof Inet4Address ? s.ipv4Prefix() : s.ipv6Prefix();
        long key = mix(seed ^ kind);
        for (int bit = 0; bit < addr.length * 8 && bit < prefix; bit += 8) {
            int keep = Math.min(8, prefix - bit);
            key = mix(key ^ (addr[bit >> 3] & (0xFF << (8 - keep)) & 0xFF) ^ ((long) bit << 8));
        }
        if (kind == REFERRAL || kind == ANSWER && r.charge() != null) {
            // the cut, the wildcard or the DNAME: one bucket for every name below it (Name hashes ignore case)
            key = mix(key ^ r.charge().name().hashCode() ^ ((long) r.charge().kind().ordinal() << 40));
            if (kind == ANSWER) {
                key = mix(key ^ ((long) q.qtype() << 16));
            }
        } else if (kind == ANSWER && q.hasQuestion()) {
            byte[] name = q.qnameWire();
            for (byte b : name) {
                key = mix(key ^ (b >= 'A' && b <= 'Z' ? b + 32 : b));
            }
            key = mix(key ^ ((long) q.qtype() << 16));
        } else if ((kind == NXDOMAIN || kind == NODATA) && r.zone() != null) {
            key = mix(key ^ r.zone().hashCode());
        }
        int slot = (int) key & mask;
        long now = System.nanoTime() / 1_000_000;
        long capacity = rate * 1000L; // one second of burst
        Action action;
        boolean started = false;
        synchronized (locks[slot & (STRIPES - 1)]) {
            if (keys[slot] != key) {
                keys[slot] = key;
                credit[slot] = capacity;
                last[slot] = now;
                limited[slot] = 0;
            } else {
                credit[slot] = Math.min(capacity, credit[slot] + (now - last[slot]) * rate);
                last[slot] = now;
            }
            if (credit[slot] >= 1000) {
                credit[slot] -= 1000;
                limited[slot] = 0;
                action = Action.SEND;
            } else {
                int n = ++limited[slot];
                started = n == 1;
                action = s.slip() > 0 && n % s.slip() == 0 ? Action.SLIP : Action.DROP;
            }
        }
        if (action == Action.SEND) {
            return action;
        }
        if (started) {
            logStart(client, prefix, kind, q, r);
        }
        if (s.mode() == Mode.DRY_RUN) {
            observer.rateLimited("dry_run_" + (action == Action.SLIP ? "slipped" : "dropped"));
            return Action.SEND;
        }
        observer.rateLimited(action == Action.SLIP ? "slipped" : "dropped");
        return action;
    }

    /** True for a source in {@code exempt}: never limited (whatever the mode). */
    public boolean exempt(InetAddress client) {
        byte[] addr = client.getAddress();
        for (Exempt e : s.exempt()) {
            if (e.contains(addr)) {
                return true;
            }
        }
        return false;
    }

    /** At most one line a second: a flood must not become a log flood. */
    private void logStart(InetAddress client, int prefix, int kind, Query q, Response r) {
        long now = System.currentTimeMillis();
        long prev = lastLog.get();
        if (now - prev < 1000 || !lastLog.compareAndSet(prev, now)) {
            return;
        }
        String what = kind == REFERRAL ? String.valueOf(r.charge().name())
                : kind == ANSWER && r.charge() != null ? r.charge().name() + " " + org.xbill.DNS.Type.string(q.qtype())
                : kind == ANSWER && q.hasQuestion() ? q.qname() + " " + org.xbill.DNS.Type.string(q.qtype())
                : kind == ERROR ? Rcode.string(r.rcode()) : String.valueOf(r.zone());
        LOG.warning("rate limit" + (s.mode() == Mode.DRY_RUN ? " (dry run, still answering)" : "") + ": "
                + KINDS[kind] + " to " + Addresses.format(Addresses.mask(client, prefix)) + "/" + prefix + " for " + what
                + " over " + (kind == NXDOMAIN ? s.nxdomainsPerSecond() : kind == ERROR ? s.errorsPerSecond()
                : s.responsesPerSecond()) + "/s");
    }

    /** A strong 64-bit mixer (SplitMix64's finalizer). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    public static Mode mode(String text) {
        return Mode.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
