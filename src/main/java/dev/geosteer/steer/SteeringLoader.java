package dev.geosteer.steer;

import dev.geosteer.query.Steering;
import dev.geosteer.zone.Zone;
import dev.geosteer.problem.ProblemException;
import dev.geosteer.zone.ZoneLoader;
import org.xbill.DNS.Name;

import java.util.Map;

/** Reads a zone's steering file ({@code <zone file base>.steer.yaml}) for the load pipeline ({@code catalog.ZoneCatalog}). */
public interface SteeringLoader {
    /** No steering files: zones are served as written. */
    SteeringLoader NONE = (shown, yaml, zone) -> null;

    /**
     * Parses and checks a steering file ({@code yaml}, the content of the file {@code shown}) against
     * the zone's records; every problem is reported at once. Returns null to serve no steering.
     */
    Prepared prepare(String shown, byte[] yaml, ZoneLoader.ParsedZone zone) throws ProblemException;

    /** A checked steering file, ready to be built against its compiled zone. */
    interface Prepared {
        /** Names owned by balancers, with their balancer index. */
        Map<Name, Integer> names();

        /**
         * Builds the steering with the current geo databases; called again when those change.
         *
         * @throws ProblemException when it cannot be built within the configured bounds (file:line of the cause)
         */
        Steering build(Zone zone) throws ProblemException;
    }
}
