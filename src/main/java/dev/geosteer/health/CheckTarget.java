package dev.geosteer.health;

import java.net.InetAddress;

/**
 * One origin as the checker sees it. Two targets with equal key, check address and monitor are the same
 * check: their state survives a reload.
 *
 * @param key          {@code zone/pool/origin}
 * @param address      the address answered
 * @param checkAddress the address probed (the answered one unless the origin sets {@code check_address})
 * @param monitor      null when the origin is not checked (always up)
 */
public record CheckTarget(String key, InetAddress address, InetAddress checkAddress, MonitorSpec monitor) {
}
