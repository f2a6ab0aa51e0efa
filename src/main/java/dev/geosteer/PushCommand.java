package dev.geosteer;

import dev.geosteer.cluster.ConfigSet;
import dev.geosteer.cluster.ConfigStore;
import dev.geosteer.cluster.EtcdConnection;
import dev.geosteer.config.ServerConfig;
import dev.geosteer.problem.Problem;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code geosteer push}: validates the zones directory exactly as {@code check} does and, only when nothing is
 * wrong, publishes the whole set (zone files, steering files, admin-state.yaml) to the fleet's etcd in one
 * transaction. Every instance with {@code cluster.config: etcd} then serves it.
 */
@Command(name = "push",
        description = {"Validate the zones and steering files as 'check' does, then publish the whole set to the "
                + "fleet's etcd (cluster: in geosteer.yaml) in one transaction; instances with cluster.config: etcd "
                + "serve it. Nothing is published when a file is invalid (file:line: reason, exit 1)."})
final class PushCommand extends Main.ConfigOptions implements Callable<Integer> {
    /** How long etcd gets to answer. */
    static final long TIMEOUT_SECONDS = 15;

    @Override
    public Integer call() {
        ServerConfig c = settings();
        if (c == null) {
            return Main.EXIT_SETTINGS;
        }
        if (c.cluster == null) {
            System.err.println("geosteer: push publishes to the fleet's etcd: geosteer.yaml has no 'cluster:' section"
                    + (configFile() == null ? " (give it with --config)" : ""));
            return 2;
        }
        List<Problem> errors = Main.Check.validate(c, baseDir(), System.out);
        if (errors == null) {
            return 1;
        }
        if (!errors.isEmpty()) {
            errors.forEach(System.err::println);
            System.err.println(errors.size() + " error(s): nothing published");
            return 1;
        }
        Path dir = baseDir().resolve(c.zonesDir);
        Map<String, byte[]> files;
        try {
            files = files(dir);
        } catch (IOException e) {
            System.err.println("geosteer: cannot read " + dir + ": " + e.getMessage());
            return 1;
        }
        String by = System.getProperty("user.name", "unknown") + "@" + host();
        try (EtcdConnection etcd = EtcdConnection.open(c.cluster, baseDir(), System.getenv())) {
            ConfigSet set = ConfigStore.publish(etcd, files, by).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            System.out.println("published generation " + set.generation() + " at etcd revision " + set.revision()
                    + ": " + files.size() + " files from " + dir + " (" + String.join(", ", files.keySet()) + ")");
            return 0;
        } catch (java.util.concurrent.ExecutionException e) {
            System.err.println("geosteer: nothing published: " + describe(e.getCause(), c.cluster.endpoints()));
            return 1;
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("geosteer: nothing published: etcd " + c.cluster.endpoints() + " did not answer within "
                    + TIMEOUT_SECONDS + " s");
            return 1;
        } catch (IllegalArgumentException e) {
            System.err.println("geosteer: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The files of the set: every zone file, steering file and admin-state.yaml of {@code dir}, by name. */
    static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && (name.endsWith(".zone") || name.endsWith(".steer.yaml")
                        || name.equals("admin-state.yaml"))) {
                    out.put(name, Files.readAllBytes(p));
                }
            }
        }
        return out;
    }

    private static String describe(Throwable t, List<java.net.URI> endpoints) {
        if (t instanceof ConfigStore.ConcurrentPublishException) {
            return t.getMessage() + " (push again)";
        }
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        if (m.contains("UNAVAILABLE") || m.contains("Connection refused") || m.contains("connect")) {
            return "cannot reach etcd at " + endpoints + ": " + m;
        }
        return m;
    }

    private static String host() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            return "localhost";
        }
    }
}
