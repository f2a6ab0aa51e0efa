package dev.geosteer.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.geosteer.steer.SteeringLoader;
import dev.geosteer.dns.Responder;
import dev.geosteer.dns.WireWriter;
import dev.geosteer.catalog.GeoDatabases;
import dev.geosteer.health.HealthView;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import dev.geosteer.query.Steering;
import dev.geosteer.steer.SteeringCompiler;
import dev.geosteer.zone.Zone;
import dev.geosteer.problem.ProblemException;
import dev.geosteer.zone.ZoneLoader;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the steering file loader: arbitrary YAML as {@code geo.test.steer.yaml},
 * checked by {@code SteeringCompiler.prepare} against the parsed geo.test zone, then compiled into the
 * zone and built against the GeoIP2 City test database (as {@code ZoneCatalog.load} does). Each step may
 * reject the file with a {@link ProblemException}; nothing else may escape. A file that builds must then
 * answer A, AAAA and ANY for (up to four of) its balancers, checked like the packet target's answers.
 *
 * <p>Input ({@link FuzzedDataProvider}): the last byte picks the packet source (bits 0-1), the health view
 * (bits 2-3) and the ECS option of the questions (bits 4-5: none, GB /24, JP /32, /0); everything before it
 * is the YAML file.
 */
class SteeringFileFuzzTarget {
    private static final int MAX_BALANCERS = 4;

    /** Built on first use, so that in fuzzing mode the server classes load after Jazzer's agent. */
    private static final class World {
        static final HealthView[] VIEWS = FuzzSupport.healthViews("geo.test.");
        static volatile HealthView health = HealthView.NONE;
        static final Path DIR = FuzzSupport.copyResources("zones/geo.test.zone", "geoip/GeoIP2-City-Test.mmdb");
        static final Path STEER_FILE = DIR.resolve("zones/geo.test.steer.yaml");
        static final ZoneLoader.ParsedZone PARSED = parse();
        static final SteeringCompiler COMPILER = new SteeringCompiler(geo()::current, () -> health);
        static volatile ServedZones served = ServedZones.EMPTY;
        static final Responder RESPONDER = FuzzSupport.responder(() -> served);
        static final WireWriter WRITER = new WireWriter();
        /** ECS options: a GB /24, a JP /32 (IPv6), and /0 ("use no client information"). */
        static final ClientSubnetOption[] ECS = {
                new ClientSubnetOption(24, FuzzSupport.ip("81.2.69.0")),
                new ClientSubnetOption(32, FuzzSupport.ip("2001:218::")),
                new ClientSubnetOption(0, FuzzSupport.ip("0.0.0.0"))};

        private static ZoneLoader.ParsedZone parse() {
            try {
                return ZoneLoader.parse(DIR.resolve("zones/geo.test.zone"));
            } catch (ProblemException e) {
                throw new IllegalStateException(e);
            }
        }

        private static GeoDatabases geo() {
            GeoDatabases geo = new GeoDatabases(DIR.resolve("geoip"), List.of());
            if (!geo.refresh() || geo.current().databases().isEmpty()) {
                throw new IllegalStateException("GeoIP test database not loaded: " + geo.lastError());
            }
            return geo;
        }
    }

    @FuzzTest(maxDuration = "30s")
    void fuzzSteeringFile(FuzzedDataProvider data) {
        int options = data.consumeByte() & 0xFF;
        steeringFile(options, data.consumeRemainingAsBytes());
    }

    /** One input: {@code yaml} as geo.test.steer.yaml, with the client, health and ECS {@code options}. */
    static void steeringFile(int options, byte[] yaml) {
        try {
            Files.write(World.STEER_FILE, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        World.health = World.VIEWS[(options >> 2) & 3];
        SteeringLoader.Prepared prepared;
        Zone zone;
        Steering steering;
        try {
            prepared = World.COMPILER.prepare(World.STEER_FILE.toString(), yaml, World.PARSED);
            if (prepared == null) {
                throw new AssertionError("prepare returned null (no file) for an existing file");
            }
            zone = ZoneLoader.compile(World.PARSED, prepared.names());
            steering = prepared.build(zone);
        } catch (ProblemException e) {
            if (e.errors().isEmpty()) {
                throw new AssertionError("a ProblemException without errors", e);
            }
            return;
        }
        World.served = new ServedZones(Map.of(zone.origin(), new ServedZone(zone, steering)));
        InetAddress source = FuzzSupport.CLIENTS[options & 3];
        int variant = (options >> 4) & 3; // 0: no EDNS, else one of the ECS options
        int balancers = 0;
        for (Name owner : prepared.names().keySet()) {
            if (balancers++ == MAX_BALANCERS) {
                break;
            }
            Name q = owner.isWild() ? Name.fromConstantString("x." + new Name(owner, 1)) : owner;
            for (int type : new int[] {Type.A, Type.AAAA, Type.ANY}) {
                byte[] packet = variant == 0 ? FuzzSupport.query(q, type, 0, null)
                        : FuzzSupport.query(q, type, 1232, World.ECS[variant - 1]);
                FuzzSupport.answerAndCheck(World.RESPONDER, World.WRITER, packet, source, type == Type.ANY);
            }
        }
    }
}
