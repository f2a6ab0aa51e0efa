package dev.geosteer.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.geosteer.dns.Responder;
import dev.geosteer.dns.WireWriter;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import dev.geosteer.zone.Zone;
import dev.geosteer.problem.ProblemException;
import dev.geosteer.zone.ZoneLoader;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the zone file loader: {@code ZoneLoader.parse} then {@code compile} on
 * arbitrary text must end in a {@link ProblemException} (with at least one error) or a {@link Zone}, never
 * another exception and never a hang. A zone that compiles must then be servable: a few questions about
 * its names are answered through the {@code Responder} and checked like the packet target's answers.
 *
 * <p>Input ({@link FuzzedDataProvider}): the last byte picks the default origin (used when the file has
 * no {@code $ORIGIN}); everything before it is the file.
 */
class ZoneFileFuzzTarget {
    private static final Name[] ORIGINS = {name("example.test."), Name.root, name("geo.test."),
            name("a.b.c.d.e.f.g.h.example.")};
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.ANY, Type.MX, Type.NS, Type.DS};
    /** Names asked about per zone that compiles (each also with a child name): keeps executions fast. */
    private static final int MAX_NAMES = 4;
    private static final InetAddress CLIENT = FuzzSupport.ip("192.0.2.1");
    private static final Path FILE = Path.of("fuzz.zone");

    private static volatile ServedZones served = ServedZones.EMPTY;
    private static Responder responder;
    private static WireWriter writer;

    @FuzzTest(maxDuration = "30s")
    void fuzzZoneFile(FuzzedDataProvider data) {
        int originChoice = data.consumeByte() & 0xFF;
        zoneFile(originChoice, data.consumeRemainingAsBytes());
    }

    /** One input: {@code text} as a zone file whose default origin is {@code ORIGINS[originChoice & 3]}. */
    static void zoneFile(int originChoice, byte[] text) {
        Name origin = ORIGINS[originChoice & 3];
        Zone zone;
        try {
            ZoneLoader.ParsedZone parsed = ZoneLoader.parse(FILE.toString(), FILE, text, origin);
            zone = ZoneLoader.compile(parsed, Map.of());
        } catch (ProblemException e) {
            if (e.errors().isEmpty()) {
                throw new AssertionError("a ProblemException without errors", e);
            }
            return;
        }
        if (zone.soa() == null || zone.apex() == null || !zone.apex().hasType(Type.NS)) {
            throw new AssertionError("compiled a zone without SOA or NS at the apex: " + zone);
        }
        serve(zone, text, origin);
    }

    /** Answers a few questions about the zone's own names (and a name below each), over UDP and TCP. */
    private static void serve(Zone zone, byte[] text, Name defaultOrigin) {
        if (responder == null) {
            responder = FuzzSupport.responder(() -> served);
            writer = new WireWriter();
        }
        served = new ServedZones(Map.of(zone.origin(), new ServedZone(zone, null)));
        Set<Name> names = new LinkedHashSet<>();
        names.add(zone.origin());
        // The compiled zone does not list its names: read the owners again (the file parsed once already).
        try (Master m = new Master(new ByteArrayInputStream(text), defaultOrigin)) {
            m.disableIncludes(true);
            Record r;
            while (names.size() < MAX_NAMES && (r = m.nextRecord()) != null) {
                names.add(r.getName());
            }
        } catch (Exception e) {
            throw new AssertionError("dnsjava fails on a file the loader accepted", e);
        }
        int i = 0;
        for (Name n : names) {
            Name below = child(n);
            for (Name q : below == null ? new Name[] {n} : new Name[] {n, below}) {
                for (int type : TYPES) {
                    boolean tcp = (i++ & 1) == 0;
                    byte[] packet = FuzzSupport.query(q, type, (i & 2) == 0 ? 0 : 1232, null);
                    try {
                        FuzzSupport.answerAndCheck(responder, writer, packet, CLIENT, tcp);
                    } catch (AssertionError e) {
                        throw new AssertionError("zone " + zone.origin() + " compiled, but answering " + q + " "
                                + Type.string(type) + " failed", e);
                    }
                }
            }
        }
    }

    private static Name child(Name n) {
        try {
            return Name.concatenate(Name.fromConstantString("x"), n);
        } catch (Exception tooLong) {
            return null;
        }
    }

    private static Name name(String s) {
        return Name.fromConstantString(s);
    }
}
