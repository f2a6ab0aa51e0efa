package dev.geosteer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * geosteer as a real operating-system process ({@code java ... dev.geosteer.Main serve ...}), for what only
 * a process shows: signals, exit codes, the log on standard error. Every line it logs is kept.
 */
public final class ServerProcess implements AutoCloseable {
    /** Small and quick to start: these processes serve a handful of queries. */
    private static final List<String> JVM = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xshare:auto");

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private ServerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "server-process-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Runs {@code Main} from the test class path (what surefire runs with) in {@code workDir}. */
    public static ServerProcess fromClasspath(Path workDir, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return start(cmd, workDir, env);
    }

    /** Runs a built jar, as an operator would ({@code java -jar geosteer.jar ...}). */
    public static ServerProcess fromJar(Path jar, Path workDir, Map<String, String> env, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(JVM);
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return start(cmd, workDir, env);
    }

    /** Runs {@code cmd} as it stands (e.g. a systemd unit's ExecStart). */
    public static ServerProcess start(List<String> cmd, Path workDir, Map<String, String> env) throws IOException {
        ProcessBuilder b = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        b.environment().remove("GEOSTEER_ADMIN_TOKEN");
        b.environment().putAll(env);
        return new ServerProcess(b.start());
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything logged so far, one entry per line. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    public String log() {
        return String.join("\n", lines);
    }

    /** Waits for a log line matching {@code regex} (a find, not a full match); fails with the log if none comes. */
    public Matcher awaitLine(String regex, Duration deadline) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long end = System.nanoTime() + deadline.toNanos();
        int seen = 0;
        while (System.nanoTime() < end) {
            List<String> now = lines();
            for (; seen < now.size(); seen++) {
                Matcher m = p.matcher(now.get(seen));
                if (m.find()) {
                    return m;
                }
            }
            if (!process.isAlive() && seen == lines().size()) {
                throw new AssertionError("process exited (" + process.exitValue() + ") before logging /" + regex
                        + "/:\n" + log());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no line /" + regex + "/ within " + deadline + ":\n" + log());
    }

    /** Sends a signal by name ({@code HUP}, {@code TERM}, {@code INT}) with kill(1). */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + pid() + " failed");
        }
    }

    /** Waits for the process to exit; its exit code. */
    public int awaitExit(Duration deadline) throws InterruptedException {
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + deadline + ":\n" + log());
        }
        return process.exitValue();
    }

    /** Stops the process if it still runs: SIGTERM, then SIGKILL after 10 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
