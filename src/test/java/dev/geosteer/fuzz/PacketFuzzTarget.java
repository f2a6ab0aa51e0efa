package dev.geosteer.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.geosteer.catalog.ZoneCatalog;
import dev.geosteer.dns.Responder;
import dev.geosteer.dns.WireWriter;
import dev.geosteer.catalog.GeoDatabases;
import dev.geosteer.health.HealthView;
import dev.geosteer.steer.SteeringCompiler;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided, in-process fuzzing of the whole answer path: {@code QueryParser}, the
 * {@code ZoneResolver} over the test zones with geo.test's steering compiled against the GeoIP2 City test
 * database (wired as {@code catalog.Reloader} wires the server), and the {@code WireWriter}. Two more zones from
 * {@code src/test/resources/fuzz/zones} (fuzz.test., and child.example.test. nested in example.test.) reach
 * the answer paths the test zones do not.
 *
 * <p>Input: byte 0 chooses the transport (bit 0: TCP), the client address (bits 1-2, see
 * {@link FuzzSupport#CLIENTS}) and the health view (bits 3-4); the rest is the query packet. Every answer
 * must re-parse with dnsjava, carry the query's ID, fit the transport, and echo the question (see
 * {@link FuzzSupport#checkAnswer}); a resolver exception, which the server turns into SERVFAIL, fails too.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the seeds in {@code PacketFuzzTargetInputs/fuzzPacket} (and any
 * crash file Jazzer saved there) as a regression test ({@code mvn test -Dtest=PacketFuzzTarget}; a plain
 * {@code mvn test} replays them through {@link FuzzInputsTest}). Fuzz with {@code .ci/fuzz.sh}.
 */
class PacketFuzzTarget {

    /** Built on first use, so that in fuzzing mode the server classes load after Jazzer's agent. */
    private static final class World {
        static final HealthView[] VIEWS = FuzzSupport.healthViews("geo.test.");
        static volatile HealthView health = HealthView.NONE;
        static final ZoneCatalog CATALOG = load();
        static final Responder RESPONDER = FuzzSupport.responder(CATALOG::current);
        /** One writer reused across inputs, as on an event loop: state must not leak between answers. */
        static final WireWriter WRITER = new WireWriter();

        private static ZoneCatalog load() {
            Path dir = FuzzSupport.copyResources("zones/example.test.zone", "zones/other.test.zone",
                    "zones/geo.test.zone", "zones/geo.test.steer.yaml", "geoip/GeoIP2-City-Test.mmdb",
                    // paths the test zones do not reach: YXDOMAIN, DNAME loops, truncated referrals, DS at the
                    // apex of a nested zone, CNAMEs across zones into steered and delegated names
                    "fuzz/zones/fuzz.test.zone>zones/fuzz.test.zone",
                    "fuzz/zones/child.example.test.zone>zones/child.example.test.zone");
            // As Reloader.of and a pass do: databases first, then zones compiled against them.
            GeoDatabases geo = new GeoDatabases(dir.resolve("geoip"), List.of());
            if (!geo.refresh() || geo.current().databases().isEmpty()) {
                throw new IllegalStateException("GeoIP test database not loaded: " + geo.lastError());
            }
            ZoneCatalog catalog = new ZoneCatalog(dir.resolve("zones"),
                    new SteeringCompiler(geo::current, () -> health));
            dev.geosteer.catalog.LoadResult r = catalog.refresh();
            if (!r.errors().isEmpty() || catalog.current().size() != 5) {
                throw new IllegalStateException("test zones not loaded: " + r.errors());
            }
            return catalog;
        }
    }

    @FuzzTest(maxDuration = "60s")
    void fuzzPacket(byte[] input) {
        packet(input);
    }

    /** One input: option byte, then the query packet. */
    static void packet(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int options = input[0] & 0xFF;
        boolean tcp = (options & 1) != 0;
        InetAddress client = FuzzSupport.CLIENTS[(options >> 1) & 3];
        World.health = World.VIEWS[(options >> 3) & 3];
        byte[] packet = Arrays.copyOfRange(input, 1, input.length);
        FuzzSupport.answerAndCheck(World.RESPONDER, World.WRITER, packet, client, tcp);
    }
}
