package dev.geosteer.steer;

import dev.geosteer.config.OwnKeys;
import dev.geosteer.health.Monitors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steering file of a zone ({@code zones/<zone>.steer.yaml}) as written by the operator, bound by
 * Jackson (snake_case keys, unknown keys rejected). A monitor's keys beyond those every monitor has
 * belong to its type ({@link Monitors}), a balancer's beyond those every balancer has to its policy
 * ({@link Policy#keys}). Checked and compiled by {@link SteeringCompiler}.
 */
public final class SteeringFile {
    public Map<String, Monitors.Written> monitors = new LinkedHashMap<>();
    public Map<String, PoolSpec> pools = new LinkedHashMap<>();
    public Map<String, BalancerSpec> balancers = new LinkedHashMap<>();

    public static final class PoolSpec {
        public String monitor;
        public Coordinates location;
        public int minimumOrigins = 1;
        public int weight = 1;
        public List<OriginSpec> origins;
    }

    public static final class Coordinates {
        public Double lat;
        public Double lon;
    }

    public static final class OriginSpec {
        public String name;
        public String address;
        public int weight = 1;
        public String checkAddress;
        public String monitor;
    }

    /** A balancer as written: the keys every balancer has; the others are its policy's. */
    public static final class BalancerSpec extends OwnKeys.Open {
        public Integer ttl = 30;
        public String steering = "failover";
        public List<String> defaultPools;
        public Map<String, List<String>> nets = new LinkedHashMap<>();
        public String fallbackPool;
        public int maxAnswers = 1;
        /** What a zone transfer carries for this name: {@code default}, {@code fallback} or {@code omit}. */
        public String transferAs = "default";
    }
}
