package dev.geosteer.dns;

import java.net.InetAddress;

/**
 * Decides, after the answer is encoded, whether a UDP response is sent, dropped or slipped (sent
 * truncated so the client retries over TCP). The default sends everything.
 */
public interface Limiter {
    Limiter NONE = new Limiter() {
    };

    /** Returns the length to send (the same, or shorter for a slipped answer rewritten in place), or 0 to drop. */
    default int udpResponse(InetAddress client, byte[] response, int length) {
        return length;
    }

    default void sendQueueFull() {
    }
}
