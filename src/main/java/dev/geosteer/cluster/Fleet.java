package dev.geosteer.cluster;

import dev.geosteer.health.LocalChecker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * This server as a member of a fleet: the {@link EtcdCluster} and what plugs it into the server: the quorum of
 * verdicts ({@link ClusterVerdicts}, a {@code VerdictSource}) and the fleet's drains ({@link ClusterDrains}, a
 * {@code DrainSource} the admin API writes to), plus what the admin API and {@code lookup} show of it. Built only
 * when {@code geosteer.yaml} has a {@code cluster:} section.
 */
public final class Fleet implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Fleet.class.getName());

    private final ClusterSettings settings;
    private final QuorumRule rule;
    private final EtcdCluster cluster;
    private final ClusterDrains drains;
    private ClusterVerdicts verdicts;
    private volatile long servingRevision;
    private volatile boolean servingFromCache;

    private Fleet(ClusterSettings settings, QuorumRule rule, EtcdCluster cluster, ClusterDrains drains) {
        this.settings = settings;
        this.rule = rule;
        this.cluster = cluster;
        this.drains = drains;
    }

    /**
     * Builds the client (no network call yet) and reads back the fleet's drains last seen, kept in
     * {@code stateDir} ({@link ClusterDrains#CACHE}). A CA, certificate or key that cannot be loaded is an
     * IllegalArgumentException naming the file.
     */
    public static Fleet open(ClusterSettings settings, QuorumRule rule, Path baseDir, Path stateDir, String version) {
        EtcdConnection etcd = EtcdConnection.open(settings, baseDir, System.getenv());
        EtcdCluster cluster = new EtcdCluster(settings, etcd, version, settings.grace(Duration.ofSeconds(10)));
        return new Fleet(settings, rule, cluster, new ClusterDrains(cluster,
                new dev.geosteer.health.DrainStore(stateDir.resolve(ClusterDrains.CACHE))));
    }

    /** The User-Agent of this vantage point's HTTP(S) checks. */
    public static String userAgent(String version, String node) {
        return "geosteer/" + version + (node == null ? "" : " (node " + node + ")");
    }

    public String node() {
        return cluster.node();
    }

    public QuorumRule rule() {
        return rule;
    }

    public ClusterSettings settings() {
        return settings;
    }

    /** The verdict source of the server: {@code checker}'s verdicts, combined with the peers' by the quorum. */
    public ClusterVerdicts verdicts(LocalChecker checker) {
        if (verdicts == null) {
            verdicts = new ClusterVerdicts(checker, cluster, settings, rule);
        }
        return verdicts;
    }

    /** The verdict source made by {@link #verdicts(LocalChecker)}. */
    public ClusterVerdicts verdicts() {
        return verdicts;
    }

    public ClusterDrains drains() {
        return drains;
    }

    public EtcdCluster cluster() {
        return cluster;
    }

    public ClusterView view() {
        return cluster.view();
    }

    /**
     * The configuration set this instance serves now came from etcd revision {@code revision} (0: its own files),
     * read back from this machine's copy at start ({@code fromCache}) or handed over by etcd.
     */
    public void serving(long revision, boolean fromCache) {
        servingRevision = revision;
        servingFromCache = fromCache;
        cluster.servingConfigRevision(revision);
    }

    /** The configuration set served was read back from this machine's copy, and etcd has not confirmed it yet. */
    public boolean servingFromCache() {
        return servingFromCache;
    }

    /** The etcd revision of the configuration set served (0: this instance's own files). */
    public long servingRevision() {
        return servingRevision;
    }

    /** Connects (asynchronously: the server answers whether etcd does or not). */
    public void start() {
        LOG.info("cluster: node '" + node() + "', etcd " + settings.endpoints() + ", prefix " + settings.prefix
                + ", quorum " + rule + ", configuration from " + settings.config);
        cluster.start();
    }

    /**
     * Waits up to {@code deadline} for the first read of etcd to have reached the health state (drains made
     * through any instance apply before this one answers); true if it did. Blocking: not on an event loop.
     */
    public boolean awaitSynced(Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (verdicts == null || verdicts.synced()) {
                Thread.sleep(ClusterVerdicts.RECOMPUTE_MS); // the drains' hop onto the health loop
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** A short summary for {@code /api/v1/status}. */
    public Map<String, Object> summary() {
        ClusterView v = view();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", node());
        m.put("state", v.state().phase().name().toLowerCase(Locale.ROOT));
        m.put("connected", v.state().connected());
        m.put("local_only", v.state().localOnly());
        m.put("members", v.members().size());
        m.put("config_source", settings.config);
        m.put("config_revision", servingRevision);
        if (settings.configFromEtcd()) {
            m.put("config_from_cache", servingFromCache);
        }
        m.put("drains_from_cache", drains.fromCache());
        if (v.state().lastError() != null) {
            m.put("error", v.state().lastError());
        }
        return m;
    }

    /** Everything {@code GET /api/v1/cluster} shows. */
    public Map<String, Object> describe() {
        ClusterView v = view();
        ClusterState s = v.state();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", node());
        m.put("state", s.phase().name().toLowerCase(Locale.ROOT));
        m.put("since", s.since().toString());
        m.put("connected", s.connected());
        m.put("registered", s.registered());
        m.put("local_only", s.localOnly());
        m.put("error", s.lastError());
        m.put("etcd", settings.endpoints().stream().map(Object::toString).toList());
        m.put("prefix", settings.prefix);
        m.put("quorum", rule.toString());
        m.put("config_source", settings.config);
        m.put("config_revision", servingRevision);
        if (settings.configFromEtcd()) {
            m.put("config_from_cache", servingFromCache);
        }
        if (v.config() != null) {
            m.put("config_latest", Map.of("revision", v.config().revision(), "generation", v.config().generation(),
                    "published_at", String.valueOf(v.config().publishedAt()), "by", String.valueOf(v.config().by())));
        }
        List<Object> members = new ArrayList<>();
        for (Member mem : v.members().values()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("node", mem.node());
            j.put("self", mem.node().equals(node()));
            j.put("version", mem.version());
            j.put("config_revision", mem.configRevision());
            j.put("started_at", String.valueOf(mem.startedAt()));
            j.put("heartbeat", String.valueOf(mem.heartbeat()));
            members.add(j);
        }
        m.put("members", members);
        Map<String, Object> origins = new TreeMap<>();
        if (verdicts != null) {
            verdicts.decisions().forEach((key, d) -> origins.put(key, origin(v, key, d)));
        }
        m.put("origins", origins);
        List<Object> ds = new ArrayList<>();
        boolean cached = drains.fromCache();
        if (cached) { // etcd not read yet since start: the drains applied are this machine's copy
            for (dev.geosteer.health.Drain d : drains.drains()) {
                ds.add(drain(d.selector(), d.reason(), d.by(), d.at()));
            }
        } else {
            v.drains().forEach((selector, d) -> ds.add(drain(selector, d.reason(), d.by(), d.at())));
        }
        m.put("drains", ds);
        m.put("drains_from_cache", cached);
        return m;
    }

    private static Map<String, Object> drain(String selector, String reason, String by, java.time.Instant at) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("selector", selector);
        j.put("reason", reason);
        j.put("by", by);
        j.put("at", String.valueOf(at));
        return j;
    }

    private Map<String, Object> origin(ClusterView v, String key, ClusterVerdicts.Decision d) {
        Quorum.Effective e = d.effective();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("effective", lower(d.state()));
        j.put("since", d.since().toString());
        j.put("basis", e.basis().name().toLowerCase(Locale.ROOT));
        j.put("vantage_points", e.vantagePoints());
        j.put("down", e.down());
        j.put("required", e.required());
        Map<String, Object> votes = new TreeMap<>();
        Map<String, Quorum.Seen> seen = v.verdicts().getOrDefault(key, Map.of());
        e.votes().forEach((node, vote) -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("state", lower(vote.state()));
            x.put("counted", vote.counted());
            if (vote.ignoredBecause() != null) {
                x.put("ignored_because", vote.ignoredBecause());
            }
            Quorum.Seen s = seen.get(node);
            if (s != null && !node.equals(node())) {
                x.put("reason", s.verdict().reason());
                x.put("since", s.verdict().since().toString());
                x.put("last_check", s.verdict().lastCheck().toString());
                x.put("latency_ms", s.verdict().latencyMs());
            }
            votes.put(node, x);
        });
        j.put("votes", votes);
        return j;
    }

    /**
     * For {@code lookup --server}: one line per origin of {@code keys} with each vantage point's verdict, e.g.
     * {@code example.test./eu/par1: up (quorum majority: 1 of 3 say down, 2 needed) par-1 up, par-2 down (HTTP
     * 503), par-3 up}.
     */
    public List<String> vantageLines(Collection<String> keys) {
        List<String> out = new ArrayList<>();
        if (verdicts == null) {
            return out;
        }
        ClusterView v = view();
        for (String key : keys) {
            ClusterVerdicts.Decision d = verdicts.decisions().get(key);
            if (d == null) {
                out.add(key + ": not checked (no monitor): up everywhere");
                continue;
            }
            Quorum.Effective e = d.effective();
            StringBuilder b = new StringBuilder(key).append(": ").append(lower(d.state())).append(" (");
            switch (e.basis()) {
                case QUORUM -> b.append("quorum ").append(rule).append(": ").append(e.down()).append(" of ")
                        .append(e.vantagePoints()).append(" say down, ").append(e.required()).append(" needed)");
                case LOCAL_ONLY -> b.append("cluster lost: local verdict only)");
                case LOCAL_NO_VANTAGE_POINTS -> b.append("no vantage point counts: local verdict)");
            }
            Map<String, Quorum.Seen> seen = v.verdicts().getOrDefault(key, Map.of());
            String sep = " ";
            for (Map.Entry<String, Quorum.Vote> vote : e.votes().entrySet()) {
                b.append(sep).append(vote.getKey()).append(vote.getKey().equals(node()) ? " (here)" : "").append(' ')
                        .append(lower(vote.getValue().state()));
                Quorum.Seen s = seen.get(vote.getKey());
                List<String> notes = new ArrayList<>();
                if (s != null && !vote.getKey().equals(node()) && !s.verdict().reason().isEmpty()) {
                    notes.add(s.verdict().reason());
                }
                if (vote.getValue().ignoredBecause() != null) {
                    notes.add("not counted: " + vote.getValue().ignoredBecause());
                }
                if (!notes.isEmpty()) {
                    b.append(" (").append(String.join("; ", notes)).append(')');
                }
                sep = ", ";
            }
            out.add(b.toString());
        }
        return out;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** Leaves the cluster (revokes the lease: this node's membership and verdicts go at once). Blocking. */
    @Override
    public void close() {
        cluster.close();
    }
}
