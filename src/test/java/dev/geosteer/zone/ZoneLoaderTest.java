package dev.geosteer.zone;

import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Zone files are checked at load: each problem is reported with its file and line. */
class ZoneLoaderTest {
    @TempDir
    Path dir;

    static final String HEAD = """
            $TTL 300
            @     SOA ns1 host 1 3600 600 86400 60
            @     NS  ns1
            ns1   A   192.0.2.1
            """;

    Zone load(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return ZoneLoader.compile(ZoneLoader.parse(f), Map.of());
    }

    List<String> errors(String text) {
        ProblemException e = catchThrowableOfType(ProblemException.class, () -> load("t.test.zone", text));
        assertThat(e).as("the zone should be rejected").isNotNull();
        return e.errors().stream().map(Problem::toString).toList();
    }

    @Test
    void takesTheOriginFromTheFileName() throws Exception {
        Zone z = load("example.test.zone", HEAD + "www A 192.0.2.2\n");
        assertThat(z.origin()).isEqualTo(Name.fromString("example.test."));
        assertThat(z.serial()).isEqualTo(1);
        assertThat(z.negativeTtl()).isEqualTo(60);
        assertThat(z.node(Name.fromString("www.example.test.")).get(Type.A)).isNotNull();
    }

    @Test
    void takesTheOriginFromOriginDirectiveAndTheSoaOwner() throws Exception {
        Zone z = load("anything.zone", "$ORIGIN other.test.\n" + HEAD);
        assertThat(z.origin()).isEqualTo(Name.fromString("other.test."));
    }

    @Test
    void reportsSyntaxErrorsWithTheirLine() {
        assertThat(errors(HEAD + "www A 192.0.2.2\nbad A 1.2.3\n"))
                .singleElement().asString().startsWith(dir.resolve("t.test.zone") + ":6: ").contains("1.2.3");
    }

    @Test
    void rejectsAZoneWithoutSoa() {
        assertThat(errors("$TTL 300\n@ NS ns1\nns1 A 192.0.2.1\n")).singleElement().asString().contains("no SOA");
    }

    @Test
    void rejectsASecondSoa() {
        assertThat(errors(HEAD + "@ SOA ns1 host 2 3600 600 86400 60\n"))
                .anyMatch(e -> e.contains(":5: ") && e.contains("more than one SOA"));
    }

    @Test
    void rejectsASoaBelowTheApex() {
        assertThat(errors(HEAD + "sub SOA ns1 host 2 3600 600 86400 60\n"))
                .anyMatch(e -> e.contains(":5: ") && e.contains("not at the zone apex"));
    }

    @Test
    void rejectsACnameBesideOtherData() {
        assertThat(errors(HEAD + "www A 192.0.2.2\n\n; comment\nwww CNAME other\n"))
                .singleElement().asString().contains(":8: ").contains("CNAME beside other data (A at line 5)");
    }

    @Test
    void rejectsTwoCnames() {
        assertThat(errors(HEAD + "www CNAME a\nwww CNAME b\n")).anyMatch(e -> e.contains("more than one CNAME"));
    }

    @Test
    void rejectsRecordsOutsideTheZone() {
        assertThat(errors(HEAD + "www.example.org. A 192.0.2.2\n"))
                .singleElement().asString().contains(":5: ").contains("outside the zone");
    }

    @Test
    void rejectsADelegationWithoutGlue() {
        assertThat(errors(HEAD + "child NS ns.child\n"))
                .singleElement().asString().contains(":5: ").contains("needs glue");
    }

    @Test
    void acceptsADelegationToAnOutOfZoneServer() throws Exception {
        Zone z = load("t.test.zone", HEAD + "child NS ns.example.org.\n");
        assertThat(z.node(Name.fromString("child.t.test.")).isDelegation()).isTrue();
    }

    @Test
    void rejectsAnApexNameServerInsideTheZoneWithoutAddress() {
        assertThat(errors("$TTL 300\n@ SOA ns1 host 1 3600 600 86400 60\n@ NS ns1\n"))
                .singleElement().asString().contains(":3: ").contains("no A or AAAA");
    }

    @Test
    void rejectsOtherClasses() {
        assertThat(errors(HEAD + "txt CH TXT \"x\"\n")).anyMatch(e -> e.contains(":5: ") && e.contains("only IN"));
    }

    @Test
    void rejectsIncludes() {
        assertThat(errors(HEAD + "$INCLUDE /etc/passwd\n")).singleElement().asString().contains("$INCLUDE");
    }

    @Test
    void reportsTheFirstLineOfAMultiLineRecord() {
        assertThat(errors(HEAD + "\nwww A 192.0.2.9\nwww (\n  CNAME\n  x )\n"))
                .singleElement().asString().contains(":7: ");
    }

    @Test
    void dropsDuplicateRecordsAndWarnsOfDifferentTtls() throws Exception {
        Path f = dir.resolve("d.test.zone");
        Files.writeString(f, HEAD + "www A 192.0.2.2\nwww A 192.0.2.2\nwww 30 A 192.0.2.3\n");
        ZoneLoader.ParsedZone parsed = ZoneLoader.parse(f);
        assertThat(parsed.warnings()).singleElement().asString().contains(":7: ").contains("lowest");
        Zone z = ZoneLoader.compile(parsed, Map.of());
        assertThat(z.node(Name.fromString("www.d.test.")).get(Type.A).size()).isEqualTo(2);
        assertThat(z.node(Name.fromString("www.d.test.")).get(Type.A).ttl()).isEqualTo(30);
    }

    @Test
    void indexesEmptyNonTerminalsAndWildcards() throws Exception {
        Zone z = load("t.test.zone", HEAD + "a.b.c A 192.0.2.2\n*.w A 192.0.2.3\n");
        assertThat(z.node(Name.fromString("b.c.t.test.")).isEmpty()).isTrue();
        assertThat(z.node(Name.fromString("c.t.test.")).isEmpty()).isTrue();
        assertThat(z.node(Name.fromString("w.t.test.")).wildcard()).isNotNull();
        assertThat(z.locate(Name.fromString("x.y.w.t.test."), Type.A).kind()).isEqualTo(Zone.Kind.WILDCARD);
        assertThat(z.locate(Name.fromString("b.c.t.test."), Type.A).kind()).isEqualTo(Zone.Kind.EXACT);
        assertThat(z.locate(Name.fromString("q.c.t.test."), Type.A).kind()).isEqualTo(Zone.Kind.NXDOMAIN);
    }

    @Test
    void reportsEveryErrorOfAFileAtOnce() {
        assertThat(errors(HEAD + "www A 192.0.2.2\nwww CNAME x\nx.example.org. A 192.0.2.3\n")).hasSize(2);
    }

    @Test
    void nameFromAFileThatIsNotADomainName() {
        assertThatThrownBy(() -> ZoneLoader.originFromFileName(Path.of("a..b.zone"))).isInstanceOf(ProblemException.class);
    }

    @Test
    void expandsGenerateAndRefusesRangesThatWouldFloodTheHeap() throws Exception {
        Zone z = load("g.test.zone", HEAD + "$GENERATE 1-3 host$ A 192.0.2.$\n");
        assertThat(z.node(Name.fromString("host2.g.test.")).get(Type.A)).isNotNull();
        assertThat(errors(HEAD + "www A 192.0.2.9\n$GENERATE 1-4214748364 x$ CNAME www\n"))
                .singleElement().asString().contains(":6: ").contains("at most 65536");
    }

    @Test
    void reportsEveryBadRecordOfAFileInOneRun() {
        List<String> errors = errors(HEAD + """
                www   A     192.0.2.300
                ok1   A     192.0.2.1
                mail  MX    ten mail.example.org.
                      AAAA  2001:db8::1
                txt   TXT   "unclosed
                $TTL  soon
                ok2   AAAA  not-an-address
                ok3   A     192.0.2.3
                """);
        assertThat(errors).hasSize(5);
        assertThat(errors.get(0)).contains(":5: ").contains("192.0.2.300");
        assertThat(errors.get(1)).contains(":7: ");
        assertThat(errors.get(2)).contains(":9: ");
        assertThat(errors.get(3)).contains(":10: ");
        assertThat(errors.get(4)).contains(":11: ").contains("not-an-address");
    }

    @Test
    void parsingResumesWithTheOriginTtlAndOwnerInForce() throws Exception {
        Path f = dir.resolve("r.test.zone");
        Files.writeString(f, HEAD + """
                $ORIGIN sub.r.test.
                $TTL 120
                host  A     192.0.2.7
                bad   A     nope
                      AAAA  2001:db8::7
                other CNAME host
                """);
        ZoneLoader.ParsedZone parsed = ZoneLoader.parse(f);
        assertThat(parsed.errors()).singleElement().asString().contains(":8: ");
        // as if the bad line were not there: the blank owner is host's, the origin and TTL those set above
        assertThat(parsed.typesAt(Name.fromString("host.sub.r.test."))).contains(Type.A, Type.AAAA);
        assertThat(parsed.typesAt(Name.fromString("other.sub.r.test."))).contains(Type.CNAME);
        assertThat(parsed.byName().get(Name.fromString("other.sub.r.test.")).get(Type.CNAME).get(0).getTTL())
                .isEqualTo(120);
    }

    @Test
    void aGenerateBombStopsAtTheLineThatCrossesTheRecordLimit() throws Exception {
        Path f = dir.resolve("bomb.test.zone");
        Files.writeString(f, HEAD + "$GENERATE 1-65536 a$ A 10.0.0.1\n$GENERATE 1-65536 b$ A 10.0.0.2\n"
                + "$GENERATE 1-65536 c$ A 10.0.0.3\n");
        ProblemException e = catchThrowableOfType(ProblemException.class,
                () -> ZoneLoader.parse(f.toString(), f, Files.readAllBytes(f), Name.fromString("bomb.test."), 100_000));
        assertThat(e.errors()).singleElement().asString().isEqualTo(f + ":6: $GENERATE 1-65536 would bring the zone"
                + " to 131075 records, more than limits.zone_max_records (100000): not loaded");
        assertThat(ZoneLoader.parse(f.toString(), f, Files.readAllBytes(f), Name.fromString("bomb.test."), 200_000)
                .recordCount()).isEqualTo(3 + 3 * 65536);
    }

    @Test
    void tooManyRecordsStopAtTheRecordThatCrossesTheLimit() throws Exception {
        Path f = dir.resolve("many.test.zone");
        Files.writeString(f, HEAD + "a A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n");
        ProblemException e = catchThrowableOfType(ProblemException.class,
                () -> ZoneLoader.parse(f.toString(), f, Files.readAllBytes(f), Name.fromString("many.test."), 4));
        assertThat(e.errors()).singleElement().asString()
                .isEqualTo(f + ":6: the zone has more than 4 records (limits.zone_max_records): not loaded");
    }

    @Test
    void anErrorQuotesAShortEscapedExcerptOfTheFileOnly() {
        String junk = "\u001b[31m" + "S3CRET".repeat(2000) + "\u0007";
        List<String> errors = errors(HEAD + "www A " + junk + "\n");
        assertThat(errors).singleElement().asString().contains(":5: ").doesNotContain("\u001b").doesNotContain("\u0007")
                .contains("\\x1b");
        assertThat(errors.get(0).length()).isLessThan(400);
    }

    @Test
    void aBadRecordDoesNotAlsoMakeWhatItWouldHaveProvidedMissing() {
        assertThat(errors("$TTL 300\n@ SOA ns1 host 1 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2\n"))
                .singleElement().asString().contains(":4: ").contains("192.0.2");
    }
}
