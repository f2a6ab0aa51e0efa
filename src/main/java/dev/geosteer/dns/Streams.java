package dev.geosteer.dns;

import java.net.InetAddress;

/**
 * Questions answered by more than one message over TCP, or specially over UDP: zone transfers. The wire
 * layer hands them over whole; the {@code xfr} package answers them.
 */
public interface Streams {
    /** True when {@link #open} answers this question (AXFR and IXFR). */
    boolean streams(Query query);

    /**
     * The answer to a streamed question over TCP, one message at a time (refusals are one message).
     * {@code signer} is the request's verified TSIG, or null when unsigned.
     */
    MessageStream open(Query query, InetAddress client, Signatures.Signer signer);

    /** The answer over UDP (IXFR: the SOA alone, RFC 1995 §2), or null to answer as any other question. */
    Response udp(Query query, InetAddress client, Signatures.Signer signer);

    /** The messages of one answer, produced as they are written: never the whole answer in memory. */
    interface MessageStream {
        /** The next message (without the TCP length prefix), or null after the last one. */
        byte[] next();

        /** Called once, when finished or when the connection closed before the end. */
        void close();
    }
}
