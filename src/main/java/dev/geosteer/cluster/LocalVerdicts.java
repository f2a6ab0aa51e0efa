package dev.geosteer.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This node's verdicts and what of them etcd has: which changed and are still to be written, which are due
 * for a refresh, which origins are withdrawn. Confined to the cluster's event loop.
 */
final class LocalVerdicts {
    private final Map<String, Entry> entries = new HashMap<>();
    private final Set<String> withdrawn = new HashSet<>();

    private static final class Entry {
        Verdict verdict;
        long changes;
        long written = -1;
        long writtenAtNanos;
        Instant writtenCheck = Instant.MIN;

        boolean dirty() {
            return changes != written;
        }
    }

    /** One transaction's worth of writes, and what to mark written when it succeeds. */
    record Batch(List<Op> ops, long leaseId, Map<String, Long> changes, Map<String, Instant> checks,
                 List<String> removed) {
    }

    /** Records a check's verdict; true when it changed and so must be written. */
    boolean publish(String origin, Verdict verdict) {
        Entry e = entries.computeIfAbsent(origin, k -> new Entry());
        withdrawn.remove(origin);
        boolean changed = e.verdict == null || e.verdict.differsFrom(verdict);
        e.verdict = verdict;
        if (changed) {
            e.changes++;
        }
        return changed;
    }

    /** True when the origin had a verdict, which is now to be deleted from etcd. */
    boolean withdraw(String origin) {
        if (entries.remove(origin) != null) {
            withdrawn.add(origin);
            return true;
        }
        return false;
    }

    /** Everything is to be written again (a new lease, or peers may have judged ours stale). */
    void rewriteAll() {
        for (Entry e : entries.values()) {
            e.changes++;
        }
    }

    /**
     * Marks unchanged verdicts whose refresh is due: written at least {@link Verdict#refreshEvery()} ago and
     * checked since (a vantage point whose checks stopped stops refreshing). True if any.
     */
    boolean markRefreshes(long nowNanos) {
        boolean due = false;
        for (Entry e : entries.values()) {
            if (!e.dirty() && nowNanos - e.writtenAtNanos >= e.verdict.refreshEvery().toNanos()
                    && e.verdict.lastCheck().isAfter(e.writtenCheck)) {
                e.changes++;
                due = true;
            }
        }
        return due;
    }

    boolean pending() {
        return !withdrawn.isEmpty() || entries.values().stream().anyMatch(Entry::dirty);
    }

    /** The next writes, at most {@code maxOps}, puts under {@code leaseId}; null when nothing is pending. */
    Batch next(Keys keys, String node, long leaseId, int maxOps) {
        PutOption underLease = PutOption.builder().withLeaseId(leaseId).build();
        List<Op> ops = new ArrayList<>();
        Map<String, Long> changes = new HashMap<>();
        Map<String, Instant> checks = new HashMap<>();
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (ops.size() >= maxOps) {
                break;
            }
            Entry v = e.getValue();
            if (v.dirty()) {
                ops.add(Op.put(EtcdConnection.bytes(keys.verdict(e.getKey(), node)),
                        ByteSequence.from(Values.verdict(v.verdict)), underLease));
                changes.put(e.getKey(), v.changes);
                checks.put(e.getKey(), v.verdict.lastCheck());
            }
        }
        for (String origin : withdrawn) {
            if (ops.size() >= maxOps) {
                break;
            }
            ops.add(Op.delete(EtcdConnection.bytes(keys.verdict(origin, node)), DeleteOption.DEFAULT));
            removed.add(origin);
        }
        return ops.isEmpty() ? null : new Batch(ops, leaseId, changes, checks, removed);
    }

    /** The batch is in etcd: what changed since it was made stays pending. */
    void written(Batch batch, long nowNanos) {
        batch.changes().forEach((origin, changes) -> {
            Entry e = entries.get(origin);
            if (e != null) {
                e.written = changes;
                e.writtenAtNanos = nowNanos;
                e.writtenCheck = batch.checks().get(origin);
            }
        });
        for (String origin : batch.removed()) {
            if (!entries.containsKey(origin)) {
                withdrawn.remove(origin);
            }
        }
    }
}
