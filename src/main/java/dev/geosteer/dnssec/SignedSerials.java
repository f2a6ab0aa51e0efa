package dev.geosteer.dnssec;

import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * The SOA serial a signed zone is served and transferred with. A secondary takes a new version only
 * when the serial goes up (RFC 1982), and its copy of the signatures expires if it never does, so
 * the serial must change whenever the signed content does (a re-sign, a key rollover, a reload),
 * not only when the zone file's does: as BIND's inline signing ({@code serial-update-method
 * increment}), the served serial is the file's when the file's is after the last one served, else
 * the last one served plus one.
 *
 * <p>The last serial served per zone is kept in a small file ({@code <state_dir>/signed-serials}:
 * one {@code zone serial} line each, written by temp file + rename), so that a restart, which signs
 * again, goes on after it instead of falling back to the file's serial, which secondaries already
 * hold with older signatures. Without the file (or when it cannot be written) the serials live in
 * memory only, and a restart serves the file's serial again (logged). Zones that were never signed
 * keep their file's serial; a zone whose keys are removed goes on from its last signed serial until
 * its file's serial passes it. Called on the signing thread only.
 */
public final class SignedSerials {
    private static final Logger LOG = Logger.getLogger(SignedSerials.class.getName());
    static final String FILE = "signed-serials";

    private final Path file;
    private final Map<Name, Long> last = new TreeMap<>();
    private boolean warned;

    private SignedSerials(Path file) {
        this.file = file;
    }

    /** Serials kept in memory only (tests, and commands that do not serve). */
    public static SignedSerials inMemory() {
        return new SignedSerials(null);
    }

    /** Serials kept in {@code stateDir}/signed-serials, read now if it exists. */
    public static SignedSerials in(Path stateDir) {
        SignedSerials s = new SignedSerials(stateDir.resolve(FILE));
        s.read();
        return s;
    }

    private void read() {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            int n = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                n++;
                String[] f = line.trim().split("\\s+");
                if (f.length != 2 || f[0].startsWith("#")) {
                    continue;
                }
                try {
                    long serial = Long.parseLong(f[1]);
                    if (serial >= 0 && serial <= 0xFFFFFFFFL) {
                        last.put(Name.fromString(f[0], Name.root), serial);
                        continue;
                    }
                } catch (NumberFormatException | TextParseException e) {
                    // reported below
                }
                LOG.warning(file + ":" + n + ": not a \"zone serial\" line, ignored");
            }
        } catch (IOException e) {
            LOG.warning("cannot read " + file + " (" + e.getMessage() + "): signed zones start from their files' serials");
        }
    }

    /** The last serial served for a signed version of {@code zone}, or -1. */
    public long last(Name zone) {
        Long l = last.get(zone);
        return l == null ? -1 : l;
    }

    /**
     * The serial for a new signed version of {@code zone} whose file has {@code fileSerial}: the
     * file's when it is after the last one served (or none was), else the last plus one. Recorded.
     */
    public long next(Name zone, long fileSerial) {
        Long l = last.get(zone);
        long serial = l == null || after(fileSerial, l) ? fileSerial : (l + 1) & 0xFFFFFFFFL;
        record(zone, serial);
        return serial;
    }

    /**
     * The serial for an unsigned version of {@code zone}: the file's, unless the zone was served
     * signed with a serial the file's has not passed (then the last plus one: secondaries must take
     * it, or keep the old signatures until they expire).
     */
    public long unsigned(Name zone, long fileSerial) {
        Long l = last.get(zone);
        if (l == null) {
            return fileSerial;
        }
        if (after(fileSerial, l)) {
            last.remove(zone);
            save();
            return fileSerial;
        }
        long serial = (l + 1) & 0xFFFFFFFFL;
        record(zone, serial);
        return serial;
    }

    /** RFC 1982: {@code a} is strictly after {@code b}. */
    static boolean after(long a, long b) {
        long d = (a - b) & 0xFFFFFFFFL;
        return d != 0 && d < 0x80000000L;
    }

    private void record(Name zone, long serial) {
        Long before = last.put(zone, serial);
        if (before == null || before != serial) {
            save();
        }
    }

    private void save() {
        if (file == null) {
            return;
        }
        StringBuilder out = new StringBuilder("# the last SOA serial geosteer served for each signed zone\n");
        last.forEach((zone, serial) -> out.append(zone).append(' ').append(serial).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(FILE + ".tmp");
            Files.writeString(tmp, out, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            warned = false;
        } catch (IOException e) {
            if (!warned) {
                warned = true;
                LOG.warning("cannot write " + file + " (" + e + "): after a restart, signed zones will be served"
                        + " with their files' serials, which secondaries may already hold with older signatures");
            }
        }
    }
}
