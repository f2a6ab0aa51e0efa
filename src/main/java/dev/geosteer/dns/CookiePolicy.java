package dev.geosteer.dns;

import java.net.InetAddress;
import java.util.function.Predicate;

/**
 * What DNS cookies change for UDP (BIND's model). A request with a valid server cookie comes from the
 * address it claims, as a TCP one does: it is answered up to the client's EDNS size and is not rate
 * limited. Any other UDP answer is at most {@code nocookieUdpSize} bytes: a larger one is sent truncated
 * (TC) so that the client retries over TCP or with the cookie it was just given, or, when the request
 * carried a server cookie that is not valid, BADCOOKIE with a new one (RFC 7873 §5.2.3). So a spoofed
 * source gets at most {@code nocookieUdpSize} bytes per answer.
 *
 * @param cookies          the server secrets, or null when cookies are off (COOKIE options are ignored)
 * @param nocookieUdpSize  largest UDP answer to a request without a valid server cookie
 * @param trusted          sources the cap does not apply to (the networks exempt from rate limiting)
 */
public record CookiePolicy(ServerCookies cookies, int nocookieUdpSize, Predicate<InetAddress> trusted) {
    /** No cookies, no cap. */
    public static final CookiePolicy NONE = new CookiePolicy(null, WireWriter.MAX_MESSAGE, a -> true);
}
