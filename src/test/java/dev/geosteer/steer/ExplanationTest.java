package dev.geosteer.steer;

import dev.geosteer.TestServer;
import dev.geosteer.query.Lookup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lookup} explains with the rule kept when the balancer was compiled, the one behind the
 * decision the trie holds, rather than asking the policy again.
 */
class ExplanationTest {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir, "geo.test.zone", "geo.test.steer.yaml", "geoip/GeoIP2-City-Test.mmdb");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String explain(String client) {
        List<String> lines = Lookup.explain(server.server::zones, "geo.geo.test", "A",
                Lookup.parseClient(client), false);
        return String.join("\n", lines);
    }

    static List<String> answer(String subnet) {
        try {
            return GeoSteeringTest.addresses(server.withSubnet("geo.geo.test.", Type.A, subnet));
        } catch (java.io.IOException e) {
            return List.of(e.toString());
        }
    }

    @Test
    void theSameNetworkWrittenTwiceIsExplainedByTheEntryThatAnswers() throws Exception {
        // Both keys are 10.1.0.0/16. The trie holds the one written last (it overwrote the other); the
        // explanation used to search the nets list for the first, naming a rule that did not answer.
        Path steer = server.zones.resolve("geo.test.steer.yaml");
        String text = Files.readString(steer);
        assertThat(text).contains("      \"10.1.0.0/16\": [ap]\n");
        Files.writeString(steer, text.replace("      \"10.1.0.0/16\": [ap]\n",
                "      \"10.1.0.0/16\": [ap]\n      \"10.1.0.0/016\": [jp]\n"));
        TestServer.await("10.1.2.0/24 steered by the second entry", Duration.ofSeconds(20),
                () -> answer("10.1.2.0/24").equals(List.of("192.0.2.4")));

        String why = explain("10.1.2.0/24");
        assertThat(why).contains("rule: nets 10.1.0.0/016 (custom networks win over GeoIP)")
                .doesNotContain("rule: nets 10.1.0.0/16 ")
                .contains("answering pool jp")
                .contains("answer: 192.0.2.4");
    }

    @Test
    void aLocationIsExplainedByTheRuleOfItsDecision() {
        // 2001:218::/48 is Japan in the test database: JP wins over AS
        assertThat(explain("2001:218::/48")).contains("rule: region JP (country)").contains("answering pool jp");
        // no client information: the unknown location's rule
        assertThat(explain("0.0.0.0/0")).contains("rule: unknown location: default_pools");
    }
}
