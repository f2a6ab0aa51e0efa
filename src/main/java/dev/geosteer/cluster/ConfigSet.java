package dev.geosteer.cluster;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * A whole configuration set as published to etcd in one transaction: every file by name, the generation
 * (1, 2, 3... per publication), and the etcd revision of that transaction, which is the set's version. Each
 * file carries the revision at which it last changed (a fingerprint that stays the same when a later
 * publication left the file alone).
 */
public record ConfigSet(long revision, long generation, Map<String, File> files, Instant publishedAt, String by) {
    public ConfigSet {
        files = Map.copyOf(files);
    }

    /** One file's bytes, the revision it last changed at, and its SHA-256 (hex). */
    public record File(byte[] bytes, long modRevision, String sha256) {
        @Override
        public boolean equals(Object o) {
            return o instanceof File f && f.modRevision == modRevision && f.sha256.equals(sha256)
                    && Arrays.equals(f.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return sha256.hashCode();
        }

        @Override
        public String toString() {
            return "File[" + bytes.length + " bytes, rev " + modRevision + ", sha256 " + sha256 + "]";
        }
    }
}
