package dev.geosteer.dns;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * DNS server cookies (RFC 7873) in RFC 9018's interoperable format: version 1, three reserved bytes, a
 * 32-bit timestamp and SipHash-2-4 over the client cookie, those 8 bytes and the client's address, keyed
 * with a 16-byte server secret. A cookie proves that the client receives packets at its address: it is
 * valid for an hour (with 5 minutes of clock skew) and renewed after half an hour (RFC 9018 §4.3).
 *
 * <p>The secret is either generated at start and replaced every {@code lifetime} (the previous one still
 * validates: a cookie outlives its secret by at most an hour), or configured, with an optional previous
 * secret, so that every server of a fleet (geosteer, BIND, Knot, ...) accepts every other's cookies.
 * Immutable secrets behind an atomic reference: safe on every event loop.
 */
public final class ServerCookies {
    static final int VALID_FOR = 3600;
    static final int RENEW_AFTER = 1800;
    static final int SKEW = 300;

    private record Secrets(byte[] current, byte[] previous, long createdNanos) {
    }

    private final AtomicReference<Secrets> secrets;
    private final long lifetimeNanos; // 0: configured, never replaced
    private final SecureRandom random;
    private final LongSupplier nanoClock;

    private ServerCookies(byte[] current, byte[] previous, Duration lifetime, LongSupplier nanoClock) {
        this.random = lifetime.isZero() ? null : new SecureRandom();
        this.nanoClock = nanoClock;
        this.secrets = new AtomicReference<>(new Secrets(current != null ? current : generate(random), previous,
                nanoClock.getAsLong()));
        this.lifetimeNanos = lifetime.toNanos();
    }

    /** A secret generated now and replaced every {@code lifetime} (at least an hour). */
    public static ServerCookies generated(Duration lifetime) {
        return generated(lifetime, System::nanoTime);
    }

    static ServerCookies generated(Duration lifetime, LongSupplier nanoClock) {
        if (lifetime.compareTo(Duration.ofSeconds(VALID_FOR)) < 0) {
            throw new IllegalArgumentException("a server secret must live at least an hour");
        }
        return new ServerCookies(null, null, lifetime, nanoClock);
    }

    /** A fixed 16-byte secret, and the one it replaced (or null), still accepted. */
    public static ServerCookies configured(byte[] secret, byte[] previous) {
        return new ServerCookies(secret.clone(), previous == null ? null : previous.clone(), Duration.ZERO,
                System::nanoTime);
    }

    /** For the start-up log line; never the secret itself. */
    public String describe() {
        return lifetimeNanos > 0 ? "server secret generated at start, replaced every " + Duration.ofNanos(lifetimeNanos)
                .toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                : "configured server secret" + (secrets.get().previous() != null ? " (and the previous one)" : "");
    }

    /** The current time as a cookie timestamp (seconds, modulo 2^32). */
    public static int now() {
        return (int) (System.currentTimeMillis() / 1000);
    }

    /** True when {@code c} carries a server cookie this server made for {@code client}, fresh enough at {@code now}. */
    public boolean valid(Cookie c, InetAddress client, int now) {
        byte[] sc = c.server();
        if (sc == null || sc.length != 16 || sc[0] != 1) {
            return false;
        }
        int age = now - u32(sc, 4); // serial arithmetic: the timestamp wraps
        if (age > VALID_FOR || age < -SKEW) {
            return false;
        }
        Secrets s = current();
        return matches(s.current(), c, client) || s.previous() != null && matches(s.previous(), c, client);
    }

    /**
     * The server cookie to answer with: the client's own when valid and less than half an hour old, else
     * a new one (RFC 7873 §5.2.3 to §5.2.5: a response to any query with a COOKIE carries a server cookie).
     */
    public byte[] answer(Cookie c, InetAddress client, boolean valid, int now) {
        if (valid && now - u32(c.server(), 4) < RENEW_AFTER) {
            return c.server();
        }
        return make(current().current(), c.client(), client, now);
    }

    /** A version 1 server cookie: 1, 0, 0, 0, timestamp, SipHash-2-4(client cookie | those 8 bytes | address). */
    static byte[] make(byte[] secret, byte[] clientCookie, InetAddress client, int timestamp) {
        byte[] cookie = new byte[16];
        cookie[0] = 1;
        cookie[4] = (byte) (timestamp >>> 24);
        cookie[5] = (byte) (timestamp >>> 16);
        cookie[6] = (byte) (timestamp >>> 8);
        cookie[7] = (byte) timestamp;
        System.arraycopy(hash(secret, clientCookie, cookie, client), 0, cookie, 8, 8);
        return cookie;
    }

    private static boolean matches(byte[] secret, Cookie c, InetAddress client) {
        byte[] expected = hash(secret, c.client(), c.server(), client);
        return MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(c.server(), 8, 16));
    }

    /** SipHash-2-4 of client cookie | the server cookie's first 8 bytes (as sent) | the client address. */
    private static byte[] hash(byte[] secret, byte[] clientCookie, byte[] serverHead, InetAddress client) {
        byte[] address = client.getAddress();
        byte[] input = new byte[16 + address.length];
        System.arraycopy(clientCookie, 0, input, 0, 8);
        System.arraycopy(serverHead, 0, input, 8, 8);
        System.arraycopy(address, 0, input, 16, address.length);
        return SipHash.hash24(secret, input, input.length);
    }

    private Secrets current() {
        Secrets s = secrets.get();
        long now = lifetimeNanos > 0 ? nanoClock.getAsLong() : 0;
        if (lifetimeNanos > 0 && now - s.createdNanos() > lifetimeNanos) {
            Secrets next = new Secrets(generate(random), s.current(), now);
            secrets.compareAndSet(s, next); // one event loop wins; the others use its secret
            return secrets.get();
        }
        return s;
    }

    private static byte[] generate(SecureRandom random) {
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        return secret;
    }

    private static int u32(byte[] b, int o) {
        return ((b[o] & 0xFF) << 24) | ((b[o + 1] & 0xFF) << 16) | ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
    }
}
