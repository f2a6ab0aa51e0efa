package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.dnssec.DnssecKey;
import dev.geosteer.dnssec.KeyProblem;
import dev.geosteer.dnssec.KeySet;
import dev.geosteer.dnssec.KeyStore;
import dev.geosteer.dnssec.SignatureStats;
import dev.geosteer.dnssec.SignatureWindow;
import dev.geosteer.dnssec.SignedSerials;
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
 * keys in the keys directory, and publishes the zones the answer path serves. {@link #update} and
 * {@link #tick} are called on the reload thread and never wait for a signature: a zone due for signing
 * gets a job on the signing executor ({@code geosteer-signer}, a bounded number of threads, smaller
 * zones first), which signs it (helped by the {@code geosteer-sign} pool) and publishes the signed
 * version atomically when it is ready. Meanwhile the zone's last signed version goes on being served,
 * and other zones' reloads are not held up. A newer version of a zone (or new keys) cancels the
 * unfinished job and starts another.
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
        ServedZone signedFrom;   // the source the published signed version was made from
        Instant keyChangeAt;     // next key timing event, or null
        String lastProblem;      // logged once
        Job job;                 // the signing under way, or null
        long generation;         // of the last job started: a job publishes only if still the last
    }

    /** One zone version to sign, on the signing executor; smaller zones are taken first. */
    private final class Job implements Runnable, Comparable<Job> {
        final Name origin;
        final State state;
        final long generation;
        final ServedZone source;
        final KeySet.Signing keys;
        final SignatureWindow window;
        final SignedZone before;
        final dev.geosteer.zone.Zone zone; // the source's zone with the served serial
        final long size;
        final long order = jobOrder++;
        volatile Thread runner;
        volatile boolean cancelled;

        Job(Name origin, State state, long generation, ServedZone source, KeySet.Signing keys, SignatureWindow window,
            SignedZone before, long serial) {
            this.zone = source.zone().withSerial(serial);
            this.origin = origin;
            this.state = state;
            this.generation = generation;
            this.source = source;
            this.keys = keys;
            this.window = window;
            this.before = before;
            this.size = source.zone().nodes().size();
        }

        @Override
        public int compareTo(Job o) {
            int c = Long.compare(size, o.size);
            return c != 0 ? c : Long.compare(order, o.order);
        }

        void cancel() {
            cancelled = true;
            Thread t = runner;
            if (t != null) {
                t.interrupt();
            }
        }

        @Override
        public void run() {
            if (cancelled) {
                return;
            }
            runner = Thread.currentThread();
            try {
                if (cancelled) {
                    return;
                }
                sign(this);
            } finally {
                runner = null;
                Thread.interrupted(); // a cancel that came late must not reach the next job
            }
        }
    }

    private final Path keysDir;
    private final ServerConfig.Dnssec settings;
    private final SignatureStats stats;
    private final Supplier<Instant> clock;
    private final AtomicReference<ServedZones> current = new AtomicReference<>(ServedZones.EMPTY);
    private final Map<Name, State> states = new TreeMap<>();  // guarded by this
    private final List<java.util.function.Consumer<ServedZones>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private ExecutorService pool;
    private java.util.concurrent.ThreadPoolExecutor signers;
    private long jobOrder;
    private ServedZones lastCatalog = ServedZones.EMPTY;
    private List<String> keysFingerprint;
    private KeyStore store;
    private volatile Map<String, Object> status = Map.of();
    private volatile Instant nextResign;
    private final SignedSerials serials; // guarded by this

    ZoneSigning(Path keysDir, ServerConfig.Dnssec settings, SignatureStats stats, Supplier<Instant> clock) {
        this(keysDir, settings, stats, clock, SignedSerials.inMemory());
    }

    /** @param serials the served serials of signed zones (kept in the state directory when serving) */
    ZoneSigning(Path keysDir, ServerConfig.Dnssec settings, SignatureStats stats, Supplier<Instant> clock,
                SignedSerials serials) {
        this.keysDir = keysDir;
        this.settings = settings;
        this.stats = stats;
        this.clock = clock;
        this.serials = serials;
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
    synchronized void update(ServedZones catalog) {
        lastCatalog = catalog;
        pass(false);
    }

    /** A reload pass: re-sign what is due (validity, key timing, a changed keys directory). */
    synchronized void tick() {
        pass(false);
    }

    /** Signs every signed zone again now, with a new validity window (tests, and an operator's reload). */
    synchronized void resignAll() {
        pass(true);
    }

    /**
     * Called with every {@link ServedZones} published (on the reload thread, or on a signing thread when a
     * signing finishes), in order.
     */
    void onPublish(java.util.function.Consumer<ServedZones> listener) {
        listeners.add(listener);
    }

    /** Whether a signing is under way or waiting. */
    synchronized boolean signing() {
        return signingLocked();
    }

    /**
     * Waits until no signing is under way or waiting, at most {@code timeout}; true when none is. Not on
     * the reload thread (a pass may start a job), never on an event loop.
     */
    boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (signingLocked()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** The zones with keys not served yet because their first signing is under way. */
    synchronized List<Name> unsignedYet() {
        List<Name> out = new ArrayList<>();
        for (Map.Entry<Name, State> e : states.entrySet()) {
            if (e.getValue().published == null && e.getValue().job != null) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Test hook: runs on the signing thread before a zone is signed (may wait; an interrupt cancels). */
    interface BeforeSign {
        void before(Name origin) throws InterruptedException;
    }

    private volatile BeforeSign beforeSign = origin -> { };

    void beforeSign(BeforeSign hook) {
        this.beforeSign = hook;
    }

    private boolean signingLocked() {
        for (State s : states.values()) {
            if (s.job != null) {
                return true;
            }
        }
        return false;
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
        for (Map.Entry<Name, State> e : states.entrySet()) {
            if (!seen.containsKey(e.getKey()) && e.getValue().job != null) {
                e.getValue().job.cancel(); // the zone is gone
                e.getValue().job = null;
            }
        }
        changed |= states.keySet().retainAll(seen.keySet());
        if (changed || current.get().size() != countPublished()) {
            publish();
        }
        status = describe(now);
        nextResign = computeNextResign();
        notifyAll();
    }

    /** Publishes what each zone serves now. Holding the lock. */
    private void publish() {
        Map<Name, ServedZone> m = new HashMap<>();
        for (Map.Entry<Name, State> e : states.entrySet()) {
            if (e.getValue().published != null) {
                m.put(e.getKey(), e.getValue().published);
            }
        }
        ServedZones zones = new ServedZones(m);
        // listeners first (zone transfers: IXFR history, catalog), then the answer path: a client that sees
        // the new serial in an answer can transfer it at once
        for (java.util.function.Consumer<ServedZones> l : listeners) {
            try {
                l.accept(zones);
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "a listener of the signed zones failed: " + e, e);
            }
        }
        current.set(zones);
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
            cancelJob(s);
            if (s.published != null && s.published.signed() != null) {
                LOG.warning("zone " + origin + ": no key left in " + keysDir + ": served unsigned from now on");
            }
            s.lastProblem = null;
            s.keyChangeAt = null;
            s.signedFrom = null;
            if (s.published != null && s.published.signed() == null && !sourceChanged) {
                return false;
            }
            // a zone that was signed keeps a serial after its last signed one (secondaries must take this version)
            long serial = serials.unsigned(origin, source.zone().serial());
            s.published = serial == source.zone().serial() ? source
                    : new ServedZone(source.zone().withSerial(serial), source.steering());
            return true;
        }
        SignedZone before = s.published == null ? null : s.published.signed();
        // a job under way signs the newest source with the newest keys: only time can make it stale
        boolean due = force || sourceChanged || keysChanged
                || (s.job == null && (before == null || !now.isBefore(before.refreshAt())))
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
            cancelJob(s); // what it signs with is refused now
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
        if (!force && s.job == null && before != null && s.signedFrom == source && now.isBefore(before.refreshAt())
                && SignedZone.sameKeys(before.keys(), signing) && before.dnskey().ttl() == dnskeyTtl(source, signing)) {
            return false; // nothing would be signed differently (a file of the keys directory changed, not the keys)
        }
        SignatureWindow window = windowFor(before, now, force);
        cancelJob(s); // superseded
        // The served serial changes with the signed content (SignedSerials): the file's serial when ahead, or
        // the last served + 1. Every signing makes some signatures with a new window (at least those due, or
        // a balancer's NSEC variants), so the content served and transferred changes with it.
        long serial = serials.next(origin, source.zone().serial());
        Job job = new Job(origin, s, ++s.generation, source, signing, window, force ? null : before, serial);
        s.job = job;
        signers().execute(job);
        return false; // published when signed
    }

    /**
     * The window of the signatures a signing makes: the last version's when it was made less than the
     * batch margin ago (a reload, a key added soon after: an unchanged RRset and key then make the very
     * same RRSIG, ECDSA's k and Ed25519 being deterministic, so a zone transfer carries only what really
     * changed), else one from now; the signatures kept are those not due soon (see SignedZone.sign).
     */
    private SignatureWindow windowFor(SignedZone before, Instant now, boolean force) {
        if (!force && before != null && now.isBefore(before.refreshAt())) {
            SignatureWindow w = before.window();
            long madeAt = 2 * w.refreshAt().getEpochSecond() - w.expiration();
            if (now.getEpochSecond() < madeAt + SignedZone.batchMargin(w)) {
                return w;
            }
        }
        return SignatureWindow.at(now, settings.signatureValidity, settings.inceptionOffset);
    }

    private static void cancelJob(State s) {
        if (s.job != null) {
            s.job.cancel();
            s.job = null;
        }
    }

    /** On a signing thread: signs, then publishes if the job is still the zone's last. */
    private void sign(Job job) {
        long start = System.nanoTime();
        SignedZone signed;
        try {
            beforeSign.before(job.origin);
            signed = SignedZone.sign(job.zone, job.keys, job.window, dnskeyTtl(job.source, job.keys),
                    job.before, settings.signatureCache, stats, pool());
        } catch (InterruptedException e) {
            finished(job, null, null);
            return; // superseded
        } catch (RuntimeException | Error e) {
            LOG.log(java.util.logging.Level.SEVERE, "zone " + job.origin + ": signing failed, "
                    + (job.before != null ? "still serving the last signed version (serial " + job.before.zone().serial() + ")"
                    : "not served") + ": " + e, e);
            finished(job, null, e.toString());
            return;
        }
        if (finished(job, signed, null)) {
            SignatureWindow window = job.window;
            LOG.info(String.format("zone %s signed: serial %d (file: %d), %d RRsets and NSEC records, %d signatures made"
                            + " (%d ms), keys %s, valid until %s, signed again from %s", job.origin, job.zone.serial(),
                    job.source.zone().serial(),
                    signed.rrsetsSigned(), signed.signaturesMade(), (System.nanoTime() - start) / 1_000_000,
                    job.keys.zoneSigning().stream().map(k -> String.valueOf(k.keyTag())).toList(),
                    Instant.ofEpochSecond(window.expiration()), signed.refreshAt()));
        }
    }

    /** Publishes a job's result if it is still the zone's last job; true when published. */
    private synchronized boolean finished(Job job, SignedZone signed, String failure) {
        State s = job.state;
        boolean current = states.get(job.origin) == s && s.generation == job.generation && !job.cancelled;
        if (!current) {
            notifyAll();
            return false;
        }
        s.job = null;
        if (signed != null) {
            s.published = new ServedZone(job.zone, job.source.steering(), signed);
            s.signedFrom = job.source;
            publish();
        } else if (failure != null) {
            s.lastProblem = failure;
        }
        Instant now = clock.get();
        status = describe(now);
        nextResign = computeNextResign();
        notifyAll();
        return signed != null;
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
            for (Instant t : new Instant[] {z == null ? null : z.refreshAt(), s.keyChangeAt}) {
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
            z.put("signing", s.job != null);
            if (signed != null) {
                z.put("serial", signed.zone().serial());
                z.put("keys", signed.keys().zoneSigning().stream().map(DnssecKey::keyTag).toList());
                z.put("rrsets_signed", signed.rrsetsSigned());
                z.put("inception", Instant.ofEpochSecond(signed.window().inception()).toString());
                z.put("expiration", Instant.ofEpochSecond(signed.window().expiration()).toString());
                z.put("next_resign", (s.keyChangeAt != null && s.keyChangeAt.isBefore(signed.refreshAt())
                        ? s.keyChangeAt : signed.refreshAt()).toString());
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

    /** The jobs' threads: a few, so that a big zone does not hold up the others; smaller zones first. */
    private synchronized java.util.concurrent.ThreadPoolExecutor signers() {
        if (signers == null) {
            int n = Math.max(2, Runtime.getRuntime().availableProcessors());
            signers = new java.util.concurrent.ThreadPoolExecutor(n, n, 30, java.util.concurrent.TimeUnit.SECONDS,
                    new java.util.concurrent.PriorityBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "geosteer-signer");
                t.setDaemon(true);
                return t;
            });
            signers.allowCoreThreadTimeOut(true);
        }
        return signers;
    }

    private synchronized ExecutorService pool() {
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
    public synchronized void close() {
        for (State s : states.values()) {
            cancelJob(s);
        }
        if (signers != null) {
            signers.shutdownNow();
        }
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
