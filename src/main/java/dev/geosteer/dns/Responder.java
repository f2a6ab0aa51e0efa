package dev.geosteer.dns;

import org.xbill.DNS.Rcode;

import java.net.InetAddress;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns one request packet into one response packet: parse, answer the errors the wire layer can judge
 * alone (FORMERR, NOTIMP, BADVERS), ask the {@link Resolver} otherwise, encode within the size the
 * transport allows. Knows nothing of zones. Thread-safe; the {@link WireWriter} is the caller's.
 */
public final class Responder {
    private static final Logger LOG = Logger.getLogger(Responder.class.getName());

    private final Resolver resolver;
    private final int udpMaxSize;
    private final QueryObserver observer;
    private final Limiter limiter;
    private final CookiePolicy cookies;
    private final Signatures signatures;
    private final Streams streams;

    public Responder(Resolver resolver, int udpMaxSize, QueryObserver observer) {
        this(resolver, udpMaxSize, observer, Limiter.NONE, CookiePolicy.NONE);
    }

    public Responder(Resolver resolver, int udpMaxSize, QueryObserver observer, Limiter limiter, CookiePolicy cookies) {
        this(resolver, udpMaxSize, observer, limiter, cookies, null, null);
    }

    /**
     * @param signatures TSIG keys, or null: signed requests are then answered NOTAUTH (RFC 8945 §5.2)
     * @param streams    zone transfers, or null: AXFR and IXFR go to the resolver like other questions
     */
    public Responder(Resolver resolver, int udpMaxSize, QueryObserver observer, Limiter limiter, CookiePolicy cookies,
                     Signatures signatures, Streams streams) {
        this.signatures = signatures;
        this.streams = streams;
        this.resolver = resolver;
        this.udpMaxSize = Math.max(512, Math.min(udpMaxSize, WireWriter.MAX_MESSAGE));
        this.observer = observer;
        this.limiter = limiter;
        this.cookies = cookies;
    }

    public QueryObserver observer() {
        return observer;
    }

    public int udpMaxSize() {
        return udpMaxSize;
    }

    /**
     * Answers {@code packet[0..len)}. Returns the length of the answer in {@code out.buffer()}, or -1
     * when the packet must be dropped.
     */
    public int respond(byte[] packet, int len, InetAddress client, boolean tcp, WireWriter out) {
        long start = System.nanoTime();
        Query q = QueryParser.parse(packet, len);
        if (q == null) {
            observer.dropped(tcp, "malformed");
            return -1;
        }
        ServerCookies secrets = cookies.cookies();
        Cookie cookie = secrets == null || q.edns() == null ? null : q.edns().cookie();
        int now = cookie == null ? 0 : ServerCookies.now();
        boolean validCookie = cookie != null && secrets.valid(cookie, client, now);
        byte[] serverCookie = cookie == null || q.rcode() != Rcode.NOERROR ? null
                : secrets.answer(cookie, client, validCookie, now);
        Response r = null;
        Signatures.Signer signer = null;
        if (q.rcode() == Rcode.NOERROR && q.tsigStart() >= 0 && signatures == null) {
            r = Response.of(Rcode.NOTAUTH, false); // no keys: RFC 8945 §5.2, an unknown key
        } else if (q.rcode() == Rcode.NOERROR && q.tsigStart() >= 0) {
            signer = signatures.verify(packet, len, q);
            if (signer.error() != 0) {
                // RFC 8945 §5.2: NOTAUTH, the TSIG error in the TSIG record (signed only for BADTIME)
                int error = signer.error();
                LOG.fine(() -> "TSIG error " + error + " from " + client.getHostAddress() + " for " + q.qname());
                r = Response.of(Rcode.NOTAUTH, false);
                EncodeResult e = out.encode(q, r, 512, udpMaxSize, null);
                int n = signer.sign(out.buffer(), e.length());
                observer.answered(q, r, client, tcp, false, System.nanoTime() - start);
                return n;
            }
        }
        if (r != null) {
            // answered above
        } else if (q.rcode() != Rcode.NOERROR) {
            r = Response.of(q.rcode(), false);
        } else {
            try {
                Response special = streams != null && !tcp && streams.streams(q) ? streams.udp(q, client, signer) : null;
                r = special != null ? special : resolver.resolve(q, client, tcp);
            } catch (RuntimeException e) {
                // A bug must cost one answer, never the server.
                LOG.log(Level.WARNING, "internal error answering " + q.qname() + ": " + e, e);
                r = Response.of(Rcode.SERVFAIL, false);
            }
        }
        boolean proven = tcp || validCookie; // the source address is real: no reflection possible
        if (!proven) {
            Limiter.Action action = limiter.check(client, q, r);
            if (action == Limiter.Action.DROP) {
                return -1;
            }
            if (action == Limiter.Action.SLIP) {
                r = Response.of(r.rcode(), r.authoritative()).truncated(true).zone(r.zone());
            }
        }
        int maxSize = tcp ? WireWriter.MAX_MESSAGE : q.edns() == null ? 512 : Math.min(q.edns().udpSize(), udpMaxSize);
        if (signer != null) {
            EncodeResult encoded = out.encode(q, r, maxSize - signer.reserve(), udpMaxSize, serverCookie);
            int n = signer.sign(out.buffer(), encoded.length());
            observer.answered(q, r, client, tcp, encoded.truncated(), System.nanoTime() - start);
            return n;
        }
        EncodeResult encoded = out.encode(q, r, maxSize, udpMaxSize, serverCookie);
        if (!proven && encoded.length() > cookies.nocookieUdpSize() && !cookies.trusted().test(client)) {
            if (cookie != null && cookie.server() != null) {
                r = Response.of(Rcode.BADCOOKIE, false).zone(r.zone()); // retry with the new cookie, not over TCP
            }
            encoded = out.encode(q, r, cookies.nocookieUdpSize(), udpMaxSize, serverCookie);
        }
        observer.answered(q, r, client, tcp, encoded.truncated(), System.nanoTime() - start);
        return encoded.length();
    }

    /**
     * The multi-message answer to {@code packet[0..len)} over TCP when it is a zone transfer, or null
     * when it is answered by {@link #respond} (anything else, and requests whose TSIG fails: their
     * error answer is one message).
     */
    public Streams.MessageStream stream(byte[] packet, int len, InetAddress client) {
        if (streams == null) {
            return null;
        }
        Query q = QueryParser.parse(packet, len);
        if (q == null || q.rcode() != Rcode.NOERROR || !streams.streams(q)) {
            return null;
        }
        Signatures.Signer signer = null;
        if (q.tsigStart() >= 0) {
            if (signatures == null) {
                return null;
            }
            signer = signatures.verify(packet, len, q);
            if (signer.error() != 0) {
                return null;
            }
        }
        Streams.MessageStream inner = streams.open(q, client, signer);
        if (signer == null) {
            return inner;
        }
        Signatures.Signer s = signer;
        return new Streams.MessageStream() { // RFC 8945 §5.3.1: every message signed, each chained to the previous
            @Override
            public byte[] next() {
                byte[] m = inner.next();
                if (m == null) {
                    return null;
                }
                byte[] room = java.util.Arrays.copyOf(m, m.length + s.reserve());
                return java.util.Arrays.copyOf(room, s.sign(room, m.length));
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }
}
