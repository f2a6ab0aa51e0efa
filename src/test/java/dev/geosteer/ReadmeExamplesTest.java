package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every {@code $ command} of the README's {@code console} blocks against a server on the shipped
 * zones/ and geoip/, and checks that the lines printed under it appear in the output, in order
 * ({@code ...} stands for any lines, or for the rest of a line).
 */
class ReadmeExamplesTest {
    static Geosteer server;
    static int port;

    record Example(String command, List<String> expected, int line) {
    }

    @BeforeAll
    static void start() throws Exception {
        ServerConfig c = new ServerConfig();
        c.listen = List.of("127.0.0.1:0");
        c.limits.threads = 2;
        c.admin.listen = "";
        c.stateDir = Files.createTempDirectory("readme-state").toString(); // ignore drains left in ./state by hand
        server = Geosteer.start(c, Path.of("").toAbsolutePath(), List.of());
        port = server.dnsAddresses().get(0).getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<Example> examples() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        List<Example> out = new ArrayList<>();
        boolean inConsole = false;
        String command = null;
        int commandLine = 0;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("```")) {
                if (inConsole && command != null) {
                    out.add(new Example(command, expected, commandLine));
                }
                inConsole = !inConsole && l.trim().equals("```console");
                command = null;
                expected = new ArrayList<>();
                continue;
            }
            if (!inConsole) {
                continue;
            }
            if (l.startsWith("$ ")) {
                if (command != null) {
                    out.add(new Example(command, expected, commandLine));
                }
                command = l.substring(2).trim();
                commandLine = i + 1;
                expected = new ArrayList<>();
            } else if (command != null) {
                expected.add(l);
            }
        }
        return out;
    }

    @TestFactory
    List<DynamicTest> everyReadmeCommandPrintsWhatTheReadmeSays() throws IOException {
        List<Example> examples = examples();
        assertThat(examples).as("README console examples").hasSizeGreaterThan(15);
        return examples.stream().map(e -> DynamicTest.dynamicTest("README.md:" + e.line() + " " + e.command(),
                () -> check(e))).toList();
    }

    static void check(Example e) throws Exception {
        String output;
        if (e.command().startsWith("dig ")) {
            String cmd = e.command().replace("-p 5353", "-p " + port);
            Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("dig finished").isTrue();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } else if (e.command().startsWith("java -jar target/geosteer.jar ")) {
            String[] args = e.command().substring("java -jar target/geosteer.jar ".length()).trim().split("\\s+");
            CliTest.Run r = CliTest.run(args);
            assertThat(r.exit()).as(r.err()).isZero();
            output = r.out();
        } else {
            throw new AssertionError("README example the test cannot run: " + e.command());
        }
        assertFollows(output, e.expected(), e.command());
    }

    static String norm(String s) {
        return s.strip().replaceAll("[ \\t]+", " ");
    }

    /** Each expected line matches a later output line; "..." alone skips lines, at a line's end any text. */
    static void assertFollows(String output, List<String> expected, String what) {
        List<String> actual = Arrays.stream(output.split("\n")).map(ReadmeExamplesTest::norm).toList();
        int at = 0;
        for (String want : expected) {
            String w = norm(want);
            if (w.isEmpty() || w.equals("...")) {
                continue;
            }
            boolean prefix = w.endsWith("...");
            String stem = prefix ? w.substring(0, w.length() - 3) : w;
            int found = -1;
            for (int i = at; i < actual.size(); i++) {
                if (prefix ? actual.get(i).startsWith(stem) : actual.get(i).equals(stem)) {
                    found = i;
                    break;
                }
            }
            assertThat(found).as("`%s` should print%n  %s%nafter line %d of:%n%s", what, want, at, output)
                    .isGreaterThanOrEqualTo(0);
            at = found + 1;
        }
    }

    static Duration timeout() {
        return Duration.ofSeconds(20);
    }
}
