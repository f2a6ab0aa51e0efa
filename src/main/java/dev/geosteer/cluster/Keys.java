package dev.geosteer.cluster;

import java.util.regex.Pattern;

/**
 * The key layout under the prefix ({@code /geosteer/} by default), in one place:
 * <pre>
 * members/&lt;node&gt;                      under the node's lease: version, config revision, started at, heartbeat
 * health/&lt;zone/pool/origin&gt;/&lt;node&gt;   under the node's lease: that node's verdict on that origin
 * drains/&lt;zone/pool[/origin]&gt;          no lease: reason, by, at
 * config/generation                   the published set's manifest: generation, file names and SHA-256
 * config/files/&lt;name&gt;                 one file of the set (zone file, steering file, admin-state.yaml)
 * </pre>
 * Anything else under the prefix is foreign: {@link #parse} says why, and it is ignored.
 */
final class Keys {
    static final String MEMBERS = "members/";
    static final String HEALTH = "health/";
    static final String DRAINS = "drains/";
    static final String CONFIG_GENERATION = "config/generation";
    static final String CONFIG_FILES = "config/files/";
    private static final Pattern FILE_SEGMENT = Pattern.compile("[A-Za-z0-9_@+=,-][A-Za-z0-9._@+=,-]*");

    /** What a key under the prefix is. */
    sealed interface Key permits Member, VerdictKey, DrainKey, Generation, ConfigFile, Foreign {
    }

    record Member(String node) implements Key {
    }

    record VerdictKey(String origin, String node) implements Key {
    }

    record DrainKey(String selector) implements Key {
    }

    record Generation() implements Key {
    }

    record ConfigFile(String name) implements Key {
    }

    record Foreign(String why) implements Key {
    }

    final String prefix;

    Keys(String prefix) {
        this.prefix = prefix;
    }

    String member(String node) {
        return prefix + MEMBERS + node;
    }

    String verdict(String origin, String node) {
        return prefix + HEALTH + origin + "/" + node;
    }

    String drain(String selector) {
        return prefix + DRAINS + selector;
    }

    String generation() {
        return prefix + CONFIG_GENERATION;
    }

    String configFile(String name) {
        return prefix + CONFIG_FILES + name;
    }

    String configDir() {
        return prefix + "config/";
    }

    /** Classifies a full key (prefix included). */
    Key parse(String key) {
        if (!key.startsWith(prefix)) {
            return new Foreign("outside the prefix " + prefix);
        }
        String rest = key.substring(prefix.length());
        if (rest.startsWith(MEMBERS)) {
            String node = rest.substring(MEMBERS.length());
            return ClusterSettings.NODE.matcher(node).matches() ? new Member(node)
                    : new Foreign("'" + node + "' is not a node name");
        }
        if (rest.startsWith(HEALTH)) {
            String tail = rest.substring(HEALTH.length());
            int slash = tail.lastIndexOf('/');
            if (slash <= 0) {
                return new Foreign("expected health/<origin>/<node>");
            }
            String origin = tail.substring(0, slash);
            String node = tail.substring(slash + 1);
            if (!ClusterSettings.NODE.matcher(node).matches() || !segmentsOk(origin)) {
                return new Foreign("expected health/<zone/pool/origin>/<node>");
            }
            return new VerdictKey(origin, node);
        }
        if (rest.startsWith(DRAINS)) {
            String selector = rest.substring(DRAINS.length());
            return validSelector(selector) ? new DrainKey(selector)
                    : new Foreign("expected drains/<zone>/<pool>[/<origin>]");
        }
        if (rest.equals(CONFIG_GENERATION)) {
            return new Generation();
        }
        if (rest.startsWith(CONFIG_FILES)) {
            String name = rest.substring(CONFIG_FILES.length());
            return validFileName(name) ? new ConfigFile(name) : new Foreign("'" + name + "' is not a file name");
        }
        return new Foreign("not part of geosteer's layout (members/, health/, drains/, config/generation,"
                + " config/files/)");
    }

    /** {@code zone/pool} or {@code zone/pool/origin}. */
    static boolean validSelector(String selector) {
        int parts = selector.split("/", -1).length;
        return (parts == 2 || parts == 3) && segmentsOk(selector);
    }

    /** A relative path of plain names: no empty, '.' or '..' part, no leading '/'. */
    static boolean validFileName(String name) {
        if (name.isEmpty() || name.length() > 255) {
            return false;
        }
        for (String part : name.split("/", -1)) {
            if (!FILE_SEGMENT.matcher(part).matches()) {
                return false;
            }
        }
        return true;
    }

    private static boolean segmentsOk(String path) {
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || part.chars().anyMatch(c -> c <= ' ')) {
                return false;
            }
        }
        return true;
    }
}
