package dev.geosteer.dnssec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BIND's key timing metadata (the {@code Created}, {@code Publish}, {@code Activate}, ... fields of a
 * {@code .private} file, set by {@code dnssec-keygen} and {@code dnssec-settime}); null = unset.
 * The meaning follows BIND's {@code get_hints()} in lib/dns/dnssec.c, so that a rollover planned with
 * {@code dnssec-settime} behaves in geosteer as it would in BIND:
 * <ul>
 * <li>published (in the DNSKEY RRset) from Publish, or from Activate when that comes first or
 *     Publish is unset, until Delete;</li>
 * <li>active (signing) from Activate until Inactive or Delete; an inactive key stays published
 *     until its Delete time, so that cached signatures made with it still validate;</li>
 * <li>a key with neither Publish nor Activate is neither published nor active (unless it is
 *     {@code legacy}: a {@code Private-key-format} before v1.3, which had no timing and always signed);</li>
 * <li>CDS/CDNSKEY (RFC 7344) from SyncPublish until SyncDelete.</li>
 * </ul>
 * DSPublish/DSDelete (records of what the parent holds) are read but do not change what is served.
 */
public record KeyTiming(Instant created, Instant publish, Instant activate, Instant revoke, Instant inactive,
                        Instant delete, Instant syncPublish, Instant syncDelete, Instant dsPublish,
                        Instant dsDelete, boolean legacy) {
    /** What a key is doing at some instant. */
    public enum State {
        /** Not yet published (or never, without Publish and Activate). */
        UNPUBLISHED,
        /** In the DNSKEY RRset, not signing: before its Activate time. */
        PUBLISHED,
        /** Signing (and published). */
        ACTIVE,
        /** Past its Inactive time: published, no longer signing. */
        INACTIVE,
        /** Past its Delete time: neither published nor signing. */
        DELETED;

        public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** No timing at all: a v1.3 key that is never used. */
    public static final KeyTiming NONE = new KeyTiming(null, null, null, null, null, null, null, null, null,
            null, false);

    /** What {@code dnssec-keygen} writes by default: created, published and active now. */
    public static KeyTiming activeFrom(Instant now) {
        return new KeyTiming(now, now, now, null, null, null, null, null, null, null, false);
    }

    public boolean isPublished(Instant now) {
        if (reached(delete, now)) {
            return false;
        }
        return legacy || reached(publish, now) || reached(activate, now);
    }

    public boolean isActive(Instant now) {
        if (reached(delete, now) || reached(inactive, now)) {
            return false;
        }
        return legacy || reached(activate, now);
    }

    /** Whether CDS and CDNSKEY records of this key are published (RFC 7344). */
    public boolean isSyncPublished(Instant now) {
        return reached(syncPublish, now) && !reached(syncDelete, now) && isPublished(now);
    }

    public State state(Instant now) {
        if (reached(delete, now)) {
            return State.DELETED;
        }
        if (isActive(now)) {
            return State.ACTIVE;
        }
        if (reached(inactive, now) && (legacy || reached(activate, now) || reached(publish, now))) {
            return State.INACTIVE;
        }
        return isPublished(now) ? State.PUBLISHED : State.UNPUBLISHED;
    }

    /** The first time after {@code now} at which this key's state or sync state changes, or null. */
    public Instant nextChange(Instant now) {
        Instant next = null;
        for (Instant t : Arrays.asList(publish, activate, inactive, delete, syncPublish, syncDelete)) {
            if (t != null && t.isAfter(now) && (next == null || t.isBefore(next))) {
                next = t;
            }
        }
        return next;
    }

    /** Times that contradict each other (BIND accepts them; the operator would want to know). */
    List<String> inconsistencies() {
        List<String> out = new ArrayList<>();
        before(out, "Publish", publish, "Delete", delete);
        before(out, "Activate", activate, "Inactive", inactive);
        before(out, "Activate", activate, "Delete", delete);
        before(out, "Inactive", inactive, "Delete", delete);
        before(out, "SyncPublish", syncPublish, "SyncDelete", syncDelete);
        return out;
    }

    private static void before(List<String> out, String a, Instant ta, String b, Instant tb) {
        if (ta != null && tb != null && !ta.isBefore(tb)) {
            out.add(b + " (" + tb + ") is not after " + a + " (" + ta + ")");
        }
    }

    private static boolean reached(Instant t, Instant now) {
        return t != null && !t.isAfter(now);
    }

    KeyTiming withLegacy(boolean isLegacy) {
        return new KeyTiming(created, publish, activate, revoke, inactive, delete, syncPublish, syncDelete,
                dsPublish, dsDelete, isLegacy);
    }
}
