package dev.geosteer.dns;

/**
 * The COOKIE option of a query (RFC 7873 §4), already checked for length: an 8-byte client cookie and
 * a server cookie of 8 to 32 bytes, or null when the client has none yet.
 */
public record Cookie(byte[] client, byte[] server) {
    public static final int OPTION_CODE = 10;
}
