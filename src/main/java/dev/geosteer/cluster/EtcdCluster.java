package dev.geosteer.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.vertx.core.Context;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This instance as a member of the cluster on etcd. It holds a lease (kept alive every third of its TTL,
 * granted again when it expired), registers {@code members/<node>} under it (refusing a name another live
 * lease holds), publishes this node's verdicts under it, mirrors everything under the prefix with one watch
 * (members, every node's verdicts, drains, the configuration set) and publishes that as an immutable
 * {@link ClusterView}. etcd is never on the answer path: losing it changes the state, never the last view.
 *
 * <p>Threads: every etcd call is asynchronous; all mutable state lives on this cluster's own event loop (see
 * {@link EtcdConnection}); public methods may be called from any thread, never block, and listeners are
 * called on that event loop (they must not block it either).
 */
public final class EtcdCluster implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EtcdCluster.class.getName());
    /** Puts and deletes per transaction (etcd's default limit is 128). */
    static final int MAX_OPS_PER_TXN = 64;
    /** Verdict changes and views within this window go out together. */
    static final long COALESCE_MS = 20;
    /** How often due refreshes and verdicts turning stale are looked for. */
    static final long SCAN_MS = 250;

    /** Called on the cluster's event loop. */
    public interface Listener {
        /** Connected, disconnected, registered or not, local verdicts only or not. */
        default void stateChanged(ClusterState state) {
        }

        /** Anything of the view changed (state, members, verdicts, drains, configuration); coalesced. */
        default void viewChanged(ClusterView view) {
        }

        /** The cluster-wide drains changed: the full current set, selector → drain. */
        default void drainsChanged(Map<String, Drain> drains) {
        }

        /** A new configuration set, complete (never a part of one). */
        default void configChanged(ConfigSet set) {
        }
    }

    private final ClusterSettings settings;
    private final EtcdConnection etcd;
    private final Keys keys;
    private final String node;
    private final String version;
    private final Context context;
    private final long tickMs;
    private final Instant startedAt = Instant.now();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile Duration grace;
    private volatile ClusterView view;

    // Everything below is touched on the context only.
    private boolean started;
    private boolean closed;
    private ClusterState.Phase phase = ClusterState.Phase.CONNECTING;
    private Instant phaseSince = Instant.now();
    private String lastError;
    private long leaseId;
    private boolean registered;
    private String duplicateOf;
    private boolean localOnly;
    private long configRevision;
    private long lastHeartbeatNanos;
    private boolean keepaliveInFlight;
    private long keepaliveCall;
    private long tickTimer = -1;
    private long scanTimer = -1;
    private long graceTimer = -1;
    private boolean flushScheduled;
    private boolean flushing;
    private boolean viewScheduled;
    private int syncGeneration;
    private boolean needsResync;
    private Watch.Watcher watcher;
    private final Set<String> loggedReasons = new HashSet<>();
    private final LocalVerdicts local = new LocalVerdicts();
    private final Mirror mirror;

    /**
     * Builds the member; nothing happens until {@link #start}. {@code version} is this geosteer's version
     * (shown to the other members), {@code grace} how long without etcd before only local verdicts count
     * ({@link ClusterSettings#grace(Duration)}).
     */
    public EtcdCluster(ClusterSettings settings, EtcdConnection etcd, String version, Duration grace) {
        this.settings = settings;
        this.etcd = etcd;
        this.keys = etcd.keys;
        this.node = settings.nodeName();
        this.version = version;
        this.grace = grace;
        this.context = etcd.context();
        this.tickMs = Math.max(200, settings.leaseTtlSeconds() * 1000 / 3);
        this.mirror = new Mirror(keys, node);
        this.view = mirror.view(state());
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public String node() {
        return node;
    }

    /** The latest view (immutable); safe from any thread. */
    public ClusterView view() {
        return view;
    }

    /** Connects, grants the lease, registers and starts watching; returns at once (all of it is asynchronous). */
    public void start() {
        context.runOnContext(v -> {
            if (started || closed) {
                return;
            }
            started = true;
            tickTimer = etcd.vertx().setPeriodic(0, tickMs, id -> tick());
            scanTimer = etcd.vertx().setPeriodic(SCAN_MS, id -> scan());
        });
    }

    /** Changes the grace period (the longest check interval may change on reload). */
    public void grace(Duration grace) {
        this.grace = grace;
    }

    // ---------------------------------------------------------------- verdicts

    /**
     * This node's verdict on {@code origin} ({@code zone/pool/origin}). Call it after every check: it is
     * written to etcd only when it changed (state, since, reason, interval), and otherwise again every
     * {@link Verdict#refreshEvery()} if checks continued, so that peers know this vantage point still checks.
     */
    public void publish(String origin, Verdict verdict) {
        Objects.requireNonNull(verdict, "verdict");
        context.runOnContext(v -> {
            if (local.publish(origin, verdict)) {
                scheduleFlush();
            }
        });
    }

    /** This node no longer checks {@code origin}: its verdict is removed from etcd. */
    public void withdraw(String origin) {
        context.runOnContext(v -> {
            if (local.withdraw(origin)) {
                scheduleFlush();
            }
        });
    }

    /** The configuration revision this node serves, shown in its membership. */
    public void servingConfigRevision(long revision) {
        context.runOnContext(v -> {
            if (revision != configRevision) {
                configRevision = revision;
                writeMember();
            }
        });
    }

    // ---------------------------------------------------------------- drains

    /** Drains {@code zone/pool} or {@code zone/pool/origin} on every instance until undrained (no lease). */
    public CompletableFuture<Void> drain(String selector, String reason, String by) {
        if (!Keys.validSelector(selector)) {
            return CompletableFuture.failedFuture(badSelector(selector));
        }
        byte[] value = Values.drain(new Drain(reason == null ? "" : reason, by, Instant.now()));
        return etcd.deadline(etcd.client().getKVClient().put(EtcdConnection.bytes(keys.drain(selector)),
                ByteSequence.from(value))).thenApply(r -> null);
    }

    /**
     * Undrains {@code selector} and every drain below it (undraining a pool undrains its origins); completes
     * with the number of drains removed.
     */
    public CompletableFuture<Integer> undrain(String selector) {
        if (!Keys.validSelector(selector)) {
            return CompletableFuture.failedFuture(badSelector(selector));
        }
        DeleteOption below = DeleteOption.builder().isPrefix(true).build();
        return etcd.deadline(etcd.client().getKVClient().txn().Then(
                        Op.delete(EtcdConnection.bytes(keys.drain(selector)), DeleteOption.DEFAULT),
                        Op.delete(EtcdConnection.bytes(keys.drain(selector) + "/"), below)).commit())
                .thenApply(r -> r.getDeleteResponses().stream().mapToInt(d -> (int) d.getDeleted()).sum());
    }

    /** The drains as etcd has them now (a read, not the mirror). */
    public CompletableFuture<Map<String, Drain>> listDrains() {
        return etcd.deadline(etcd.client().getKVClient().get(EtcdConnection.bytes(keys.prefix + Keys.DRAINS),
                GetOption.builder().isPrefix(true).build())).thenApply(r -> {
                    Map<String, Drain> out = new TreeMap<>();
                    for (KeyValue kv : r.getKvs()) {
                        if (keys.parse(kv.getKey().toString()) instanceof Keys.DrainKey d) {
                            try {
                                out.put(d.selector(), Values.drain(kv.getValue().getBytes()));
                            } catch (IllegalArgumentException e) {
                                // warned about by the watch
                            }
                        }
                    }
                    return Collections.unmodifiableMap(out);
                });
    }

    private static IllegalArgumentException badSelector(String selector) {
        return new IllegalArgumentException("'" + selector + "' is not a drain selector: zone/pool or zone/pool/origin");
    }

    // ---------------------------------------------------------------- configuration

    /** Publishes a whole configuration set in one transaction ({@link ConfigStore#publish}). */
    public CompletableFuture<ConfigSet> publishConfig(Map<String, byte[]> files, String by) {
        return ConfigStore.publish(etcd, files, by);
    }

    // ---------------------------------------------------------------- lease and membership

    private void tick() {
        if (closed || keepaliveInFlight) {
            return;
        }
        if (leaseId == 0) {
            grant();
            return;
        }
        long lease = leaseId;
        long callId = startKeepalive();
        call(etcd.client().getLeaseClient().keepAliveOnce(lease), (r, e) -> {
            endKeepalive(callId);
            if (lease != leaseId) {
                return;
            }
            if (e != null) {
                if (EtcdErrors.leaseNotFound(e)) {
                    leaseLost();
                } else {
                    disconnected(EtcdErrors.describe(e, etcd.user));
                }
                return;
            }
            if (r.getTTL() <= 0) {
                leaseLost();
                return;
            }
            connected();
            if (!registered) {
                register();
            } else if (System.nanoTime() - lastHeartbeatNanos >= settings.leaseTtlSeconds() * 1_000_000_000L) {
                writeMember();
            }
            if (needsResync) {
                resync();
            }
        });
    }

    /** One keepalive or grant at a time; a late answer to an older one does not end the current one. */
    private long startKeepalive() {
        keepaliveInFlight = true;
        return ++keepaliveCall;
    }

    private void endKeepalive(long callId) {
        if (callId == keepaliveCall) {
            keepaliveInFlight = false;
        }
    }

    private void grant() {
        long callId = startKeepalive();
        call(etcd.client().getLeaseClient().grant(settings.leaseTtlSeconds()), (r, e) -> {
            endKeepalive(callId);
            if (leaseId != 0) {
                // granted meanwhile by another path: give this one back
                if (e == null) {
                    etcd.client().getLeaseClient().revoke(r.getID());
                }
                return;
            }
            if (e != null) {
                disconnected(EtcdErrors.describe(e, etcd.user));
                return;
            }
            leaseId = r.getID();
            connected();
            register();
        });
    }

    /** The lease is gone (expired while etcd was away, or revoked): everything under it is gone too. */
    private void leaseLost() {
        LOG.warning("cluster: lease " + Long.toHexString(leaseId) + " of node '" + node + "' expired; registering"
                + " again with a new lease");
        leaseId = 0;
        registered = false;
        local.rewriteAll();
        publishState();
        grant();
    }

    private void register() {
        if (closed || leaseId == 0 || registered) {
            return;
        }
        long lease = leaseId;
        ByteSequence key = EtcdConnection.bytes(keys.member(node));
        Op put = Op.put(key, ByteSequence.from(memberValue()), PutOption.builder().withLeaseId(lease).build());
        call(etcd.client().getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(put)
                .Else(Op.get(key, GetOption.DEFAULT)).commit(), (r, e) -> {
            if (lease != leaseId || registered) {
                return;
            }
            if (e != null) {
                String why = EtcdErrors.describe(e, etcd.user);
                if (why.contains("denied") || why.contains("refused user") || why.contains("requires authentication")) {
                    refused(why); // etcd answers but will not have us: say so, once
                } else {
                    failedWrite(e);
                }
                return;
            }
            if (r.isSucceeded()) {
                registered(lease);
                return;
            }
            List<KeyValue> held = r.getGetResponses().isEmpty() ? List.of() : r.getGetResponses().get(0).getKvs();
            if (held.isEmpty()) {
                register(); // it expired in between
            } else if (held.get(0).getLease() == lease) {
                registered(lease); // ours already (written before a lost answer)
            } else {
                duplicate(held.get(0));
            }
        });
    }

    private void refused(String why) {
        if (!why.equals(lastError)) {
            LOG.warning("cluster: cannot register as member '" + node + "': " + why);
            lastError = why;
            publishState();
        }
    }

    private void registered(long lease) {
        registered = true;
        lastHeartbeatNanos = System.nanoTime();
        lastError = null;
        if (duplicateOf != null) {
            LOG.info("cluster: node name '" + node + "' is free again; registered with lease " + Long.toHexString(lease));
            duplicateOf = null;
        } else {
            LOG.info("cluster: registered as member '" + node + "' (lease " + Long.toHexString(lease) + ", TTL "
                    + settings.leaseTtlSeconds() + " s)");
        }
        local.rewriteAll(); // the lease may be new: write every verdict under it
        scheduleFlush();
        publishState();
    }

    private void duplicate(KeyValue held) {
        String holder;
        try {
            Member other = Values.member(node, held.getValue().getBytes(), held.getLease());
            holder = "version " + other.version() + ", started " + other.startedAt() + ", lease "
                    + Long.toHexString(held.getLease());
        } catch (IllegalArgumentException ex) {
            holder = "lease " + Long.toHexString(held.getLease());
        }
        String message = "node name '" + node + "' is taken: " + keys.member(node) + " is held by another live"
                + " instance (" + holder + "); not publishing verdicts until that lease expires (give every instance"
                + " its own cluster.node)";
        if (!message.equals(duplicateOf)) {
            LOG.warning("cluster: " + message);
            duplicateOf = message;
            lastError = message;
            publishState();
        }
    }

    private byte[] memberValue() {
        return Values.member(new Member(node, version, configRevision, startedAt, Instant.now(), leaseId));
    }

    private void writeMember() {
        if (!registered || leaseId == 0 || phase != ClusterState.Phase.CONNECTED) {
            return;
        }
        long lease = leaseId;
        lastHeartbeatNanos = System.nanoTime();
        call(etcd.client().getKVClient().put(EtcdConnection.bytes(keys.member(node)), ByteSequence.from(memberValue()),
                PutOption.builder().withLeaseId(lease).build()), (r, e) -> {
            if (e != null && lease == leaseId) {
                failedWrite(e);
            }
        });
    }

    /** A write failed: a lost lease is handled now; anything else is for the next keepalive to judge. */
    private void failedWrite(Throwable e) {
        if (EtcdErrors.leaseNotFound(e)) {
            if (leaseId != 0) {
                leaseLost();
            }
        } else {
            LOG.log(Level.FINE, "cluster: write failed: " + EtcdErrors.describe(e, etcd.user));
        }
    }

    // ---------------------------------------------------------------- connection state

    private void connected() {
        if (phase == ClusterState.Phase.CONNECTED) {
            return;
        }
        boolean first = phase == ClusterState.Phase.CONNECTING;
        Duration away = Duration.between(phaseSince, Instant.now());
        phase = ClusterState.Phase.CONNECTED;
        phaseSince = Instant.now();
        if (duplicateOf == null && registered) {
            lastError = null;
        }
        cancelGrace();
        boolean wasLocalOnly = localOnly;
        localOnly = false;
        if (first) {
            LOG.info("cluster: connected to etcd " + settings.endpoints() + " as node '" + node + "' (prefix "
                    + keys.prefix + ")");
        } else {
            LOG.info("cluster: etcd reachable again after " + seconds(away)
                    + (wasLocalOnly ? "; peers' verdicts count again" : ""));
        }
        local.rewriteAll(); // peers may have judged ours stale meanwhile
        scheduleFlush();
        resync();
        publishState();
    }

    private void disconnected(String reason) {
        if (phase == ClusterState.Phase.DISCONNECTED) {
            if (!reason.equals(lastError)) {
                lastError = reason;
                // a cause the operator has to fix (credentials, TLS) is worth a line even mid-outage;
                // timeouts and refused connections come and go while etcd restarts
                if (!EtcdErrors.transientFailure(reason) && loggedReasons.add(reason)) {
                    LOG.warning("cluster: still no connection to etcd: " + reason);
                }
                scheduleView();
            }
            return;
        }
        loggedReasons.clear();
        loggedReasons.add(reason);
        lastError = reason;
        boolean first = phase == ClusterState.Phase.CONNECTING;
        phase = ClusterState.Phase.DISCONNECTED;
        phaseSince = Instant.now();
        closeWatcher();
        Duration g = grace;
        LOG.warning("cluster: " + (first ? "no connection to etcd " + settings.endpoints() : "lost etcd") + ": " + reason
                + "; answering from the last known state, local verdicts only after " + seconds(g));
        startGrace(g);
        publishState();
    }

    private void startGrace(Duration g) {
        cancelGrace();
        if (g.isZero() || g.isNegative()) {
            enterLocalOnly(g);
        } else {
            graceTimer = etcd.vertx().setTimer(g.toMillis(), id -> {
                graceTimer = -1;
                if (phase != ClusterState.Phase.CONNECTED && !closed) {
                    enterLocalOnly(g);
                }
            });
        }
    }

    private void enterLocalOnly(Duration g) {
        localOnly = true;
        LOG.warning("cluster: etcd unreachable for " + seconds(g) + " (the grace period): only local verdicts count"
                + " until it is back");
        publishState();
    }

    private void cancelGrace() {
        if (graceTimer >= 0) {
            etcd.vertx().cancelTimer(graceTimer);
            graceTimer = -1;
        }
    }

    private ClusterState state() {
        return new ClusterState(phase, phaseSince, lastError, node, leaseId, registered, localOnly);
    }

    private void publishState() {
        ClusterState s = state();
        for (Listener l : listeners) {
            l.stateChanged(s);
        }
        scheduleView();
    }

    // ---------------------------------------------------------------- writing verdicts

    private void scheduleFlush() {
        if (!flushScheduled && !closed) {
            flushScheduled = true;
            etcd.vertx().setTimer(COALESCE_MS, id -> {
                flushScheduled = false;
                flush();
            });
        }
    }

    /** Writes changed verdicts and removals in transactions of at most {@link #MAX_OPS_PER_TXN}. */
    private void flush() {
        if (flushing || closed || !registered || leaseId == 0 || phase != ClusterState.Phase.CONNECTED) {
            return;
        }
        LocalVerdicts.Batch batch = local.next(keys, node, leaseId, MAX_OPS_PER_TXN);
        if (batch == null) {
            return;
        }
        flushing = true;
        call(etcd.client().getKVClient().txn().Then(batch.ops().toArray(new Op[0])).commit(), (r, e) -> {
            flushing = false;
            if (e != null) {
                failedWrite(e);
                return;
            }
            if (batch.leaseId() == leaseId) {
                local.written(batch, System.nanoTime());
            }
            if (local.pending()) {
                flush();
            }
        });
    }

    /** Writes the refreshes that are due, and tells consumers when a peer's verdict turned stale. */
    private void scan() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        if (local.markRefreshes(now)) {
            flush();
        }
        if (mirror.staleTurned(now)) {
            scheduleView();
        }
    }

    // ---------------------------------------------------------------- mirror and watch

    /** Reads everything under the prefix, then watches it from the next revision. */
    private void resync() {
        closeWatcher();
        int generation = ++syncGeneration;
        needsResync = false;
        call(etcd.client().getKVClient().get(EtcdConnection.bytes(keys.prefix), GetOption.builder().isPrefix(true)
                .build()), (r, e) -> {
            if (generation != syncGeneration) {
                return;
            }
            if (e != null) {
                needsResync = true; // the next successful keepalive tries again
                LOG.log(Level.FINE, "cluster: reading " + keys.prefix + " failed: " + EtcdErrors.describe(e, etcd.user));
                return;
            }
            mirror.clear();
            long now = System.nanoTime();
            int changes = 0;
            for (KeyValue kv : r.getKvs()) {
                changes |= mirror.apply(kv, true, now);
            }
            // a full read is etcd's word on the drains, even when there are none or they did not change:
            // listeners replace what they had (a local copy read at start among them)
            afterChanges(changes | Mirror.DRAINS_CHANGED);
            watch(generation, r.getHeader().getRevision() + 1);
        });
    }

    private void watch(int generation, long fromRevision) {
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision)
                .withRequireLeader(true).build();
        watcher = etcd.client().getWatchClient().watch(EtcdConnection.bytes(keys.prefix), option,
                new Watch.Listener() {
                    @Override
                    public void onNext(WatchResponse response) {
                        context.runOnContext(v -> {
                            if (generation == syncGeneration && !closed) {
                                applyEvents(response);
                            }
                        });
                    }

                    @Override
                    public void onError(Throwable t) {
                        context.runOnContext(v -> {
                            if (generation == syncGeneration && !closed) {
                                LOG.log(Level.FINE, "cluster: watch ended: " + EtcdErrors.describe(t, etcd.user));
                                needsResync = true; // read again after the next successful keepalive
                            }
                        });
                    }

                    @Override
                    public void onCompleted() {
                        context.runOnContext(v -> {
                            if (generation == syncGeneration && !closed) {
                                needsResync = true;
                            }
                        });
                    }
                });
    }

    /** Stops the watch; whatever it still delivers is ignored (a new one starts from a fresh read). */
    private void closeWatcher() {
        if (watcher != null) {
            syncGeneration++;
            watcher.close();
            watcher = null;
        }
    }

    private void applyEvents(WatchResponse response) {
        int changes = 0;
        long now = System.nanoTime();
        for (WatchEvent event : response.getEvents()) {
            if (event.getEventType() != WatchEvent.EventType.UNRECOGNIZED) {
                changes |= mirror.apply(event.getKeyValue(), event.getEventType() == WatchEvent.EventType.PUT, now);
            }
        }
        afterChanges(changes);
    }

    private void afterChanges(int changes) {
        if ((changes & Mirror.OWN_MEMBER_DELETED) != 0 && registered) {
            registered = false; // deleted by hand, or our lease went: the next keepalive sorts it out
            publishState();
        }
        if ((changes & Mirror.DRAINS_CHANGED) != 0) {
            Map<String, Drain> drains = mirror.drains();
            for (Listener l : listeners) {
                l.drainsChanged(drains);
            }
        }
        ConfigSet set = mirror.newConfig();
        if (set != null) {
            LOG.info("cluster: configuration generation " + set.generation() + " (revision " + set.revision() + ", "
                    + set.files().size() + " files, published by " + set.by() + ")");
            for (Listener l : listeners) {
                l.configChanged(set);
            }
        }
        scheduleView();
    }

    private void scheduleView() {
        if (!viewScheduled && !closed) {
            viewScheduled = true;
            etcd.vertx().setTimer(COALESCE_MS, id -> {
                viewScheduled = false;
                publishView();
            });
        }
    }

    private void publishView() {
        ClusterView v = mirror.view(state());
        view = v;
        for (Listener l : listeners) {
            l.viewChanged(v);
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Leaves the cluster: revokes the lease (the membership and this node's verdicts disappear at once, for
     * the others too), then closes the client. Drains and the configuration stay.
     */
    public CompletableFuture<Void> shutdown() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onContextOr(done, v -> {
            if (closed) {
                done.complete(null);
                return;
            }
            stopTimers();
            long lease = leaseId;
            if (lease == 0 || phase != ClusterState.Phase.CONNECTED) {
                finish(done);
                return;
            }
            etcd.deadline(etcd.client().getLeaseClient().revoke(lease))
                    .whenComplete((r, e) -> context.runOnContext(x -> finish(done)));
        });
        return done;
    }

    private void finish(CompletableFuture<Void> done) {
        phase = ClusterState.Phase.CLOSED;
        phaseSince = Instant.now();
        registered = false;
        ClusterState s = state();
        view = new ClusterView(s, view.members(), view.verdicts(), view.drains(), view.config());
        for (Listener l : listeners) {
            l.stateChanged(s);
        }
        LOG.info("cluster: node '" + node + "' left the cluster");
        etcd.close();
        done.complete(null);
    }

    private void stopTimers() {
        closed = true;
        for (long t : new long[] {tickTimer, scanTimer, graceTimer}) {
            if (t >= 0) {
                etcd.vertx().cancelTimer(t);
            }
        }
        closeWatcher();
    }

    /** {@link #shutdown} and wait for it (not on an event loop). */
    @Override
    public void close() {
        try {
            shutdown().get(etcd.timeout().toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            etcd.close();
        }
    }

    /**
     * Stops dead, like a process killed with SIGKILL: no revoke, the client just closes. The lease, and so the
     * membership and the verdicts, live on in etcd until the TTL runs out. For tests.
     */
    void abandon() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onContextOr(done, v -> {
            stopTimers();
            etcd.close();
            done.complete(null);
        });
        done.join();
    }

    // ---------------------------------------------------------------- helpers

    /** Runs {@code action} on the cluster's context, or completes {@code done} if that is gone already. */
    private void onContextOr(CompletableFuture<Void> done, io.vertx.core.Handler<Void> action) {
        try {
            context.runOnContext(action);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.complete(null); // the connection was closed under us (abandon): nothing left to do
        }
    }

    /** A failed call's cause in one line, as the cluster logs it (credentials and TLS named). */
    String describe(Throwable e) {
        return EtcdErrors.describe(e, etcd.user);
    }

    EtcdConnection connectionForTest() {
        return etcd;
    }

    /** Runs {@code then} on the cluster's context with the call's outcome (deadline applied); not once closed. */
    private <T> void call(CompletableFuture<T> f, BiConsumer<T, Throwable> then) {
        etcd.deadline(f).whenComplete((r, e) -> context.runOnContext(v -> {
            if (!closed) {
                then.accept(r, e);
            }
        }));
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
