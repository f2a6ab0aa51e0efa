package dev.geosteer.health;

import java.net.InetAddress;

/**
 * One origin as the checker sees it. Two targets with equal key, check address and monitor are the same
 * check: their state survives a reload; so does the state of a target whose monitor changed only its
 * timing or thresholds ({@link #sameProbe}).
 *
 * @param key          {@code zone/pool/origin}
 * @param address      the address answered
 * @param checkAddress the address probed (the answered one unless the origin sets {@code check_address})
 * @param monitor      null when the origin is not checked (always up)
 */
public record CheckTarget(String key, InetAddress address, InetAddress checkAddress, MonitorSpec monitor) {
    /** The same origin probed the same way: only the answered address, timing or thresholds may differ. */
    public boolean sameProbe(CheckTarget t) {
        return key.equals(t.key) && checkAddress.equals(t.checkAddress)
                && (monitor == null ? t.monitor == null : monitor.sameProbe(t.monitor));
    }
}
