package dev.geosteer.steer;

import dev.geosteer.net.Addresses;
import dev.geosteer.health.MonitorSpec;
import dev.geosteer.query.SteeredOrigin;

import java.net.Inet6Address;
import java.net.InetAddress;

/** One address that can be answered. {@code key} ({@code zone/pool/origin}) names it to the health checks. */
public final class Origin implements SteeredOrigin {
    private final String name;
    private final String key;
    private final InetAddress address;
    private final byte[] rdata;
    private final int weight;
    private final InetAddress checkAddress;
    private final MonitorSpec monitor;

    Origin(String name, String key, InetAddress address, int weight, InetAddress checkAddress, MonitorSpec monitor) {
        this.name = name;
        this.key = key;
        this.address = address;
        this.rdata = address.getAddress();
        this.weight = weight;
        this.checkAddress = checkAddress;
        this.monitor = monitor;
    }

    public String name() { return name; }
    public String key() { return key; }
    public InetAddress address() { return address; }
    byte[] rdata() { return rdata; }
    public int weight() { return weight; }
    public boolean isV6() { return address instanceof Inet6Address; }
    /** Where health checks go: the answered address unless the operator set another. */
    public InetAddress checkAddress() { return checkAddress != null ? checkAddress : address; }
    /** The monitor that checks it, or null when it is not checked (always treated as up). */
    public MonitorSpec monitor() { return monitor; }

    /**
     * May this origin be answered under {@code h}? Origins without a monitor are always up (unless
     * drained), even before the checker has heard of them.
     */
    public boolean usable(dev.geosteer.health.HealthView h) {
        return monitor == null ? !h.drained(key) : h.usable(key);
    }

    @Override
    public String toString() {
        return name + " " + Addresses.format(address);
    }
}
