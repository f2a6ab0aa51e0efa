package dev.geosteer.query;

import dev.geosteer.health.HealthView;
import dev.geosteer.health.MonitorSpec;

import java.net.InetAddress;

/** An origin of a steered pool as the admin API sees it. {@code key} ({@code zone/pool/origin}) names it to health. */
public interface SteeredOrigin {
    String name();

    String key();

    InetAddress address();

    /** Where health checks go. */
    InetAddress checkAddress();

    /** The monitor that checks it, or null when it is not checked. */
    MonitorSpec monitor();

    /** May it be answered under {@code health}? */
    boolean usable(HealthView health);
}
