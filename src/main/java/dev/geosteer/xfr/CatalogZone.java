package dev.geosteer.xfr;

import dev.geosteer.problem.ProblemException;
import dev.geosteer.query.ServedZone;
import dev.geosteer.zone.ZoneLoader;
import org.xbill.DNS.Name;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;
import java.util.TreeSet;

/**
 * An RFC 9432 (version 2) catalog zone listing the zones served: a secondary configured with this one
 * zone adds and drops the others as they come and go. Member labels are a hash of the zone's name, so
 * that a zone keeps its label across restarts.
 */
final class CatalogZone {
    private CatalogZone() {
    }

    static ServedZone build(Name name, long serial, Collection<Name> members) throws ProblemException {
        StringBuilder b = new StringBuilder();
        b.append("$ORIGIN ").append(name).append('\n');
        b.append("@ 0 IN SOA invalid. invalid. ").append(serial).append(" 3600 600 2147483646 0\n");
        b.append("@ 0 IN NS invalid.\n");
        b.append("version 0 IN TXT \"2\"\n");
        for (Name m : new TreeSet<>(members)) {
            b.append(label(m)).append(".zones 0 IN PTR ").append(m).append('\n');
        }
        byte[] bytes = b.toString().getBytes(StandardCharsets.US_ASCII);
        ZoneLoader.ParsedZone parsed = ZoneLoader.parse("catalog zone " + name, Path.of("catalog:" + name), bytes, name,
                Long.MAX_VALUE);
        return new ServedZone(ZoneLoader.compile(parsed, java.util.Map.of()), null);
    }

    /** A stable unique label per member zone (RFC 9432 §4.1: any unique label). */
    static String label(Name zone) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(zone.toString(true).toLowerCase(Locale.ROOT)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
