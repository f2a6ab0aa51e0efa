package dev.geosteer.dns;

import java.net.InetAddress;

/**
 * Decides whether a UDP response is sent, dropped, or slipped (sent truncated and empty so that a real
 * resolver retries over TCP). TCP responses are never limited: TCP sources cannot be spoofed.
 */
public interface Limiter {
    enum Action { SEND, DROP, SLIP }

    Limiter NONE = (client, query, response) -> Action.SEND;

    Action check(InetAddress client, Query query, Response response);
}
