package dev.geosteer.query;

import dev.geosteer.health.HealthView;

import java.util.List;

/** A pool of a zone's steering as the admin API sees it: its origins and its health per address family. */
public interface SteeredPool {
    String name();

    List<? extends SteeredOrigin> origins();

    int minimumOrigins();

    /** Origins of one family ({@code v6}: IPv6). */
    int originCount(boolean v6);

    int usableCount(HealthView health);

    /** Usable origins of one family. */
    int usableCount(HealthView health, boolean v6);

    /** Usable origins of the family needed for the pool to answer it. */
    int minimumFor(boolean v6);

    /** Healthy for queries of one family (A: IPv4, AAAA: IPv6). */
    boolean isHealthy(HealthView health, boolean v6);
}
