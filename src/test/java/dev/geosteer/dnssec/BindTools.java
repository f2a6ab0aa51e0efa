package dev.geosteer.dnssec;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * BIND's DNSSEC tools (Debian bind9-utils: dnssec-keygen, dnssec-settime, dnssec-dsfromkey,
 * dnssec-signzone, dnssec-verify), and Knot's keymgr, run as processes. Without them the test calling {@link #require}
 * is skipped with a message, unless GEOSTEER_REQUIRE_BIND is set (CI installs them: there a missing
 * tool is a broken set-up).
 */
final class BindTools {
    record Result(int exit, String out, String err) {
        Result ok() {
            assertThat(exit).as("exit status; stderr: %s; stdout: %s", err, out).isZero();
            return this;
        }
    }

    private BindTools() {
    }

    static Path find(String tool) {
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Skips the calling test (or fails it on CI) when a tool is missing. */
    static void require(String... tools) {
        for (String tool : tools) {
            if (find(tool) == null) {
                String pkg = tool.equals("keymgr") ? "knot" : "bind9-utils";
                String why = tool + " not found (Debian: apt-get install " + pkg + ")";
                assertThat(System.getenv("GEOSTEER_REQUIRE_BIND")).as(why + ", and GEOSTEER_REQUIRE_BIND is set").isNull();
                System.err.println("SKIPPED: " + why);
                Assumptions.abort(why);
            }
        }
    }

    static Result run(Path workDir, String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(find(tool).toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in 60 s");
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** dnssec-keygen in {@code dir}; returns the key's base name (Kzone.+alg+tag). */
    static String keygen(Path dir, String... args) throws IOException, InterruptedException {
        return run(dir, "dnssec-keygen", args).ok().out().strip();
    }
}
