package dev.geosteer.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd (the Debian {@code etcd} binary, 3.4) on ephemeral loopback ports with a throw-away data
 * directory under {@code dir}, started as a child process and stopped by its PID. It can be stopped and
 * started again on the same ports and data ("etcd goes away and comes back"). Optionally it serves TLS with
 * a CA made for the test ({@link TestCa}) and requires client certificates, and has user/password
 * authentication enabled: user {@code root} and a user {@link #USER} whose role may read and write only
 * under {@code /geosteer/}.
 */
final class EtcdProcess implements AutoCloseable {
    static final String USER = "geosteer";
    static final String ROLE_PREFIX = "/geosteer/";

    /** How the server is set up: TLS files (null for plain HTTP) and passwords (null: no authentication). */
    record Options(TestCa tls, String rootPassword, String userPassword) {
        static final Options PLAIN = new Options(null, null, null);
    }

    private final Path binary;
    private final Path dir;
    private final Options options;
    private final int clientPort;
    private final int peerPort;
    private final Path log;
    private Process process;
    private boolean authEnabled;

    private EtcdProcess(Path binary, Path dir, Options options, int clientPort, int peerPort) {
        this.binary = binary;
        this.dir = dir;
        this.options = options;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.log = dir.resolve("etcd.log");
    }

    /** The etcd binary, or null when it is not installed ({@code apt-get install etcd-server etcd-client}). */
    static Path find(String name) {
        for (String d : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Skips the calling test when etcd (or, for TLS, openssl) is not installed, with the reason; fails it
     * instead when {@code GEOSTEER_REQUIRE_ETCD} is set (CI installs them: there a missing one is a broken
     * set-up, not a reason to skip).
     */
    static void requireInstalled(boolean openssl) {
        List<String> missing = new ArrayList<>();
        if (find("etcd") == null) {
            missing.add("etcd (Debian: apt-get install etcd-server)");
        }
        if (find("etcdctl") == null) {
            missing.add("etcdctl (Debian: apt-get install etcd-client)");
        }
        if (openssl && find("openssl") == null) {
            missing.add("openssl (Debian: apt-get install openssl)");
        }
        if (!missing.isEmpty()) {
            String why = String.join(", ", missing) + " not found";
            if (System.getenv("GEOSTEER_REQUIRE_ETCD") != null) {
                throw new AssertionError(why + ", and GEOSTEER_REQUIRE_ETCD is set");
            }
            System.err.println("etcd test SKIPPED: " + why);
            org.junit.jupiter.api.Assumptions.abort(why + ": etcd test skipped");
        }
    }

    static EtcdProcess start(Path dir, Options options) throws Exception {
        Path binary = find("etcd");
        if (binary == null || find("etcdctl") == null) {
            throw new IllegalStateException("etcd is not installed: apt-get install etcd-server etcd-client");
        }
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // a port taken between choosing and binding it
            Path run = Files.createDirectories(dir.resolve("etcd-" + attempt));
            EtcdProcess e = new EtcdProcess(binary, run, options, freePort(), freePort());
            try {
                e.launch();
                if (options.rootPassword() != null) {
                    e.enableAuth();
                }
                return e;
            } catch (IOException ex) {
                e.stop();
                last = ex;
            }
        }
        throw last;
    }

    /** The client URL ({@code http://127.0.0.1:port} or {@code https://...}). */
    String endpoint() {
        return (options.tls() != null ? "https" : "http") + "://127.0.0.1:" + clientPort;
    }

    Path log() {
        return log;
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    private void launch() throws IOException, InterruptedException {
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> cmd = new ArrayList<>(List.of(binary.toString(),
                "--name", "test",
                "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", endpoint(),
                "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "test=" + peer,
                "--initial-cluster-state", "new",
                "--logger", "zap", "--log-outputs", "stderr"));
        if (options.tls() != null) {
            cmd.addAll(List.of("--cert-file", options.tls().serverCert().toString(),
                    "--key-file", options.tls().serverKey().toString(),
                    "--trusted-ca-file", options.tls().caCert().toString(),
                    "--client-cert-auth"));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitHealthy(Duration.ofSeconds(20));
    }

    /** Polls {@code etcdctl endpoint health} (a real request through the client port) until it succeeds. */
    private void awaitHealthy(Duration deadline) throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        String lastOutput = "";
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException("etcd exited with " + process.exitValue() + ": " + logText());
            }
            Result r = etcdctl(asRoot(List.of("endpoint", "health")), Duration.ofSeconds(3));
            if (r.exit() == 0) {
                return;
            }
            lastOutput = r.output();
            Thread.sleep(50);
        }
        throw new IOException("etcd at " + endpoint() + " not healthy within " + deadline + ": " + lastOutput
                + "\n" + logText());
    }

    private void enableAuth() throws IOException, InterruptedException {
        // root first (etcd refuses to enable authentication without it), then a user with one prefix only
        run(List.of("user", "add", "root", "--interactive=false", "--new-user-password=" + options.rootPassword()));
        run(List.of("role", "add", USER));
        run(List.of("role", "grant-permission", USER, "--prefix=true", "readwrite", ROLE_PREFIX));
        run(List.of("user", "add", USER, "--interactive=false", "--new-user-password=" + options.userPassword()));
        run(List.of("user", "grant-role", USER, USER));
        run(List.of("auth", "enable"));
        authEnabled = true;
    }

    /** With authentication on, even {@code endpoint health} needs a user ("user name is empty" otherwise). */
    private List<String> asRoot(List<String> args) {
        List<String> all = new ArrayList<>(args);
        if (authEnabled) {
            all.add("--user=root:" + options.rootPassword());
        }
        return all;
    }

    /** Runs etcdctl as root (when authentication is on) and fails on a non-zero exit. */
    String run(List<String> args) throws IOException, InterruptedException {
        Result r = etcdctl(asRoot(args), Duration.ofSeconds(10));
        if (r.exit() != 0) {
            throw new IOException("etcdctl " + String.join(" ", args) + " failed (" + r.exit() + "): " + r.output());
        }
        return r.output();
    }

    private record Result(int exit, String output) {
    }

    private Result etcdctl(List<String> args, Duration timeout) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(find("etcdctl").toString(), "--endpoints=" + endpoint(),
                "--dial-timeout=1s", "--command-timeout=2s"));
        if (options.tls() != null) {
            cmd.addAll(List.of("--cacert=" + options.tls().caCert(), "--cert=" + options.tls().clientCert(),
                    "--key=" + options.tls().clientKey()));
        }
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "etcdctl timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
    }

    /** Stops etcd by its PID (SIGTERM, then SIGKILL after 10 s) and waits for it to exit; data stays. */
    void stop() {
        if (process == null) {
            return;
        }
        ProcessHandle handle = process.toHandle();
        handle.destroy();
        try {
            handle.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handle.destroyForcibly();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            handle.destroyForcibly();
            handle.onExit().join();
        }
        process = null;
    }

    /** Starts etcd again on the same ports with the same data (members, leases, users survive). */
    void restart() throws IOException, InterruptedException {
        if (running()) {
            throw new IllegalStateException("etcd is running");
        }
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
