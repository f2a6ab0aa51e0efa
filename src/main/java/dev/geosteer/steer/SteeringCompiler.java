package dev.geosteer.steer;

import dev.geosteer.config.OwnKeys;
import dev.geosteer.config.Yaml;
import dev.geosteer.config.YamlProblems;
import dev.geosteer.geo.GeoIndex;
import dev.geosteer.net.Cidr;
import dev.geosteer.health.HealthView;
import dev.geosteer.health.MonitorSpec;
import dev.geosteer.health.Monitors;
import dev.geosteer.query.Steering;
import dev.geosteer.zone.Zone;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;
import dev.geosteer.zone.ZoneLoader;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Reads a steering file, checks every field against the zone (reporting {@code file:line:column:
 * reason} for each problem), and builds the zone's {@link ZoneSteering} against the current GeoIP index.
 */
public final class SteeringCompiler implements SteeringLoader {
    private static final Pattern IDENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    /** The default of {@code limits.steering_max_mb}. */
    public static final int DEFAULT_MAX_MB = 256;

    private final Supplier<GeoIndex> geo;
    private final Supplier<HealthView> health;
    private final GeoTries tries = new GeoTries();
    private final long maxBytesPerZone;
    private final Supplier<RandomGenerator> random;
    private final LongSupplier nanoClock;

    public SteeringCompiler(Supplier<GeoIndex> geo, Supplier<HealthView> health) {
        this(geo, health, DEFAULT_MAX_MB);
    }

    /**
     * @param maxMbPerZone the most the GeoIP tries of one zone's balancers may take, in MiB (tries shared
     *                     by several balancers counted once): a steering file past it fails to load,
     *                     with the line of the balancer that crossed it, rather than exhausting the heap
     */
    public SteeringCompiler(Supplier<GeoIndex> geo, Supplier<HealthView> health, int maxMbPerZone) {
        this(geo, health, maxMbPerZone, ThreadLocalRandom::current, System::nanoTime);
    }

    /**
     * @param random    the generator of the weighted choices of each answer (the thread's own when serving)
     * @param nanoClock the clock of the TTL cap, on the base of the health schedule ({@link System#nanoTime})
     */
    public SteeringCompiler(Supplier<GeoIndex> geo, Supplier<HealthView> health, int maxMbPerZone,
                            Supplier<RandomGenerator> random, LongSupplier nanoClock) {
        this.geo = geo;
        this.health = health;
        this.maxBytesPerZone = maxMbPerZone * 1024L * 1024L;
        this.random = random;
        this.nanoClock = nanoClock;
    }

    @Override
    public Prepared prepare(String shown, byte[] yaml, ZoneLoader.ParsedZone zone) throws ProblemException {
        Yaml.Document<SteeringFile> doc = Yaml.parse(shown, yaml, SteeringFile.class, SteeringFile::new);
        Checker c = new Checker(doc, zone);
        PreparedSteering prepared = c.check(doc.value());
        doc.throwIfAny(c.errors);
        return prepared;
    }

    /** One pass of checks over one file; collects every error. */
    private final class Checker implements YamlProblems {
        final Yaml.Document<SteeringFile> doc;
        final ZoneLoader.ParsedZone zone;
        final List<Problem> errors = new ArrayList<>();
        /** Monitors and pools that are defined but have errors: references to them are not errors too. */
        final java.util.Set<String> brokenMonitors = new java.util.HashSet<>();
        final java.util.Set<String> brokenPools = new java.util.HashSet<>();

        Checker(Yaml.Document<SteeringFile> doc, ZoneLoader.ParsedZone zone) {
            this.doc = doc;
            this.zone = zone;
        }

        @Override
        public void add(String path, String message) {
            Problem e = doc.error(path, "'" + path + "': " + message);
            if (e != null) {
                errors.add(e);
            }
        }

        PreparedSteering check(SteeringFile f) {
            String shown = doc.file();
            Map<String, MonitorSpec> monitors = new LinkedHashMap<>();
            f.monitors.forEach((name, m) -> {
                MonitorSpec spec = Monitors.read(doc, "monitors." + name, name, m, this);
                if (spec != null) {
                    monitors.put(name, spec);
                } else {
                    brokenMonitors.add(name);
                }
            });
            Map<String, Pool> pools = new LinkedHashMap<>();
            f.pools.forEach((name, p) -> {
                Pool pool = pool("pools." + name, name, p, monitors);
                if (pool != null) {
                    pools.put(name, pool);
                } else {
                    brokenPools.add(name);
                }
            });
            List<PreparedBalancer> balancers = new ArrayList<>();
            Map<Name, Integer> names = new LinkedHashMap<>();
            f.balancers.forEach((key, b) -> {
                String path = "balancers." + key;
                Name name = balancerName(path, key);
                PreparedBalancer pb = balancer(path, key, name, b, pools);
                if (name != null && pb != null) {
                    if (names.containsKey(name)) {
                        add(path, "balancer " + name + " is defined twice");
                    } else {
                        names.put(name, balancers.size());
                        balancers.add(pb.at(doc.where().error(shown, path, "'" + path + "'")));
                    }
                }
            });
            return new PreparedSteering(names, balancers, new ArrayList<>(pools.values()), shown);
        }

        Pool pool(String path, String name, SteeringFile.PoolSpec p, Map<String, MonitorSpec> monitors) {
            int before = errors.size();
            if (!IDENT.matcher(name).matches()) {
                add(path, "pool names use letters, digits, '.', '_' and '-'");
            }
            MonitorSpec poolMonitor = null;
            if (p.monitor != null) {
                poolMonitor = monitors.get(p.monitor);
                if (poolMonitor == null) {
                    missingMonitor(path + ".monitor", p.monitor, monitors);
                }
            }
            if (p.origins == null || p.origins.isEmpty()) {
                add(path, "a pool needs at least one origin");
                return null;
            }
            List<Origin> origins = new ArrayList<>();
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < p.origins.size(); i++) {
                String op = path + ".origins[" + i + "]";
                SteeringFile.OriginSpec o = p.origins.get(i);
                if (o == null) {
                    add(op, "empty origin");
                    continue;
                }
                if (o.name == null || !IDENT.matcher(o.name).matches()) {
                    add(op + ".name", "each origin needs a 'name' (letters, digits, '.', '_', '-')");
                    continue;
                }
                if (seen.put(o.name, i) != null) {
                    add(op + ".name", "origin '" + o.name + "' appears twice in pool '" + name + "'");
                }
                InetAddress address = ip(op + ".address", o.address, true);
                InetAddress check = o.checkAddress == null ? null : ip(op + ".check_address", o.checkAddress, true);
                if (o.weight < 1 || o.weight > 1000) {
                    add(op + ".weight", "weight must be within 1..1000");
                }
                MonitorSpec monitor = poolMonitor;
                if (o.monitor != null) {
                    monitor = monitors.get(o.monitor);
                    if (monitor == null) {
                        missingMonitor(op + ".monitor", o.monitor, monitors);
                    }
                }
                if (address != null) {
                    origins.add(new Origin(o.name, zone.origin().canonicalize() + "/" + name + "/" + o.name, address, o.weight,
                            check, monitor));
                }
            }
            if (p.minimumOrigins < 1 || p.minimumOrigins > p.origins.size()) {
                add(path + ".minimum_origins", "minimum_origins must be within 1.." + p.origins.size());
            }
            if (p.weight < 1 || p.weight > 1000) {
                add(path + ".weight", "weight must be within 1..1000");
            }
            double lat = Double.NaN;
            double lon = Double.NaN;
            if (p.location != null) {
                if (p.location.lat == null || p.location.lon == null || Math.abs(p.location.lat) > 90
                        || Math.abs(p.location.lon) > 180) {
                    add(path + ".location", "location needs lat (-90..90) and lon (-180..180)");
                } else {
                    lat = p.location.lat;
                    lon = p.location.lon;
                }
            }
            if (errors.size() > before) {
                return null;
            }
            return new Pool(name, origins, p.minimumOrigins, p.weight, lat, lon);
        }

        InetAddress ip(String path, String text, boolean required) {
            if (text == null || text.isBlank()) {
                if (required) {
                    add(path, "an IP address is required");
                }
                return null;
            }
            try {
                return dev.geosteer.net.Addresses.parse(text);
            } catch (IllegalArgumentException e) {
                add(path, e.getMessage());
                return null;
            }
        }

        Name balancerName(String path, String key) {
            Name origin = zone.origin();
            Name name;
            try {
                name = key.equals("@") ? origin : Name.fromString(key, origin);
            } catch (TextParseException e) {
                add(path, "'" + key + "' is not a domain name: " + e.getMessage());
                return null;
            }
            if (!name.subdomain(origin)) {
                add(path, "balancer " + name + " is outside the zone " + origin);
                return null;
            }
            if (zone.isAtOrBelowCut(name)) {
                add(path, "balancer " + name + " is at or below a zone cut (delegated away)");
                return null;
            }
            java.util.Set<Integer> types = zone.typesAt(name);
            if (types.contains(Type.CNAME)) {
                add(path, "balancer " + name + " also has a CNAME in " + zone.file()
                        + ": a name with a CNAME can have no other data");
                return null;
            }
            if (types.contains(Type.A) || types.contains(Type.AAAA)) {
                add(path, "balancer " + name + " also has A/AAAA records in " + zone.file()
                        + ": remove them, the balancer answers A and AAAA");
                return null;
            }
            for (int strip = 1; name.labels() - strip >= origin.labels(); strip++) {
                if (zone.typesAt(new Name(name, strip)).contains(Type.DNAME)) {
                    add(path, "balancer " + name + " is below a DNAME and can never be reached");
                    return null;
                }
            }
            return name;
        }

        PreparedBalancer balancer(String path, String key, Name name, SteeringFile.BalancerSpec b,
                                  Map<String, Pool> pools) {
            int before = errors.size();
            Policy policy = Policies.get(b.steering == null ? "" : b.steering.toLowerCase(Locale.ROOT));
            if (policy == null) {
                add(path + ".steering", "'" + b.steering + "' is not a steering policy (" + Policies.names() + ")");
            }
            if (b.ttl == null || b.ttl < 1 || b.ttl > 86400) {
                add(path + ".ttl", "ttl must be within 1..86400 seconds");
            }
            if (b.maxAnswers < 1 || b.maxAnswers > 16) {
                add(path + ".max_answers", "max_answers must be within 1..16");
            }
            List<Pool> defaults = poolList(path + ".default_pools", b.defaultPools, pools, true);
            List<Balancer.Net> nets = new ArrayList<>();
            b.nets.forEach((cidr, list) -> {
                String np = path + ".nets." + cidr;
                Balancer.Net net = net(np, cidr, poolList(np, list, pools, true));
                if (net != null) {
                    nets.add(net);
                }
            });
            if (!List.of("default", "fallback", "omit").contains(String.valueOf(b.transferAs))) {
                add(path + ".transfer_as", "transfer_as must be default, fallback or omit, not '" + b.transferAs + "'");
            }
            Pool fallback = null;
            if (b.fallbackPool != null) {
                fallback = pools.get(b.fallbackPool);
                if (fallback == null) {
                    missingPool(path + ".fallback_pool", b.fallbackPool, pools);
                }
            }
            // The policy reads its own keys; with an unknown policy, each key is checked by the policy that owns it.
            Policy.Rules rules = null;
            for (Map.Entry<Policy, OwnKeys> e : OwnKeys.route(doc, path, b.others(), this,
                    SteeringFile.BalancerSpec.class, Policies.all(), Policy::keys, policy,
                    (k, owners) -> k + " are only used by 'steering: " + String.join("' or '", owners.stream()
                            .map(Policy::name).toList()) + "' (this balancer uses " + policy.name() + ")").entrySet()) {
                Policy.Rules r = e.getKey().configure(new PolicyInput(path, defaults == null ? List.of() : defaults,
                        e.getValue(), pools));
                if (e.getKey() == policy) {
                    rules = r;
                }
            }
            if (errors.size() > before || rules == null || defaults == null) {
                return null;
            }
            return new PreparedBalancer(name, key, b.ttl, b.maxAnswers, fallback, policy, rules, defaults, nets,
                    b.transferAs);
        }

        /** One balancer, as its policy reads it. */
        private final class PolicyInput implements Policy.Input {
            private final String path;
            private final List<Pool> defaults;
            private final OwnKeys keys;
            private final Map<String, Pool> pools;

            PolicyInput(String path, List<Pool> defaults, OwnKeys keys, Map<String, Pool> pools) {
                this.path = path;
                this.defaults = defaults;
                this.keys = keys;
                this.pools = pools;
            }

            @Override
            public String path() {
                return path;
            }

            @Override
            public List<Pool> defaultPools() {
                return defaults;
            }

            @Override
            public OwnKeys keys() {
                return keys;
            }

            @Override
            public List<Pool> pools(String at, List<String> names) {
                return poolList(at, names, pools, true);
            }

            @Override
            public void add(String at, String message) {
                Checker.this.add(at, message);
            }
        }

        List<Pool> poolList(String path, List<String> names, Map<String, Pool> pools, boolean required) {
            if (names == null || names.isEmpty()) {
                if (required) {
                    add(path, "list at least one pool");
                }
                return null;
            }
            List<Pool> out = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                Pool p = pools.get(names.get(i));
                if (p == null) {
                    missingPool(path + "[" + i + "]", names.get(i), pools);
                    return null;
                }
                if (out.contains(p)) {
                    add(path + "[" + i + "]", "pool '" + names.get(i) + "' is listed twice");
                    return null;
                }
                out.add(p);
            }
            return out;
        }

        Balancer.Net net(String path, String cidr, List<Pool> pools) {
            Cidr net;
            try {
                net = Cidr.parse(cidr);
            } catch (IllegalArgumentException e) {
                add(path, e.getMessage());
                return null;
            }
            if (net.hostBitsSet()) {
                add(path, "'" + cidr + "' has host bits set beyond /" + net.prefix());
                return null;
            }
            return pools == null ? null : new Balancer.Net(net.bytes(), net.prefix(), net.isV6(), cidr, pools);
        }

        /** A reference to a monitor that is not defined; one that is defined with errors was reported already. */
        void missingMonitor(String path, String name, Map<String, MonitorSpec> monitors) {
            if (!brokenMonitors.contains(name)) {
                add(path, "no monitor named " + Problem.quote(name) + known(monitors.keySet()));
            }
        }

        /** A reference to a pool that is not defined; one that is defined with errors was reported already. */
        void missingPool(String path, String name, Map<String, Pool> pools) {
            if (!brokenPools.contains(name)) {
                add(path, "no pool named " + Problem.quote(name) + known(pools.keySet()));
            }
        }

        String known(java.util.Collection<String> names) {
            return names.isEmpty() ? " (none defined)" : " (defined: " + String.join(", ", names) + ")";
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** A checked balancer; {@code where}: its place in the file, for errors found when it is built. */
    record PreparedBalancer(Name name, String label, long ttl, int maxAnswers, Pool fallback, Policy policy,
                            Policy.Rules rules, List<Pool> defaultPools, List<Balancer.Net> nets, String transferAs,
                            Problem where) {
        PreparedBalancer(Name name, String label, long ttl, int maxAnswers, Pool fallback, Policy policy,
                         Policy.Rules rules, List<Pool> defaultPools, List<Balancer.Net> nets, String transferAs) {
            this(name, label, ttl, maxAnswers, fallback, policy, rules, defaultPools, nets, transferAs, null);
        }

        PreparedBalancer at(Problem where) {
            return new PreparedBalancer(name, label, ttl, maxAnswers, fallback, policy, rules, defaultPools, nets,
                    transferAs, where);
        }
    }

    /** A checked file: builds a fresh {@link ZoneSteering} against the current GeoIP index on demand. */
    final class PreparedSteering implements Prepared {
        private final Map<Name, Integer> names;
        private final List<PreparedBalancer> balancers;
        private final List<Pool> pools;
        private final String file;

        PreparedSteering(Map<Name, Integer> names, List<PreparedBalancer> balancers, List<Pool> pools, String file) {
            this.names = Map.copyOf(names);
            this.balancers = List.copyOf(balancers);
            this.pools = pools;
            this.file = file;
        }

        @Override
        public Map<Name, Integer> names() {
            return names;
        }

        /** @throws ProblemException when the balancers' tries would take more than the bound (with the line) */
        @Override
        public Steering build(Zone zone) throws ProblemException {
            GeoIndex index = geo.get();
            Balancer[] compiled = new Balancer[balancers.size()];
            java.util.Set<GeoTries.Tries> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            long bytes = 0;
            for (int i = 0; i < compiled.length; i++) {
                PreparedBalancer b = balancers.get(i);
                compiled[i] = Balancer.compile(b.name(), b.label(), b.ttl(), b.maxAnswers(), b.fallback(), b.policy(),
                        b.rules(), b.defaultPools(), b.nets(), index, tries);
                if (distinct.add(compiled[i].tries)) {
                    bytes += compiled[i].tries.bytes();
                }
                if (bytes > maxBytesPerZone) {
                    Problem w = b.where();
                    throw new ProblemException(new Problem(w == null ? file : w.file(), w == null ? 0 : w.line(),
                            w == null ? 0 : w.column(), (w == null ? "" : w.reason() + ": ") + "with this balancer "
                            + "the GeoIP tries of the zone's balancers take " + mib(bytes) + " (this one "
                            + mib(compiled[i].tries.bytes()) + "), over limits.steering_max_mb ("
                            + mib(maxBytesPerZone) + "); balancers with the same regions share one: group them,"
                            + " or raise the limit (and the heap)"));
                }
            }
            ZoneSteering built = new ZoneSteering(zone.originText(), compiled, pools, health, random, nanoClock);
            for (int i = 0; i < compiled.length; i++) {
                built.transferAs(i, balancers.get(i).transferAs());
            }
            return built;
        }
    }
}
