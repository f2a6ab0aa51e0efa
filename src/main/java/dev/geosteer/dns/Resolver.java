package dev.geosteer.dns;

import java.net.InetAddress;

/** Answers a well-formed query. Runs on an event loop: must not block. */
public interface Resolver {
    Response resolve(Query query, InetAddress client, boolean tcp);
}
