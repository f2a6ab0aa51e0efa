package dev.geosteer.steer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steering file of a zone ({@code zones/<zone>.steer.yaml}) as written by the operator, bound by
 * Jackson (snake_case keys, unknown keys rejected). Checked and compiled by {@link SteeringCompiler}.
 */
public final class SteeringFile {
    public Map<String, Monitor> monitors = new LinkedHashMap<>();
    public Map<String, PoolSpec> pools = new LinkedHashMap<>();
    public Map<String, BalancerSpec> balancers = new LinkedHashMap<>();

    /** A health check, referenced by pools and origins. */
    public static final class Monitor {
        public String type = "http";
        public Integer port;
        public String path = "/";
        public String method = "GET";
        public String host;
        public Map<String, String> headers = new LinkedHashMap<>();
        public String expect = "200-399";
        public String expectBody;
        public Duration interval = Duration.ofSeconds(10);
        public Duration timeout = Duration.ofSeconds(2);
        public int rise = 2;
        public int fall = 3;
        public boolean tlsVerify = true;
        public String caFile;
    }

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

    public static final class BalancerSpec {
        public Integer ttl = 30;
        public String steering = "failover";
        public List<String> defaultPools;
        public Map<String, List<String>> regions = new LinkedHashMap<>();
        public Map<String, List<String>> nets = new LinkedHashMap<>();
        public String fallbackPool;
        public int maxAnswers = 1;
    }
}
