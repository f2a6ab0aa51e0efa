package dev.geosteer.fuzz;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Replays every input of the three fuzz tests (the checked-in seeds and every {@code crash-*} or
 * {@code timeout-*} file Jazzer saved) through the same code as the fuzz tests, as a plain JUnit test.
 *
 * <p>Jazzer's own regression mode does the same when the {@code *FuzzTarget} classes run, but Surefire's
 * default includes ({@code *Test}, {@code Test*}, {@code *Tests}, {@code *TestCase}) leave them out of a
 * plain {@code mvn test}; this test keeps the inputs replayed there, without Jazzer's agent (about 10 s).
 */
class FuzzInputsTest {
    /** Target name, Jazzer inputs directory (a test resource). */
    private static final String[][] DIRS = {
            {"packet", "dev/geosteer/fuzz/PacketFuzzTargetInputs/fuzzPacket"},
            {"zone", "dev/geosteer/fuzz/ZoneFileFuzzTargetInputs/fuzzZoneFile"},
            {"steering", "dev/geosteer/fuzz/SteeringFileFuzzTargetInputs/fuzzSteeringFile"}};

    static Stream<Arguments> inputs() throws IOException, URISyntaxException {
        List<Arguments> out = new ArrayList<>();
        for (String[] d : DIRS) {
            URL url = FuzzInputsTest.class.getClassLoader().getResource(d[1]);
            if (url == null) {
                continue;
            }
            try (Stream<Path> s = Files.walk(Path.of(url.toURI()))) {
                s.filter(Files::isRegularFile).sorted()
                        .forEach(p -> out.add(Arguments.of(d[0], p.getFileName().toString(), p)));
            }
        }
        if (out.size() < 100) {
            throw new IllegalStateException("the seed corpora are missing: " + out.size() + " inputs");
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("inputs")
    void replays(String target, String name, Path file) throws IOException {
        byte[] input = Files.readAllBytes(file);
        // A hang is a finding too (timeout-* files): fail instead of blocking the build.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> replay(target, input), target + "/" + name);
    }

    /** Runs one input as the fuzz test does (the loaders read options from the last byte, as Jazzer's provider). */
    static void replay(String target, byte[] input) {
        int last = input.length == 0 ? 0 : input[input.length - 1] & 0xFF;
        byte[] rest = input.length == 0 ? input : Arrays.copyOf(input, input.length - 1);
        switch (target) {
            case "packet" -> PacketFuzzTarget.packet(input);
            case "zone" -> ZoneFileFuzzTarget.zoneFile(last, rest);
            case "steering" -> SteeringFileFuzzTarget.steeringFile(last, rest);
            default -> throw new IllegalArgumentException(target);
        }
    }

    static byte[] resource(String path) throws IOException {
        try (InputStream in = FuzzInputsTest.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("no test resource " + path);
            }
            return in.readAllBytes();
        }
    }
}
