package dev.geosteer.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads the files an operator deploys (zones, steering files, admin-state.yaml, geosteer.yaml), refusing
 * what is not one: a file over its size limit (checked before reading), anything but a regular file
 * (a FIFO would block the reload thread, a device or {@code /proc} file is not configuration), and a
 * symbolic link that leads out of the directory the file is served from (so that
 * {@code zones/x.zone -> /proc/self/environ} cannot put a secret in an error message).
 */
public final class OperatorFiles {
    /** A file refused before its content is read; the message says why (the caller names the file). */
    public static final class Refused extends IOException {
        public Refused(String message) {
            super(message);
        }
    }

    private OperatorFiles() {
    }

    /**
     * The whole file, or null when there is no such file.
     *
     * @param within    if not null, the file, links followed, must lie inside this directory
     * @param maxBytes  larger files are refused without being read
     * @param limitName the setting that sets {@code maxBytes}, named in the error
     */
    public static byte[] read(Path file, Path within, long maxBytes, String limitName) throws IOException {
        Path target = check(file, within);
        if (target == null) {
            return null;
        }
        try (SeekableByteChannel ch = Files.newByteChannel(target, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            if (size > maxBytes) {
                throw tooBig(size, maxBytes, limitName);
            }
            // Read into an array of the size found; a writer appending meanwhile makes it grow, never
            // past the limit (nor past what an array can hold).
            long cap = Math.min(maxBytes, Integer.MAX_VALUE - 8);
            byte[] out = new byte[(int) size];
            int filled = 0;
            ByteBuffer probe = ByteBuffer.allocate(1);
            while (true) {
                if (filled == out.length) {
                    if (ch.read(probe.clear()) < 0) {
                        return out;
                    }
                    if (filled + 1L > cap) {
                        throw tooBig(filled + 1L, maxBytes, limitName);
                    }
                    out = java.util.Arrays.copyOf(out, (int) Math.min(cap, Math.max(16, 2L * filled)));
                    out[filled++] = probe.get(0);
                    continue;
                }
                int n = ch.read(ByteBuffer.wrap(out, filled, out.length - filled));
                if (n < 0) {
                    return java.util.Arrays.copyOf(out, filled);
                }
                filled += n;
            }
        } catch (NoSuchFileException e) {
            return null; // removed between the check and the open
        }
    }

    /**
     * Checks that {@code file} may be read: returns the path to open (links resolved), or null when
     * there is no such file.
     */
    public static Path check(Path file, Path within) throws IOException {
        BasicFileAttributes own;
        try {
            own = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        Path target = file;
        if (own.isSymbolicLink()) {
            try {
                target = file.toRealPath();
            } catch (NoSuchFileException e) {
                throw new Refused("a symbolic link to a file that does not exist");
            }
            if (within != null && !target.startsWith(within.toRealPath())) {
                throw new Refused("a symbolic link to " + target + ", outside " + within
                        + ": refused (only links that stay inside it are followed)");
            }
        }
        BasicFileAttributes a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new Refused("not a regular file (" + (a.isDirectory() ? "a directory" : "a device, FIFO or socket")
                    + "): refused");
        }
        return target;
    }

    /** Refuses a file whose size is over the limit, before anything is opened. */
    public static void checkSize(long size, long maxBytes, String limitName) throws Refused {
        if (size > maxBytes) {
            throw tooBig(size, maxBytes, limitName);
        }
    }

    private static Refused tooBig(long size, long maxBytes, String limitName) {
        return new Refused(size + " bytes, more than " + limitName + " (" + maxBytes + "): refused without reading it");
    }

    /** The operator's reading of a failure to read {@code file}. */
    public static String describe(IOException e) {
        if (e instanceof Refused) {
            return e.getMessage();
        }
        if (e instanceof AccessDeniedException) {
            return "cannot read: permission denied";
        }
        return "cannot read: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
