package dev.geosteer.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * The configuration set in etcd: {@code config/files/<name>} per file and {@code config/generation}, the
 * manifest naming every file of the set with its SHA-256. A set is published in ONE transaction (changed
 * files, removed files and the new manifest together), guarded by the manifest's revision so that two
 * publishers never interleave; readers see it whole or not at all ({@link #assemble}).
 */
public final class ConfigStore {
    private ConfigStore() {
    }

    /** Another publication won the race: nothing of this one was written. */
    public static final class ConcurrentPublishException extends RuntimeException {
        ConcurrentPublishException(String message) {
            super(message);
        }
    }

    /**
     * Publishes {@code files} (name → bytes; names like {@code example.com.zone}, {@code admin-state.yaml})
     * as the new whole set, {@code by} naming who published it. Files not in the map are removed. Completes
     * with the set as published; fails with IllegalArgumentException for a bad name or an empty set,
     * {@link ConcurrentPublishException} when another publication changed the set meanwhile, and otherwise
     * with etcd's error.
     */
    public static CompletableFuture<ConfigSet> publish(EtcdConnection etcd, Map<String, byte[]> files, String by) {
        if (files.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("nothing to publish: the set is empty"));
        }
        for (String name : files.keySet()) {
            if (!Keys.validFileName(name)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("'" + name
                        + "' cannot be a file name in etcd: plain names separated by '/', no '.' or '..'"));
            }
        }
        Keys keys = etcd.keys;
        Map<String, byte[]> copy = new TreeMap<>(files);
        return etcd.deadline(etcd.client().getKVClient().get(EtcdConnection.bytes(keys.configDir()),
                        GetOption.builder().isPrefix(true).build()))
                .thenCompose(current -> {
                    long manifestRevision = 0;
                    long generation = 0;
                    Map<String, KeyValue> present = new HashMap<>();
                    for (KeyValue kv : current.getKvs()) {
                        Keys.Key k = keys.parse(kv.getKey().toString());
                        if (k instanceof Keys.Generation) {
                            manifestRevision = kv.getModRevision();
                            try {
                                generation = Values.manifest(kv.getValue().getBytes()).generation();
                            } catch (IllegalArgumentException e) {
                                generation = 0; // a broken manifest is replaced, its generation restarts
                            }
                        } else if (k instanceof Keys.ConfigFile f) {
                            present.put(f.name(), kv);
                        }
                    }
                    return commit(etcd, copy, by, present, manifestRevision, generation + 1);
                });
    }

    static CompletableFuture<ConfigSet> commit(EtcdConnection etcd, Map<String, byte[]> files, String by,
                                                       Map<String, KeyValue> present, long manifestRevision,
                                                       long generation) {
        Keys keys = etcd.keys;
        List<Op> ops = new ArrayList<>();
        Map<String, String> hashes = new TreeMap<>();
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            String sha = Values.sha256(f.getValue());
            hashes.put(f.getKey(), sha);
            KeyValue old = present.get(f.getKey());
            if (old == null || !Values.sha256(old.getValue().getBytes()).equals(sha)) {
                ops.add(Op.put(EtcdConnection.bytes(keys.configFile(f.getKey())), ByteSequence.from(f.getValue()),
                        PutOption.DEFAULT));
                changed.add(f.getKey());
            }
        }
        for (String gone : new TreeSet<>(present.keySet())) {
            if (!files.containsKey(gone)) {
                ops.add(Op.delete(EtcdConnection.bytes(keys.configFile(gone)), DeleteOption.DEFAULT));
            }
        }
        Instant now = Instant.now();
        Values.Manifest manifest = new Values.Manifest(generation, hashes, now, by);
        ops.add(Op.put(EtcdConnection.bytes(keys.generation()), ByteSequence.from(Values.manifest(manifest)),
                PutOption.DEFAULT));
        // modRevision 0 = the key does not exist: the first publication
        Cmp unchanged = new Cmp(EtcdConnection.bytes(keys.generation()), Cmp.Op.EQUAL,
                CmpTarget.modRevision(manifestRevision));
        int bytes = files.values().stream().mapToInt(b -> b.length).sum();
        return etcd.deadline(etcd.client().getKVClient().txn().If(unchanged).Then(ops.toArray(new Op[0])).commit())
                .exceptionally(e -> {
                    throw new java.util.concurrent.CompletionException(tooBig(EtcdErrors.unwrap(e), ops.size(), bytes));
                })
                .thenApply(r -> {
                    if (!r.isSucceeded()) {
                        throw new ConcurrentPublishException("the configuration in etcd changed while publishing"
                                + " (another publication?): nothing was published; try again");
                    }
                    long revision = r.getHeader().getRevision();
                    Map<String, ConfigSet.File> out = new HashMap<>();
                    for (Map.Entry<String, byte[]> f : files.entrySet()) {
                        long rev = changed.contains(f.getKey()) ? revision : present.get(f.getKey()).getModRevision();
                        out.put(f.getKey(), new ConfigSet.File(f.getValue().clone(), rev, hashes.get(f.getKey())));
                    }
                    return new ConfigSet(revision, generation, out, now, by);
                });
    }

    /** etcd's limits on one transaction, said with the etcd setting that raises them; other errors as they are. */
    private static Throwable tooBig(Throwable e, int ops, int bytes) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("too many operations in txn request")) {
            return new IllegalStateException("the set needs " + ops + " operations in one transaction (changed and"
                    + " removed files, and the manifest), more than etcd allows: raise --max-txn-ops (default 128)"
                    + " on every etcd member; nothing was published", e);
        }
        if (m.contains("request is too large")) {
            return new IllegalStateException("the set's changed files (" + bytes + " bytes in all) are more than etcd"
                    + " takes in one request: raise --max-request-bytes (default 1.5 MiB) on every etcd member;"
                    + " nothing was published", e);
        }
        return e;
    }

    /**
     * The set a manifest describes, from the files seen in etcd, or null when a file is missing or has other
     * content than the manifest says (then {@code problem} gets one line naming the files).
     */
    static ConfigSet assemble(Values.Manifest manifest, long manifestRevision, Map<String, ConfigSet.File> seen,
                              java.util.function.Consumer<String> problem) {
        Map<String, ConfigSet.File> out = new HashMap<>();
        List<String> missing = new ArrayList<>();
        List<String> differ = new ArrayList<>();
        for (Map.Entry<String, String> f : manifest.files().entrySet()) {
            ConfigSet.File file = seen.get(f.getKey());
            if (file == null) {
                missing.add(f.getKey());
            } else if (!file.sha256().equals(f.getValue())) {
                differ.add(f.getKey());
            } else {
                out.put(f.getKey(), file);
            }
        }
        if (!missing.isEmpty() || !differ.isEmpty()) {
            problem.accept("configuration generation " + manifest.generation() + " (revision " + manifestRevision
                    + ") is incomplete in etcd" + (missing.isEmpty() ? "" : ": missing " + String.join(", ", missing))
                    + (differ.isEmpty() ? "" : "; not the published content: " + String.join(", ", differ)));
            return null;
        }
        return new ConfigSet(manifestRevision, manifest.generation(), out, manifest.publishedAt(), manifest.by());
    }
}
