package dev.geosteer.cluster;

import io.etcd.jetcd.KeyValue;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * What this node knows of everything under the prefix, kept from one read and the watch that follows it:
 * members, every node's verdicts (with when this node saw each written), drains, and the files and manifest
 * of the configuration set. Keys and values that do not fit the layout are warned about once and ignored.
 * Confined to the cluster's event loop.
 */
final class Mirror {
    private static final Logger LOG = Logger.getLogger(EtcdCluster.class.getName());
    private static final int MAX_WARNED_KEYS = 10_000;
    /** {@link #apply} results. */
    static final int DRAINS_CHANGED = 1;
    static final int OWN_MEMBER_DELETED = 2;

    private final Keys keys;
    private final String node;
    private final Map<String, Member> members = new TreeMap<>();
    private final Map<String, Map<String, Quorum.Seen>> verdicts = new HashMap<>();
    private final Map<String, Drain> drains = new TreeMap<>();
    private final Map<String, ConfigSet.File> configFiles = new HashMap<>();
    private Values.Manifest manifest;
    private long manifestRevision;
    private ConfigSet config;
    private long configProblemRevision;
    private long nextStaleNanos = Long.MAX_VALUE;
    private final Set<String> warnedKeys = new HashSet<>();

    Mirror(Keys keys, String node) {
        this.keys = keys;
        this.node = node;
    }

    /** Forgets everything but the configuration set in service (a fresh read follows). */
    void clear() {
        members.clear();
        verdicts.clear();
        drains.clear();
        configFiles.clear();
        manifest = null;
        manifestRevision = 0;
    }

    Map<String, Drain> drains() {
        return Collections.unmodifiableMap(new TreeMap<>(drains));
    }

    /**
     * Applies one key's new value ({@code put}) or its removal, seen at {@code nowNanos}; returns
     * {@link #DRAINS_CHANGED} and/or {@link #OWN_MEMBER_DELETED}, or 0.
     */
    int apply(KeyValue kv, boolean put, long nowNanos) {
        String key = kv.getKey().toString();
        Keys.Key k = keys.parse(key);
        try {
            if (k instanceof Keys.Member m) {
                if (put) {
                    members.put(m.node(), Values.member(m.node(), kv.getValue().getBytes(), kv.getLease()));
                } else {
                    members.remove(m.node());
                    return m.node().equals(node) ? OWN_MEMBER_DELETED : 0;
                }
            } else if (k instanceof Keys.VerdictKey v) {
                Map<String, Quorum.Seen> byNode = new HashMap<>(verdicts.getOrDefault(v.origin(), Map.of()));
                if (put) {
                    Quorum.Seen seen = new Quorum.Seen(Values.verdict(kv.getValue().getBytes()), nowNanos,
                            kv.getModRevision());
                    byNode.put(v.node(), seen);
                    nextStaleNanos = Math.min(nextStaleNanos, nowNanos + seen.verdict().staleAfter().toNanos());
                } else {
                    byNode.remove(v.node());
                }
                if (byNode.isEmpty()) {
                    verdicts.remove(v.origin());
                } else {
                    verdicts.put(v.origin(), Map.copyOf(byNode)); // each origin's map immutable: views share it
                }
            } else if (k instanceof Keys.DrainKey d) {
                if (put) {
                    drains.put(d.selector(), Values.drain(kv.getValue().getBytes()));
                } else {
                    drains.remove(d.selector());
                }
                return DRAINS_CHANGED;
            } else if (k instanceof Keys.Generation) {
                if (put) {
                    manifest = Values.manifest(kv.getValue().getBytes());
                    manifestRevision = kv.getModRevision();
                } else {
                    warnOnce(key, "the configuration set was deleted from etcd; keeping "
                            + (config == null ? "the local files" : "revision " + config.revision()) + " in service");
                }
            } else if (k instanceof Keys.ConfigFile f) {
                if (put) {
                    byte[] bytes = kv.getValue().getBytes();
                    configFiles.put(f.name(), new ConfigSet.File(bytes, kv.getModRevision(), Values.sha256(bytes)));
                } else {
                    configFiles.remove(f.name());
                }
            } else if (k instanceof Keys.Foreign foreign && put) {
                warnOnce(key, "ignoring " + key + ": " + foreign.why());
            }
        } catch (IllegalArgumentException e) {
            warnOnce(key + "@" + kv.getModRevision(), "ignoring " + key + ": " + e.getMessage());
        }
        return 0;
    }

    /**
     * The set the manifest describes, once every file of it is there, and only once per manifest; null when
     * there is nothing new to hand over (an incomplete set is warned about once and not handed over).
     */
    ConfigSet newConfig() {
        if (manifest == null || (config != null && config.revision() == manifestRevision)) {
            return null;
        }
        ConfigSet set = ConfigStore.assemble(manifest, manifestRevision, configFiles, problem -> {
            if (configProblemRevision != manifestRevision) {
                configProblemRevision = manifestRevision;
                LOG.warning("cluster: " + problem + "; keeping "
                        + (config == null ? "the local files" : "revision " + config.revision()) + " in service");
            }
        });
        if (set == null) {
            return null;
        }
        for (String name : configFiles.keySet()) {
            if (!manifest.files().containsKey(name)) {
                warnOnce(keys.configFile(name), "ignoring " + keys.configFile(name) + ": not in the manifest of"
                        + " generation " + manifest.generation());
            }
        }
        config = set;
        return set;
    }

    /** True once a verdict seen earlier has turned stale since the last call (consumers recompute then). */
    boolean staleTurned(long nowNanos) {
        if (nowNanos < nextStaleNanos) {
            return false;
        }
        long next = Long.MAX_VALUE;
        for (Map<String, Quorum.Seen> byNode : verdicts.values()) {
            for (Quorum.Seen s : byNode.values()) {
                long at = s.seenAtNanos() + s.verdict().staleAfter().toNanos();
                if (at > nowNanos) {
                    next = Math.min(next, at);
                }
            }
        }
        nextStaleNanos = next;
        return true;
    }

    ClusterView view(ClusterState state) {
        return new ClusterView(state, Collections.unmodifiableMap(new LinkedHashMap<>(members)),
                Collections.unmodifiableMap(new HashMap<>(verdicts)), drains(), config);
    }

    private void warnOnce(String key, String message) {
        if (warnedKeys.size() >= MAX_WARNED_KEYS) {
            warnedKeys.clear();
        }
        if (warnedKeys.add(key)) {
            LOG.warning("cluster: " + message);
        }
    }
}
