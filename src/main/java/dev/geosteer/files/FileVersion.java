package dev.geosteer.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * A version of a file, told apart without reading it: an edit changes the modification time or the
 * size, a rename over it changes the inode ({@code fileKey}).
 */
public record FileVersion(FileTime modified, long size, Object key) {
    /** The version of the file now (links followed), or null when there is no such file. */
    public static FileVersion of(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileVersion(a.lastModifiedTime(), a.size(), a.fileKey());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    public Instant modifiedInstant() {
        return modified.toInstant();
    }
}
