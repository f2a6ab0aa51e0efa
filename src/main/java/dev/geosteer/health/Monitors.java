package dev.geosteer.health;

import dev.geosteer.config.OwnKeys;
import dev.geosteer.config.Yaml;
import dev.geosteer.config.YamlProblems;
import dev.geosteer.problem.Problem;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the {@code monitors} of a steering file: the keys every monitor has are read and checked here;
 * the others belong to the monitor's {@link MonitorType}, which reads and checks them and makes the
 * {@link Probe}.
 */
public final class Monitors {
    private Monitors() {
    }

    /** A monitor as written (snake_case keys): the keys every type has; the others are its type's. */
    public static final class Written extends OwnKeys.Open {
        public String type = "http";
        public Integer port;
        public Duration interval = Duration.ofSeconds(10);
        public Duration timeout = Duration.ofSeconds(2);
        public int rise = 2;
        public int fall = 3;
    }

    /**
     * The monitor {@code name}, written at {@code path} of {@code doc}, checked; null when it has errors,
     * each reported with {@code problems.add(path, message)} (unknown keys as binding errors of the
     * document).
     */
    public static MonitorSpec read(Yaml.Document<?> doc, String path, String name, Written m, YamlProblems problems) {
        int[] count = {0};
        YamlProblems counted = (at, message) -> {
            count[0]++;
            problems.add(at, message);
        };
        MonitorType type = MonitorTypes.get(m.type == null ? "" : m.type.toLowerCase(Locale.ROOT));
        if (type == null) {
            counted.add(path + ".type", Problem.quote(m.type) + " is not a monitor type (" + MonitorTypes.names() + ")");
        }
        int port = m.port != null ? m.port : type == null ? -1 : type.defaultPort();
        if (m.port == null && type != null && type.defaultPort() == 0) {
            counted.add(path, "a " + type.name() + " monitor needs a 'port'");
        } else if ((type != null || m.port != null) && (port < 1 || port > 65535)) {
            counted.add(path + ".port", "port " + port + " is not within 1..65535");
        }
        if (m.interval == null || m.interval.isZero() || m.interval.isNegative()) {
            counted.add(path + ".interval", "interval must be positive");
        }
        if (m.timeout == null || m.timeout.isZero() || m.timeout.isNegative()) {
            counted.add(path + ".timeout", "timeout must be positive");
        } else if (m.interval != null && m.timeout.compareTo(m.interval) >= 0) {
            counted.add(path + ".timeout", "timeout (" + m.timeout.toMillis() + " ms) must be shorter than the interval ("
                    + m.interval.toMillis() + " ms)");
        }
        if (m.rise < 1) {
            counted.add(path + ".rise", "rise must be at least 1");
        }
        if (m.fall < 1) {
            counted.add(path + ".fall", "fall must be at least 1");
        }
        Probe probe = null;
        for (Map.Entry<MonitorType, OwnKeys> e : OwnKeys.route(doc, path, m.others(), counted, Written.class,
                MonitorTypes.all(), MonitorType::keys, type, Monitors::onlyUsedBy).entrySet()) {
            Probe p = e.getKey().configure(e.getValue());
            if (e.getKey() == type) {
                probe = p;
            }
        }
        if (count[0] > 0 || probe == null) {
            return null;
        }
        return new MonitorSpec(name, type, port, m.interval, m.timeout, m.rise, m.fall, probe);
    }

    private static String onlyUsedBy(String key, List<MonitorType> owners) {
        return key + " is only used by " + String.join(", ", owners.stream().map(MonitorType::name).toList())
                + " monitors";
    }
}
