package dev.geosteer.xfr;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.dns.Signatures;
import dev.geosteer.dns.Streams;
import dev.geosteer.problem.ProblemException;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import io.micrometer.core.instrument.MeterRegistry;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Secondaries: zone transfers out (AXFR, IXFR), TSIG, NOTIFY on serial changes, and the catalog zone.
 * Fed by the zone catalog's publications ({@link #published}, on the reload thread); the answer path
 * reads {@link #served()} (the zones and the catalog zone) and hands transfers to {@link #streams()}.
 */
public final class XfrService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(XfrService.class.getName());

    private final ServerConfig.Transfer config;
    private final TsigKeys keys;
    private final History history;
    private final Transfers transfers;
    private final Notifier notifier;
    private final Name catalogName;
    private final List<InetSocketAddress> notifyAll = new ArrayList<>();
    private final Map<Name, List<InetSocketAddress>> alsoNotify = new HashMap<>();
    private final Map<Name, Long> notified = new HashMap<>();
    private final Map<Name, String> expiryWarned = new HashMap<>();
    private volatile ServedZones served = ServedZones.EMPTY;
    private volatile ServedZone catalog;
    private Set<Name> catalogMembers = Set.of();
    private long catalogSerial = System.currentTimeMillis() / 1000;

    private XfrService(ServerConfig config, TsigKeys keys, MeterRegistry registry) throws TextParseException {
        this.config = config.transfer;
        this.keys = keys;
        this.history = new History(config.transfer.history);
        this.transfers = new Transfers(config.transfer, () -> served, history, registry);
        this.notifier = new Notifier(registry);
        this.catalogName = config.transfer.catalog == null ? null : Name.fromString(config.transfer.catalog, Name.root);
        for (String t : config.transfer.notify) {
            notifyAll.add(ServerConfig.parseHostPort(t, 53));
        }
        for (Map.Entry<String, List<String>> e : config.transfer.alsoNotify.entrySet()) {
            List<InetSocketAddress> l = new ArrayList<>();
            for (String t : e.getValue()) {
                l.add(ServerConfig.parseHostPort(t, 53));
            }
            alsoNotify.put(Name.fromString(e.getKey(), Name.root), l);
        }
    }

    /** The service the configuration asks for, or null when it configures neither keys nor transfers. */
    public static XfrService of(ServerConfig config, Path baseDir, MeterRegistry registry) throws ProblemException {
        TsigKeys keys = TsigKeys.load(config, baseDir);
        if (keys.isEmpty() && config.transfer.allow.isEmpty() && config.transfer.notify.isEmpty()
                && config.transfer.catalog == null) {
            return null;
        }
        try {
            return new XfrService(config, keys, registry);
        } catch (TextParseException e) {
            throw new ProblemException(new dev.geosteer.problem.Problem("geosteer.yaml", 0, "transfer: " + e.getMessage()));
        }
    }

    /** TSIG checks for the wire layer, or null without keys. */
    public Signatures signatures() {
        return keys.isEmpty() ? null : keys;
    }

    /** Zone transfers for the wire layer, or null when nobody may transfer. */
    public Streams streams() {
        return config.allow.isEmpty() ? null : transfers;
    }

    /** The zones served, with the catalog zone when there is one. */
    public ServedZones served() {
        return served;
    }

    private volatile ServedZones[] lastWithCatalog = {null, null};

    /**
     * {@code zones} (what the answer path serves, e.g. signed) with the catalog zone added when there
     * is one; the result is kept for the next call with the same set (the answer path calls this per query).
     */
    public ServedZones withCatalog(ServedZones zones) {
        ServedZone c = catalog;
        if (c == null || zones.get(catalogName) != null) {
            return zones;
        }
        ServedZones[] last = lastWithCatalog;
        if (last[0] == zones && last[1].get(catalogName) == c) {
            return last[1];
        }
        ServedZones out = zones.with(c);
        lastWithCatalog = new ServedZones[] {zones, out};
        return out;
    }

    public Transfers transfers() {
        return transfers;
    }

    /** A new set of zones was published (reload thread): catalog, IXFR history, NOTIFY. */
    public synchronized void published(ServedZones zones) {
        try {
            ServedZones all = zones;
            ServedZone newCatalog = catalog;
            if (catalogName != null) {
                Set<Name> members = new java.util.TreeSet<>(zones.all().stream().map(z -> z.zone().origin()).toList());
                members.remove(catalogName);
                if (newCatalog == null || !members.equals(catalogMembers)) {
                    catalogSerial = newCatalog == null ? catalogSerial : Math.max(catalogSerial + 1,
                            System.currentTimeMillis() / 1000);
                    newCatalog = CatalogZone.build(catalogName, catalogSerial, members);
                    catalogMembers = members;
                    LOG.info("catalog zone " + catalogName + " serial " + catalogSerial + ": " + members.size() + " zones");
                }
                all = zones.get(catalogName) != null ? zones : zones.with(newCatalog);
            }
            history.published(all);
            served = all;
            // The answer path sees the new catalog only now that transfers serve it: a secondary that reads
            // its new SOA serial must get that version by AXFR/IXFR, not the previous one (XfrTest flaked).
            catalog = newCatalog;
            for (ServedZone z : all.all()) {
                Name origin = z.zone().origin();
                Long before = notified.get(origin);
                if (before != null && before == z.zone().serial()) {
                    continue;
                }
                notified.put(origin, z.zone().serial());
                warnIfSecondariesOutliveSignatures(z);
                List<InetSocketAddress> targets = new ArrayList<>(notifyAll);
                targets.addAll(alsoNotify.getOrDefault(origin, List.of()));
                if (!targets.isEmpty()) {
                    Record soa = z.zone().soa().toRecords().get(0);
                    notifier.notify(origin, z.zone().serial(), soa, targets);
                }
            }
            notified.keySet().retainAll(all.all().stream().map(z -> z.zone().origin()).toList());
        } catch (ProblemException | RuntimeException e) {
            LOG.log(Level.SEVERE, "secondaries: could not take the new zones (" + e + "); transfers serve the previous set", e);
        }
    }

    /**
     * A secondary cut off from geosteer serves its copy until the SOA's expire time; the signatures it holds
     * were made at most half their validity before its last transfer (signing refreshes them then), so an
     * expire time beyond half the validity lets it serve expired signatures (bogus). Warned once per value.
     */
    private void warnIfSecondariesOutliveSignatures(ServedZone z) {
        if (z.signed() == null) {
            return;
        }
        long expire = ((org.xbill.DNS.SOARecord) z.zone().soa().toRecords().get(0)).getExpire();
        long half = z.signed().window().expiration() - z.signed().window().refreshAt().getEpochSecond();
        Name origin = z.zone().origin();
        String text = expire + "/" + half;
        if (expire > half && !text.equals(expiryWarned.get(origin))) {
            expiryWarned.put(origin, text);
            LOG.warning("zone " + origin + " is signed and transferred, and its SOA expire (" + expire + " s) is longer"
                    + " than half the signatures' validity (" + half + " s): a secondary cut off from geosteer would serve"
                    + " expired signatures before it stops; lower the SOA expire or raise dnssec.signature_validity");
        } else if (expire <= half) {
            expiryWarned.remove(origin);
        }
    }

    @Override
    public void close() {
        notifier.close();
    }
}
