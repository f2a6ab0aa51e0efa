package dev.geosteer.dnssec;

import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * BIND's key files, read and written: {@code K<zone>.+<alg>+<tag>.key} (the DNSKEY record, with
 * comments) and {@code K<zone>.+<alg>+<tag>.private} ({@code Private-key-format: v1.3}, the algorithm,
 * the private key, the timing metadata). Keys made by {@code dnssec-keygen} load unchanged; keys
 * written here load in BIND's tools and in Knot ({@code keymgr import-bind}).
 *
 * <p>Reading checks everything that could make a zone fail to validate: the algorithm, that the
 * .private matches the .key (the public key is derived from the private one and compared), the key
 * tag and zone in the file name, and warns when a private key is readable by every user. Every
 * error names its file (and line).
 */
public final class KeyFile {
    /** A key read from disk, with warnings that do not stop it from being used. */
    public record Loaded(DnssecKey key, List<KeyProblem> warnings) {
    }

    private static final Pattern BASE_NAME = Pattern.compile("K(.+)\\+(\\d{3})\\+(\\d{5})");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuuMMddHHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss uuuu",
            Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final long NO_TTL = 0x7FFFFFFFL;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    /** The timing fields of a .private file, in the order BIND writes them. */
    private static final List<String> TIMING_FIELDS = List.of("Created", "Publish", "Activate", "Revoke",
            "Inactive", "Delete", "DSPublish", "SyncPublish", "SyncDelete", "DSDelete");

    private KeyFile() {
    }

    /**
     * Reads a key from its {@code .key} and {@code .private} files; {@code file} is either of them or
     * their common name without extension. {@code zone}, when not null, is the zone the key must
     * belong to.
     */
    public static Loaded read(Path file, Name zone) throws KeyFileException {
        String fileName = file.getFileName().toString();
        String base = fileName.endsWith(".key") ? fileName.substring(0, fileName.length() - 4)
                : fileName.endsWith(".private") ? fileName.substring(0, fileName.length() - 8) : fileName;
        Path keyPath = file.resolveSibling(base + ".key");
        Path privatePath = file.resolveSibling(base + ".private");
        Matcher m = BASE_NAME.matcher(base);
        if (!m.matches()) {
            throw new KeyFileException(KeyProblem.error(file,
                    "not a key file name: expected K<zone>+<algorithm>+<key tag>.key, as dnssec-keygen names it"));
        }
        Name fileZone = zoneFromFileName(m.group(1));
        int fileAlgorithm = Integer.parseInt(m.group(2));
        int fileTag = Integer.parseInt(m.group(3));
        if (fileZone == null) {
            throw new KeyFileException(KeyProblem.error(file, "the zone in the file name is not a domain name"));
        }
        if (zone != null && !fileZone.equals(zone)) {
            throw new KeyFileException(KeyProblem.error(file, "a key of zone " + fileZone + ", not of " + zone));
        }
        Algorithm algorithm = Algorithm.byNumber(fileAlgorithm);
        if (algorithm == null) {
            throw new KeyFileException(KeyProblem.error(file, Algorithm.unsupported(fileAlgorithm)));
        }

        List<KeyProblem> errors = new ArrayList<>();
        DNSKEYRecord dnskey = readDnskey(keyPath, fileZone, algorithm, fileTag, errors);
        PrivateFile priv = readPrivate(privatePath, algorithm, errors);
        if (!errors.isEmpty()) {
            throw new KeyFileException(errors);
        }
        byte[] derived = algorithm.publicKey(priv.privateKey);
        if (!Arrays.equals(derived, dnskey.getKey())) {
            throw new KeyFileException(KeyProblem.error(privatePath, "the private key does not match the public key in "
                    + keyPath.getFileName() + " (key tag " + fileTag + "): the two files are of different keys"));
        }
        List<KeyProblem> warnings = new ArrayList<>(priv.warnings);
        if (Files.isRegularFile(file.resolveSibling(base + ".state"))) {
            warnings.add(KeyProblem.warning(file.resolveSibling(base + ".state"), "geosteer ignores the key states of"
                    + " dnssec-policy (.state files); it follows the timing metadata of " + privatePath.getFileName()));
        }
        long ttl = dnskey.getTTL() == NO_TTL ? -1 : dnskey.getTTL();
        DnssecKey key = new DnssecKey(dnskey.getName(), dnskey.getFlags(), algorithm, dnskey.getKey(),
                priv.privateKey, priv.timing, ttl, keyPath, privatePath);
        return new Loaded(key, List.copyOf(warnings));
    }

    private static DNSKEYRecord readDnskey(Path keyPath, Name fileZone, Algorithm algorithm, int fileTag,
                                           List<KeyProblem> errors) {
        byte[] text;
        try {
            text = Files.readAllBytes(keyPath);
        } catch (NoSuchFileException e) {
            errors.add(KeyProblem.error(keyPath, "missing: a key needs both its .key and its .private file"));
            return null;
        } catch (IOException e) {
            errors.add(KeyProblem.error(keyPath, "cannot read: " + e.getMessage()));
            return null;
        }
        List<Record> records = new ArrayList<>();
        try (Master master = new Master(new ByteArrayInputStream(text), Name.root, NO_TTL)) {
            for (Record r; (r = master.nextRecord()) != null; ) {
                records.add(r);
            }
        } catch (TextParseException e) {
            Matcher lm = Pattern.compile("^<none>:(\\d+): (.*)$", Pattern.DOTALL).matcher(String.valueOf(e.getMessage()));
            errors.add(lm.matches() ? KeyProblem.error(keyPath, Integer.parseInt(lm.group(1)), lm.group(2))
                    : KeyProblem.error(keyPath, String.valueOf(e.getMessage())));
            return null;
        } catch (IOException | RuntimeException e) {
            errors.add(KeyProblem.error(keyPath, "cannot parse: " + e.getMessage()));
            return null;
        }
        if (records.size() != 1 || !(records.get(0) instanceof DNSKEYRecord)) {
            errors.add(KeyProblem.error(keyPath, "expected exactly one DNSKEY record, found "
                    + (records.isEmpty() ? "none" : records.stream().map(r -> Type.string(r.getType())).toList())));
            return null;
        }
        DNSKEYRecord k = (DNSKEYRecord) records.get(0);
        int before = errors.size();
        if (k.getDClass() != DClass.IN) {
            errors.add(KeyProblem.error(keyPath, "class " + DClass.string(k.getDClass()) + ": only IN is served"));
        }
        if (!k.getName().equals(fileZone)) {
            errors.add(KeyProblem.error(keyPath, "the DNSKEY's owner " + k.getName() + " is not the zone "
                    + fileZone + " of the file name"));
        }
        if (k.getAlgorithm() != algorithm.number()) {
            errors.add(KeyProblem.error(keyPath, "the DNSKEY's algorithm " + Algorithm.describe(k.getAlgorithm())
                    + " is not the algorithm " + algorithm.number() + " of the file name"));
        }
        if (k.getProtocol() != 3) {
            errors.add(KeyProblem.error(keyPath, "DNSKEY protocol " + k.getProtocol() + ": must be 3 (RFC 4034 §2.1.2)"));
        }
        if ((k.getFlags() & DnssecKey.ZONE) == 0) {
            errors.add(KeyProblem.error(keyPath, "flags " + k.getFlags() + " lack the Zone Key bit (256): not a zone"
                    + " signing key"));
        }
        if ((k.getFlags() & DnssecKey.REVOKE) != 0) {
            errors.add(KeyProblem.error(keyPath, "flags " + k.getFlags() + " have the REVOKE bit (RFC 5011):"
                    + " revoked keys are not supported"));
        }
        if (k.getKey().length != algorithm.publicKeyLength()) {
            errors.add(KeyProblem.error(keyPath, "the public key is " + k.getKey().length + " octets; "
                    + algorithm.name() + " keys are " + algorithm.publicKeyLength()));
        }
        if (errors.size() == before && k.getFootprint() != fileTag) {
            errors.add(KeyProblem.error(keyPath, "the key tag of this DNSKEY is " + k.getFootprint()
                    + ", not the " + fileTag + " of the file name"));
        }
        return errors.size() == before ? k : null;
    }

    private record PrivateFile(byte[] privateKey, KeyTiming timing, List<KeyProblem> warnings) {
    }

    private static PrivateFile readPrivate(Path path, Algorithm algorithm, List<KeyProblem> errors) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            errors.add(KeyProblem.error(path, "missing: a key needs both its .key and its .private file"));
            return null;
        } catch (IOException e) {
            errors.add(KeyProblem.error(path, "cannot read: " + e.getMessage()));
            return null;
        }
        int before = errors.size();
        Map<String, String> fields = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith(";") || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon <= 0) {
                errors.add(KeyProblem.error(path, i + 1, "expected 'Field: value'"));
                continue;
            }
            String field = l.substring(0, colon).strip();
            if (fields.containsKey(field)) {
                errors.add(KeyProblem.error(path, i + 1, field + " appears twice (first on line " + lineOf.get(field) + ")"));
                continue;
            }
            fields.put(field, l.substring(colon + 1).strip());
            lineOf.put(field, i + 1);
        }
        String format = fields.get("Private-key-format");
        boolean legacy = false;
        if (format == null) {
            errors.add(KeyProblem.error(path, "no Private-key-format line: not a BIND private key file"));
        } else {
            Matcher fm = Pattern.compile("v(\\d+)\\.(\\d+)").matcher(format);
            if (!fm.matches() || !fm.group(1).equals("1")) {
                errors.add(KeyProblem.error(path, lineOf.get("Private-key-format"), "Private-key-format " + format
                        + " is not supported (v1.3 expected)"));
            } else {
                legacy = Integer.parseInt(fm.group(2)) <= 2; // before v1.3: no timing, always published and active
            }
        }
        String alg = fields.get("Algorithm");
        if (alg == null) {
            errors.add(KeyProblem.error(path, "no Algorithm line"));
        } else {
            Matcher am = Pattern.compile("(\\d+)(\\s.*)?").matcher(alg);
            if (!am.matches()) {
                errors.add(KeyProblem.error(path, lineOf.get("Algorithm"), "Algorithm: expected a number, found '" + alg + "'"));
            } else if (Integer.parseInt(am.group(1)) != algorithm.number()) {
                errors.add(KeyProblem.error(path, lineOf.get("Algorithm"), "Algorithm "
                        + Algorithm.describe(Integer.parseInt(am.group(1))) + " is not the algorithm "
                        + algorithm.number() + " of the file name"));
            }
        }
        for (String hsm : List.of("Engine", "Label")) {
            if (fields.containsKey(hsm)) {
                errors.add(KeyProblem.error(path, lineOf.get(hsm), hsm + ": keys kept in an HSM are not supported"));
            }
        }
        byte[] privateKey = null;
        String pk = fields.get("PrivateKey");
        if (pk == null) {
            errors.add(KeyProblem.error(path, "no PrivateKey line"));
        } else {
            try {
                privateKey = algorithm.fromFile(Base64.getMimeDecoder().decode(pk));
                String why = algorithm.checkPrivateKey(privateKey);
                if (why != null) {
                    errors.add(KeyProblem.error(path, lineOf.get("PrivateKey"), "PrivateKey: " + why));
                }
            } catch (IllegalArgumentException e) {
                errors.add(KeyProblem.error(path, lineOf.get("PrivateKey"), "PrivateKey: not base64: " + e.getMessage()));
            }
        }
        Instant[] times = new Instant[TIMING_FIELDS.size()];
        for (int i = 0; i < times.length; i++) {
            String field = TIMING_FIELDS.get(i);
            String v = fields.get(field);
            if (v == null) {
                continue;
            }
            try {
                if (!v.matches("\\d{14}")) {
                    throw new DateTimeParseException("expected YYYYMMDDHHMMSS", v, 0);
                }
                times[i] = LocalDateTime.parse(v, TIME.withZone(null)).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                errors.add(KeyProblem.error(path, lineOf.get(field), field + ": '" + v
                        + "' is not a time (YYYYMMDDHHMMSS, UTC, as dnssec-settime writes it)"));
            }
        }
        if (errors.size() > before) {
            return null;
        }
        KeyTiming timing = new KeyTiming(times[0], times[1], times[2], times[3], times[4], times[5], times[7],
                times[8], times[6], times[9], legacy);
        List<KeyProblem> warnings = new ArrayList<>();
        if (timing.revoke() != null) {
            warnings.add(KeyProblem.warning(path, "Revoke is ignored: geosteer does not revoke keys (RFC 5011 trust"
                    + " anchors); the key is published and signs by its other times"));
        }
        for (String s : timing.inconsistencies()) {
            warnings.add(KeyProblem.warning(path, s));
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                warnings.add(KeyProblem.warning(path, "the private key is readable by every user (mode "
                        + PosixFilePermissions.toString(perms) + "): chmod 600 " + path));
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
        return new PrivateFile(privateKey, timing, warnings);
    }

    /**
     * Writes {@code key} into {@code dir} as BIND would: the .private first, created with mode 0600
     * (never readable by others, even for a moment), then the .key. Existing files are never
     * overwritten. Returns the key with its file names. The directory is created (mode 0700) if missing.
     */
    public static DnssecKey write(Path dir, DnssecKey key) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
        }
        String base = key.baseName();
        Path keyPath = dir.resolve(base + ".key");
        Path privatePath = dir.resolve(base + ".private");
        if (Files.exists(keyPath)) {
            throw new FileAlreadyExistsException(keyPath.toString());
        }
        create(privatePath, privateText(key), OWNER_ONLY);
        try {
            create(keyPath, keyText(key), PUBLIC);
        } catch (IOException e) {
            Files.deleteIfExists(privatePath);
            throw e;
        }
        return key.at(keyPath, privatePath);
    }

    private static void create(Path path, String text, Set<PosixFilePermission> perms) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (SeekableByteChannel ch = open(path, options, perms)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    private static SeekableByteChannel open(Path path, Set<StandardOpenOption> options,
                                            Set<PosixFilePermission> perms) throws IOException {
        try {
            return Files.newByteChannel(path, options, PosixFilePermissions.asFileAttribute(perms));
        } catch (UnsupportedOperationException e) { // not a POSIX file system
            return Files.newByteChannel(path, options);
        }
    }

    /** The .key file's text, as {@code dnssec-keygen} writes it. */
    static String keyText(DnssecKey key) {
        StringBuilder b = new StringBuilder();
        b.append("; This is a ").append(key.isSep() ? "key-signing" : "zone-signing").append(" key, keyid ")
                .append(key.keyTag()).append(", for ").append(key.zone()).append('\n');
        KeyTiming t = key.timing();
        Instant[] shown = {t.created(), t.publish(), t.activate(), t.revoke(), t.inactive(), t.delete(),
                t.syncPublish(), t.syncDelete()};
        String[] names = {"Created", "Publish", "Activate", "Revoke", "Inactive", "Delete", "SyncPublish", "SyncDelete"};
        for (int i = 0; i < shown.length; i++) {
            if (shown[i] != null) {
                b.append("; ").append(names[i]).append(": ").append(TIME.format(shown[i])).append(" (")
                        .append(CTIME.format(shown[i])).append(")\n");
            }
        }
        b.append(key.zone()).append(' ');
        if (key.ttl() >= 0) {
            b.append(key.ttl()).append(' ');
        }
        b.append("IN DNSKEY ").append(key.flags()).append(" 3 ").append(key.algorithm().number()).append(' ')
                .append(Base64.getEncoder().encodeToString(key.publicKey())).append('\n');
        return b.toString();
    }

    /** The .private file's text, as {@code dnssec-keygen} writes it. */
    static String privateText(DnssecKey key) {
        KeyTiming t = key.timing();
        StringBuilder b = new StringBuilder();
        b.append("Private-key-format: v1.3\n");
        b.append("Algorithm: ").append(key.algorithm().number()).append(" (").append(key.algorithm().name()).append(")\n");
        b.append("PrivateKey: ").append(Base64.getEncoder().encodeToString(key.privateKey())).append('\n');
        Instant[] values = {t.created(), t.publish(), t.activate(), t.revoke(), t.inactive(), t.delete(),
                t.dsPublish(), t.syncPublish(), t.syncDelete(), t.dsDelete()};
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                b.append(TIMING_FIELDS.get(i)).append(": ").append(TIME.format(values[i])).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * BIND's file name for a key, without extension: {@code K<zone>+<alg>+<tag>}, the zone in lower
     * case with its final dot, characters other than letters, digits, '-' and '_' as %XX
     * (BIND's dns_name_tofilenametext).
     */
    static String baseName(Name zone, int algorithm, int tag) {
        StringBuilder b = new StringBuilder("K");
        byte[] wire = zone.toWire();
        if (wire.length == 1) {
            b.append('.');
        }
        for (int p = 0; wire[p] != 0; ) {
            int len = wire[p++];
            for (int i = 0; i < len; i++) {
                int c = wire[p++] & 0xFF;
                if (c >= 'A' && c <= 'Z') {
                    b.append((char) (c + 32));
                } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                    b.append((char) c);
                } else {
                    b.append(String.format(Locale.ROOT, "%%%02X", c));
                }
            }
            b.append('.');
        }
        return b.append(String.format(Locale.ROOT, "+%03d+%05d", algorithm, tag)).toString();
    }

    /** The zone of a file name's {@code <zone>} part (the inverse of {@link #baseName}), or null. */
    static Name zoneFromFileName(String text) {
        if (text.equals(".")) {
            return Name.root;
        }
        if (!text.endsWith(".")) {
            return null;
        }
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        for (String label : text.substring(0, text.length() - 1).split("\\.", -1)) {
            java.io.ByteArrayOutputStream l = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (c == '%' && i + 2 < label.length()) {
                    try {
                        l.write(Integer.parseInt(label.substring(i + 1, i + 3), 16));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                    i += 2;
                } else if (c > 0x20 && c < 0x7F && c != '%') {
                    l.write(c);
                } else {
                    return null;
                }
            }
            if (l.size() == 0 || l.size() > 63) {
                return null;
            }
            wire.write(l.size());
            wire.writeBytes(l.toByteArray());
        }
        wire.write(0);
        try {
            return new Name(new DNSInput(wire.toByteArray()));
        } catch (IOException e) {
            return null;
        }
    }
}
