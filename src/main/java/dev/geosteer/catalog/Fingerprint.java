package dev.geosteer.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

/**
 * A version of a configuration file, told apart without reading it. The one fingerprint of the load
 * pipeline: every watched file (zone, steering, admin-state, GeoIP database) is compared by it, and
 * {@link Settling} decides from it when a change is taken.
 *
 * <p>A local file: an edit changes the modification time or the size, a rename over it changes the inode
 * ({@code key}, from {@code fileKey}). A file of a configuration store (etcd): {@code key} is the
 * revision it last changed at, {@code modified} when that was published.
 */
public record Fingerprint(Instant modified, long size, Object key) {
    /** The fingerprint of the file now (links followed), or null when there is no such file. */
    public static Fingerprint of(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Fingerprint(a.lastModifiedTime().toInstant(), a.size(), a.fileKey());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A file of a store that versions its entries: the revision it last changed at is its identity. */
    public static Fingerprint ofRevision(long revision, long size, Instant publishedAt) {
        return new Fingerprint(publishedAt, size, revision);
    }
}
