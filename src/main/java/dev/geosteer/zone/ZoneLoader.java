package dev.geosteer.zone;

import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;

import dev.geosteer.dns.RRset;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an RFC 1035 master file with dnsjava's {@link Master}, checks it the way named-checkzone would,
 * and compiles it into a {@link Zone}. Every error names the file and line.
 */
public final class ZoneLoader {
    private static final Pattern DNSJAVA_POSITION = Pattern.compile("^[^:]*:(\\d+): (.*)$", Pattern.DOTALL);

    private ZoneLoader() {
    }

    /** {@code example.test.zone} → {@code example.test.}: the origin when the file sets none. */
    public static Name originFromFileName(Path file) throws ProblemException {
        String base = file.getFileName().toString();
        if (base.endsWith(".zone")) {
            base = base.substring(0, base.length() - ".zone".length());
        }
        try {
            return Name.fromString(base, Name.root);
        } catch (TextParseException e) {
            throw new ProblemException(new Problem(file.toString(), 0, "file name is not a domain name: " + e.getMessage()));
        }
    }

    /** Records a zone may hold unless told otherwise ({@code limits.zone_max_records}). */
    public static final long DEFAULT_MAX_RECORDS = 2_000_000;

    /** Syntax errors reported per file before giving up: enough to fix a file in one go. */
    static final int MAX_SYNTAX_ERRORS = 100;

    /** Parses the file: syntax errors and records outside the zone are reported here. */
    public static ParsedZone parse(Path file) throws ProblemException {
        String shown = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ProblemException(new Problem(shown, 0, "cannot read: " + e.getMessage()));
        }
        return parse(shown, file, bytes, originFromFileName(file));
    }

    public static ParsedZone parse(String shown, Path file, byte[] bytes, Name defaultOrigin) throws ProblemException {
        return parse(shown, file, bytes, defaultOrigin, DEFAULT_MAX_RECORDS);
    }

    /**
     * Parses a zone file's content. A bad record does not stop the parse: it is reported and parsing
     * resumes after it, as if it were not there, so that every bad record is reported at once (up to
     * {@value #MAX_SYNTAX_ERRORS}). More than {@code maxRecords} records ({@code $GENERATE}d ones
     * included) stop it at the record that crosses the limit.
     */
    public static ParsedZone parse(String shown, Path file, byte[] bytes, Name defaultOrigin, long maxRecords)
            throws ProblemException {
        List<Record> records = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<Problem> syntax = new ArrayList<>();
        List<Map.Entry<org.xbill.DNS.Generator, Integer>> generators = new ArrayList<>();
        Resume at = new Resume(0, 1, defaultOrigin, -1, new byte[0]);
        Directives directives = new Directives(bytes, defaultOrigin);
        while (at != null) {
            LineTrackingStream in = new LineTrackingStream(bytes, at.offset, at.line, at.ownerPrefix);
            Master master = new Master(in, at.origin, at.ttl);
            Resume next = null;
            try {
                master.disableIncludes(true);
                master.expandGenerate(false); // expanded below, after checking how much each would make
                while (true) {
                    in.mark();
                    Record r = master.nextRecord();
                    if (r == null) {
                        break;
                    }
                    if (records.size() >= maxRecords) {
                        syntax.add(new Problem(shown, in.recordStartLine(), "the zone has more than " + maxRecords
                                + " records (limits.zone_max_records): not loaded"));
                        throw new ProblemException(syntax);
                    }
                    records.add(r);
                    lines.add(in.recordStartLine());
                }
            } catch (TextParseException e) {
                // dnsjava counts lines from where this Master started
                Problem err = dnsjavaError(shown, e, in.recordStartLine(), at.line - 1);
                syntax.add(new Problem(shown, lineOfProblem(bytes, err.line(), in.recordStartLine()),
                        shorten(err.reason())));
                next = resumeAfter(bytes, at, in, directives, records);
            } catch (IOException | RuntimeException e) {
                syntax.add(new Problem(shown, in.recordStartLine(), shorten(String.valueOf(e.getMessage()))));
                next = resumeAfter(bytes, at, in, directives, records);
            } finally {
                collectGenerators(master, in, generators);
                master.close();
            }
            if (next != null && syntax.size() >= MAX_SYNTAX_ERRORS) {
                syntax.add(new Problem(shown, 0, "stopped after " + MAX_SYNTAX_ERRORS + " errors"));
                next = null;
            }
            at = next;
        }
        expandGenerates(shown, generators, records, lines, maxRecords, syntax);
        return ParsedZone.of(shown, file, records, lines, syntax);
    }

    /** Where and how a new Master takes over after a bad record. */
    private record Resume(int offset, int line, Name origin, long ttl, byte[] ownerPrefix) {
    }

    /**
     * Resumes after the entry (record or directive) that failed: at the next line that starts an entry,
     * with the {@code $ORIGIN} and {@code $TTL} in force there, and the owner of the last good record
     * for a line that starts blank (as if the bad entry were not in the file). Null at the end of the file.
     */
    private static Resume resumeAfter(byte[] bytes, Resume from, LineTrackingStream in, Directives directives,
                                      List<Record> records) {
        int badLine = in.entryStartLine() > 0 ? in.entryStartLine() : in.recordStartLine();
        int offset = from.offset;
        int line = from.line;
        while (line < badLine && offset < bytes.length) { // to the start of the bad entry
            if (bytes[offset++] == '\n') {
                line++;
            }
        }
        int end = endOfEntry(bytes, offset);
        line += countNewlines(bytes, offset, end);
        offset = end;
        // Skip blank and comment-only lines: the owner of a line that starts blank comes from the last record.
        while (offset < bytes.length && isBlankLine(bytes, offset)) {
            int eol = lineEnd(bytes, offset);
            offset = eol < bytes.length ? eol + 1 : eol;
            line++;
        }
        if (offset >= bytes.length) {
            return null;
        }
        directives.advanceTo(offset);
        Record last = records.isEmpty() ? null : records.get(records.size() - 1);
        long ttl = directives.ttl >= 0 ? directives.ttl : last != null ? last.getTTL() : -1;
        byte[] prefix = new byte[0];
        if ((bytes[offset] == ' ' || bytes[offset] == '\t') && last != null) {
            prefix = last.getName().toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return new Resume(offset, line, directives.origin, ttl, prefix);
    }

    /** Ends of line in {@code bytes[from, end)}. */
    private static int countNewlines(byte[] bytes, int from, int end) {
        int n = 0;
        for (int i = from; i < end; i++) {
            if (bytes[i] == '\n') {
                n++;
            }
        }
        return n;
    }

    /**
     * The offset just after the entry that starts at {@code start}: the first end of line outside
     * parentheses, quotes and comments.
     */
    static int endOfEntry(byte[] bytes, int start) {
        int depth = 0;
        boolean quoted = false;
        boolean comment = false;
        for (int i = start; i < bytes.length; i++) {
            byte c = bytes[i];
            if (c == '\n') {
                comment = false;
                quoted = false; // a quote does not span lines in a master file
                if (depth == 0) {
                    return i + 1;
                }
            } else if (comment) {
                continue;
            } else if (c == '\\' && i + 1 < bytes.length && bytes[i + 1] != '\n') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == ';') {
                comment = true;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && depth > 0) {
                depth--;
            }
        }
        return bytes.length;
    }

    private static int lineEnd(byte[] bytes, int offset) {
        int i = offset;
        while (i < bytes.length && bytes[i] != '\n') {
            i++;
        }
        return i;
    }

    private static boolean isBlankLine(byte[] bytes, int offset) {
        for (int i = offset; i < bytes.length && bytes[i] != '\n'; i++) {
            byte c = bytes[i];
            if (c == ';') {
                return true;
            }
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    /**
     * The {@code $ORIGIN} and {@code $TTL} in force at an offset, read forward through the file (they
     * are what a new Master must start with when parsing resumes). Directives that do not parse are
     * skipped: they were reported as errors.
     */
    private static final class Directives {
        private final byte[] bytes;
        private int scanned;
        Name origin;
        long ttl = -1;

        Directives(byte[] bytes, Name origin) {
            this.bytes = bytes;
            this.origin = origin;
        }

        void advanceTo(int offset) {
            while (scanned < offset && scanned < bytes.length) {
                int end = Math.min(lineEnd(bytes, scanned), offset);
                if (bytes[scanned] == '$') {
                    String[] words = new String(bytes, scanned, end - scanned, java.nio.charset.StandardCharsets.UTF_8)
                            .split(";", 2)[0].trim().split("\\s+");
                    try {
                        if (words.length >= 2 && words[0].equalsIgnoreCase("$ORIGIN")) {
                            origin = Name.fromString(words[1], Name.root);
                        } else if (words.length >= 2 && words[0].equalsIgnoreCase("$TTL")) {
                            ttl = org.xbill.DNS.TTL.parseTTL(words[1]);
                        }
                    } catch (TextParseException | NumberFormatException e) {
                        // reported as an error where it was parsed
                    }
                }
                scanned = end + 1;
            }
        }
    }

    /** The {@code $GENERATE}s a Master read, with their lines (one that failed to parse has no generator). */
    private static void collectGenerators(Master master, LineTrackingStream in,
                                          List<Map.Entry<org.xbill.DNS.Generator, Integer>> out) {
        java.util.Iterator<org.xbill.DNS.Generator> it = master.generators();
        java.util.Iterator<Integer> lines = in.generateLines().iterator();
        while (it.hasNext()) {
            out.add(Map.entry(it.next(), lines.hasNext() ? lines.next() : 0));
        }
    }

    /** Records one {@code $GENERATE} may make: a typo in a range must not exhaust the heap or hang the load. */
    static final long MAX_GENERATED = 65_536;

    /** Expands the {@code $GENERATE} directives in file order, refusing ranges that make too many records. */
    private static void expandGenerates(String shown, List<Map.Entry<org.xbill.DNS.Generator, Integer>> generators,
                                        List<Record> records, List<Integer> lines, long maxRecords,
                                        List<Problem> syntax) throws ProblemException {
        for (Map.Entry<org.xbill.DNS.Generator, Integer> e : generators) {
            org.xbill.DNS.Generator g = e.getKey();
            int line = e.getValue();
            long count = g.step <= 0 ? Long.MAX_VALUE : (g.end - g.start) / g.step + 1;
            String range = "$GENERATE " + g.start + "-" + g.end + (g.step == 1 ? "" : "/" + g.step);
            if (count > MAX_GENERATED) {
                syntax.add(new Problem(shown, line, range + " would make " + count + " records; at most "
                        + MAX_GENERATED + " per directive"));
                throw new ProblemException(syntax);
            }
            if (records.size() + count > maxRecords) {
                syntax.add(new Problem(shown, line, range + " would bring the zone to " + (records.size() + count)
                        + " records, more than limits.zone_max_records (" + maxRecords + "): not loaded"));
                throw new ProblemException(syntax);
            }
            try {
                Record r;
                while ((r = g.nextRecord()) != null) {
                    records.add(r);
                    lines.add(line);
                }
            } catch (IOException | RuntimeException ex) {
                syntax.add(new Problem(shown, line, shorten(String.valueOf(ex.getMessage()))));
            }
        }
    }

    /** dnsjava quotes the offending text in its messages: keep a short excerpt of it. */
    private static String shorten(String message) {
        return Problem.escape(message, 160);
    }

    /**
     * dnsjava reports a token missing at the end of a line on the next line. Walk back to the last line
     * that belongs to the failing record: not blank, not a comment, not the start of another record.
     */
    private static int lineOfProblem(byte[] bytes, int reported, int recordStart) {
        if (reported <= recordStart) {
            return reported;
        }
        String[] lines = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\n", -1);
        int l = reported;
        while (l > recordStart && l <= lines.length) {
            String text = lines[l - 1];
            String trimmed = text.strip();
            boolean blank = trimmed.isEmpty() || trimmed.startsWith(";");
            boolean newRecord = !text.isEmpty() && !Character.isWhitespace(text.charAt(0)) && !blank;
            if (!blank && !newRecord) {
                break;
            }
            l--;
        }
        return l;
    }

    private static Problem dnsjavaError(String file, TextParseException e, int fallbackLine, int lineOffset) {
        String msg = String.valueOf(e.getMessage());
        Matcher m = DNSJAVA_POSITION.matcher(msg);
        if (m.matches()) {
            return new Problem(file, Integer.parseInt(m.group(1)) + lineOffset, m.group(2));
        }
        if (msg.contains("$INCLUDE")) {
            msg = "$INCLUDE is not supported: keep each zone in one file";
        }
        return new Problem(file, fallbackLine, msg);
    }

    /**
     * Checks the zone's structure and builds it. {@code steered} maps names owned by balancers to their
     * index; such names become nodes even when the file has no records for them.
     */
    public static Zone compile(ParsedZone parsed, Map<Name, Integer> steered) throws ProblemException {
        String file = parsed.file();
        List<Problem> errors = new ArrayList<>(parsed.errors());
        Name origin = parsed.origin();
        Map<Name, Map<Integer, List<Record>>> byName = parsed.byName();
        Map<Name, Node> nodes = new HashMap<>(byName.size() * 2 + 16);
        Node apex = new Node(origin);
        nodes.put(origin, apex);

        for (Map.Entry<Name, Map<Integer, List<Record>>> e : byName.entrySet()) {
            Name name = e.getKey();
            Map<Integer, List<Record>> types = e.getValue();
            if (types.containsKey(Type.CNAME)) {
                if (types.get(Type.CNAME).size() > 1) {
                    errors.add(new Problem(file, parsed.line(types.get(Type.CNAME).get(1)),
                            name + " has more than one CNAME"));
                }
                for (Map.Entry<Integer, List<Record>> other : types.entrySet()) {
                    int t = other.getKey();
                    if (t != Type.CNAME && t != Type.RRSIG && t != Type.NSEC) {
                        errors.add(new Problem(file, parsed.line(types.get(Type.CNAME).get(0)),
                                name + " has a CNAME beside other data (" + Type.string(t) + " at line "
                                        + parsed.line(other.getValue().get(0)) + ")"));
                        break;
                    }
                }
            }
            if (types.containsKey(Type.DNAME) && types.get(Type.DNAME).size() > 1) {
                errors.add(new Problem(file, parsed.line(types.get(Type.DNAME).get(1)),
                        name + " has more than one DNAME"));
            }
            if (types.containsKey(Type.SOA) && !name.equals(origin)) {
                errors.add(new Problem(file, parsed.line(types.get(Type.SOA).get(0)),
                        "SOA for " + name + " is not at the zone apex " + origin));
            }
            Node node = nodeFor(nodes, name, origin);
            List<RRset> sets = new ArrayList<>(types.size());
            List<Name[]> targets = new ArrayList<>(types.size());
            boolean anyTarget = false;
            byte[] ownerWire = name.toWire();
            for (List<Record> rrs : types.values()) {
                sets.add(RRset.of(name, ownerWire, rrs));
                Name[] t = additionalTargets(rrs);
                targets.add(t);
                anyTarget |= t != null;
            }
            node.setSets(sets.toArray(new RRset[0]), anyTarget ? targets.toArray(new Name[0][]) : null);
        }

        // After a bad record, what is missing may be that record: say only what is wrong with the others.
        boolean absenceIsMeaningful = !parsed.hasBadRecords();
        List<Record> soa = byName.getOrDefault(origin, Map.of()).getOrDefault(Type.SOA, List.of());
        if (soa.isEmpty() && absenceIsMeaningful) {
            errors.add(new Problem(file, 0, "no SOA record at the zone apex " + origin));
        } else if (soa.size() > 1) {
            errors.add(new Problem(file, parsed.line(soa.get(1)), "more than one SOA record at " + origin));
        }
        if (!apex.hasType(Type.NS) && absenceIsMeaningful) {
            errors.add(new Problem(file, 0, "no NS records at the zone apex " + origin));
        }

        for (Map.Entry<Name, Integer> s : steered.entrySet()) {
            Node node = nodeFor(nodes, s.getKey(), origin);
            node.setSteering(s.getValue());
        }

        // Zone cuts, occluded names, wildcards.
        for (Node node : nodes.values()) {
            if (node != apex && node.hasType(Type.NS)) {
                node.setDelegation(true);
            }
        }
        for (Node node : nodes.values()) {
            Name n = node.name();
            for (int strip = 1; n.labels() - strip > origin.labels(); strip++) {
                Node ancestor = nodes.get(new Name(n, strip));
                if (ancestor != null && ancestor.isDelegation()) {
                    node.setOccluded(true);
                    break;
                }
            }
            if (n.isWild() && n.labels() > origin.labels()) {
                Node parent = nodes.get(new Name(n, 1));
                if (parent != null) {
                    parent.setWildcard(node);
                }
            }
        }
        if (absenceIsMeaningful) {
            checkNameServers(parsed, nodes, apex, errors);
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(errors);
        }
        // Never modified after this point: the map itself is the immutable index (a copy would double the peak).
        return new Zone(origin, java.util.Collections.unmodifiableMap(nodes), parsed.path(), parsed.recordCount());
    }

    /** NS targets inside the zone must have addresses: glue below a cut, authoritative data elsewhere. */
    private static void checkNameServers(ParsedZone parsed, Map<Name, Node> nodes, Node apex, List<Problem> errors) {
        for (Node node : nodes.values()) {
            if (node != apex && !node.isDelegation()) {
                continue;
            }
            Map<Integer, List<Record>> types = parsed.byName().get(node.name());
            List<Record> ns = types == null ? null : types.get(Type.NS);
            if (ns == null) {
                continue; // an apex without NS is reported on its own
            }
            for (Record r : ns) {
                Name target = r.getAdditionalName();
                if (!target.subdomain(parsed.origin())) {
                    continue;
                }
                Node t = nodes.get(target);
                if (t == null || (!t.hasType(Type.A) && !t.hasType(Type.AAAA))) {
                    boolean inBailiwick = node != apex && target.subdomain(node.name());
                    if (node == apex || inBailiwick) {
                        errors.add(new Problem(parsed.file(), parsed.line(r), node.name() + " NS " + target
                                + (inBailiwick ? " needs glue: no A or AAAA record for " : " has no A or AAAA record for ")
                                + target));
                    }
                }
            }
        }
    }

    private static Name[] additionalTargets(List<Record> rrs) {
        int type = rrs.get(0).getType();
        if (type != Type.MX && type != Type.SRV && type != Type.NS) {
            return null;
        }
        Name[] out = new Name[rrs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rrs.get(i).getAdditionalName();
        }
        return out;
    }

    /** The node of {@code name}, created with its missing ancestors (empty non-terminals). */
    private static Node nodeFor(Map<Name, Node> nodes, Name name, Name origin) {
        Node node = nodes.get(name);
        if (node != null) {
            return node;
        }
        node = new Node(name);
        nodes.put(name, node);
        for (int strip = 1; name.labels() - strip > origin.labels(); strip++) {
            Name ancestor = new Name(name, strip);
            if (nodes.containsKey(ancestor)) {
                break;
            }
            nodes.put(ancestor, new Node(ancestor));
        }
        return node;
    }

    /** The records of one file, grouped by name and type, with the line of each. */
    public static final class ParsedZone {
        private final String file;
        private final Path path;
        private final Name origin;
        private final Map<Name, Map<Integer, List<Record>>> byName;
        private final List<Problem> errors;
        private final List<Problem> warnings;
        private final int recordCount;
        private final boolean badRecords;

        private ParsedZone(String file, Path path, Name origin, Map<Name, Map<Integer, List<Record>>> byName,
                           List<Problem> errors, List<Problem> warnings, int recordCount,
                           boolean badRecords) {
            this.file = file;
            this.path = path;
            this.origin = origin;
            this.byName = byName;
            this.errors = errors;
            this.warnings = warnings;
            this.recordCount = recordCount;
            this.badRecords = badRecords;
        }

        static ParsedZone of(String file, Path path, List<Record> records, List<Integer> lineList,
                             List<Problem> syntax) throws ProblemException {
            Name origin = null;
            for (Record r : records) {
                if (r.getType() == Type.SOA) {
                    origin = r.getName();
                    break;
                }
            }
            if (origin == null) {
                // With syntax errors, the SOA may be the bad record: those errors say it better.
                throw new ProblemException(syntax.isEmpty()
                        ? List.of(new Problem(file, 0, "no SOA record: cannot tell the zone apex")) : syntax);
            }
            List<Problem> errors = new ArrayList<>(syntax);
            List<Problem> warnings = new ArrayList<>();
            Map<Name, Map<Integer, List<Record>>> byName = new LinkedHashMap<>(records.size());
            int count = 0;
            for (int i = 0; i < records.size(); i++) {
                Record r = records.get(i);
                int line = lineList.get(i);
                if (r.getDClass() != DClass.IN) {
                    errors.add(new Problem(file, line, "class " + DClass.string(r.getDClass())
                            + " is not served: only IN"));
                    continue;
                }
                if (!r.getName().subdomain(origin)) {
                    errors.add(new Problem(file, line, r.getName() + " is outside the zone " + origin));
                    continue;
                }
                TypeMap types = (TypeMap) byName.computeIfAbsent(r.getName(), k -> new TypeMap());
                RecordList set = types.list(r.getRRsetType());
                if (set.contains(r)) {
                    continue; // an RRset is a set (RFC 2181 §5): duplicates are dropped
                }
                if (!set.isEmpty() && set.get(0).getTTL() != r.getTTL()) {
                    warnings.add(new Problem(file, line, "TTL " + r.getTTL() + " differs from the other "
                            + Type.string(r.getType()) + " records of " + r.getName() + " (" + set.get(0).getTTL()
                            + "): the RRset is served with the lowest (RFC 2181 §5.2)"));
                }
                set.add(r, line);
                count++;
            }
            return new ParsedZone(file, path, origin, byName, errors, warnings, count, !syntax.isEmpty());
        }

        public String file() { return file; }
        public Path path() { return path; }
        public Name origin() { return origin; }
        public int recordCount() { return recordCount; }
        List<Problem> errors() { return errors; }
        /** True when records were left out because they could not be parsed (reported in {@link #errors}). */
        boolean hasBadRecords() { return badRecords; }
        /** Accepted oddities worth a log line (e.g. TTLs differing inside an RRset). */
        public List<Problem> warnings() { return warnings; }
        Map<Name, Map<Integer, List<Record>>> byName() { return byName; }
        int line(Record r) {
            Map<Integer, List<Record>> types = byName.get(r.getName());
            List<Record> set = types == null ? null : types.get(r.getRRsetType());
            return set instanceof RecordList l ? l.lineOf(r) : 0;
        }

        /** Types present at a name in the file (empty when none). */
        public Set<Integer> typesAt(Name name) {
            return byName.getOrDefault(name, Map.of()).keySet();
        }

        /** True when a name lies at or below a zone cut (NS below the apex) of this file. */
        public boolean isAtOrBelowCut(Name name) {
            for (int strip = 0; name.labels() - strip > origin.labels(); strip++) {
                Name n = strip == 0 ? name : new Name(name, strip);
                if (byName.getOrDefault(n, Map.of()).containsKey(Type.NS)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The records of one RRset in file order, with the line of each (kept apart: lines are for errors only). */
    static final class RecordList extends ArrayList<Record> {
        private int[] lines = new int[1];

        RecordList() {
            super(1);
        }

        void add(Record r, int line) {
            if (size() == lines.length) {
                lines = java.util.Arrays.copyOf(lines, lines.length * 2);
            }
            lines[size()] = line;
            add(r);
        }

        int lineOf(Record r) {
            for (int i = 0; i < size(); i++) {
                if (get(i) == r) {
                    return lines[i];
                }
            }
            return 0;
        }
    }

    /** Type → RRset for one name: most names have one to three types, so arrays beat a hash table. */
    static final class TypeMap extends java.util.AbstractMap<Integer, List<Record>> {
        private int[] types = new int[2];
        private RecordList[] lists = new RecordList[2];
        private int size;

        RecordList list(int type) {
            for (int i = 0; i < size; i++) {
                if (types[i] == type) {
                    return lists[i];
                }
            }
            if (size == types.length) {
                types = java.util.Arrays.copyOf(types, size * 2);
                lists = java.util.Arrays.copyOf(lists, size * 2);
            }
            types[size] = type;
            lists[size] = new RecordList();
            return lists[size++];
        }

        @Override
        public List<Record> get(Object key) {
            if (key instanceof Integer t) {
                for (int i = 0; i < size; i++) {
                    if (types[i] == t) {
                        return lists[i];
                    }
                }
            }
            return null;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public java.util.Set<Entry<Integer, List<Record>>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override
                public java.util.Iterator<Entry<Integer, List<Record>>> iterator() {
                    return new java.util.Iterator<>() {
                        int i;

                        @Override
                        public boolean hasNext() {
                            return i < size;
                        }

                        @Override
                        public Entry<Integer, List<Record>> next() {
                            if (i >= size) {
                                throw new java.util.NoSuchElementException();
                            }
                            int k = i++;
                            return new java.util.AbstractMap.SimpleImmutableEntry<>(types[k], lists[k]);
                        }
                    };
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
    }
}
