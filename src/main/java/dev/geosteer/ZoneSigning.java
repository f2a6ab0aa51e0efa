package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.dnssec.DnssecKey;
import dev.geosteer.dnssec.KeyProblem;
import dev.geosteer.dnssec.KeySet;
import dev.geosteer.dnssec.KeyStore;
import dev.geosteer.dnssec.SignatureStats;
import dev.geosteer.dnssec.SignatureWindow;
import dev.geosteer.dnssec.SignedZone;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import org.xbill.DNS.Name;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Signing at load (issue 13): takes each publication of the zone catalog, signs the zones that have
 * keys in the keys directory, and publishes the zones the answer path serves. Called on the reload
 * thread only; the signing itself runs on a pool of one thread per core.
 *
 * <ul>
 * <li>A zone without key files is served unsigned, as loaded.</li>
 * <li>A zone with keys is served only signed: when its keys cannot sign (a bad file, no active key,
 *     an algorithm without an active key) it keeps its last good signed version, which goes on
 *     being served until the keys are fixed (logged once per distinct problem, with the file); a
 *     zone that was never signed is withheld (REFUSED) rather than served unsigned.</li>
 * <li>{@link #tick} (each reload pass) signs again when the signatures reach half their validity,
 *     when a key's timing says so (publish, activate, inactive, delete: a rollover needs no
 *     restart), or when a file in the keys directory changed.</li>
 * <li>A reload signs only what changed: see {@link SignedZone#sign}.</li>
 * </ul>
 */
final class ZoneSigning implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ZoneSigning.class.getName());

    private final class State {
        ServedZone source;       // the catalog's version
        ServedZone published;    // what is served (null: withheld)
        Instant keyChangeAt;     // next key timing event, or null
        String lastProblem;      // logged once
    }

    private final Path keysDir;
    private final ServerConfig.Dnssec settings;
    private final SignatureStats stats;
    private final Supplier<Instant> clock;
    private final AtomicReference<ServedZones> current = new AtomicReference<>(ServedZones.EMPTY);
    private final Map<Name, State> states = new TreeMap<>();
    private ExecutorService pool;
    private ServedZones lastCatalog = ServedZones.EMPTY;
    private List<String> keysFingerprint;
    private KeyStore store;
    private volatile Map<String, Object> status = Map.of();
    private volatile Instant nextResign;

    ZoneSigning(Path keysDir, ServerConfig.Dnssec settings, SignatureStats stats, Supplier<Instant> clock) {
        this.keysDir = keysDir;
        this.settings = settings;
        this.stats = stats;
        this.clock = clock;
    }

    static Path keysDir(ServerConfig config, Path baseDir) {
        return config.dnssec.keysDir != null ? baseDir.resolve(config.dnssec.keysDir)
                : baseDir.resolve(config.zonesDir).resolve("keys");
    }

    /** What the answer path serves. */
    ServedZones current() {
        return current.get();
    }

    SignatureStats stats() {
        return stats;
    }

    /** Per zone: signed or not, keys, signatures, validity, next re-sign (for the status API). */
    Map<String, Object> status() {
        return status;
    }

    /** The catalog published: sign what changed and publish. */
    void update(ServedZones catalog) {
        lastCatalog = catalog;
        pass(false);
    }

    /** A reload pass: re-sign what is due (validity, key timing, a changed keys directory). */
    void tick() {
        pass(false);
    }

    /** Signs every signed zone again now, with a new validity window (tests, and an operator's reload). */
    void resignAll() {
        pass(true);
    }

    private void pass(boolean force) {
        Instant now = clock.get();
        List<String> fingerprint = fingerprint(keysDir);
        boolean keysChanged = store == null || !fingerprint.equals(keysFingerprint);
        if (keysChanged) {
            store = KeyStore.scan(keysDir);
            keysFingerprint = fingerprint;
        }
        boolean changed = false;
        Map<Name, State> seen = new HashMap<>();
        for (ServedZone source : lastCatalog.all()) {
            Name origin = source.zone().origin();
            State s = states.computeIfAbsent(origin, o -> new State());
            seen.put(origin, s);
            changed |= updateOne(origin, source, s, now, keysChanged, force);
        }
        changed |= states.keySet().retainAll(seen.keySet());
        if (changed || current.get().size() != countPublished()) {
            Map<Name, ServedZone> m = new HashMap<>();
            for (Map.Entry<Name, State> e : states.entrySet()) {
                if (e.getValue().published != null) {
                    m.put(e.getKey(), e.getValue().published);
                }
            }
            current.set(new ServedZones(m));
        }
        status = describe(now);
        nextResign = computeNextResign();
    }

    private int countPublished() {
        int n = 0;
        for (State s : states.values()) {
            n += s.published != null ? 1 : 0;
        }
        return n;
    }

    /** True when what is served for this zone changed. */
    private boolean updateOne(Name origin, ServedZone source, State s, Instant now, boolean keysChanged, boolean force) {
        KeySet keys = store.keys(origin);
        List<KeyProblem> errors = store.problems(origin).stream().filter(p -> !p.warning()).toList();
        boolean sourceChanged = s.source != source;
        s.source = source;
        if (keys.keys().isEmpty() && errors.isEmpty()) {
            if (s.published != null && s.published.signed() != null) {
                LOG.warning("zone " + origin + ": no key left in " + keysDir + ": served unsigned from now on");
            }
            s.lastProblem = null;
            s.keyChangeAt = null;
            boolean changed = s.published != source;
            s.published = source;
            return changed;
        }
        SignedZone before = s.published == null ? null : s.published.signed();
        boolean due = force || sourceChanged || keysChanged || before == null || !before.window().fresh(now)
                || (s.keyChangeAt != null && !now.isBefore(s.keyChangeAt));
        if (!due) {
            return false;
        }
        KeySet.Signing signing = keys.at(now);
        List<String> problems = new ArrayList<>();
        for (KeyProblem p : errors) {
            problems.add(p.toString());
        }
        for (String p : signing.problems()) {
            problems.add(keysDir + ": zone " + origin + ": " + p + describeKeys(keys));
        }
        if (!signing.isSigned() && problems.isEmpty()) {
            problems.add(keysDir + ": zone " + origin + ": no active key" + describeKeys(keys));
        }
        s.keyChangeAt = keys.nextChange(now);
        if (!problems.isEmpty()) {
            String text = String.join("; ", problems);
            if (!text.equals(s.lastProblem)) {
                s.lastProblem = text;
                if (before != null) {
                    LOG.severe("zone " + origin + ": keys refused, still serving the last good signed version (serial "
                            + before.zone().serial() + ", signatures valid until "
                            + Instant.ofEpochSecond(before.window().expiration()) + "): " + text);
                } else {
                    LOG.severe("zone " + origin + " not served: it has keys in " + keysDir
                            + " but cannot be signed, and is never served unsigned: " + text);
                }
            }
            return false;
        }
        s.lastProblem = null;
        SignatureWindow window = before != null && before.window().fresh(now) && !force ? before.window()
                : SignatureWindow.at(now, settings.signatureValidity, settings.inceptionOffset);
        long start = System.nanoTime();
        SignedZone signed;
        try {
            signed = SignedZone.sign(source.zone(), signing, window, dnskeyTtl(source, signing), before,
                    settings.signatureCache, stats, pool());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        s.published = source.withSigned(signed);
        LOG.info(String.format("zone %s signed: serial %d, %d RRsets and NSEC records, %d signatures made (%d ms),"
                        + " keys %s, valid until %s, signed again from %s", origin, source.zone().serial(),
                signed.rrsetsSigned(), signed.signaturesMade(), (System.nanoTime() - start) / 1_000_000,
                signing.zoneSigning().stream().map(k -> String.valueOf(k.keyTag())).toList(),
                Instant.ofEpochSecond(window.expiration()), window.refreshAt()));
        return true;
    }

    private static String describeKeys(KeySet keys) {
        if (keys.keys().isEmpty()) {
            return "";
        }
        List<String> out = new ArrayList<>();
        for (DnssecKey k : keys.keys()) {
            out.add(k.baseName() + " (" + k.timing().state(Instant.now()).label() + ")");
        }
        return " (keys: " + String.join(", ", out) + ")";
    }

    /** The DNSKEY TTL: the smallest TTL written in the keys' files, else the SOA's. */
    static long dnskeyTtl(ServedZone zone, KeySet.Signing signing) {
        long ttl = Long.MAX_VALUE;
        for (DnssecKey k : signing.published()) {
            if (k.ttl() >= 0) {
                ttl = Math.min(ttl, k.ttl());
            }
        }
        return ttl == Long.MAX_VALUE ? zone.zone().soa().ttl() : ttl;
    }

    /** When the next re-sign is due for any zone (validity or key timing), or null. Any thread. */
    Instant nextResign() {
        return nextResign;
    }

    private Instant computeNextResign() {
        Instant next = null;
        for (State s : states.values()) {
            SignedZone z = s.published == null ? null : s.published.signed();
            for (Instant t : new Instant[] {z == null ? null : z.window().refreshAt(), s.keyChangeAt}) {
                if (t != null && (next == null || t.isBefore(next))) {
                    next = t;
                }
            }
        }
        return next;
    }

    private Map<String, Object> describe(Instant now) {
        Map<String, Object> zones = new TreeMap<>();
        for (Map.Entry<Name, State> e : states.entrySet()) {
            State s = e.getValue();
            Map<String, Object> z = new LinkedHashMap<>();
            SignedZone signed = s.published == null ? null : s.published.signed();
            z.put("signed", signed != null);
            z.put("served", s.published != null);
            if (signed != null) {
                z.put("serial", signed.zone().serial());
                z.put("keys", signed.keys().zoneSigning().stream().map(DnssecKey::keyTag).toList());
                z.put("rrsets_signed", signed.rrsetsSigned());
                z.put("inception", Instant.ofEpochSecond(signed.window().inception()).toString());
                z.put("expiration", Instant.ofEpochSecond(signed.window().expiration()).toString());
                z.put("next_resign", (s.keyChangeAt != null && s.keyChangeAt.isBefore(signed.window().refreshAt())
                        ? s.keyChangeAt : signed.window().refreshAt()).toString());
                z.put("steered_cache_size", signed.steered().size());
            }
            if (s.lastProblem != null) {
                z.put("problem", s.lastProblem);
            }
            zones.put(e.getKey().toString(), z);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("keys_dir", keysDir.toString());
        out.put("signatures_made", stats.signatures.sum());
        out.put("steered_cache_hits", stats.cacheHits.sum());
        out.put("steered_cache_misses", stats.cacheMisses.sum());
        out.put("zones", zones);
        return out;
    }

    /** Steered RRSIGs cached, all zones. */
    long cacheSize() {
        long n = 0;
        for (ServedZone z : current.get().all()) {
            if (z.signed() != null) {
                n += z.signed().steered().size();
            }
        }
        return n;
    }

    private ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
                Thread t = new Thread(r, "geosteer-sign");
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** Names, sizes and modification times of the files in the keys directory: a change is a rescan. */
    private static List<String> fingerprint(Path dir) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    out.add(p.getFileName() + "/" + a.size() + "/" + a.lastModifiedTime().toMillis() + "/"
                            + Objects.toString(a.fileKey()));
                } catch (IOException e) {
                    out.add(p.getFileName() + "/?");
                }
            }
        } catch (IOException e) {
            out.add("?" + e.getClass().getSimpleName());
        }
        out.sort(null);
        return out;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
