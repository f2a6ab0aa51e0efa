package dev.geosteer.dns;

/**
 * Checks the TSIG record of signed requests (RFC 8945) and signs their answers. The wire layer knows no
 * keys: the {@code xfr} package gives it one of these when keys are configured.
 */
public interface Signatures {
    /** The verdict on the TSIG record of {@code packet[0..len)}, which {@code query} found at {@link Query#tsigStart()}. */
    Signer verify(byte[] packet, int len, Query query);

    /** Signs the answers to one signed request: the first with the request's MAC, each later one with the previous answer's. */
    interface Signer {
        /** 0 when the request's signature is good, else the TSIG error: BADSIG (16), BADKEY (17) or BADTIME (18). */
        int error();

        /** The key's name, for logs and access control; null when the key is unknown. */
        String keyName();

        /** Bytes the TSIG record takes at most: answers are written to fit beside it. */
        int reserve();

        /**
         * Appends the TSIG record to the message {@code buf[0..len)} and counts it in ARCOUNT; returns the new
         * length. For an error ({@link #error()} not 0) the record carries the error, unsigned except for BADTIME.
         */
        int sign(byte[] buf, int len);
    }
}
